import { HealthStatus } from '../model';
import { condition, degraded, healthy, progressing, unknown } from './health-status';

/** gitops-engine `health_pod.go` (simplified: restartPolicy Always pods are healthy once Ready). */
export function podHealth(obj: any): HealthStatus {
  const status = obj.status ?? {};
  for (const cs of status.containerStatuses ?? []) {
    const waiting = cs.state?.waiting;
    if (waiting && (waiting.reason?.startsWith('Err') || waiting.reason?.endsWith('Error') || waiting.reason?.endsWith('BackOff'))) {
      return degraded(waiting.message ?? waiting.reason);
    }
  }
  switch (status.phase) {
    case 'Pending':
      return progressing(status.message);
    case 'Succeeded':
      return healthy(status.message);
    case 'Failed':
      return degraded(status.message ?? failedContainerMessage(status));
    case 'Running':
      if (obj.spec?.restartPolicy === 'Always' || obj.spec?.restartPolicy === undefined) {
        const ready = condition(obj, 'Ready');
        return ready?.status === 'True' ? healthy(ready.message) : progressing(ready?.message ?? 'waiting for the pod to become Ready');
      }
      return progressing(status.message);
    default:
      return unknown(status.message ?? `pod phase ${status.phase ?? 'unknown'}`);
  }
}

function failedContainerMessage(status: any): string | undefined {
  for (const cs of status.containerStatuses ?? []) {
    const t = cs.state?.terminated;
    if (t && t.exitCode !== 0) {
      return `container ${cs.name} exited with ${t.exitCode}${t.reason ? ` (${t.reason})` : ''}`;
    }
  }
  return undefined;
}
