/**
 * The Application objects in a cluster's Argo CD namespace, as `list`, `get`, `history`,
 * `rollback` and `wait` read them: what the engine (or Argo CD) last wrote, in Argo CD's format.
 */
import { ApplicationSpec } from '../application-spec';
import { ArgoApplicationStatus } from './argo-status';
import { ApplicationRef } from './status-writer';
import { KubeApi } from '../kube/kube-api';

export const APPLICATION_API_VERSION = 'argoproj.io/v1alpha1';

/** An Application object as read from the cluster. */
export interface ApplicationObject {
  readonly apiVersion: string;
  readonly kind: 'Application';
  readonly metadata: { name: string; namespace: string; annotations?: Record<string, string>; [key: string]: unknown };
  readonly spec: ApplicationSpec;
  readonly status?: ArgoApplicationStatus;
}

/** The cluster serves no Application kind: the Argo CD CRDs are not installed. */
export class MissingApplicationCrdError extends Error {
  constructor() {
    super('this cluster has no Argo CD Application CRD (applications.argoproj.io): install the Argo CD CRDs with '
      + '`cdk8s-argocd install-crds`, or start the local cluster with `cdk8s-argocd cluster up`');
  }
}

/** An Application name that is not in the namespace; lists the ones that are. */
export class UnknownApplicationError extends Error {
  constructor(readonly names: readonly string[], namespace: string, known: readonly string[]) {
    super(`no Application named ${names.map((n) => `'${n}'`).join(', ')} in namespace ${namespace} of this cluster `
      + `(found: ${known.length > 0 ? [...known].sort().join(', ') : 'none; sync the Application first'})`);
  }
}

/** One Application object; undefined when it does not exist or the cluster has no Argo CD CRDs. */
export async function readApplicationObject(api: KubeApi, ref: ApplicationRef): Promise<ApplicationObject | undefined> {
  if (!(await api.resourceFor(APPLICATION_API_VERSION, 'Application'))) {
    return undefined;
  }
  const obj = await api.get({ apiVersion: APPLICATION_API_VERSION, kind: 'Application', metadata: { name: ref.name, namespace: ref.namespace } });
  return obj as unknown as ApplicationObject | undefined;
}

/** Every Application object in `namespace`, sorted by name. */
export async function listApplicationObjects(api: KubeApi, namespace: string): Promise<ApplicationObject[]> {
  const resource = await api.resourceFor(APPLICATION_API_VERSION, 'Application');
  if (!resource) {
    throw new MissingApplicationCrdError();
  }
  const items = (await api.list(resource, namespace)) as unknown as ApplicationObject[];
  return [...items].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

/** The named Application objects, in the order asked; fails naming the unknown ones and the known. */
export async function readApplicationObjects(api: KubeApi, namespace: string, names: readonly string[]): Promise<ApplicationObject[]> {
  const all = await listApplicationObjects(api, namespace);
  const byName = new Map(all.map((a) => [a.metadata.name, a]));
  const unknown = names.filter((n) => !byName.has(n));
  if (unknown.length > 0) {
    throw new UnknownApplicationError(unknown, namespace, [...byName.keys()]);
  }
  return names.map((n) => byName.get(n)!);
}
