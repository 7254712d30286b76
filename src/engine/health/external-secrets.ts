import { HealthStatus } from '../model';
import { progressing, readyVerdict } from './health-status';

/*
 * external-secrets.io (External Secrets Operator). The operator reports what it did in one
 * condition, `status.conditions[type=Ready]` ("True", reason SecretSynced / "False", reason
 * SecretSyncedError for an ExternalSecret; reason Valid / InvalidProviderConfig for a store):
 * https://external-secrets.io/latest/api/spec/ (ExternalSecretStatus, SecretStoreStatus) and
 * https://external-secrets.io/latest/introduction/faq/ ("You should expect a status condition with
 * Type=Ready, Status=True"). The verdicts and messages are Argo CD's built-in Lua checks
 * (resource_customizations/external-secrets.io/{ExternalSecret,SecretStore,ClusterSecretStore}/health.lua):
 * the first Ready condition that is True or False decides; none yet (or Unknown) is Progressing.
 */

/**
 * `ExternalSecret`. With `spec.refreshPolicy: OnChange` the operator only refreshes when the spec
 * changes, so a Ready condition older than `status.refreshTime` describes an earlier refresh and
 * is not trusted (Argo CD compares the two RFC 3339 timestamps as strings, as here).
 */
export function externalSecretHealth(obj: any): HealthStatus {
  const onChange = obj.spec?.refreshPolicy === 'OnChange';
  const current = (obj.status?.conditions ?? []).filter((c: any) =>
    !onChange || c?.type !== 'Ready' || String(c.lastTransitionTime ?? '') >= String(obj.status?.refreshTime ?? ''));
  return readyVerdict(current) ?? progressing('Waiting for ExternalSecret');
}

/** `SecretStore`: Ready once the operator validated the provider configuration. */
export function secretStoreHealth(obj: any): HealthStatus {
  return readyVerdict(obj.status?.conditions ?? []) ?? progressing('Waiting for SecretStore');
}

/** `ClusterSecretStore`: as a SecretStore, cluster-wide. */
export function clusterSecretStoreHealth(obj: any): HealthStatus {
  return readyVerdict(obj.status?.conditions ?? []) ?? progressing('Waiting for ClusterSecretStore');
}
