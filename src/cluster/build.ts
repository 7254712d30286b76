/**
 * Builds the `k8s-local` multi-call binary (etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler, kwok, metrics-server) from the Go module in
 * `cluster/`, and caches it outside the repository.
 *
 * The cache key is a hash of the wrapper module: `go.sum` (which pins every
 * dependency), `go.mod` and the wrapper's own `.go` files. Nothing else
 * triggers a rebuild.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { setTimeout as sleep } from 'timers/promises';
import { CLUSTER_BIN_CACHE_ENV, CLUSTER_BINARY_ENV } from './constants';
import { goBinaryCacheRoot, goModuleKey, releaseBuildLock, requireGo, runKeepingOutput, tryTakeBuildLock } from '../go-build/go-binary';

/** Name of the multi-call binary. */
export const BINARY_NAME = 'k8s-local';

/** Error with a message meant for the user (no stack trace needed). */
export class ClusterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterError';
  }
}

export type Logger = (message: string) => void;

export interface BuildOptions {
  /** Progress messages (default: stderr). */
  readonly log?: Logger;
  /** Rebuild even if a cached binary exists. */
  readonly force?: boolean;
  /** The Go wrapper module (default: the `cluster/` directory of this package). */
  readonly moduleDir?: string;
  /** Root of the binary cache (default: `$CDK8S_ARGOCD_CLUSTER_BIN_CACHE` or `${XDG_CACHE_HOME:-~/.cache}/cdk8s-argocd/cluster-bin`). */
  readonly cacheRoot?: string;
}

export interface BuildResult {
  /** Absolute path of the `k8s-local` binary. */
  readonly binary: string;
  /** True if this call compiled it, false if it came from the cache. */
  readonly built: boolean;
  /** Seconds spent (building or looking up the cache). */
  readonly seconds: number;
  /** Cache key (short sha256 of the wrapper module). */
  readonly key: string;
}

/** Versions of the bundled components, read from `cluster/go.mod`. */
export interface ComponentVersions {
  readonly kubernetes: string;
  readonly etcd: string;
  readonly kwok: string;
  readonly metricsServer: string;
}

const defaultLog: Logger = (m) => process.stderr.write(`${m}\n`);

/** Finds the `cluster/` Go module shipped with this package. */
export function findClusterModuleDir(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, 'cluster');
    if (fs.existsSync(path.join(candidate, 'go.mod')) && fs.existsSync(path.join(candidate, 'cmd', BINARY_NAME))) {
      return candidate;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new ClusterError(`cannot find the cluster/ Go module (looked upwards from ${__dirname})`);
    }
    dir = parent;
  }
}

/** Reads the component versions pinned in `cluster/go.mod`. */
export function readComponentVersions(moduleDir: string = findClusterModuleDir()): ComponentVersions {
  const gomod = fs.readFileSync(path.join(moduleDir, 'go.mod'), 'utf8');
  const find = (mod: string): string => {
    const re = new RegExp(`^\\s*(?:require\\s+)?${mod.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\s+(v\\S+)`, 'm');
    const m = re.exec(gomod);
    if (!m) {
      throw new ClusterError(`cluster/go.mod does not require ${mod}`);
    }
    return m[1];
  };
  return {
    kubernetes: find('k8s.io/kubernetes'),
    etcd: find('go.etcd.io/etcd/server/v3'),
    kwok: find('sigs.k8s.io/kwok'),
    metricsServer: find('sigs.k8s.io/metrics-server'),
  };
}

/** Cache key: short sha256 over go.sum, go.mod and the wrapper's Go sources. */
export function buildKey(moduleDir: string = findClusterModuleDir()): string {
  return goModuleKey(moduleDir);
}

/** Root of the binary cache. */
export function cacheRoot(): string {
  return goBinaryCacheRoot('cluster-bin', CLUSTER_BIN_CACHE_ENV);
}

/** Where the binary for the current wrapper module lives (built or not). */
export function cachedBinaryPath(options: BuildOptions = {}): string {
  const moduleDir = options.moduleDir ?? findClusterModuleDir();
  return path.join(options.cacheRoot ?? cacheRoot(), buildKey(moduleDir), BINARY_NAME);
}

function isWorkingBinary(binary: string): boolean {
  if (!fs.existsSync(binary)) {
    return false;
  }
  const r = spawnSync(binary, ['version'], { encoding: 'utf8', timeout: 30_000 });
  // A binary without the metrics-server (an older cache entry, or a stale prebuilt one) is not enough.
  return r.status === 0 && /kubernetes=.* metrics-server=/.test(r.stdout);
}

function goVersion(): string {
  try {
    return requireGo('the local Kubernetes control plane', `point ${CLUSTER_BINARY_ENV} at a prebuilt ${BINARY_NAME} binary`);
  } catch (e) {
    throw new ClusterError((e as Error).message);
  }
}

/** Serializes builds of the same key across processes (see tryTakeBuildLock). */
async function withLock<T>(lockDir: string, log: Logger, fn: () => Promise<T>): Promise<T> {
  let announced = false;
  for (let lock = tryTakeBuildLock(lockDir); !lock.taken; lock = tryTakeBuildLock(lockDir)) {
    if (!announced) {
      log(`waiting for another build of the control plane (lock ${lockDir}, pid ${lock.owner})`);
      announced = true;
    }
    await sleep(2000);
  }
  try {
    return await fn();
  } finally {
    releaseBuildLock(lockDir);
  }
}

/**
 * Returns the `k8s-local` binary, building it first if the cache has no
 * binary for the current wrapper module. `$CDK8S_ARGOCD_K8S_LOCAL` short-cuts
 * everything and names a prebuilt binary.
 */
