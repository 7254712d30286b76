/**
 * The embedded Helm/Kustomize renderer: the Go program in `renderer/`
 * (helm.sh/helm/v4 and sigs.k8s.io/kustomize/api), built on first use and
 * cached under `${XDG_CACHE_HOME:-~/.cache}/cdk8s-argocd/render-bin`.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ensureGoBinarySync, goBinaryCacheRoot, requiredVersion } from '../../go-build/go-binary';

export const RENDERER_NAME = 'cdk8s-argocd-render';
/** Names a prebuilt renderer binary (skips the build). */
export const RENDERER_BINARY_ENV = 'CDK8S_ARGOCD_RENDERER';
/** Overrides where the renderer is cached. */
export const RENDERER_BIN_CACHE_ENV = 'CDK8S_ARGOCD_RENDER_BIN_CACHE';

/** Finds the `renderer/` Go module shipped with this package. */
export function findRendererModuleDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'renderer');
    if (fs.existsSync(path.join(candidate, 'go.mod')) && fs.existsSync(path.join(candidate, 'cmd', RENDERER_NAME))) {
      return candidate;
    }
    if (path.dirname(dir) === dir) {
      throw new Error(`cannot find the renderer/ Go module (looked upwards from ${__dirname})`);
    }
  }
}

function isWorkingRenderer(binary: string): boolean {
  if (!fs.existsSync(binary)) {
    return false;
  }
  const r = spawnSync(binary, ['version'], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 && /helm=/.test(r.stdout);
}

/** The renderer binary: `$CDK8S_ARGOCD_RENDERER`, else the cached build (building it if needed). */
export function rendererBinary(): string {
  const prebuilt = process.env[RENDERER_BINARY_ENV];
  if (prebuilt) {
    if (!isWorkingRenderer(prebuilt)) {
      throw new Error(`${RENDERER_BINARY_ENV}=${prebuilt} is not a working ${RENDERER_NAME} binary ('${prebuilt} version' failed)`);
    }
    return path.resolve(prebuilt);
  }
  const moduleDir = findRendererModuleDir();
  const helm = requiredVersion(moduleDir, 'helm.sh/helm/v4');
  const kustomize = requiredVersion(moduleDir, 'sigs.k8s.io/kustomize/api');
  return ensureGoBinarySync({
    name: RENDERER_NAME,
    moduleDir,
    cacheRoot: goBinaryCacheRoot('render-bin', RENDERER_BIN_CACHE_ENV),
    purpose: `the Helm/Kustomize renderer (helm ${helm}, kustomize/api ${kustomize})`,
    alternative: `set ${RENDERER_BINARY_ENV} to a prebuilt ${RENDERER_NAME}, or CDK8S_ARGOCD_HELM_BINARY / CDK8S_ARGOCD_KUSTOMIZE_BINARY to your own helm / kustomize`,
    // Helm's own version variable too, so a chart's `.Capabilities.HelmVersion.Version` reads
    // what the released helm binary of that version says (the library alone says only "v4.2").
    ldflags: `-s -w -X main.helmVersion=${helm} -X main.kustomizeVersion=${kustomize} -X helm.sh/helm/v4/internal/version.version=${helm}`,
    works: isWorkingRenderer,
    coldBuildHint: 'about 10-25 minutes on 2 cores',
  });
}
