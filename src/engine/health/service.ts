import { HealthStatus } from '../model';
import { healthy, progressing } from './health-status';

/** gitops-engine `health_service.go`: a LoadBalancer Service is healthy once it has an ingress. */
export function serviceHealth(obj: any): HealthStatus {
  if (obj.spec?.type === 'LoadBalancer') {
    return (obj.status?.loadBalancer?.ingress ?? []).length > 0 ? healthy() : progressing('waiting for the load balancer');
  }
  return healthy();
}