export async function ensureClusterBinary(options: BuildOptions = {}): Promise<BuildResult> {
  const started = Date.now();
  const log = options.log ?? defaultLog;
  const seconds = () => (Date.now() - started) / 1000;

  const prebuilt = process.env[CLUSTER_BINARY_ENV];
  if (prebuilt && !options.force) {
    if (!isWorkingBinary(prebuilt)) {
      throw new ClusterError(`${CLUSTER_BINARY_ENV}=${prebuilt} is not a working ${BINARY_NAME} binary ('${prebuilt} version' failed)`);
    }
    return { binary: path.resolve(prebuilt), built: false, seconds: seconds(), key: 'prebuilt' };
  }

  const moduleDir = options.moduleDir ?? findClusterModuleDir();
  const key = buildKey(moduleDir);
  const dir = path.join(options.cacheRoot ?? cacheRoot(), key);
  const binary = path.join(dir, BINARY_NAME);
  if (!options.force && isWorkingBinary(binary)) {
    return { binary, built: false, seconds: seconds(), key };
  }

  return withLock(`${dir}.lock`, log, async () => {
    if (!options.force && isWorkingBinary(binary)) {
      // Another process built it while we waited.
      return { binary, built: false, seconds: seconds(), key };
    }
    const goVer = goVersion();
    const versions = readComponentVersions(moduleDir);
    log(
      `Building the local control plane (kubernetes ${versions.kubernetes}, etcd ${versions.etcd}, kwok ${versions.kwok}, metrics-server ${versions.metricsServer}) with ${goVer}\n` +
        `  module: ${moduleDir}\n  output: ${binary}\n` +
        '  The first build downloads the Go modules and compiles ~2700 packages (about 10-20 minutes on 2 cores);\n' +
        '  later runs reuse the cached binary until cluster/go.sum (or the wrapper) changes.',
    );
    const env: NodeJS.ProcessEnv = { ...process.env, CGO_ENABLED: '0' };

    log('[1/3] downloading Go modules (go mod download)...');
    const dl = await runKeepingOutput('go', ['mod', 'download'], moduleDir, env);
    if (dl.code !== 0) {
      throw new ClusterError(`'go mod download' failed in ${moduleDir}:\n${dl.output.join('\n')}`);
    }

    const list = spawnSync('go', ['list', '-deps', `./cmd/${BINARY_NAME}`], { cwd: moduleDir, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const total = list.status === 0 ? list.stdout.split('\n').filter(Boolean).length : 0;

    fs.mkdirSync(dir, { recursive: true });
    const tmp = path.join(dir, `${BINARY_NAME}.tmp-${process.pid}`);
    const x = (name: string, value: string) => `-X ${name}=${value}`;
    const [major, minor] = versions.kubernetes.replace(/^v/, '').split('.');
    const ldflags = [
      '-s',
      '-w',
      x('k8s.io/component-base/version.gitVersion', versions.kubernetes),
      x('k8s.io/component-base/version.gitMajor', major),
      x('k8s.io/component-base/version.gitMinor', minor),
      x('k8s.io/component-base/version.gitTreeState', 'clean'),
      x('go.etcd.io/etcd/api/v3/version.GitSHA', `${versions.etcd}-cdk8s-argocd`),
      x('sigs.k8s.io/kwok/pkg/consts.Version', versions.kwok.replace(/^v/, '')),
      x('sigs.k8s.io/kwok/pkg/consts.KubeVersion', versions.kubernetes.replace(/^v/, '')),
      x('main.kubernetesVersion', versions.kubernetes),
      x('main.etcdVersion', versions.etcd),
      x('main.kwokVersion', versions.kwok),
      x('main.metricsServerVersion', versions.metricsServer),
    ].join(' ');
    const buildArgs = ['build', '-v', '-trimpath', '-buildvcs=false', '-ldflags', ldflags, '-o', tmp, `./cmd/${BINARY_NAME}`];
    log(`[2/3] modules ready after ${Math.round(seconds())}s; compiling (CGO_ENABLED=0 go ${buildArgs.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')})`);

    let compiled = 0;
    let lastReport = Date.now();
    const buildStart = Date.now();
    const res = await runKeepingOutput('go', buildArgs, moduleDir, env, undefined, (line) => {
      // `go build -v` prints one import path per package it compiles.
      if (/^[\w.\-/~]+$/.test(line)) {
        compiled++;
      }
      if (Date.now() - lastReport >= 15_000) {
        lastReport = Date.now();
        const pct = total ? ` of ~${total}` : '';
        log(`  compiled ${compiled}${pct} packages after ${Math.round((Date.now() - buildStart) / 1000)}s (${line})`);
      }
    });
    if (res.code !== 0) {
      fs.rmSync(tmp, { force: true });
      throw new ClusterError(`building ${BINARY_NAME} failed (go build exit ${res.code}):\n${res.output.slice(-60).join('\n')}`);
    }

    log(`[3/3] compiled after ${Math.round(seconds())}s; checking the binary`);
    if (!isWorkingBinary(tmp)) {
      fs.rmSync(tmp, { force: true });
      throw new ClusterError(`the freshly built ${tmp} does not run ('${BINARY_NAME} version' failed)`);
    }
    fs.renameSync(tmp, binary);
    const result: BuildResult = { binary, built: true, seconds: seconds(), key };
    fs.writeFileSync(
      path.join(dir, 'build-info.json'),
      JSON.stringify({ ...versions, go: goVer, key, seconds: Math.round(result.seconds), builtAt: new Date().toISOString(), moduleDir }, null, 2) + '\n',
    );
    const size = fs.statSync(binary).size;
    log(`Built ${binary} (${(size / 1024 / 1024).toFixed(0)} MiB) in ${Math.round(result.seconds)}s`);
    return result;
  });
}
