/**
 * What the engine writes to an Application object after comparing or syncing it, built the way
 * Argo CD's application controller builds it (controller/appcontroller.go: `persistAppStatus`,
 * `setOperationState`, `persistRevisionHistory`). Pure builders, then one write.
 */
import { ApplicationManifest, CONTROL_PLANE_NAMESPACE, manifestSources } from '../application-spec';
import { ApplicationStatus } from '../compare-app';
import { KubeApi } from '../kube/kube-api';
import { OperationPhase, SyncOperationResult, SyncPhase } from '../model';
import { readApplicationObject } from './application-objects';
import {
  ArgoApplicationCondition, ArgoApplicationStatus, ArgoHealthStatus, ArgoOperationState, ArgoResourceStatus, ArgoRevisionHistory,
} from './argo-status';
import { comparisonErrorCondition, ConditionType, setConditions, syncErrorCondition } from './conditions';
import { writeApplicationStatus } from './status-writer';
import { applicationSummary } from './summary';

/** Argo CD keeps this many `status.history` entries unless `spec.revisionHistoryLimit` says otherwise. */
export const DEFAULT_REVISION_HISTORY_LIMIT = 10;

/** `status.resourceHealthSource` when health is kept in `status.resources` (controller/health.go). */
export const RESOURCE_HEALTH_SOURCE_INLINE = 'inline';

/** Who started an operation, as `operationState.operation.initiatedBy`. */
export interface Initiator {
  readonly username?: string;
  readonly automated?: boolean;
}

/** What an automated self-heal records in `operationState.operation.sync` besides the revision. */
export interface SelfHealRecord {
  /** `autoHealAttemptsCount` of this operation (the previous count plus one). */
  readonly attempts: number;
  /** The drifted resources it synced (Argo CD's self-heal is a selective sync of those). */
  readonly resources: ReadonlyArray<{ readonly group: string; readonly kind: string; readonly name: string; readonly namespace?: string }>;
}

/** The Application an engine result belongs to. */
export interface RecordedApplication {
  readonly manifest: ApplicationManifest;
  readonly name: string;
  readonly namespace: string;
  readonly revision: string;
  /** Argo CD's source type of each source (`Directory`, `Helm`, `Kustomize`), when known. */
  readonly sourceTypes?: readonly string[];
}

/** `spec.source` or `spec.sources`, for the fields that echo what was compared or deployed. */
function sourceFields(manifest: ApplicationManifest): Pick<ArgoRevisionHistory, 'source' | 'sources'> {
  return manifest.spec.sources ? { sources: manifestSources(manifest.spec) } : { source: manifest.spec.source };
}

/**
 * `status.health` as Argo CD v3 writes it: the code, and `lastTransitionTime` moved only when
 * the code changes (persistAppStatus); the deprecated message is no longer written.
 */
export function healthStatus(comparison: ApplicationStatus, previous: ArgoHealthStatus | undefined, now: Date): ArgoHealthStatus {
  const status = comparison.health.status;
  const unchanged = previous?.status === status && previous.lastTransitionTime;
  return { status, lastTransitionTime: unchanged ? previous.lastTransitionTime : now.toISOString() };
}

/**
 * The status a comparison yields, as Argo CD's refresh writes it (processAppRefreshQueueItem):
 * `sync` (with what was compared), `health`, `resources`, `summary`, `sourceType(s)`,
 * `reconciledAt`, and the SyncError/ComparisonError conditions re-evaluated against `previous`
 * (the live status; other conditions are kept). `operation` is the operation state to judge a
 * SyncError by (default: the one in `previous`).
 */
