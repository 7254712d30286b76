/** The autoscaled-replicas pattern (src/rehearse/never-settles.ts) and how it meets the observed NEVER_SETTLES. */
import { LoadedApplication } from '../../src/engine/load/applications';
import { DesiredObject } from '../../src/engine/model';
import { assembleReport } from '../../src/rehearse/assemble';
import { autoscaledReplicaFindings } from '../../src/rehearse/never-settles';
import { FindingKind } from '../../src/rehearse/report';

const deployment = (replicas?: number): DesiredObject => ({
  object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { ...(replicas === undefined ? {} : { replicas }) } },
  source: { file: 'web/deployment.yaml', line: 1 },
});
const hpa: DesiredObject = {
  object: {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 5 },
  },
  source: { file: 'web/hpa.yaml', line: 1 },
};

function app(objects: DesiredObject[], ignoreDifferences?: object[]): LoadedApplication {
  return {
    name: 'web',
    namespace: 'argocd',
    revision: 'r',
    position: { file: 'apps/web.yaml', line: 1 },
    objects,
    manifest: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'web' }, spec: { destination: { namespace: 'shop' }, ignoreDifferences } } as any,
  };
}

test('a Deployment that sets replicas, scaled by an HPA of the same Application without an ignore rule, never settles', () => {
  const [f] = autoscaledReplicaFindings(app([deployment(1), hpa]));
  expect(f).toMatchObject({
    kind: FindingKind.NEVER_SETTLES,
    application: 'web',
    path: 'spec.replicas',
    resource: { group: 'apps', kind: 'Deployment', namespace: 'shop', name: 'web', source: 'web/deployment.yaml:1' },
  });
  expect(f.message).toMatch(/^HorizontalPodAutoscaler web \(web\/hpa\.yaml:1\) scales it/);
});

test.each([
  ['no replicas in the manifest', [deployment(), hpa], undefined],
  ['no autoscaler', [deployment(1)], undefined],
  ['jsonPointers /spec/replicas', [deployment(1), hpa], [{ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] }]],
  ['jqPathExpressions .spec.replicas', [deployment(1), hpa], [{ group: 'apps', kind: 'Deployment', name: 'web', jqPathExpressions: ['.spec.replicas'] }]],
  ['managedFieldsManagers kube-controller-manager', [deployment(1), hpa], [{ group: 'apps', kind: 'Deployment', managedFieldsManagers: ['kube-controller-manager'] }]],
])('nothing when %s', (_what, objects, rules) => {
  expect(autoscaledReplicaFindings(app(objects as DesiredObject[], rules as object[] | undefined))).toEqual([]);
});

test('a rule for another kind does not count', () => {
  expect(autoscaledReplicaFindings(app([deployment(1), hpa], [{ group: 'apps', kind: 'StatefulSet', jsonPointers: ['/spec/replicas'] }]))).toHaveLength(1);
});

test('when the second comparison saw it too, the report keeps the observed finding only', () => {
  const pattern = autoscaledReplicaFindings(app([deployment(1), hpa]));
  const report = assembleReport({
    base: { ref: 'b', sha: 'b', dirty: false },
    head: { ref: 'h', sha: 'h', dirty: false },
    applicationSets: [],
    timeline: [],
    durationMs: 1,
    staticFindings: pattern,
    applications: [{
      name: 'web',
      project: 'default',
      inBase: true,
      inHead: true,
      specChanged: true,
      automated: true,
      run: { application: 'web', namespace: 'argocd', wave: 0, action: 'sync' as any, phase: 'Succeeded' as any, message: '' },
      after: {
        application: 'web',
        revision: 'h',
        sync: 'OutOfSync' as any,
        health: { status: 'Healthy' as any },
        resources: [{
          group: 'apps',
          version: 'v1',
          kind: 'Deployment',
          namespace: 'shop',
          name: 'web',
          status: 'OutOfSync' as any,
          comparison: { modified: true, live: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: {}, spec: { replicas: 2 } }, target: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: {}, spec: { replicas: 1 } } },
        }],
      },
    }],
  });
  expect(report.applications[0].findings.map((f) => f.message.slice(0, 29))).toEqual(['still OutOfSync right after a']);
  expect(report.summary.neverSettling).toBe(1);
});
