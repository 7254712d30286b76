import { HealthStatus } from '../model';
import { degraded, healthy, progressing, unknown } from './health-status';

/** gitops-engine `health_pvc.go`. */
export function pvcHealth(obj: any): HealthStatus {
  switch (obj.status?.phase) {
    case 'Lost':
      return degraded();
    case 'Pending':
      return progressing();
    case 'Bound':
      return healthy();
    default:
      return unknown();
  }
}
