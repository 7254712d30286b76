import { hasHealthCheck, resourceHealth } from '../../src/engine/health';
import { aggregateHealth } from '../../src/engine/health/aggregate';
import { HealthStatusCode, isWorse } from '../../src/engine/model';

const deploy = (spec: any, status: any, generation = 1) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', generation }, spec, status });

describe('Deployment health', () => {
  test('is Healthy when every replica is updated and available', () => {
    const d = deploy({ replicas: 2 }, { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2 });
    expect(resourceHealth(d)?.status).toBe(HealthStatusCode.HEALTHY);
  });
  test('is Progressing while the new generation is not observed', () => {
    const d = deploy({ replicas: 2 }, { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2 }, 2);
    expect(resourceHealth(d)?.status).toBe(HealthStatusCode.PROGRESSING);
  });
  test('is Progressing while replicas are not available', () => {
    const h = resourceHealth(deploy({ replicas: 2 }, { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 1 }));
    expect(h).toEqual({ status: HealthStatusCode.PROGRESSING, message: expect.stringMatching(/1 of 2 updated replicas are available/) });
  });
  test('is Progressing while old replicas terminate', () => {
    const d = deploy({ replicas: 1 }, { observedGeneration: 1, replicas: 2, updatedReplicas: 1, availableReplicas: 1 });
    expect(resourceHealth(d)?.status).toBe(HealthStatusCode.PROGRESSING);
  });
  test('is Suspended when paused', () => {
    expect(resourceHealth(deploy({ paused: true }, {}))?.status).toBe(HealthStatusCode.SUSPENDED);
  });
  test('is Degraded when the progress deadline is exceeded', () => {
    const d = deploy({ replicas: 1 }, { observedGeneration: 1, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] });
    expect(resourceHealth(d)?.status).toBe(HealthStatusCode.DEGRADED);
  });
});

describe('Job and Pod health (hook completion)', () => {
  const job = (conditions: any[]) => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, status: { conditions } });
  test('a complete Job is Healthy, a failed one Degraded, a running one Progressing', () => {
    expect(resourceHealth(job([{ type: 'Complete', status: 'True' }]))?.status).toBe(HealthStatusCode.HEALTHY);
    expect(resourceHealth(job([{ type: 'Failed', status: 'True', message: 'BackoffLimitExceeded' }]))).toEqual({ status: HealthStatusCode.DEGRADED, message: 'BackoffLimitExceeded' });
    expect(resourceHealth(job([]))?.status).toBe(HealthStatusCode.PROGRESSING);
  });
  const pod = (phase: string, extra: any = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { restartPolicy: 'Never' }, status: { phase, ...extra } });
  test('a Succeeded Pod is Healthy, a Failed one Degraded, a Pending one Progressing', () => {
    expect(resourceHealth(pod('Succeeded'))?.status).toBe(HealthStatusCode.HEALTHY);
    expect(resourceHealth(pod('Failed'))?.status).toBe(HealthStatusCode.DEGRADED);
    expect(resourceHealth(pod('Pending'))?.status).toBe(HealthStatusCode.PROGRESSING);
  });
  test('a running Pod with restartPolicy Always is Healthy once Ready', () => {
    const p = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {}, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } };
    expect(resourceHealth(p)?.status).toBe(HealthStatusCode.HEALTHY);
  });
  test('a Pod in CrashLoopBackOff is Degraded', () => {
    expect(resourceHealth(pod('Running', { containerStatuses: [{ name: 'c', state: { waiting: { reason: 'CrashLoopBackOff' } } }] }))?.status).toBe(HealthStatusCode.DEGRADED);
  });
});

