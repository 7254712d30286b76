import { HealthStatus } from '../model';
import { condition, degraded, healthy, progressing, suspended } from './health-status';

/** gitops-engine `health_deployment.go` (mirrors `kubectl rollout status`). */
export function deploymentHealth(obj: any): HealthStatus {
  if (obj.spec?.paused) {
    return suspended('Deployment is paused');
  }
  const status = obj.status ?? {};
  if ((obj.metadata?.generation ?? 0) > (status.observedGeneration ?? 0)) {
    return progressing('Waiting for rollout to finish: observed deployment generation less than desired generation');
  }
  const cond = condition(obj, 'Progressing');
  if (cond?.reason === 'ProgressDeadlineExceeded') {
    return degraded(`Deployment "${obj.metadata.name}" exceeded its progress deadline`);
  }
  const replicas = obj.spec?.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  if (updated < replicas) {
    return progressing(`Waiting for rollout to finish: ${updated} out of ${replicas} new replicas have been updated...`);
  }
  if ((status.replicas ?? 0) > updated) {
    return progressing(`Waiting for rollout to finish: ${(status.replicas ?? 0) - updated} old replicas are pending termination...`);
  }
  if ((status.availableReplicas ?? 0) < updated) {
    return progressing(`Waiting for rollout to finish: ${status.availableReplicas ?? 0} of ${updated} updated replicas are available...`);
  }
  return healthy();
}
