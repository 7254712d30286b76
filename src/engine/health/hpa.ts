import { HealthStatus } from '../model';
import { degraded, healthy, progressing } from './health-status';

const DEGRADED_REASONS = new Set(['FailedGetObjectMetric', 'FailedGetPodsMetric', 'FailedGetResourceMetric', 'FailedGetExternalMetric',
  'FailedComputeMetricsReplicas', 'FailedGetScale', 'FailedUpdateScale', 'InvalidSelector', 'InvalidMetricSourceType']);

/** gitops-engine `health_hpa.go`. */
export function hpaHealth(obj: any): HealthStatus {
  const conditions: any[] = obj.status?.conditions ?? [];
  for (const c of conditions) {
    if (c.status === 'False' && DEGRADED_REASONS.has(c.reason)) {
      return degraded(c.message);
    }
  }
  const able = conditions.find((c) => c.type === 'AbleToScale');
  if (able?.status === 'True' && able.reason === 'SucceededRescale') {
    return healthy(able.message);
  }
  if (conditions.length === 0) {
    return progressing('Waiting to Autoscale');
  }
  return healthy(able?.message);
}
