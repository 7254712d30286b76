import { ANNOTATION_LAST_APPLIED, ANNOTATION_TRACKING_ID } from '../../src/argo/annotations';
import { ANNOTATION_APPLIED_HASH, FIELD_MANAGER } from '../../src/engine/annotations';
import {
  goJson, lastAppliedConfiguration, ManagedFieldsEntry, managedFieldsUpgradePatch, noOpWrite, upgradedManagedFields,
  withClientSideRemovals, withLastApplied, writesLastApplied,
} from '../../src/engine/client-side-apply';
import { KubeApi } from '../../src/engine/kube/kube-api';
import { KubeObject, TaskAction } from '../../src/engine/model';
import { ResourceWriter } from '../../src/engine/resource-writer';

const LAST = ANNOTATION_LAST_APPLIED;

function cm(data: Record<string, string>, extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns', annotations: { [ANNOTATION_TRACKING_ID]: 'app:/ConfigMap:ns/c' }, ...extra }, data };
}

describe('the last-applied-configuration annotation, as kubectl apply writes it', () => {
  test('Go encoding/json: sorted keys, HTML characters escaped, a trailing newline', () => {
    expect(goJson({ z: 1, a: ['<b>&', { y: true, b: null }], m: 'x\u2028y', é: 0.5 }))
      .toBe('{"a":["\\u003cb\\u003e\\u0026",{"b":null,"y":true}],"m":"x\\u2028y","z":1,"é":0.5}\n');
  });

  test('the object without the annotation itself (an earlier value never nests), the tracking id included', () => {
    const obj = cm({ k: 'v' }, { labels: { app: 'web' } });
    const once = withLastApplied(obj);
    expect(once.metadata.annotations![LAST]).toBe(
      '{"apiVersion":"v1","data":{"k":"v"},"kind":"ConfigMap","metadata":{"annotations":{"argocd.argoproj.io/tracking-id":"app:/ConfigMap:ns/c"},"labels":{"app":"web"},"name":"c","namespace":"ns"}}\n',
    );
    expect(withLastApplied(once).metadata.annotations![LAST]).toBe(once.metadata.annotations![LAST]);
    expect(lastAppliedConfiguration(once)).toBe(once.metadata.annotations![LAST]);
  });

  test('written for ordinary resources only: not with ServerSideApply=true or Replace=true, not for Secrets, hooks or the auto-created namespace', () => {
    const apply = { action: TaskAction.APPLY, options: new Map<string, string>() };
    const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: {} };
    expect(writesLastApplied(apply, cm({}))).toBe(true);
    expect(writesLastApplied({ ...apply, options: new Map([['Validate', 'false']]) }, cm({}))).toBe(true);
    expect(writesLastApplied({ ...apply, options: new Map([['ServerSideApply', 'true']]) }, cm({}))).toBe(false);
    expect(writesLastApplied({ ...apply, options: new Map([['Replace', 'true']]) }, cm({}))).toBe(false);
    expect(writesLastApplied(apply, secret)).toBe(false);
    expect(writesLastApplied({ ...apply, action: TaskAction.HOOK }, cm({}))).toBe(false);
    expect(writesLastApplied({ ...apply, autoNamespace: true }, cm({}))).toBe(false);
  });
});

const csa = (manager: string, fieldsV1: Record<string, unknown>, apiVersion = 'v1'): ManagedFieldsEntry => ({ manager, operation: 'Update', apiVersion, fieldsType: 'FieldsV1', fieldsV1, time: '2026-12-01T00:00:00Z' });
const ssa = (fieldsV1: Record<string, unknown>): ManagedFieldsEntry => ({ manager: FIELD_MANAGER, operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1, time: '2026-12-01T00:00:00Z' });

