/**
 * The ApplicationSet's `status.conditions`, built as Argo CD v3.2.11's controller builds them
 * (`setApplicationSetStatusCondition`, compared with a real v3.2.11 in the conformance runs):
 * ErrorOccurred, ParametersGenerated and ResourcesUpToDate always, RolloutProgressing with
 * RollingSync. Pure.
 */
import { RolloutCondition } from './rolling-sync';

export interface ApplicationSetCondition {
  readonly type: 'ErrorOccurred' | 'ParametersGenerated' | 'ResourcesUpToDate' | 'RolloutProgressing';
  readonly status: 'True' | 'False';
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime?: string;
}

/** Argo CD's `ApplicationSetReason…` values for the errors a reconcile can end with. */
export type ApplicationSetErrorReason =
  | 'ApplicationGenerationFromParamsError'
  | 'RenderTemplateParamsError'
  | 'ApplicationValidationError'
  | 'CreateApplicationError'
  | 'UpdateApplicationError'
  | 'DeleteApplicationError';

/** How a reconcile ended: fine, or with an error (and whether parameters were generated before it). */
export type ReconcileOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: ApplicationSetErrorReason; readonly message: string; readonly parametersGenerated: boolean };

const GENERATED = 'Successfully generated parameters for all Applications';
/** Argo CD v3.2.11's ResourcesUpToDate message after a good reconcile; ErrorOccurred=False repeats it. */
const UP_TO_DATE = 'All applications have been generated successfully';

/**
 * The conditions after a reconcile. A condition whose status, reason and message did not change
 * keeps its `lastTransitionTime` (Argo CD's `SetConditions`); conditions of other types are kept.
 */
export function applicationSetConditions(
  outcome: ReconcileOutcome, rollout: RolloutCondition | undefined, previous: readonly ApplicationSetCondition[], now: string,
): ApplicationSetCondition[] {
  const fresh: ApplicationSetCondition[] = outcome.ok
    ? [
      { type: 'ErrorOccurred', status: 'False', reason: 'ApplicationSetUpToDate', message: UP_TO_DATE },
      { type: 'ParametersGenerated', status: 'True', reason: 'ParametersGenerated', message: GENERATED },
      { type: 'ResourcesUpToDate', status: 'True', reason: 'ApplicationSetUpToDate', message: UP_TO_DATE },
    ]
    : [
      { type: 'ErrorOccurred', status: 'True', reason: outcome.reason, message: outcome.message },
      outcome.parametersGenerated
        ? { type: 'ParametersGenerated', status: 'True', reason: 'ParametersGenerated', message: GENERATED }
        : { type: 'ParametersGenerated', status: 'False', reason: 'ErrorOccurred', message: outcome.message },
      // setApplicationSetStatusCondition: an error makes ResourcesUpToDate False with reason ErrorOccurred.
      { type: 'ResourcesUpToDate', status: 'False', reason: 'ErrorOccurred', message: outcome.message },
    ];
  if (rollout) fresh.push({ type: 'RolloutProgressing', ...rollout });
  const evaluated = new Set(fresh.map((c) => c.type));
  const kept = previous.filter((c) => !evaluated.has(c.type) && !(c.type === 'RolloutProgressing' && !rollout));
  const next = fresh.map((c) => {
    const old = previous.find((p) => p.type === c.type);
    const same = old && old.status === c.status && old.reason === c.reason && old.message === c.message;
    return same ? old : { ...c, lastTransitionTime: now };
  });
  return [...kept, ...next].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}

/** Argo CD puts only the last per-Application error in the condition, with a count of the rest. */
export function validationMessage(errors: readonly string[]): string {
  const last = errors[errors.length - 1];
  return errors.length > 1 ? `${last} (and ${errors.length - 1} more)` : last;
}
