/**
 * Which `argocd-cm` the engine reads. Precedence: the repository's, else the cluster's.
 *
 * 1. The repository: a ConfigMap named `argocd-cm` in Argo CD's namespace (or without a namespace)
 *    among the Applications' manifests (any Application's folder, whatever renders it) or in a
 *    manifest file at the root of the manifests directory. After the sync that is the
 *    ConfigMap Argo CD reads, so a change to it in a commit takes effect in the same run.
 * 2. Else the ConfigMap `argocd-cm` in Argo CD's namespace of the cluster where Argo CD's objects
 *    live (the current cluster, where Applications are recorded).
 * 3. Else none: Argo CD's defaults (no Lua checks, nothing excluded).
 *
 * Two different `argocd-cm` manifests in the repository are an error naming both files.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ARGOCD_CM_NAME } from '../../argo/argocd-cm';
import { ARGOCD_NAMESPACE } from '../../argo/destination';
import { KubeApi } from '../kube/kube-api';
import { LoadedApplication } from '../load/applications';
import { listManifestFiles } from '../load/directory-source';
import { ManifestFiles } from '../load/manifest-file';
import { DesiredObject, KubeObject } from '../model';
import { parseResourceSettings, ResourceSettings } from './resource-settings';

function isArgoCdCm(obj: KubeObject, defaultNamespace: string | undefined): boolean {
  const ns = obj.metadata.namespace ?? defaultNamespace;
  return obj.apiVersion === 'v1' && obj.kind === 'ConfigMap' && obj.metadata.name === ARGOCD_CM_NAME && (!ns || ns === ARGOCD_NAMESPACE);
}

/** The repository's `argocd-cm` manifest, if any (see the module comment). */
export function findRepositoryArgoCdCm(
  apps: readonly LoadedApplication[], manifestsPath: string, displayRoot: string, files = new ManifestFiles(),
): DesiredObject | undefined {
  const found: DesiredObject[] = [];
  for (const app of apps) {
    found.push(...app.objects.filter((d) => isArgoCdCm(d.object, app.manifest.spec?.destination?.namespace)));
  }
  const target = path.resolve(manifestsPath);
  if (manifestsPath !== '' && fs.existsSync(target) && fs.statSync(target).isDirectory()) {
    // Only the root's own files: Applications' folders are read through their manifests above,
    // rendered as Argo CD renders them (a Helm chart's raw template is not an argocd-cm).
    for (const rel of listManifestFiles(target, { recurse: false })) {
      const abs = path.join(target, rel);
      const shown = path.relative(displayRoot, abs) || abs;
      let text: string;
      try {
        text = files.text(abs, shown);
      } catch {
        continue; // unreadable files fail the Application that reads them, not this lookup
      }
      if (!text.includes(ARGOCD_CM_NAME)) {
        continue;
      }
      try {
        found.push(...files.manifests(abs, shown).filter((d) => isArgoCdCm(d.object, undefined)));
      } catch {
        continue;
      }
    }
  }
  const unique = new Map<string, DesiredObject>();
  for (const d of found) {
    unique.set(`${d.source.file}:${d.source.line}`, d);
  }
  const all = [...unique.values()];
  const distinct = new Set(all.map((d) => JSON.stringify(d.object.data ?? {})));
  if (distinct.size > 1) {
    throw new Error(`the repository holds ${all.length} different ${ARGOCD_CM_NAME} ConfigMaps (${all.map((d) => `${d.source.file}:${d.source.line}`).join(', ')}): keep one`);
  }
  return all[0];
}

/** The cluster's `argocd-cm` in Argo CD's namespace, if any. */
export async function readClusterArgoCdCm(api: KubeApi): Promise<KubeObject | undefined> {
  return api.get({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ARGOCD_CM_NAME, namespace: ARGOCD_NAMESPACE } });
}

/** The resource settings to use, from the repository's `argocd-cm`, else the cluster's; undefined when neither exists. */
export async function resolveResourceSettings(
  apps: readonly LoadedApplication[], manifestsPath: string, displayRoot: string, controlPlane: () => Promise<KubeApi>, files?: ManifestFiles,
  onWarning: (message: string) => void = (m) => process.stderr.write(`warning: ${m}\n`),
): Promise<ResourceSettings | undefined> {
  const repo = findRepositoryArgoCdCm(apps, manifestsPath, displayRoot, files);
  if (repo) {
    return parseResourceSettings((repo.object.data ?? {}) as Record<string, unknown>, `${repo.source.file}:${repo.source.line}`);
  }
  let live: KubeObject | undefined;
  try {
    live = await readClusterArgoCdCm(await controlPlane());
  } catch (e) {
    // Not fatal: a user allowed to sync may not be allowed to read Argo CD's namespace, and an
    // unreachable cluster fails each Application on its own with a clearer error.
    onWarning(`could not read ConfigMap ${ARGOCD_NAMESPACE}/${ARGOCD_CM_NAME} from the cluster (${(e as Error).message}): going on without its resource settings`);
    return undefined;
  }
  if (live) {
    return parseResourceSettings((live.data ?? {}) as Record<string, unknown>, `ConfigMap ${ARGOCD_NAMESPACE}/${ARGOCD_CM_NAME} in the cluster`);
  }
  return undefined;
}
