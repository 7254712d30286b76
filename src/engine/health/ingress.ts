import { HealthStatus } from '../model';
import { healthy, progressing } from './health-status';

/** gitops-engine `health_ingress.go`: healthy once the controller published a load balancer ingress. */
export function ingressHealth(obj: any): HealthStatus {
  return (obj.status?.loadBalancer?.ingress ?? []).length > 0 ? healthy() : progressing('waiting for the ingress controller to publish an address');
}
