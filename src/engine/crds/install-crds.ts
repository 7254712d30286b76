import { argoCdCrdText, ARGOCD_CRDS } from './argocd-crds';
import { ARGOCD_NAMESPACE } from '../../argo/destination';
import { FIELD_MANAGER } from '../annotations';
import { resourcePath } from '../kube/client';
import { KubeApi } from '../kube/kube-api';
import { KubeObject } from '../model';
import { Deadline, pollUntil, SYSTEM_CLOCK } from '../poll';

const CRD_API_VERSION = 'apiextensions.k8s.io/v1';

export interface InstallCrdsOptions {
  /** Give up waiting for the CRDs to be Established after this long (default 60 s). */
  readonly timeoutMs?: number;
  /** Progress lines. */
  readonly log?: (message: string) => void;
}

/** True when a CRD's `Established` condition is True (its kind is served). */
export function crdEstablished(crd: KubeObject | undefined): boolean {
  return (crd?.status?.conditions ?? []).some((c: { type?: string; status?: string }) => c.type === 'Established' && c.status === 'True');
}

/**
 * Installs the shipped Argo CD CRDs and the `argocd` namespace (server-side apply, so a re-run
 * updates them in place) and waits until every CRD is Established. Only `install-crds` and
 * `cluster up` call this: a sync never installs CRDs by itself.
 */
export async function installArgoCdCrds(api: KubeApi, options: InstallCrdsOptions = {}): Promise<void> {
  const log = options.log ?? (() => undefined);
  await api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ARGOCD_NAMESPACE } }, FIELD_MANAGER, { force: true });
  const crdResource = await api.resourceFor(CRD_API_VERSION, 'CustomResourceDefinition');
  if (!crdResource) {
    throw new Error(`the cluster does not serve CustomResourceDefinitions (${CRD_API_VERSION})`);
  }
  // The files go to the server as they are (server-side apply takes YAML): parsing them here would
  // cost seconds for the 1.4 MB ApplicationSet CRD.
  const query = new URLSearchParams({ fieldManager: FIELD_MANAGER, fieldValidation: 'Strict', force: 'true' });
  await Promise.all(ARGOCD_CRDS.map((crd) =>
    api.request('PATCH', `${resourcePath(crdResource, undefined, crd.name)}?${query}`, argoCdCrdText(crd), 'application/apply-patch+yaml')));
  const refs = ARGOCD_CRDS.map((crd) => ({ apiVersion: CRD_API_VERSION, kind: 'CustomResourceDefinition', metadata: { name: crd.name } }));
  const poller = { clock: SYSTEM_CLOCK, deadline: new Deadline(SYSTEM_CLOCK, options.timeoutMs ?? 60_000), intervalMs: 100 };
  const outcome = await pollUntil(poller, async () => {
    const pending: string[] = [];
    for (const crd of refs) {
      if (!crdEstablished(await api.get(crd))) {
        pending.push(crd.metadata.name);
      }
    }
    return pending.length === 0 ? { done: true, value: undefined } : { done: false, waiting: `CustomResourceDefinition ${pending.join(', ')} to be Established` };
  });
  if (!outcome.ok) {
    throw new Error(`timed out waiting for ${outcome.timedOut}`);
  }
  api.invalidateDiscovery();
  log(`installed the Argo CD CRDs (${ARGOCD_CRDS.map((c) => c.name).join(', ')}) and namespace ${ARGOCD_NAMESPACE}`);
}
