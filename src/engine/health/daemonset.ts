import { HealthStatus } from '../model';
import { healthy, progressing } from './health-status';

/** gitops-engine `health_daemonset.go`. */
export function daemonSetHealth(obj: any): HealthStatus {
  const status = obj.status ?? {};
  if ((obj.metadata?.generation ?? 0) > (status.observedGeneration ?? 0)) {
    return progressing('Waiting for rollout to finish: observed daemon set generation less than desired generation');
  }
  if (obj.spec?.updateStrategy?.type === 'OnDelete') {
    return healthy(`daemon set ${status.currentNumberScheduled ?? 0} out of ${status.desiredNumberScheduled ?? 0} new pods have been updated`);
  }
  const desired = status.desiredNumberScheduled ?? 0;
  if ((status.updatedNumberScheduled ?? 0) < desired) {
    return progressing(`Waiting for daemon set "${obj.metadata.name}" rollout to finish: ${status.updatedNumberScheduled ?? 0} out of ${desired} new pods have been updated...`);
  }
  if ((status.numberAvailable ?? 0) < desired) {
    return progressing(`Waiting for daemon set "${obj.metadata.name}" rollout to finish: ${status.numberAvailable ?? 0} of ${desired} updated pods are available...`);
  }
  return healthy();
}
