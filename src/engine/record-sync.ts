import * as os from 'os';
import { Initiator, recordSync, SelfHealRecord } from './app-status/status-record';
import { ApplicationStatus, compareApplication, comparisonAfterSync } from './compare-app';
import { ARGOCD_API_VERSION } from './crds/argocd-crds';
import { KubeApi } from './kube/kube-api';
import { LoadedApplication } from './load/applications';
import { SyncOperationResult } from './model';
import { runSync, SyncRequest } from './sync';

/** Who runs a sync from the CLI: the local user, as `argocd app sync` records the logged-in user. */
export function cliInitiator(): Initiator {
  try {
    return { username: os.userInfo().username };
  } catch {
    return { username: 'cdk8s-argocd' };
  }
}

/** A sync's result and the comparison recorded after it (none for dry runs and interrupted syncs). */
export interface RecordedSync {
  readonly result: SyncOperationResult;
  readonly comparison?: ApplicationStatus;
}

/**
 * Syncs one Application and records the outcome on its Application object (in `req.controlPlane`,
 * the cluster Argo CD's objects live in, else `api`), as Argo CD's controller does after an
 * operation: the operation state, the history entry and the comparison after it (so `status.sync`/
 * `status.health` reflect the cluster after the sync). Dry runs record nothing; without an
 * Application object (or Argo CD CRDs) in the cluster nothing is compared or written. A failure to record is a warning: it never changes the sync's result.
 */
export async function syncAndRecord(
  api: KubeApi, app: LoadedApplication, req: SyncRequest & { readonly initiatedBy: Initiator },
): Promise<SyncOperationResult> {
  return (await syncAndRecordStatus(api, app, req)).result;
}

/**
 * {@link syncAndRecord}, also returning the comparison it recorded (the tree reports sync and
 * health from it). A failure to compare or record is a warning: it never changes the sync's result.
 */
export async function syncAndRecordStatus(
  api: KubeApi, app: LoadedApplication, req: SyncRequest & { readonly initiatedBy: Initiator; readonly selfHeal?: SelfHealRecord },
): Promise<RecordedSync> {
  const { result, observation } = await runSync(api, app, req);
  if (result.dryRun || req.signal?.aborted) {
    return { result };
  }
  let comparison: ApplicationStatus | undefined;
  // The Application object lives with Argo CD (the control plane), not in the destination cluster.
  const objects = req.controlPlane ?? api;
  try {
    // A whole sync that succeeded is compared from its own reconcile; anything else (a failed,
    // interrupted or selective sync) is compared afresh, since it left the cluster partly unknown.
    comparison = observation
      ? comparisonAfterSync(app, observation)
      : await compareApplication(api, app, { concurrency: req.concurrency, controlPlane: req.controlPlane });
    // A cluster without the Application CRD has no Application object to record on.
    if (await objects.resourceFor(ARGOCD_API_VERSION, 'Application')) {
      await recordSync(objects, app, result, { initiatedBy: req.initiatedBy, prune: !!req.prune, comparison, selfHeal: req.selfHeal });
    }
  } catch (e) {
    const message = `the sync's outcome was not recorded on Application ${app.namespace}/${app.name}: ${(e as Error).message}`;
    if (req.onEvent) {
      req.onEvent({ type: 'warning', application: app.name, message });
    } else {
      process.stderr.write(`warning: ${message}\n`);
    }
  }
  return { result, comparison };
}
