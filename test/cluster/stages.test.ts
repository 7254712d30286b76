import * as fs from 'fs';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { findClusterModuleDir } from '../../src/cluster/build';
import { POD_COMPLETE_DELAY_ANNOTATION, POD_FAIL_LABEL, POD_FAIL_LABEL_VALUE, USAGE_CPU_ANNOTATION, USAGE_MEMORY_ANNOTATION } from '../../src/cluster/constants';
import { clusterResourceUsageYaml } from '../../src/cluster/local-cluster';

const stagesDir = path.join(findClusterModuleDir(), 'stages');

function stages(): Record<string, any> {
  const out: Record<string, any> = {};
  for (const f of fs.readdirSync(stagesDir).filter((x) => x.endsWith('.yaml'))) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(stagesDir, f), 'utf8'))) {
      const s = doc.toJS();
      out[s.metadata.name] = s;
    }
  }
  return out;
}

function expressions(stage: any): Record<string, { operator: string; values?: string[] }> {
  return Object.fromEntries(stage.spec.selector.matchExpressions.map((e: any) => [e.key, { operator: e.operator, values: e.values }]));
}

describe('kwok stages', () => {
  test('cover node start-up and heartbeat and the pod life cycle', () => {
    expect(Object.keys(stages()).sort()).toEqual([
      'node-heartbeat-with-lease',
      'node-initialize',
      'pod-complete',
      'pod-complete-bare',
      'pod-delete',
      'pod-fail',
      'pod-ready',
    ]);
    for (const s of Object.values(stages())) {
      expect(s.apiVersion).toBe('kwok.x-k8s.io/v1alpha1');
      expect(s.kind).toBe('Stage');
    }
  });

  test('pod-fail selects the documented label and fails the pod', () => {
    const fail = stages()['pod-fail'];
    expect(expressions(fail)[`.metadata.labels["${POD_FAIL_LABEL}"]`]).toEqual({ operator: 'In', values: [POD_FAIL_LABEL_VALUE] });
    expect(fail.spec.next.statusTemplate).toMatch(/phase: Failed/);
  });

  test('the completing stages leave labelled pods to pod-fail', () => {
    for (const name of ['pod-complete', 'pod-complete-bare']) {
      expect(expressions(stages()[name])[`.metadata.labels["${POD_FAIL_LABEL}"]`]).toEqual({ operator: 'NotIn', values: [POD_FAIL_LABEL_VALUE] });
    }
  });

  test('a Job\'s pod completes after the delay its annotation asks for, and at once without one', () => {
    expect(stages()['pod-complete'].spec.delay).toEqual({
      durationMilliseconds: 0,
      durationFrom: { expressionFrom: `.metadata.annotations["${POD_COMPLETE_DELAY_ANNOTATION}"]` },
    });
  });
});

describe('simulated usage for the metrics-server', () => {
  test('kwok\'s ClusterResourceUsage: the pod annotation, else the share of the request, else 1m / 1Mi', () => {
    const doc = parse(clusterResourceUsageYaml({ cpuPercent: 50, memoryPercent: 125 }));
    expect(doc).toMatchObject({ apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'ClusterResourceUsage' });
    const usage = doc.spec.usages[0].usage;
    expect(usage.cpu.expression).toContain(`Quantity(pod.metadata.annotations["${USAGE_CPU_ANNOTATION}"])`);
    expect(usage.cpu.expression).toContain('container.resources.requests["cpu"] * 0.5000');
    expect(usage.cpu.expression).toContain('Quantity("1m")');
    expect(usage.memory.expression).toContain(`Quantity(pod.metadata.annotations["${USAGE_MEMORY_ANNOTATION}"])`);
    expect(usage.memory.expression).toContain('container.resources.requests["memory"] * 1.2500');
  });
  test('the kubelet resource Metric is the one metrics-server scrapes, at the path the nodes announce', () => {
    const metric = parse(fs.readFileSync(path.join(findClusterModuleDir(), 'metrics', 'metrics-resource.yaml'), 'utf8'));
    expect(metric.kind).toBe('Metric');
    expect(metric.spec.path).toBe('/metrics/nodes/{nodeName}/metrics/resource');
    expect(metric.spec.metrics.map((m: any) => m.name)).toEqual(expect.arrayContaining([
      'container_cpu_usage_seconds_total', 'container_memory_working_set_bytes', 'node_cpu_usage_seconds_total', 'node_memory_working_set_bytes',
    ]));
  });
});
