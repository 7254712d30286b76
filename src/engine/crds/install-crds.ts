import { ARGOCD_CRDS, readArgoCdCrds } from './argocd-crds';
import { ARGOCD_NAMESPACE } from '../../argo/destination';
import { FIELD_MANAGER } from '../annotations';
import { KubeApi } from '../kube/kube-api';
import { KubeObject } from '../model';
import { Deadline, pollUntil, SYSTEM_CLOCK } from '../poll';

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
  const crds = readArgoCdCrds();
  await Promise.all(crds.map((crd) => api.apply(crd, FIELD_MANAGER, { force: true })));
  const poller = { clock: SYSTEM_CLOCK, deadline: new Deadline(SYSTEM_CLOCK, options.timeoutMs ?? 60_000), intervalMs: 100 };
  const outcome = await pollUntil(poller, async () => {
    const pending: string[] = [];
    for (const crd of crds) {
      if (!crdEstablished(await api.get(crd))) {
        pending.push(crd.metadata.name!);
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
