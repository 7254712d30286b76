import { HealthStatus } from '../model';
import { condition, healthy, progressing } from './health-status';

/** gitops-engine `health_apiservice.go`. */
export function apiServiceHealth(obj: any): HealthStatus {
  const c = condition(obj, 'Available');
  if (c?.status === 'True') {
    return healthy(c.message);
  }
  return progressing(c ? `${c.reason ?? ''}: ${c.message ?? ''}` : 'Waiting to be processed');
}
