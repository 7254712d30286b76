import { HealthStatus } from '../model';
import { condition, degraded, healthy, progressing } from './health-status';

/** gitops-engine `health_replicaset.go`. */
export function replicaSetHealth(obj: any): HealthStatus {
  const status = obj.status ?? {};
  if ((obj.metadata?.generation ?? 0) > (status.observedGeneration ?? 0)) {
    return progressing('Waiting for rollout to finish: observed replica set generation less than desired generation');
  }
  const failure = condition(obj, 'ReplicaFailure');
  if (failure?.status === 'True') {
    return degraded(failure.message);
  }
  const replicas = obj.spec?.replicas ?? 1;
  if ((status.availableReplicas ?? 0) < replicas) {
    return progressing(`Waiting for rollout to finish: ${status.availableReplicas ?? 0} out of ${replicas} new replicas are available...`);
  }
  return healthy();
}
