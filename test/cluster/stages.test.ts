import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { findClusterModuleDir } from '../../src/cluster/build';
import { POD_FAIL_LABEL, POD_FAIL_LABEL_VALUE } from '../../src/cluster/constants';

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
});