describe('client-side apply managers folded into the engine’s apply entry (client-go csaupgrade)', () => {
  test('Argo CD’s client-side entry becomes the engine’s Apply entry when the engine has none', () => {
    const argo = csa('argocd-controller', { 'f:data': { 'f:a': {}, 'f:b': {} } });
    const other = csa('kube-controller-manager', { 'f:metadata': { 'f:labels': { 'f:x': {} } } });
    expect(upgradedManagedFields([argo, other], FIELD_MANAGER)).toEqual([{ ...argo, manager: FIELD_MANAGER, operation: 'Apply' }, other]);
  });

  test('unioned into an existing Apply entry; both client-side managers dropped; another API version is left alone', () => {
    const out = upgradedManagedFields([
      csa('argocd-controller', { 'f:data': { 'f:b': {} }, 'f:metadata': { 'f:annotations': { 'f:x': {} } } }),
      csa('kubectl-client-side-apply', { 'f:data': { 'f:c': {} } }),
      csa('argocd-controller', { 'f:spec': {} }, 'v2'),
      ssa({ 'f:data': { 'f:a': {} } }),
      { manager: 'argocd-controller', operation: 'Update', apiVersion: 'v1', subresource: 'status', fieldsV1: { 'f:status': {} } },
    ], FIELD_MANAGER);
    expect(out!.map((e) => `${e.manager} ${e.operation} ${e.apiVersion} ${e.subresource ?? ''} ${JSON.stringify(e.fieldsV1)}`)).toEqual([
      'cdk8s-argocd Apply v1  {"f:data":{"f:a":{},"f:b":{},"f:c":{}},"f:metadata":{"f:annotations":{"f:x":{}}}}',
      'argocd-controller Update v1 status {"f:status":{}}',
    ]);
  });

  test('nothing to migrate: no patch', () => {
    const live = cm({}, { managedFields: [ssa({ 'f:data': {} }), csa('kube-controller-manager', {})], resourceVersion: '7' });
    expect(managedFieldsUpgradePatch(live, FIELD_MANAGER)).toBeUndefined();
  });

  test('the patch replaces managedFields and pins the resourceVersion it was computed from', () => {
    const live = cm({}, { managedFields: [csa('argocd-controller', { 'f:data': {} })], resourceVersion: '42' });
    expect(managedFieldsUpgradePatch(live, FIELD_MANAGER)).toEqual([
      { op: 'replace', path: '/metadata/managedFields', value: [{ ...csa('argocd-controller', { 'f:data': {} }), manager: FIELD_MANAGER, operation: 'Apply' }] },
      { op: 'replace', path: '/metadata/resourceVersion', value: '42' },
    ]);
  });
});

describe('a write that would change nothing but managedFields is skipped', () => {
  const prepared = withLastApplied(cm({ a: '1' }));
  const live = { ...prepared, metadata: { ...prepared.metadata, resourceVersion: '5', managedFields: [ssa({ 'f:data': {} })] } };

  test('equal apart from managedFields, resourceVersion and the applied hash (with the generation it bumps on a Deployment): a no-op', () => {
    const predicted = { ...live, metadata: { ...live.metadata, resourceVersion: '5', generation: 2, managedFields: [], annotations: { ...live.metadata.annotations, [ANNOTATION_APPLIED_HASH]: 'h' } } };
    expect(noOpWrite(prepared, predicted, live)).toBe(true);
  });

  test('any other difference is a write', () => {
    expect(noOpWrite(prepared, { ...live, data: { a: '2' } }, live)).toBe(false);
    expect(noOpWrite(prepared, { ...live, metadata: { ...live.metadata, labels: { l: 'x' } } }, live)).toBe(false);
  });

  test('fields Argo CD applied client-side from other manifests are written (so the write migrates and removes them)', () => {
    const argoLive = { ...live, metadata: { ...live.metadata, managedFields: [csa('argocd-controller', { 'f:data': {} })] } };
    expect(noOpWrite(prepared, argoLive, argoLive)).toBe(true);
    const before = withLastApplied(cm({ a: '1', removed: 'x' }));
    const stale = { ...argoLive, metadata: { ...argoLive.metadata, annotations: before.metadata.annotations } };
    // The dry run keeps `removed` (Argo CD owns it) and the annotation is the engine's to write: not a no-op.
    expect(noOpWrite(withLastApplied(cm({ a: '1' })), stale, stale)).toBe(false);
  });
});

