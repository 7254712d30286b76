import { AppProjectSpec, DEFAULT_PROJECT, DEFAULT_PROJECT_SPEC } from '../../argo/app-project';
import { ARGOCD_NAMESPACE } from '../../argo/destination';
import { KubeApi } from '../kube/kube-api';

const APP_PROJECT = { apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject' };

/** The project an Application uses, as Argo CD's controller finds it. */
export type ProjectLookup =
  | { readonly found: true; readonly name: string; readonly spec: AppProjectSpec }
  | { readonly found: false; readonly name: string };

/** `spec.project`, or `default` when empty (Argo CD's `GetProject`). */
export function projectName(project: string | undefined): string {
  return project || DEFAULT_PROJECT;
}

/**
 * Reads the AppProject from Argo CD's namespace. `default` when absent is the permissive project
 * Argo CD creates at start-up; any other absent project (or a cluster without the AppProject CRD)
 * is not found.
 */
export async function readAppProject(api: KubeApi, project: string | undefined, namespace = ARGOCD_NAMESPACE): Promise<ProjectLookup> {
  const name = projectName(project);
  const served = await api.resourceFor(APP_PROJECT.apiVersion, APP_PROJECT.kind);
  const live = served ? await api.get({ ...APP_PROJECT, metadata: { name, namespace } }) : undefined;
  if (live) {
    return { found: true, name, spec: (live.spec ?? {}) as AppProjectSpec };
  }
  return name === DEFAULT_PROJECT ? { found: true, name, spec: DEFAULT_PROJECT_SPEC } : { found: false, name };
}
