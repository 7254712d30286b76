import { HealthStatus, HealthStatusCode } from '../model';

export function healthy(message?: string): HealthStatus {
  return { status: HealthStatusCode.HEALTHY, message };
}
export function progressing(message?: string): HealthStatus {
  return { status: HealthStatusCode.PROGRESSING, message };
}
export function degraded(message?: string): HealthStatus {
  return { status: HealthStatusCode.DEGRADED, message };
}
export function suspended(message?: string): HealthStatus {
  return { status: HealthStatusCode.SUSPENDED, message };
}
export function unknown(message?: string): HealthStatus {
  return { status: HealthStatusCode.UNKNOWN, message };
}

/** The status of condition `type`, and the condition itself. */
export function condition(obj: any, type: string): { status?: string; reason?: string; message?: string } | undefined {
  return (obj?.status?.conditions ?? []).find((c: { type: string }) => c.type === type);
}

/**
 * The verdict of the first `Ready` condition that is True (Healthy) or False (Degraded), with its
 * message; undefined while there is none (or only Unknown). The operators' convention that Argo
 * CD's Lua checks for cert-manager and External Secrets read.
 */
export function readyVerdict(conditions: readonly any[]): HealthStatus | undefined {
  for (const c of conditions) {
    if (c?.type === 'Ready' && c.status === 'False') {
      return degraded(c.message);
    }
    if (c?.type === 'Ready' && c.status === 'True') {
      return healthy(c.message);
    }
  }
  return undefined;
}
