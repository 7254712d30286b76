import {
  cascadeMode, CascadeMode, isApplication, isResourcesFinalizer, keptReason, needsDeleteConfirmation, nextDeletionWave, propagationPolicy,
} from './deletion-rules';
import { removeFinalizers } from './remove-finalizers';
import { IN_CLUSTER_NAME, IN_CLUSTER_SERVER } from '../../argo/destination';
import { HOOK_FINALIZER } from '../annotations';
import { ApplicationSpec, CONTROL_PLANE_NAMESPACE } from '../application-spec';
import { requireArgoCdKind } from '../crds/argocd-crds';
import { KubeApi, ObjectRef } from '../kube/kube-api';
import { loadLiveState } from '../live-state';
import { describeKey, KubeObject, keyOf, keyString } from '../model';
import { Deadline, mapLimit, Poller, pollUntil, SYSTEM_CLOCK } from '../poll';
import { instanceName } from '../tracking';

export type Destination = ApplicationSpec['destination'];

export interface FinalizeOptions {
  /**
   * The API of an Application's destination cluster. Default: the Application's own cluster for
   * in-cluster destinations; any other destination is refused (nothing is deleted).
   */
  readonly clientFor?: (destination: Destination) => Promise<KubeApi>;
  /** Waits for deletions (default: 5 minutes, polled every 500 ms). */
  readonly poller?: Poller;
  /** Progress: each deletion, each wait. */
  readonly onEvent?: (message: string) => void;
  /** Approve deleting resources annotated `Delete=confirm`. */
  readonly confirmDelete?: boolean;
}

export interface FinalizeResult {
  readonly ok: boolean;
  readonly message: string;
  /** Tracked resources deleted (child Applications' resources too), as `Kind namespace/name`. */
  readonly deleted: readonly string[];
}

/** A poller for finalization when the caller gives none. */
export function defaultFinalizePoller(timeoutMs = 300_000): Poller {
  return { clock: SYSTEM_CLOCK, deadline: new Deadline(SYSTEM_CLOCK, timeoutMs), intervalMs: 500 };
}

function isInCluster(d: Destination): boolean {
  return d.server === IN_CLUSTER_SERVER || (!d.server && (!d.name || d.name === IN_CLUSTER_NAME));
}

function describeApp(app: ObjectRef): string {
  return `Application ${app.metadata.namespace ?? CONTROL_PLANE_NAMESPACE}/${app.metadata.name}`;
}

/**
 * Acts as Argo CD's application controller does on an Application being deleted
 * (`finalizeApplicationDeletion`): with `resources-finalizer.argocd.argoproj.io` its tracked
 * resources are deleted with foreground propagation, with the `/background` variant with
 * background propagation — wave by wave, highest first, each wave gone before the next (a
 * background deletion just does not wait for the resources' own dependents) — and then the
 * finalizer is removed. Only objects whose tracking id names this Application are touched.
 * Without a resources finalizer the resources stay. Tracked hooks lose the hook finalizer (no
 * operation watches them any more), and child Applications deleted on the way are finalized
 * the same way. An Application that is not being deleted is left alone.
 */
export async function finalizeApplication(api: KubeApi, app: ObjectRef, options: FinalizeOptions = {}): Promise<FinalizeResult> {
  await requireArgoCdKind(api, 'Application');
  const what = describeApp(app);
  const { name, namespace } = app.metadata;
  const live = await api.get({ apiVersion: app.apiVersion, kind: app.kind, metadata: { name, namespace } });
  if (!live) {
    return { ok: true, message: `${what} is gone`, deleted: [] };
  }
  if (!live.metadata.deletionTimestamp) {
    return { ok: false, message: `${what} is not being deleted (no deletionTimestamp): nothing to finalize`, deleted: [] };
  }
  const mode = cascadeMode(live);
  const deleted: string[] = [];
  if (mode) {
    const outcome = await deleteResources(api, live, mode, options, deleted);
    if (!outcome.ok) {
      return { ok: false, message: `${what}: ${outcome.message}; its finalizer stays until then`, deleted };
    }
  }
  await removeFinalizers(api, live, isResourcesFinalizer);
  return {
    ok: true,
    message: mode ? `${what}: deleted ${deleted.length} resource(s) (${mode}), finalizer removed` : `${what} has no resources finalizer: its resources stay`,
    deleted,
  };
}

