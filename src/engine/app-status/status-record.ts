/**
 * What the engine writes to an Application object after comparing or syncing it, built the way
 * Argo CD's application controller builds it (controller/appcontroller.go: `persistAppStatus`,
 * `setOperationState`, `persistRevisionHistory`). Pure builders, then one write.
 */
import { ApplicationManifest, CONTROL_PLANE_NAMESPACE, manifestSources } from '../application-spec';
import { ApplicationStatus } from '../compare-app';
import { KubeApi } from '../kube/kube-api';
import { OperationPhase, SyncOperationResult } from '../model';
import { ArgoApplicationStatus, ArgoOperationState, ArgoRevisionHistory } from './argo-status';
import { writeApplicationStatus } from './status-writer';

/** Argo CD keeps this many `status.history` entries unless `spec.revisionHistoryLimit` says otherwise. */
export const DEFAULT_REVISION_HISTORY_LIMIT = 10;

/** Who started an operation, as `operationState.operation.initiatedBy`. */
export interface Initiator {
  readonly username?: string;
  readonly automated?: boolean;
}

/** The Application an engine result belongs to. */
export interface RecordedApplication {
  readonly manifest: ApplicationManifest;
  readonly name: string;
  readonly namespace: string;
  readonly revision: string;
}

/** `spec.source` or `spec.sources`, for the fields that echo what was compared or deployed. */
function sourceFields(manifest: ApplicationManifest): Pick<ArgoRevisionHistory, 'source' | 'sources'> {
  return manifest.spec.sources ? { sources: manifestSources(manifest.spec) } : { source: manifest.spec.source };
}

/** `status.sync`, `status.health`, `status.resources` and `reconciledAt` from a comparison. */
export function comparisonStatus(app: RecordedApplication, comparison: ApplicationStatus, now: Date): ArgoApplicationStatus {
  return {
    sync: {
      status: comparison.sync,
      revision: app.revision,
      comparedTo: { ...sourceFields(app.manifest), destination: app.manifest.spec.destination },
    },
    health: { status: comparison.health.status, ...(comparison.health.message ? { message: comparison.health.message } : {}) },
    resources: comparison.resources.map((r) => ({
      group: r.group || undefined,
      version: r.version,
      kind: r.kind,
      namespace: r.namespace || undefined,
      name: r.name,
      status: r.status,
      ...(r.health ? { health: { status: r.health.status, ...(r.health.message ? { message: r.health.message } : {}) } } : {}),
      ...(r.requiresPruning ? { requiresPruning: true } : {}),
    })),
    reconciledAt: now.toISOString(),
    controllerNamespace: CONTROL_PLANE_NAMESPACE,
  };
}

/** `status.operationState` of a finished (or failed) sync operation. */
export function operationState(app: RecordedApplication, result: SyncOperationResult, initiatedBy: Initiator, prune: boolean): ArgoOperationState {
  return {
    operation: { sync: { revision: result.revision, prune, ...(result.dryRun ? { dryRun: true } : {}) }, initiatedBy: { ...initiatedBy } },
    phase: result.phase,
    message: result.message,
    syncResult: {
      revision: result.revision,
      ...sourceFields(app.manifest),
      resources: result.resources.map((r) => ({
        group: r.group,
        version: r.version,
        kind: r.kind,
        namespace: r.namespace,
        name: r.name,
        status: r.status,
        message: r.message,
        hookType: r.hookType,
        hookPhase: r.hookPhase,
        syncPhase: r.syncPhase,
      })),
    },
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
    ...(result.attempts > 1 ? { retryCount: result.attempts - 1 } : {}),
  };
}

/**
 * `status.history` after an operation: Argo CD appends an entry only for a successful, real
 * sync, numbers it one past the last id, and keeps the newest `revisionHistoryLimit` entries.
 */
export function historyAfter(
  app: RecordedApplication, previous: readonly ArgoRevisionHistory[], result: SyncOperationResult, initiatedBy: Initiator,
): ArgoRevisionHistory[] {
  if (result.phase !== OperationPhase.SUCCEEDED || result.dryRun) {
    return [...previous];
  }
  const nextId = previous.reduce((max, h) => Math.max(max, h.id), -1) + 1;
  const entry: ArgoRevisionHistory = {
    id: nextId,
    revision: result.revision,
    ...sourceFields(app.manifest),
    deployedAt: result.finishedAt ?? result.startedAt,
    deployStartedAt: result.startedAt,
    initiatedBy: { ...initiatedBy },
  };
  const limit = app.manifest.spec.revisionHistoryLimit ?? DEFAULT_REVISION_HISTORY_LIMIT;
  // RevisionHistories.Trunc: keep the last `limit` entries (none for 0).
  return limit <= 0 ? [] : [...previous, entry].slice(-limit);
}

async function liveStatus(api: KubeApi, app: RecordedApplication): Promise<ArgoApplicationStatus | undefined> {
  const live = await api.get({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: app.name, namespace: app.namespace } });
  return live?.status as ArgoApplicationStatus | undefined;
}

/** Writes a comparison's status to the Application object; false when the object does not exist. */
export async function recordComparison(api: KubeApi, app: RecordedApplication, comparison: ApplicationStatus, now = new Date()): Promise<boolean> {
  return writeApplicationStatus(api, app, comparisonStatus(app, comparison, now));
}

/**
 * Writes a sync operation's outcome (operation state, history) and, when given, the comparison
 * made after it; false when the Application object does not exist. Dry runs are not recorded.
 */
export async function recordSync(
  api: KubeApi, app: RecordedApplication, result: SyncOperationResult,
  opts: { readonly initiatedBy: Initiator; readonly prune: boolean; readonly comparison?: ApplicationStatus; readonly now?: Date },
): Promise<boolean> {
  if (result.dryRun) {
    return true;
  }
  const previous = await liveStatus(api, app);
  return writeApplicationStatus(api, app, {
    ...(opts.comparison ? comparisonStatus(app, opts.comparison, opts.now ?? new Date()) : {}),
    operationState: operationState(app, result, opts.initiatedBy, opts.prune),
    history: historyAfter(app, previous?.history ?? [], result, opts.initiatedBy),
  });
}
