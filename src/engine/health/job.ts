import { HealthStatus } from '../model';
import { degraded, healthy, progressing, suspended } from './health-status';

/** gitops-engine `health_job.go`. */
export function jobHealth(obj: any): HealthStatus {
  let failed = false;
  let complete = false;
  let isSuspended = false;
  let message = '';
  for (const c of obj.status?.conditions ?? []) {
    if (c.status !== 'True') {
      continue;
    }
    if (c.type === 'Failed') {
      failed = true;
      message = c.message ?? c.reason ?? 'Job failed';
    } else if (c.type === 'Complete') {
      complete = true;
      message = c.message ?? 'Job completed';
    } else if (c.type === 'Suspended') {
      isSuspended = true;
      message = c.message ?? 'Job suspended';
    }
  }
  if (failed) {
    return degraded(message);
  }
  if (complete) {
    return healthy(message);
  }
  if (isSuspended) {
    return suspended(message);
  }
  return progressing(message || 'Job is running');
}
