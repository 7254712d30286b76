import { HealthStatus, HealthStatusCode } from '../model';
import { degraded, healthy, progressing, suspended } from './health-status';

/*
 * argoproj.io `Rollout` (Argo Rollouts). Since v1.0 the controller writes its own verdict in
 * `status.phase` (Healthy, Progressing, Paused, Degraded) with `status.message`, and
 * `status.observedGeneration` tells whether it has seen the current spec; an aborted rollout is
 * phase Degraded ("RolloutAborted: …"), a paused one (spec.paused or a pause step:
 * status.pauseConditions) phase Paused:
 * https://argo-rollouts.readthedocs.io/en/stable/features/specification/ and
 * https://argo-rollouts.readthedocs.io/en/stable/generated/kubectl-argo-rollouts/kubectl-argo-rollouts_status/.
 * Verdicts and messages as Argo CD's built-in Lua check
 * (resource_customizations/argoproj.io/Rollout/health.lua), which surfaces the phase, maps Paused
 * to Suspended, and keeps the pre-1.0 derivation from conditions and replica counts for
 * controllers that write no phase.
 */

const SPEC_NOT_OBSERVED = 'Waiting for rollout spec update to be observed';

/**
 * Whether the controller has seen this spec. Rollouts before v0.10 wrote a hash (not a number)
 * in observedGeneration: nothing to compare, taken as seen, as Argo CD does.
 */
function generationObserved(obj: any): boolean {
  const observed = Number(obj.status?.observedGeneration);
  if (obj.status?.observedGeneration === undefined || Number.isNaN(observed) || observed > (obj.metadata?.generation ?? 0)) {
    return true;
  }
  return observed === obj.metadata?.generation;
}

/** v1.1 `spec.workloadRef`: the referenced Deployment's generation must be observed too. */
function workloadGenerationObserved(obj: any): boolean {
  const annotation = obj.metadata?.annotations?.['rollout.argoproj.io/workload-generation'];
  if (!obj.spec?.workloadRef || annotation === undefined) {
    return true;
  }
  return Number(annotation) === Number(obj.status?.workloadObservedGeneration);
}

export function rolloutHealth(obj: any): HealthStatus {
  const status = obj.status;
  if (!status || !generationObserved(obj) || !workloadGenerationObserved(obj)) {
    return progressing(SPEC_NOT_OBSERVED);
  }
  if (status.phase) {
    const code = status.phase === 'Paused' ? HealthStatusCode.SUSPENDED : status.phase as HealthStatusCode;
    return { status: Object.values(HealthStatusCode).includes(code) ? code : HealthStatusCode.UNKNOWN, message: status.message };
  }
  return legacyRolloutHealth(obj);
}

/** Controllers before v1.0 (no `status.phase`). */
function legacyRolloutHealth(obj: any): HealthStatus {
  const status = obj.status;
  for (const c of status.conditions ?? []) {
    if (c?.type === 'InvalidSpec' || (c?.type === 'Progressing' && (c.reason === 'RolloutAborted' || c.reason === 'ProgressDeadlineExceeded'))) {
      return degraded(c.message);
    }
  }
  if ((status.pauseConditions ?? []).length > 0 || obj.spec?.paused === true) {
    return suspended('Rollout is paused');
  }
  if (status.currentPodHash === undefined) {
    return progressing('Waiting for rollout to finish: status has not been reconciled.');
  }
  const desired = obj.spec?.replicas ?? 1;
  const replicas = status.replicas ?? 0;
  const updated = status.updatedReplicas ?? 0;
  const available = status.availableReplicas ?? 0;
  if (updated < desired) {
    return progressing('Waiting for roll out to finish: More replicas need to be updated');
  }
  if (available < updated) {
    return progressing('Waiting for roll out to finish: updated replicas are still becoming available');
  }
  // v0.8 moved status.canary.stableRS to status.stableRS.
  const stableRS = status.stableRS ?? status.canary?.stableRS ?? '';
  if (obj.spec?.strategy?.blueGreen) {
    if (status.blueGreen?.activeSelector !== status.currentPodHash) {
      return progressing('active service cutover pending');
    }
    if (stableRS !== '' && stableRS !== status.currentPodHash) {
      return progressing('waiting for analysis to complete');
    }
  } else if (obj.spec?.strategy?.canary) {
    if (replicas > updated) {
      return progressing('Waiting for roll out to finish: old replicas are pending termination');
    }
    if (stableRS === '' || stableRS !== status.currentPodHash) {
      return progressing('Waiting for rollout to finish steps');
    }
  }
  return healthy('');
}
