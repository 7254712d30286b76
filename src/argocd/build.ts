/**
 * Builds `argocd-local`, the multi-call binary holding real Argo CD (application controller,
 * repo-server, ApplicationSet controller) plus a Redis-protocol server and a local Git server, from
 * the Go wrapper module in `argocd/`, and caches it in
 * `${XDG_CACHE_HOME:-~/.cache}/cdk8s-argocd/argocd-bin/<key>/argocd-local`, keyed by the module's
 * content (go.sum, go.mod, the wrapper's .go files).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ensureGoBinaryWithProgress, GoBuildError, GoBuildResult, goBinaryCacheRoot, goModuleKey, Logger, requiredVersion } from '../go-build/go-binary';

/** Name of the multi-call binary (and its `cmd/` folder). */
export const ARGOCD_BINARY_NAME = 'argocd-local';
/** Environment variable naming a prebuilt `argocd-local` (skips the build). */
export const ARGOCD_BINARY_ENV = 'CDK8S_ARGOCD_ARGOCD_LOCAL';
/** Environment variable overriding the binary cache root. */
export const ARGOCD_BIN_CACHE_ENV = 'CDK8S_ARGOCD_ARGOCD_BIN_CACHE';
/** The Go module that is Argo CD. */
export const ARGOCD_GO_MODULE = 'github.com/argoproj/argo-cd/v3';

/** Error with a message meant for the user (no stack trace needed). */
export class ArgoCdError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArgoCdError';
  }
}

/** Finds the `argocd/` Go module shipped with this package. */
export function findArgoCdModuleDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'argocd');
    if (fs.existsSync(path.join(candidate, 'go.mod')) && fs.existsSync(path.join(candidate, 'cmd', ARGOCD_BINARY_NAME))) {
      return candidate;
    }
    if (path.dirname(dir) === dir) {
      throw new ArgoCdError(`cannot find the argocd/ Go module (looked upwards from ${__dirname})`);
    }
  }
}

/** The Argo CD release the wrapper builds (its `go.mod` requirement). */
export function argoCdVersion(moduleDir: string = findArgoCdModuleDir()): string {
  return requiredVersion(moduleDir, ARGOCD_GO_MODULE);
}

/** Says whether `binary` is a working argocd-local (`argocd-local version` answers). */
export function isWorkingArgoCdBinary(binary: string): boolean {
  if (!fs.existsSync(binary)) {
    return false;
  }
  const r = spawnSync(binary, ['version'], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 && /argo-cd=/.test(r.stdout);
}

/** Where the binary for the current wrapper module lives (built or not). */
export function cachedArgoCdBinaryPath(moduleDir: string = findArgoCdModuleDir()): string {
  return path.join(goBinaryCacheRoot('argocd-bin', ARGOCD_BIN_CACHE_ENV), goModuleKey(moduleDir), ARGOCD_BINARY_NAME);
}

/**
 * Returns the `argocd-local` binary, building it first (with progress, under `nice`) when the
 * cache has none for the current wrapper module. `$CDK8S_ARGOCD_ARGOCD_LOCAL` names a prebuilt one.
 */
export async function ensureArgoCdBinary(options: { readonly log?: Logger; readonly force?: boolean } = {}): Promise<GoBuildResult> {
  const prebuilt = process.env[ARGOCD_BINARY_ENV];
  if (prebuilt && !options.force) {
    if (!isWorkingArgoCdBinary(prebuilt)) {
      throw new ArgoCdError(`${ARGOCD_BINARY_ENV}=${prebuilt} is not a working ${ARGOCD_BINARY_NAME} binary ('${prebuilt} version' failed)`);
    }
    return { binary: path.resolve(prebuilt), built: false, seconds: 0, key: 'prebuilt' };
  }
  const moduleDir = findArgoCdModuleDir();
  const version = argoCdVersion(moduleDir);
  try {
    return await ensureGoBinaryWithProgress({
      name: ARGOCD_BINARY_NAME,
      moduleDir,
      cacheRoot: goBinaryCacheRoot('argocd-bin', ARGOCD_BIN_CACHE_ENV),
      purpose: `real Argo CD ${version} (application controller, repo-server, ApplicationSet controller)`,
      alternative: `point ${ARGOCD_BINARY_ENV} at a prebuilt ${ARGOCD_BINARY_NAME} binary`,
      ldflags: `-s -w -X main.argocdVersion=${version}`,
      works: isWorkingArgoCdBinary,
      coldBuildHint: 'about 20-40 minutes on 2 cores',
      niceness: 10,
      force: options.force,
      log: options.log,
    });
  } catch (e) {
    if (e instanceof GoBuildError) {
      throw new ArgoCdError(e.message);
    }
    throw e;
  }
}
