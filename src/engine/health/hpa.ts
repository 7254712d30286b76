import { HealthStatus } from '../model';
import { degraded, healthy, progressing, unknown } from './health-status';

/**
 * Argo CD's HPA health (gitops-engine `pkg/health/health_hpa.go`): the conditions are read in
 * their order, and the first one that decides wins: a known failure (by type and reason, whatever
 * its status) is Degraded, an `AbleToScale` or `ScalingLimited` condition that is True is Healthy;
 * none deciding is Progressing "Waiting to Autoscale". The HPA controller writes `AbleToScale`
 * first, so an HPA whose target's scale it could read is Healthy even while `ScalingActive` is
 * False for want of metrics — as in Argo CD.
 */
const DEGRADED: ReadonlyArray<readonly [string, string]> = [
  ['AbleToScale', 'FailedGetScale'],
  ['AbleToScale', 'FailedUpdateScale'],
  ['ScalingActive', 'FailedGetResourceMetric'],
  ['ScalingActive', 'InvalidSelector'],
];
const HEALTHY_TYPES = new Set(['AbleToScale', 'ScalingLimited']);
/** autoscaling/v1 has no status.conditions: the API server puts them, as JSON, in this annotation. */
const V1_CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';

interface HpaCondition {
  readonly type?: string;
  readonly status?: string;
  readonly reason?: string;
  readonly message?: string;
}

export function hpaHealth(obj: any): HealthStatus {
  let conditions: HpaCondition[];
  if (obj.apiVersion === 'autoscaling/v1') {
    const annotation = obj.metadata?.annotations?.[V1_CONDITIONS_ANNOTATION];
    try {
      conditions = annotation ? JSON.parse(annotation) : [];
    } catch (e) {
      // Argo CD's health check returns an error here, which its controller shows as Unknown.
      return unknown(`failed to convert conditions annotation to typed: ${(e as Error).message}`);
    }
  } else {
    conditions = obj.status?.conditions ?? [];
  }
  for (const c of Array.isArray(conditions) ? conditions : []) {
    if (DEGRADED.some(([type, reason]) => c.type === type && c.reason === reason)) {
      return degraded(c.message);
    }
    if (c.type !== undefined && HEALTHY_TYPES.has(c.type) && c.status === 'True') {
      return healthy(c.message);
    }
  }
  return progressing('Waiting to Autoscale');
}
