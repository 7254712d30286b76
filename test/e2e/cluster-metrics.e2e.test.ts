/**
 * The resource metrics API on the local cluster: the real metrics-server scrapes kwok's emulated
 * kubelets, so `kubectl top` shows the simulated usage (half of each container's requests by
 * default, or a pod's kwok.x-k8s.io/usage-* annotation), an HPA gets current metrics and scales
 * on them, and the engine reports an Application with an HPA Healthy and runs its PostSync hook.
 */
import { getJson, kubectl, testNamespaces, waitFor } from './cluster-fixture';
import { USAGE_CPU_ANNOTATION, USAGE_MEMORY_ANNOTATION } from '../../src/cluster/constants';
import { compareApplication } from '../../src/engine/compare-app';
import { KubeClient } from '../../src/engine/kube/client';
import { HealthStatusCode, KubeObject, OperationPhase, SyncPhase } from '../../src/engine/model';
import { deployment, job, TestApp, useE2eClient } from '../engine/e2e-app';

jest.setTimeout(240_000);

let client: KubeClient;
useE2eClient((c) => {
  client = c;
});
const newNamespace = testNamespaces().create;

/** A Deployment whose one container requests 200m CPU and 100Mi memory. */
function web(name: string, replicas: number, podAnnotations: Record<string, string> = {}): KubeObject {
  const d = deployment(name, replicas) as any;
  d.spec.template.metadata.annotations = podAnnotations;
  d.spec.template.spec.containers[0].resources = { requests: { cpu: '200m', memory: '100Mi' } };
  return d;
}

function hpa(name: string, target: string, minReplicas: number, maxReplicas: number): KubeObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target },
      minReplicas,
      maxReplicas,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
    },
  };
}

/** `kubectl top pods`: pod name → [millicores, MiB], once every pod of the namespace has metrics. */
async function topPods(ns: string, pods: number): Promise<Map<string, [number, number]>> {
  return waitFor(`metrics of ${pods} pods in ${ns} (kubectl top pods)`, async () => {
    const res = await kubectl(['top', 'pods', '--no-headers'], { namespace: ns, check: false });
    const rows = res.stdout.trim().split('\n').filter(Boolean).map((l) => l.trim().split(/\s+/));
    if (res.code !== 0 || rows.length < pods) {
      return undefined;
    }
    return new Map(rows.map(([name, cpu, memory]) => [name, [parseInt(cpu, 10), parseInt(memory, 10)] as [number, number]]));
  }, 90_000, 2000);
}

function hpaCondition(obj: any, type: string): { status?: string; reason?: string } | undefined {
  return (obj?.status?.conditions ?? []).find((c: any) => c.type === type);
}