describe('other kinds', () => {
  test('StatefulSet waits for ready replicas and the update revision', () => {
    const sts = (status: any) => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's', generation: 1 }, spec: { replicas: 2 }, status: { observedGeneration: 1, ...status } });
    expect(resourceHealth(sts({ readyReplicas: 1 }))?.status).toBe(HealthStatusCode.PROGRESSING);
    expect(resourceHealth(sts({ readyReplicas: 2, currentRevision: 'a', updateRevision: 'b' }))?.status).toBe(HealthStatusCode.PROGRESSING);
    expect(resourceHealth(sts({ readyReplicas: 2, currentRevision: 'b', updateRevision: 'b' }))?.status).toBe(HealthStatusCode.HEALTHY);
  });
  test('DaemonSet waits until scheduled pods are updated and available', () => {
    const ds = (status: any) => ({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'x', generation: 1 }, spec: {}, status: { observedGeneration: 1, desiredNumberScheduled: 2, ...status } });
    expect(resourceHealth(ds({ updatedNumberScheduled: 2, numberAvailable: 1 }))?.status).toBe(HealthStatusCode.PROGRESSING);
    expect(resourceHealth(ds({ updatedNumberScheduled: 2, numberAvailable: 2 }))?.status).toBe(HealthStatusCode.HEALTHY);
  });
  test('PVC follows its phase', () => {
    const pvc = (phase: string) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c' }, status: { phase } });
    expect([pvc('Bound'), pvc('Pending'), pvc('Lost')].map((p) => resourceHealth(p)?.status)).toEqual(['Healthy', 'Progressing', 'Degraded']);
  });
  test('a LoadBalancer Service and an Ingress need a load balancer ingress', () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'LoadBalancer' }, status: {} };
    expect(resourceHealth(svc)?.status).toBe(HealthStatusCode.PROGRESSING);
    expect(resourceHealth({ ...svc, status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } } })?.status).toBe(HealthStatusCode.HEALTHY);
    expect(resourceHealth({ ...svc, spec: { type: 'ClusterIP' } })?.status).toBe(HealthStatusCode.HEALTHY);
    expect(resourceHealth({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i' }, status: {} })?.status).toBe(HealthStatusCode.PROGRESSING);
  });
  test('an Application reports its own status.health, Progressing when absent', () => {
    const app = (health?: any) => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'a' }, status: health ? { health } : {} });
    expect(resourceHealth(app())?.status).toBe(HealthStatusCode.PROGRESSING);
    expect(resourceHealth(app({ status: 'Degraded', message: 'x' }))).toEqual({ status: 'Degraded', message: 'x' });
  });
  test('APIService and HPA', () => {
    expect(resourceHealth({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'a' }, status: { conditions: [{ type: 'Available', status: 'True' }] } })?.status).toBe('Healthy');
    expect(resourceHealth({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' }, status: {} })?.status).toBe('Progressing');
  });
  describe('HPA as Argo CD (gitops-engine health_hpa.go): the first deciding condition wins', () => {
    const hpa = (...conditions: Array<[string, string, string]>) => ({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'h' },
      status: { conditions: conditions.map(([type, status, reason]) => ({ type, status, reason, message: `${type} ${reason}` })) },
    });
    test('current metrics: AbleToScale True is Healthy', () => {
      expect(resourceHealth(hpa(['AbleToScale', 'True', 'ReadyForNewScale'], ['ScalingActive', 'True', 'ValidMetricFound'], ['ScalingLimited', 'False', 'DesiredWithinRange'])))
        .toEqual({ status: 'Healthy', message: 'AbleToScale ReadyForNewScale' });
    });
    test('a failure listed before AbleToScale is Degraded, after it is not reached', () => {
      expect(resourceHealth(hpa(['ScalingActive', 'False', 'FailedGetResourceMetric'], ['AbleToScale', 'True', 'SucceededGetScale']))?.status).toBe('Degraded');
      expect(resourceHealth(hpa(['AbleToScale', 'True', 'SucceededGetScale'], ['ScalingActive', 'False', 'FailedGetResourceMetric']))?.status).toBe('Healthy');
      expect(resourceHealth(hpa(['AbleToScale', 'False', 'FailedGetScale']))).toEqual({ status: 'Degraded', message: 'AbleToScale FailedGetScale' });
    });
    test('failures Argo CD does not list, and False AbleToScale/ScalingLimited, decide nothing', () => {
      expect(resourceHealth(hpa(['ScalingActive', 'False', 'FailedGetPodsMetric'], ['AbleToScale', 'False', 'BackoffBoth'])))
        .toEqual({ status: 'Progressing', message: 'Waiting to Autoscale' });
      expect(resourceHealth(hpa(['ScalingLimited', 'True', 'TooFewReplicas']))?.status).toBe('Healthy');
    });
    test('autoscaling/v1 reads the conditions annotation; a broken one is Unknown', () => {
      const v1 = (annotation?: string) => {
        const annotations: Record<string, string> = annotation === undefined ? {} : { 'autoscaling.alpha.kubernetes.io/conditions': annotation };
        return { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h', annotations } };
      };
      expect(resourceHealth(v1())?.status).toBe('Progressing');
      expect(resourceHealth(v1('[{"type":"ScalingActive","status":"False","reason":"InvalidSelector","message":"m"}]'))).toEqual({ status: 'Degraded', message: 'm' });
      expect(resourceHealth(v1('{'))?.status).toBe('Unknown');
    });
  });
  test('an object being deleted is Progressing whatever its kind', () => {
    expect(resourceHealth({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', deletionTimestamp: '2024-01-01T00:00:00Z' } })?.status).toBe(HealthStatusCode.PROGRESSING);
  });
  test('kinds without a rule have no health', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
    expect(resourceHealth(cm)).toBeUndefined();
    expect(hasHealthCheck(cm)).toBe(false);
  });
  test('worst-of order: Healthy < Suspended < Progressing < Missing < Degraded < Unknown', () => {
    expect(isWorse(HealthStatusCode.HEALTHY, HealthStatusCode.SUSPENDED)).toBe(true);
    expect(isWorse(HealthStatusCode.MISSING, HealthStatusCode.PROGRESSING)).toBe(false);
    expect(isWorse(HealthStatusCode.DEGRADED, HealthStatusCode.UNKNOWN)).toBe(true);
  });
});

describe('application health', () => {
  const entry = (kind: string, status: HealthStatusCode | undefined, hasHealthRule = true, group = '') => ({ group, kind, health: status ? { status } : undefined, hasHealthRule });

  test('is the worst health of the resources', () => {
    expect(aggregateHealth([entry('Deployment', HealthStatusCode.HEALTHY), entry('Job', HealthStatusCode.PROGRESSING), entry('ConfigMap', undefined, false)]))
      .toBe(HealthStatusCode.PROGRESSING);
    expect(aggregateHealth([entry('Deployment', HealthStatusCode.MISSING), entry('Pod', HealthStatusCode.DEGRADED)])).toBe(HealthStatusCode.DEGRADED);
  });

  test('a missing object of a kind without a health rule does not count', () => {
    expect(aggregateHealth([entry('ConfigMap', HealthStatusCode.MISSING, false), entry('Deployment', HealthStatusCode.HEALTHY)])).toBe(HealthStatusCode.HEALTHY);
    expect(aggregateHealth([entry('Deployment', HealthStatusCode.MISSING)])).toBe(HealthStatusCode.MISSING);
  });

  test('a missing or unknown child Application does not count', () => {
    expect(aggregateHealth([entry('Application', HealthStatusCode.UNKNOWN, true, 'argoproj.io')])).toBe(HealthStatusCode.HEALTHY);
    expect(aggregateHealth([entry('Application', HealthStatusCode.DEGRADED, true, 'argoproj.io')])).toBe(HealthStatusCode.DEGRADED);
  });
});