describe('ResourceWriter', () => {
  function recordingApi(live: KubeObject): { api: KubeApi; calls: string[] } {
    const calls: string[] = [];
    const api = {
      get: async () => live,
      merge: async (_o: KubeObject, patch: unknown, type: string) => {
        calls.push(`merge ${type} ${JSON.stringify((patch as any[]).map((p) => p.path))}`);
        return live;
      },
      apply: async (o: KubeObject, manager: string, opts: { dryRun?: boolean }) => {
        calls.push(`apply ${manager} dryRun=${!!opts.dryRun}`);
        return o;
      },
    } as unknown as KubeApi;
    return { api, calls };
  }

  test('migrates client-side apply ownership before a real server-side apply, never in a dry run', async () => {
    const live = cm({ a: '1' }, { resourceVersion: '3', managedFields: [csa('argocd-controller', { 'f:data': {} })] });
    const { api, calls } = recordingApi(live);
    const writer = new ResourceWriter(api);
    await writer.write({ options: new Map() }, cm({}), live, true);
    await writer.write({ options: new Map() }, cm({}), live, false);
    expect(calls).toEqual([
      'apply cdk8s-argocd dryRun=true',
      'merge application/json-patch+json ["/metadata/managedFields","/metadata/resourceVersion"]',
      'apply cdk8s-argocd dryRun=false',
    ]);
  });

  test('no migration for objects only the engine applied', async () => {
    const live = cm({ a: '1' }, { resourceVersion: '3', managedFields: [ssa({ 'f:data': {} })] });
    const { api, calls } = recordingApi(live);
    await new ResourceWriter(api).write({ options: new Map() }, cm({}), live, false);
    expect(calls).toEqual(['apply cdk8s-argocd dryRun=false']);
  });
});

describe('a prediction removes what Argo CD last applied and the desired state dropped', () => {
  const argoManaged = [csa('argocd-controller', { 'f:data': {} })];
  function deploymentWith(env: Array<Record<string, string>>, labels?: Record<string, string>): KubeObject {
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'ns', ...(labels ? { labels } : {}) },
      spec: { template: { spec: { containers: [{ name: 'main', image: 'i', env }, { name: 'side', image: 's' }] } } },
    };
  }

  test('a label, an env var (list item by name) and a nested field go; what the desired state keeps stays', () => {
    const before = withLastApplied(deploymentWith([{ name: 'A', value: '1' }, { name: 'B', value: '2' }], { drop: 'x' }));
    const live = { ...before, metadata: { ...before.metadata, labels: { drop: 'x', other: 'y' }, managedFields: argoManaged } };
    const desired = withLastApplied(deploymentWith([{ name: 'A', value: '1' }]));
    const predicted = JSON.parse(JSON.stringify(live));
    const out = withClientSideRemovals(predicted, desired, live);
    expect(out.metadata.labels).toEqual({ other: 'y' });
    expect((out.spec as any).template.spec.containers).toEqual([{ name: 'main', image: 'i', env: [{ name: 'A', value: '1' }] }, { name: 'side', image: 's' }]);
  });

  test('nothing changes without a client-side manager or without its annotation', () => {
    const before = withLastApplied(deploymentWith([{ name: 'A', value: '1' }], { drop: 'x' }));
    const desired = withLastApplied(deploymentWith([]));
    expect(withClientSideRemovals(before, desired, before)).toBe(before);
    const noAnnotation = { ...before, metadata: { ...before.metadata, annotations: {}, managedFields: argoManaged } };
    expect(withClientSideRemovals(noAnnotation, desired, noAnnotation)).toBe(noAnnotation);
  });
});