async function deleteResources(
  api: KubeApi, app: KubeObject, mode: CascadeMode, options: FinalizeOptions, deleted: string[],
): Promise<{ ok: true } | { ok: false; message: string }> {
  const log = options.onEvent ?? (() => undefined);
  const spec: ApplicationSpec | undefined = app.spec;
  const destination: Destination = spec?.destination ?? {};
  let dest: KubeApi;
  if (options.clientFor) {
    dest = await options.clientFor(destination);
  } else if (isInCluster(destination)) {
    dest = api;
  } else {
    return { ok: false, message: `its destination ${destination.server ?? destination.name} is another cluster, which no clusters file maps: nothing was deleted (pass --clusters)` };
  }
  const instance = instanceName(app.metadata.name!, app.metadata.namespace ?? CONTROL_PLANE_NAMESPACE, CONTROL_PLANE_NAMESPACE);
  // One full scan (as Argo CD's cluster cache holds every tracked object); later passes re-read these.
  const scanned = await loadLiveState(dest, [], { tracked: true, instance, onWarning: (m) => log(`warning: ${m}`) });
  let doomed = [...scanned.values()].filter((o) => {
    const kept = keptReason(app, o);
    if (kept) {
      log(`keeping ${describeKey(keyOf(o))} (${kept})`);
    }
    return !kept;
  });
  const unconfirmed = doomed.filter(needsDeleteConfirmation);
  if (unconfirmed.length > 0 && !options.confirmDelete) {
    return { ok: false, message: `deleting ${unconfirmed.map((o) => describeKey(keyOf(o))).join(', ')} needs confirmation (Delete=confirm): delete again with --confirm-delete` };
  }
  const issued = new Set<string>();
  const outcome = await pollUntil(options.poller ?? defaultFinalizePoller(), async () => {
    const fresh = await mapLimit(doomed, 16, (o) => dest.get(o));
    doomed = fresh.filter((o): o is KubeObject => o !== undefined);
    if (doomed.length === 0) {
      return { done: true, value: undefined };
    }
    // Nobody runs these hooks any more: their finalizer must not block the deletion.
    await mapLimit(doomed.filter((o) => (o.metadata.finalizers ?? []).includes(HOOK_FINALIZER)), 8,
      (o) => removeFinalizers(dest, o, (f) => f === HOOK_FINALIZER));
    // Child Applications being deleted are finalized here, as Argo CD's controller would.
    for (const child of doomed.filter((o) => isApplication(o) && o.metadata.deletionTimestamp && cascadeMode(o))) {
      const r = await finalizeApplication(dest, child, options);
      deleted.push(...r.deleted);
      if (!r.ok) {
        return { done: true, value: r.message };
      }
    }
    const terminating = doomed.filter((o) => o.metadata.deletionTimestamp);
    if (terminating.length === 0) {
      const wave = nextDeletionWave(doomed);
      await mapLimit(wave, 16, async (o) => {
        await dest.delete(o, propagationPolicy(mode));
        const name = describeKey(keyOf(o));
        if (!issued.has(keyString(keyOf(o)))) {
          issued.add(keyString(keyOf(o)));
          deleted.push(name);
          log(`deleted ${name} (${propagationPolicy(mode)})`);
        }
      });
    }
    return { done: false, waiting: `deletion of ${doomed.length} resource(s) of ${describeApp(app)}, e.g. ${describeKey(keyOf(doomed[0]))}` };
  }, log);
  if (!outcome.ok) {
    return { ok: false, message: `timed out waiting for ${outcome.timedOut}` };
  }
  return outcome.value === undefined ? { ok: true } : { ok: false, message: outcome.value };
}
