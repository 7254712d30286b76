import { ArgoApplicationStatus } from './argo-status';
import { isNotFound } from '../kube/api-error';
import { KubeApi } from '../kube/kube-api';

/** Where an Application object lives in the cluster. */
export interface ApplicationRef {
  readonly name: string;
  /** The Application's own namespace (Argo CD's namespace, `argocd`, by default). */
  readonly namespace: string;
}

/**
 * Writes (part of) an Application's `status` with a JSON merge patch, as Argo CD's controller
 * does: Argo CD's Application CRD has no status subresource, so status is part of the object.
 * Fields left out of `status` are kept; lists given replace the live ones whole. Returns false
 * when the Application object does not exist (nothing to write to).
 */
export async function writeApplicationStatus(api: KubeApi, ref: ApplicationRef, status: ArgoApplicationStatus): Promise<boolean> {
  const obj = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: ref.name, namespace: ref.namespace } };
  try {
    await api.merge(obj, { status });
    return true;
  } catch (e) {
    if (isNotFound(e)) {
      return false;
    }
    throw e;
  }
}
