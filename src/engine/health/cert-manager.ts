import { HealthStatus } from '../model';
import { progressing, readyVerdict } from './health-status';

/*
 * cert-manager.io. A Certificate reports `status.conditions` of type `Ready` (the secret holds a
 * valid, up-to-date certificate) and `Issuing` (a new certificate is being requested); an Issuer or
 * ClusterIssuer reports `Ready` once it can sign (e.g. its ACME account is registered):
 * https://cert-manager.io/docs/reference/api-docs/#cert-manager.io/v1.CertificateStatus and
 * #cert-manager.io/v1.IssuerStatus ("Known condition types are `Ready` and `Issuing`" / "`Ready`").
 * Verdicts and messages as Argo CD's built-in Lua checks
 * (resource_customizations/cert-manager.io/{Certificate,Issuer,ClusterIssuer}/health.lua).
 */

/**
 * `Certificate`. Issuing wins over Ready wherever it is in the list: while a renewal is in flight
 * the old certificate is still Ready=True, and Argo CD reports the renewal (Progressing).
 */
export function certificateHealth(obj: any): HealthStatus {
  const conditions: any[] = obj.status?.conditions ?? [];
  const issuing = conditions.find((c) => c?.type === 'Issuing' && c.status === 'True');
  if (issuing) {
    return progressing(issuing.message);
  }
  return readyVerdict(conditions) ?? progressing('Waiting for certificate');
}

/** `Issuer`. */
export function issuerHealth(obj: any): HealthStatus {
  return readyVerdict(obj.status?.conditions ?? []) ?? progressing('Initializing issuer');
}

/** `ClusterIssuer`. */
export function clusterIssuerHealth(obj: any): HealthStatus {
  return readyVerdict(obj.status?.conditions ?? []) ?? progressing('Initializing ClusterIssuer');
}