describe('the resource metrics API on the local cluster', () => {
  test('metrics.k8s.io is served by the metrics-server through the aggregation layer', async () => {
    const svc = await getJson(['apiservice', 'v1beta1.metrics.k8s.io']);
    expect(svc.spec.service).toMatchObject({ namespace: 'kube-system', name: 'metrics-server' });
    expect(hpaCondition(svc, 'Available')?.status).toBe('True');
    const nodes = await waitFor('node metrics', async () => {
      const res = await kubectl(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/nodes'], { check: false });
      const list = res.code === 0 ? JSON.parse(res.stdout) : undefined;
      return list?.items?.length >= 2 ? list : undefined;
    }, 60_000, 2000);
    expect(nodes.items.map((n: any) => n.metadata.name).sort()).toEqual(['kwok-node-0', 'kwok-node-1']);
    // As upstream: the view role (and so edit and admin) may read metrics.
    await waitFor('the view ClusterRole to aggregate the metrics reader', async () => {
      const view = await getJson(['clusterrole', 'view']);
      return view?.rules?.some((r: any) => r.apiGroups?.includes('metrics.k8s.io') && r.resources?.includes('pods'));
    });
  });

  test('kubectl top shows half of the requests by default, and what a pod\'s usage annotations say', async () => {
    const ns = await newNamespace('metrics-top');
    await kubectl(['apply', '-f', '-'], {
      namespace: ns,
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          web('plain', 1),
          web('busy', 1, { [USAGE_CPU_ANNOTATION]: '750m', [USAGE_MEMORY_ANNOTATION]: '300Mi' }),
        ],
      }),
    });
    const top = await topPods(ns, 2);
    const usage = (prefix: string) => [...top.entries()].find(([name]) => name.startsWith(`${prefix}-`))?.[1];
    // CPU is a rate over two scrapes, hence the tolerance of a few millicores.
    const [plainCpu, plainMemory] = usage('plain')!;
    expect(Math.abs(plainCpu - 100)).toBeLessThanOrEqual(3);
    expect(plainMemory).toBe(50);
    const [busyCpu, busyMemory] = usage('busy')!;
    expect(Math.abs(busyCpu - 750)).toBeLessThanOrEqual(3);
    expect(busyMemory).toBe(300);
  });

  test('an HPA gets current metrics (AbleToScale, ScalingActive), the engine reports it Healthy, and it scales on simulated usage', async () => {
    const ns = await newNamespace('metrics-hpa');
    const app = new TestApp('autoscaled', ns).write('web.yaml', web('web', 2)).write('hpa.yaml', hpa('web', 'web', 2, 5));
    const { result } = await app.sync(client);
    expect(result.phase).toBe(OperationPhase.SUCCEEDED);

    const live = await waitFor('the HPA to report current CPU utilization', async () => {
      const h = await getJson(['hpa', 'web'], { namespace: ns });
      return h?.status?.currentMetrics?.[0]?.resource?.current?.averageUtilization !== undefined ? h : undefined;
    }, 120_000, 2000);
    expect(hpaCondition(live, 'AbleToScale')?.status).toBe('True');
    expect(hpaCondition(live, 'ScalingActive')).toMatchObject({ status: 'True', reason: 'ValidMetricFound' });
    // 50% of the request by default: below the 80% target, so it stays at minReplicas.
    expect(Math.abs(live.status.currentMetrics[0].resource.current.averageUtilization - 50)).toBeLessThanOrEqual(2);
    expect(live.status.desiredReplicas).toBe(2);

    const status = await compareApplication(client, app.load());
    expect(status.health.status).toBe(HealthStatusCode.HEALTHY);
    expect(status.resources.find((r) => r.kind === 'HorizontalPodAutoscaler')?.health?.status).toBe(HealthStatusCode.HEALTHY);

    // 190m of a 200m request is 95% > 80%: the HPA scales up to ceil(2 × 95 / 80) = 3.
    await kubectl(['patch', 'deployment', 'web', '--type=merge', '-p', JSON.stringify({ spec: { template: { metadata: { annotations: { [USAGE_CPU_ANNOTATION]: '190m' } } } } })], { namespace: ns });
    const scaled = await waitFor('the HPA to scale the Deployment up on the simulated usage', async () => {
      const h = await getJson(['hpa', 'web'], { namespace: ns });
      return h?.status?.desiredReplicas >= 3 ? h : undefined;
    }, 150_000, 2000);
    expect(scaled.status.currentMetrics[0].resource.current.averageUtilization).toBeGreaterThan(80);
    await waitFor('the Deployment to have 3 replicas', async () => (await getJson(['deployment', 'web'], { namespace: ns }))?.spec?.replicas >= 3, 60_000, 1000);
  });

  test('an Application with an HPA and a PostSync hook syncs successfully', async () => {
    const ns = await newNamespace('metrics-hook');
    const app = new TestApp('autoscaled-hooked', ns)
      .write('web.yaml', web('web', 2))
      .write('hpa.yaml', hpa('web', 'web', 2, 4))
      .write('smoke.yaml', job('smoke', { 'argocd.argoproj.io/hook': 'PostSync' }));
    const { result } = await app.sync(client);
    expect(result.phase).toBe(OperationPhase.SUCCEEDED);
    expect(result.resources.find((r) => r.kind === 'HorizontalPodAutoscaler')).toMatchObject({ syncPhase: SyncPhase.SYNC });
    expect(result.resources.find((r) => r.name === 'smoke')).toMatchObject({ hookType: SyncPhase.POST_SYNC, hookPhase: OperationPhase.SUCCEEDED });
    const status = await compareApplication(client, app.load());
    expect(status.health.status).toBe(HealthStatusCode.HEALTHY);
  });
});
