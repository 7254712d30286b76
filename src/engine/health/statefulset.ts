import { HealthStatus } from '../model';
import { healthy, progressing } from './health-status';

/** gitops-engine `health_statefulset.go`. */
export function statefulSetHealth(obj: any): HealthStatus {
  const status = obj.status ?? {};
  if ((status.observedGeneration ?? 0) === 0 || (obj.metadata?.generation ?? 0) > status.observedGeneration) {
    return progressing('Waiting for statefulset spec update to be observed...');
  }
  const replicas = obj.spec?.replicas ?? 1;
  if ((status.readyReplicas ?? 0) < replicas) {
    return progressing(`Waiting for ${replicas - (status.readyReplicas ?? 0)} pods to be ready...`);
  }
  const strategy = obj.spec?.updateStrategy;
  if (strategy?.type === 'RollingUpdate' && strategy.rollingUpdate?.partition !== undefined) {
    const expected = replicas - strategy.rollingUpdate.partition;
    if ((status.updatedReplicas ?? 0) < expected) {
      return progressing(`Waiting for partitioned roll out to finish: ${status.updatedReplicas ?? 0} out of ${expected} new pods have been updated...`);
    }
    return healthy(`partitioned roll out complete: ${status.updatedReplicas ?? 0} new pods have been updated...`);
  }
  if (strategy?.type === 'OnDelete') {
    return healthy(`statefulset has ${status.readyReplicas ?? 0} ready pods`);
  }
  if (status.updateRevision !== status.currentRevision) {
    return progressing(`waiting for statefulset rolling update to complete ${status.updatedReplicas ?? 0} pods at revision ${status.updateRevision}...`);
  }
  return healthy(`statefulset rolling update complete ${status.currentReplicas ?? 0} pods at revision ${status.currentRevision}...`);
}
