import { isDeepStrictEqual } from 'util';
import { ArgoApplicationStatus } from '../app-status/argo-status';
import { ApplicationManifest, ApplicationSourceSpec, manifestSources } from '../application-spec';
import { OperationPhase, SyncStatusCode } from '../model';
import { ResourceFilter } from '../plan';
import { SelfHealBackoff, selfHealAttempts, selfHealRemainingMs } from './self-heal';

/** What the controller does with an Application whose object a parent just applied. */
export enum ReconcileAction {
  /** Run a sync operation (asked for by the user, or by an automated sync policy). */
  SYNC = 'sync',
  /** Compare only and record the result (a manual Application is reported OutOfSync). */
  COMPARE = 'compare',
}

/** `syncPolicy.automated` is set and not switched off with `enabled: false` (Argo CD v3). */
export function isAutomated(manifest: ApplicationManifest): boolean {
  const automated = manifest.spec?.syncPolicy?.automated;
  return automated !== undefined && automated !== null && automated.enabled !== false;
}

/**
 * What the controller does first with a child: a manual child is compared, and synced only on
 * `--include-manual` (for the user); an automated child is compared too, and synced only when
 * {@link autoSyncDecision} says so (Argo CD's `autoSync` runs after the comparison).
 */
export function childAction(manifest: ApplicationManifest, includeManual: boolean): ReconcileAction {
  return includeManual && !isAutomated(manifest) ? ReconcileAction.SYNC : ReconcileAction.COMPARE;
}

/** The outcome of the comparison {@link autoSyncDecision} needs. */
export interface ComparedState {
  readonly sync: SyncStatusCode;
  readonly revision: string;
  readonly resources: ReadonlyArray<{
    readonly group: string;
    readonly kind: string;
    readonly namespace: string;
    readonly name: string;
    readonly status: SyncStatusCode;
    readonly requiresPruning?: boolean;
  }>;
}

/** When the self-heal backoff is applied (the long-running `watch`; a one-shot command heals at once). */
export interface SelfHealTiming {
  readonly backoff: SelfHealBackoff;
  readonly nowMs: number;
}

/** Whether an automated sync starts, and if not why (Argo CD's log line). */
export interface AutoSyncDecision {
  readonly sync: boolean;
  readonly reason: string;
  /** Not synced because the last automated sync of this very revision failed (the SyncError case). */
  readonly failedBefore?: boolean;
  /** A self-heal: its attempt number and the drifted resources it syncs (a selective sync, as Argo CD's). */
  readonly selfHeal?: { readonly attempts: number; readonly resources: readonly ResourceFilter[] };
  /** Not synced yet: the self-heal backoff allows the next attempt in this many ms (refresh then). */
  readonly retryAfterMs?: number;
}

/**
 * Argo CD's `autoSync` (controller/appcontroller.go) after an automated Application was compared:
 * only an OutOfSync Application is synced; not one whose only differences are resources to prune
 * when `automated.prune` is off; and at most one attempt per revision and source (alreadyAttemptedSync):
 * a revision whose last sync failed is not retried, and one that succeeded is synced again only
 * with `selfHeal`. `exactRevision` is false when the revision does not pin the manifests (a work
 * tree with uncommitted changes, or no Git at all): an attempt "at the same revision" may then
 * have synced other manifests, so it is never taken as already made.
 */
export function autoSyncDecision(
  manifest: ApplicationManifest, compared: ComparedState, previous: ArgoApplicationStatus | undefined, exactRevision: boolean,
  timing?: SelfHealTiming,
): AutoSyncDecision {
  const automated = manifest.spec.syncPolicy?.automated ?? {};
  if (compared.sync !== SyncStatusCode.OUT_OF_SYNC) {
    return { sync: false, reason: `automated sync skipped: the Application is ${compared.sync}` };
  }
  if (!automated.prune && compared.resources.every((r) => r.status === SyncStatusCode.SYNCED || r.requiresPruning)) {
    return { sync: false, reason: 'automated sync skipped: only resources to prune differ, and automated prune is off' };
  }
  const op = previous?.operationState;
  const attempted = exactRevision && !!op?.operation?.sync && !!op.syncResult && !op.operation.sync.dryRun
    && op.syncResult.revision === compared.revision && sameSources(manifest, op.syncResult);
  let selfHeal: AutoSyncDecision['selfHeal'];
  if (attempted) {
    if (op!.phase !== OperationPhase.SUCCEEDED) {
      return {
        sync: false,
        failedBefore: true,
        reason: `automated sync skipped: the last sync attempt to ${compared.revision} failed (${op!.message ?? op!.phase}); Argo CD does not retry a revision by itself: fix the manifests and commit, or sync this Application with --app`,
      };
    }
    if (!automated.selfHeal) {
      return { sync: false, reason: `automated sync skipped: the most recent sync was already to ${compared.revision} (selfHeal is off)` };
    }
    // Self-heal: the count carries over from the last operation unless the cooldown elapsed; the
    // next attempt waits for the backoff, counted from the last operation's end.
    const nowMs = timing?.nowMs ?? Date.now();
    const attempts = timing ? selfHealAttempts(timing.backoff, op, previous?.sync?.status, nowMs) : op!.operation.sync.autoHealAttemptsCount ?? 0;
    const remaining = timing ? selfHealRemainingMs(timing.backoff, op, attempts, nowMs) : 0;
    if (remaining > 0) {
      return {
        sync: false,
        retryAfterMs: remaining,
        reason: `self-heal skipped: already attempted sync to ${compared.revision} (self-heal attempt ${attempts + 1} waits for the backoff: retrying in ${(remaining / 1000).toFixed(1)}s)`,
      };
    }
    selfHeal = {
      attempts: attempts + 1,
      resources: compared.resources.filter((r) => r.status !== SyncStatusCode.SYNCED)
        .map((r) => ({ group: r.group, kind: r.kind, name: r.name, ...(r.namespace ? { namespace: r.namespace } : {}) })),
    };
  }
  // The allowEmpty guard: an automated sync that would prune every resource is not started.
  if (automated.prune && !automated.allowEmpty && compared.resources.length > 0 && compared.resources.every((r) => r.requiresPruning)) {
    return { sync: false, reason: 'automated sync skipped: it would wipe out all resources (set syncPolicy.automated.allowEmpty to allow it)' };
  }
  if (selfHeal) {
    return { sync: true, reason: `self-heal: automated sync to ${compared.revision} of ${selfHeal.resources.length} drifted resource(s) (attempt ${selfHeal.attempts})`, selfHeal };
  }
  return { sync: true, reason: `automated sync to ${compared.revision}` };
}

/** The recorded sync's sources are the spec's, ignoring targetRevision (the revision was compared already). */
function sameSources(manifest: ApplicationManifest, synced: { source?: ApplicationSourceSpec; sources?: ApplicationSourceSpec[] }): boolean {
  const strip = (s: ApplicationSourceSpec | undefined) => (s ? { ...s, targetRevision: undefined } : undefined);
  if (manifest.spec.sources) {
    const want = manifestSources(manifest.spec).map(strip);
    return !!synced.sources && isDeepStrictEqual(want, synced.sources.map(strip));
  }
  return isDeepStrictEqual(strip(manifest.spec.source), strip(synced.source));
}