export function comparisonStatus(
  app: RecordedApplication, comparison: ApplicationStatus, now: Date,
  previous: ArgoApplicationStatus = {}, operation: ArgoOperationState | undefined = previous.operationState,
): ArgoApplicationStatus {
  const types = app.sourceTypes ?? [];
  const ignoreDifferences = app.manifest.spec.ignoreDifferences;
  return {
    sync: {
      status: comparison.sync,
      revision: app.revision,
      comparedTo: {
        ...sourceFields(app.manifest),
        destination: app.manifest.spec.destination,
        ...(ignoreDifferences && ignoreDifferences.length > 0 ? { ignoreDifferences: [...ignoreDifferences] } : {}),
      },
    },
    health: healthStatus(comparison, previous.health, now),
    resources: statusResources(comparison),
    summary: applicationSummary(app.manifest, comparison.resources),
    ...(app.manifest.spec.sources
      ? (types.length > 0 ? { sourceTypes: [...types] } : {})
      : (types.length > 0 ? { sourceType: types[0] } : {})),
    conditions: conditionsOf(app, comparison, now, previous, operation),
    reconciledAt: now.toISOString(),
    controllerNamespace: CONTROL_PLANE_NAMESPACE,
    // The engine has no Redis-held resource tree, so each resource's health stays in
    // `resources[]` (Argo CD's --persist-resource-health=true form, which says so here).
    resourceHealthSource: RESOURCE_HEALTH_SOURCE_INLINE,
  };
}

/**
 * Argo CD's refresh first sets the project's conditions (refreshAppConditions: InvalidSpecError,
 * UnknownError); when there are any it stops there, leaving ComparisonError and SyncError as they
 * were. Otherwise it clears them and compares.
 */
function conditionsOf(
  app: RecordedApplication, comparison: ApplicationStatus, now: Date, previous: ArgoApplicationStatus, operation: ArgoOperationState | undefined,
): ArgoApplicationCondition[] | null {
  const projectTypes = [ConditionType.INVALID_SPEC_ERROR, ConditionType.UNKNOWN_ERROR];
  const refused = comparison.projectConditions ?? [];
  if (refused.length > 0) {
    return setConditions(previous.conditions, refused.map((c) => ({ type: c.type, message: c.message })), projectTypes, now);
  }
  return setConditions(previous.conditions, [
    comparisonErrorCondition(comparison.error),
    syncErrorCondition(app.manifest.spec, comparison.sync, app.revision, operation),
  ], [ConditionType.COMPARISON_ERROR, ConditionType.SYNC_ERROR, ...projectTypes], now);
}

/**
 * `status.resources`: the compared resources, then the live hooks and Skip objects Argo CD lists
 * beside them (no sync status, no health), sorted as Argo CD sorts them (group/kind/namespace/name,
 * appcontroller.go `resourceStatusKey`).
 */
