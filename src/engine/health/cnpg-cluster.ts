import { HealthStatus, HealthStatusCode } from '../model';
import { progressing, suspended } from './health-status';

/*
 * postgresql.cnpg.io `Cluster` (CloudNativePG). The operator writes a human-readable
 * `status.phase` (with `status.phaseReason`) and `status.conditions`, among them Ready and the
 * `cnpg.io/hibernation` condition of a hibernated cluster:
 * https://cloudnative-pg.io/documentation/current/cloudnative-pg.v1/#postgresql-cnpg-io-v1-ClusterStatus
 * and https://cloudnative-pg.io/documentation/current/declarative_hibernation/. The phase strings
 * are the operator's constants (api/v1/cluster_types.go: PhaseHealthy = "Cluster in healthy state" …).
 * Verdicts and messages as Argo CD's built-in Lua check
 * (resource_customizations/postgresql.cnpg.io/Cluster/health.lua), including its choices: a
 * switchover or failover is Degraded (the primary is not serving), an unrecoverable cluster is
 * Suspended (it waits for a person), and a phase it does not know is Unknown.
 */

const PHASES: Record<string, HealthStatusCode> = {
  'Cluster in healthy state': HealthStatusCode.HEALTHY,
  'Setting up primary': HealthStatusCode.PROGRESSING,
  'Creating a new replica': HealthStatusCode.PROGRESSING,
  'Upgrading cluster': HealthStatusCode.PROGRESSING,
  'Waiting for the instances to become active': HealthStatusCode.PROGRESSING,
  'Promoting to primary cluster': HealthStatusCode.PROGRESSING,
  'Switchover in progress': HealthStatusCode.DEGRADED,
  'Failing over': HealthStatusCode.DEGRADED,
  'Upgrading Postgres major version': HealthStatusCode.DEGRADED,
  'Cluster upgrade delayed': HealthStatusCode.DEGRADED,
  'Waiting for user action': HealthStatusCode.DEGRADED,
  'Primary instance is being restarted in-place': HealthStatusCode.DEGRADED,
  'Primary instance is being restarted without a switchover': HealthStatusCode.DEGRADED,
  'Cluster cannot execute instance online upgrade due to missing architecture binary': HealthStatusCode.DEGRADED,
  'Online upgrade in progress': HealthStatusCode.DEGRADED,
  'Applying configuration': HealthStatusCode.DEGRADED,
  'Unable to create required cluster objects': HealthStatusCode.SUSPENDED,
  'Cluster cannot proceed to reconciliation due to an unknown plugin being required': HealthStatusCode.SUSPENDED,
  'Cluster has incomplete or invalid image catalog': HealthStatusCode.SUSPENDED,
  'Cluster is unrecoverable and needs manual intervention': HealthStatusCode.SUSPENDED,
};

export function cnpgClusterHealth(obj: any): HealthStatus {
  // The user turned reconciliation off (annotation `cnpg.io/reconciliationLoop: disabled`).
  if (obj.metadata?.annotations?.['cnpg.io/reconciliationLoop'] === 'disabled') {
    return suspended('Cluster reconciliation is suspended');
  }
  const status = obj.status;
  if (!status) {
    return progressing('Waiting for the CloudNativePG operator to report cluster status');
  }
  // Argo CD reads the phase only once the operator has written conditions; before that the
  // cluster is still being set up.
  if (!Array.isArray(status.conditions)) {
    return progressing(status.phaseReason);
  }
  const hibernation = status.conditions.find((c: any) => c?.type === 'cnpg.io/hibernation');
  if (hibernation) {
    return { status: hibernation.status === 'True' ? HealthStatusCode.SUSPENDED : HealthStatusCode.DEGRADED, message: hibernation.message };
  }
  return { status: PHASES[status.phase] ?? HealthStatusCode.UNKNOWN, message: status.phaseReason };
}
