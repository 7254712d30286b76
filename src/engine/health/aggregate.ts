import { HealthStatusCode, isWorse } from '../model';

export interface ResourceHealthEntry {
  readonly group: string;
  readonly kind: string;
  /** Undefined for kinds without a health rule that exist. */
  readonly health?: { readonly status: HealthStatusCode };
  /** The kind has a health rule (a missing object of a kind without one does not count). */
  readonly hasHealthRule: boolean;
}

/**
 * Argo CD's `setApplicationHealth`: the worst health of the resources, where a missing resource
 * of a kind without a health rule, and a missing or unknown child Application, do not count.
 */
export function aggregateHealth(resources: readonly ResourceHealthEntry[]): HealthStatusCode {
  let health: HealthStatusCode = HealthStatusCode.HEALTHY;
  for (const r of resources) {
    const status = r.health?.status;
    if (!status) {
      continue;
    }
    if (status === HealthStatusCode.MISSING && !r.hasHealthRule) {
      continue;
    }
    const childApp = r.group === 'argoproj.io' && r.kind === 'Application';
    if (childApp && (status === HealthStatusCode.MISSING || status === HealthStatusCode.UNKNOWN)) {
      continue;
    }
    if (isWorse(health, status)) {
      health = status;
    }
  }
  return health;
}