export function statusResources(comparison: ApplicationStatus): ArgoResourceStatus[] {
  const rows: ArgoResourceStatus[] = comparison.resources.map((r) => ({
    group: r.group || undefined,
    version: r.version,
    kind: r.kind,
    namespace: r.namespace || undefined,
    name: r.name,
    status: r.status,
    ...(r.health ? { health: { status: r.health.status, ...(r.health.message ? { message: r.health.message } : {}) } } : {}),
    ...(r.requiresPruning ? { requiresPruning: true } : {}),
  }));
  for (const r of comparison.uncompared ?? []) {
    rows.push({
      group: r.group || undefined,
      version: r.version,
      kind: r.kind,
      namespace: r.namespace || undefined,
      name: r.name,
      ...(r.hook ? { hook: true } : {}),
      ...(r.requiresPruning ? { requiresPruning: true } : {}),
    });
  }
  const key = (r: ArgoResourceStatus) => [r.group ?? '', r.kind, r.namespace ?? '', r.name].join('/');
  return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** `status.operationState` of a finished (or failed) sync operation. */
export function operationState(
  app: RecordedApplication, result: SyncOperationResult, initiatedBy: Initiator, prune: boolean, selfHeal?: SelfHealRecord,
): ArgoOperationState {
  const healed = selfHeal ? {
    autoHealAttemptsCount: selfHeal.attempts,
    resources: selfHeal.resources.map((r) => ({
      ...(r.group ? { group: r.group } : {}), kind: r.kind, name: r.name, ...(r.namespace ? { namespace: r.namespace } : {}),
    })),
  } : {};
  return {
    operation: { sync: { revision: result.revision, prune, ...(result.dryRun ? { dryRun: true } : {}), ...healed }, initiatedBy: { ...initiatedBy } },
    phase: result.phase,
    // processRequestedAppOperation's wording for an operation that failed after retries.
    message: result.phase !== OperationPhase.SUCCEEDED && result.attempts > 1 ? `${result.message} (retried ${result.attempts - 1} times).` : result.message,
    syncResult: {
      revision: result.revision,
      ...sourceFields(app.manifest),
      resources: result.resources.map((r) => ({
        group: r.group,
        version: r.version,
        kind: r.kind,
        namespace: resultNamespace(r, app.manifest.spec.destination?.namespace ?? ''),
        name: r.name,
        status: r.status,
        message: r.message,
        hookType: r.hookType,
        hookPhase: r.hookPhase ?? r.taskPhase,
        syncPhase: r.syncPhase,
      })),
    },
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
    ...(result.attempts > 1 ? { retryCount: result.attempts - 1 } : {}),
  };
}

/**
 * The namespace Argo CD records for a result: gitops-engine gives every target object without one
 * the destination namespace before the sync, cluster-scoped ones too, "so that it cannot be created
 * in the namespace by accident" (sync_context.go, "enrich target objects with the namespace"); only
 * the Namespace that CreateNamespace adds afterwards keeps none.
 */
function resultNamespace(r: SyncOperationResult['resources'][number], destinationNamespace: string): string {
  const createdNamespace = r.group === '' && r.kind === 'Namespace' && r.name === destinationNamespace && r.syncPhase === SyncPhase.PRE_SYNC && !r.hookType;
  return r.namespace || createdNamespace ? r.namespace : destinationNamespace;
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

/** The live status (`{}` when none yet); undefined when there is no Application object, or no CRD for one. */
export async function recordedStatus(api: KubeApi, app: RecordedApplication): Promise<ArgoApplicationStatus | undefined> {
  const live = await readApplicationObject(api, app);
  return live ? live.status ?? {} : undefined;
}

/**
 * Writes a comparison's status to the Application object; false when the object does not exist.
 * `previous` is the live status when the caller has just read it with {@link recordedStatus}.
 */
export async function recordComparison(
  api: KubeApi, app: RecordedApplication, comparison: ApplicationStatus, now = new Date(), known?: ArgoApplicationStatus,
): Promise<boolean> {
  const previous = known ?? await recordedStatus(api, app);
  if (!previous) {
    return false;
  }
  return writeApplicationStatus(api, app, comparisonStatus(app, comparison, now, previous));
}

/**
 * Writes a sync operation's outcome (operation state, history) and, when given, the comparison
 * made after it; false when the Application object does not exist. Dry runs are not recorded.
 */
export async function recordSync(
  api: KubeApi, app: RecordedApplication, result: SyncOperationResult,
  opts: {
    readonly initiatedBy: Initiator;
    readonly prune: boolean;
    readonly comparison?: ApplicationStatus;
    readonly selfHeal?: SelfHealRecord;
    readonly now?: Date;
    /** The status just read with {@link recordedStatus} (saves reading it again). */
    readonly previous?: ArgoApplicationStatus;
  },
): Promise<boolean> {
  if (result.dryRun) {
    return true;
  }
  const previous = opts.previous ?? await recordedStatus(api, app);
  if (!previous) {
    return false;
  }
  const state = operationState(app, result, opts.initiatedBy, opts.prune, opts.selfHeal);
  return writeApplicationStatus(api, app, {
    ...(opts.comparison ? comparisonStatus(app, opts.comparison, opts.now ?? new Date(), previous, state) : {}),
    operationState: state,
    history: historyAfter(app, previous.history ?? [], result, opts.initiatedBy),
  });
}
