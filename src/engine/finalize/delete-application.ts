import { CascadeMode, cascadeMode, isResourcesFinalizer, resourcesFinalizer } from './deletion-rules';
import { defaultFinalizePoller, finalizeApplication, FinalizeOptions, FinalizeResult } from './finalize-application';
import { removeFinalizers } from './remove-finalizers';
import { ARGOCD_API_VERSION, requireArgoCdKind } from '../crds/argocd-crds';
import { KubeApi } from '../kube/kube-api';
import { pollUntil } from '../poll';

export interface DeleteApplicationOptions extends FinalizeOptions {
  /** Delete the Application's resources too (default true); false keeps them, like `argocd app delete --cascade=false`. */
  readonly cascade?: boolean;
  /** How a cascade deletes when the Application has no resources finalizer yet (default foreground). */
  readonly propagation?: CascadeMode;
}

/**
 * `argocd app delete`, then what Argo CD's controller does with it: with cascade (the default)
 * the Application gets a resources finalizer unless it has one, is deleted, and is finalized
 * (its tracked resources deleted); without cascade its resources finalizers are removed first,
 * so its resources stay. Resolves once the Application object is gone (or the wait timed out).
 */
export async function deleteApplication(
  api: KubeApi, ref: { readonly name: string; readonly namespace: string }, options: DeleteApplicationOptions = {},
): Promise<FinalizeResult> {
  await requireArgoCdKind(api, 'Application');
  const obj = { apiVersion: ARGOCD_API_VERSION, kind: 'Application', metadata: { name: ref.name, namespace: ref.namespace } };
  const what = `Application ${ref.namespace}/${ref.name}`;
  const live = await api.get(obj);
  if (!live) {
    throw new Error(`${what} not found in the cluster (kubectl get applications -n ${ref.namespace} lists them; -N sets the namespace)`);
  }
  if (options.cascade === false) {
    await removeFinalizers(api, obj, isResourcesFinalizer);
  } else if (!cascadeMode(live)) {
    const finalizers: string[] = live.metadata.finalizers ?? [];
    await api.merge(obj, { metadata: { finalizers: [...finalizers, resourcesFinalizer(options.propagation ?? 'foreground')], resourceVersion: live.metadata.resourceVersion } });
  }
  await api.delete(obj, 'Background');
  const poller = options.poller ?? defaultFinalizePoller();
  const finalized = await finalizeApplication(api, obj, { ...options, poller });
  if (!finalized.ok) {
    return finalized;
  }
  const gone = await pollUntil(poller, async () => {
    const still = await api.get(obj);
    return still ? { done: false, waiting: `${what} to disappear (finalizers: ${(still.metadata.finalizers ?? []).join(', ') || 'none'})` } : { done: true, value: undefined };
  }, options.onEvent);
  if (!gone.ok) {
    return { ok: false, message: `timed out waiting for ${gone.timedOut}`, deleted: finalized.deleted };
  }
  const kept = options.cascade === false ? 'its resources stay' : `${finalized.deleted.length} resource(s) deleted`;
  return { ok: true, message: `${what} deleted; ${kept}`, deleted: finalized.deleted };
}
