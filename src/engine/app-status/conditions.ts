/**
 * `status.conditions` as Argo CD's controller maintains them (pkg/apis/application/v1alpha1
 * `ApplicationStatus.SetConditions`, controller/appcontroller.go `autoSync`, controller/state.go
 * `CompareAppState`). Pure functions.
 */
import { ApplicationSpec } from '../application-spec';
import { OperationPhase, SyncStatusCode } from '../model';
import { ArgoApplicationCondition, ArgoOperationState } from './argo-status';

/** Argo CD's condition types the engine writes. */
export enum ConditionType {
  /** An automated sync of the current revision failed (Argo CD will not retry that revision by itself). */
  SYNC_ERROR = 'SyncError',
  /** The desired state could not be loaded, so nothing could be compared. */
  COMPARISON_ERROR = 'ComparisonError',
  /** The project refuses the Application, or does not exist (refreshAppConditions). */
  INVALID_SPEC_ERROR = 'InvalidSpecError',
  /** The project's permissions could not be checked, or it does not accept the Application's namespace. */
  UNKNOWN_ERROR = 'UnknownError',
}

/** `spec.syncPolicy.automated` is set and not switched off with `enabled: false`. */
export function isAutomatedSyncEnabled(spec: Pick<ApplicationSpec, 'syncPolicy'> | undefined): boolean {
  const automated = spec?.syncPolicy?.automated;
  return !!automated && automated.enabled !== false;
}

/**
 * The SyncError Argo CD's `autoSync` sets on the refresh after an operation: an automated
 * Application, OutOfSync, whose last operation at this very revision did not succeed, gets
 * "Failed last sync attempt to [<revision>]: <operation message>". Anything else clears it.
 */
export function syncErrorCondition(
  spec: Pick<ApplicationSpec, 'syncPolicy'> | undefined, sync: SyncStatusCode, revision: string, operation: ArgoOperationState | undefined,
): ArgoApplicationCondition | undefined {
  if (!isAutomatedSyncEnabled(spec) || sync !== SyncStatusCode.OUT_OF_SYNC || !operation) {
    return undefined;
  }
  if (operation.operation.sync.dryRun || operation.operation.sync.revision !== revision) {
    return undefined;
  }
  if (operation.phase === OperationPhase.SUCCEEDED || operation.phase === OperationPhase.RUNNING) {
    return undefined;
  }
  return { type: ConditionType.SYNC_ERROR, message: `Failed last sync attempt to [${revision}]: ${operation.message ?? ''}` };
}

/** CompareAppState's condition when the desired manifests cannot be generated. */
export function comparisonErrorCondition(error: string | undefined): ArgoApplicationCondition | undefined {
  return error ? { type: ConditionType.COMPARISON_ERROR, message: `Failed to load target state: ${error}` } : undefined;
}

/**
 * `SetConditions`: conditions of the evaluated types are replaced by `current` (an unchanged
 * one keeps its lastTransitionTime), conditions of other types are kept; sorted as Argo CD sorts
 * them. `null` when none remain, so the merge patch removes the field.
 */
export function setConditions(
  previous: readonly ArgoApplicationCondition[] | null | undefined,
  current: ReadonlyArray<ArgoApplicationCondition | undefined>,
  evaluated: readonly ConditionType[],
  now: Date,
): ArgoApplicationCondition[] | null {
  const stamp = now.toISOString();
  const before = previous ?? [];
  const kept = before.filter((c) => !evaluated.includes(c.type as ConditionType))
    .map((c) => ({ ...c, lastTransitionTime: c.lastTransitionTime ?? stamp }));
  const fresh = current.filter((c): c is ArgoApplicationCondition => !!c).map((c) => {
    const same = before.find((p) => p.type === c.type);
    return same && same.message === c.message ? same : { ...c, lastTransitionTime: c.lastTransitionTime ?? stamp };
  });
  const all = [...kept, ...fresh];
  const key = (c: ArgoApplicationCondition) => `${c.type}/${c.message}/${c.lastTransitionTime ?? ''}`;
  all.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return all.length > 0 ? all : null;
}
