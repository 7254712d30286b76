import { HealthStatus, HealthStatusCode } from '../model';
import { progressing } from './health-status';

/**
 * `argoproj.io/Application`: its own `status.health`. Argo CD dropped this rule in 1.8; the
 * engine keeps it so app-of-apps waves wait for child Applications.
 */
export function applicationHealth(obj: any): HealthStatus {
  const h = obj.status?.health;
  if (!h?.status) {
    return progressing('waiting for the Application to report health');
  }
  return { status: h.status as HealthStatusCode, message: h.message };
}
