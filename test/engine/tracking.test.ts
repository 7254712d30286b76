import { appliedHash, contains, unchangedSinceApply, withAppliedHash } from '../../src/engine/in-sync';
import { KubeObject } from '../../src/engine/model';
import { retryDelay, retryPolicy } from '../../src/engine/retry';
import { instanceName, parseTrackingId, trackingId, trackingInstance, withTrackingId } from '../../src/engine/tracking';

describe('tracking id', () => {
  test('uses Argo CD\'s format <app>:<group>/<kind>:<namespace>/<name>', () => {
    expect(trackingId('web', { group: 'apps', kind: 'Deployment', namespace: 'prod', name: 'api' })).toBe('web:apps/Deployment:prod/api');
    expect(trackingId('web', { group: '', kind: 'Namespace', namespace: '', name: 'prod' })).toBe('web:/Namespace:/prod');
  });

  test('cluster-scoped objects carry the destination namespace, and still count as tracked', () => {
    const key = { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole', namespace: '', name: 'reader' };
    expect(trackingId('web', key, 'prod')).toBe('web:rbac.authorization.k8s.io/ClusterRole:prod/reader');
    const role: KubeObject = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader' } };
    expect(trackingInstance(withTrackingId(role, 'web', key, 'prod'))).toBe('web');
  });

  test('prefixes the Application namespace when it is not the control-plane namespace', () => {
    expect(instanceName('web', 'argocd')).toBe('web');
    expect(instanceName('web', 'team-a')).toBe('team-a_web');
  });

  test('parses its own output', () => {
    expect(parseTrackingId('team-a_web:apps/Deployment:prod/api')).toEqual({ instance: 'team-a_web', key: { group: 'apps', kind: 'Deployment', namespace: 'prod', name: 'api' } });
    expect(parseTrackingId('not a tracking id')).toBeUndefined();
  });

  test('an object carries the instance; a tracking id naming another object does not count', () => {
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' } };
    const t = withTrackingId(cm, 'web', { group: '', kind: 'ConfigMap', namespace: 'n', name: 'c' });
    expect(trackingInstance(t)).toBe('web');
    const copied = { ...t, metadata: { ...t.metadata, name: 'copy' } };
    expect(trackingInstance(copied)).toBeUndefined();
    expect(trackingInstance(cm)).toBeUndefined();
  });
});

describe('unchanged since apply', () => {
  const desired = withAppliedHash({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' }, data: { a: '1' } });

  test('is true when live was applied from the same desired state and still contains it', () => {
    const live = { ...desired, metadata: { ...desired.metadata, uid: 'u', resourceVersion: '1' } };
    expect(unchangedSinceApply(desired, live)).toBe(true);
  });

  test('is false when someone changed a field', () => {
    expect(unchangedSinceApply(desired, { ...desired, data: { a: '2' } })).toBe(false);
  });

  test('is false when the desired state dropped a field (the hash changes)', () => {
    const before = withAppliedHash({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1', b: '2' } });
    const after = withAppliedHash({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } });
    expect(unchangedSinceApply(after, before)).toBe(false);
    expect(appliedHash(after)).not.toBe(appliedHash(before));
  });

  test('treats zero values the API server omits as present', () => {
    expect(contains({ spec: {} }, { spec: { hostNetwork: false, minReadySeconds: 0, externalIPs: [] } })).toBe(true);
    expect(contains({ spec: {} }, { spec: { hostNetwork: true } })).toBe(false);
  });

  test('compares lists item by item', () => {
    expect(contains({ l: [{ a: 1, b: 2 }] }, { l: [{ a: 1 }] })).toBe(true);
    expect(contains({ l: [{ a: 1 }, { a: 2 }] }, { l: [{ a: 1 }] })).toBe(false);
  });
});

describe('retry', () => {
  test('backs off 5s × 2 capped at 3m by default, up to the limit', () => {
    const p = retryPolicy({ limit: 10 });
    expect([1, 2, 3, 7, 11].map((a) => retryDelay(p, a))).toEqual([5000, 10000, 20000, 180000, undefined]);
    expect(retryDelay(retryPolicy(undefined), 1)).toBeUndefined();
    expect(retryDelay(retryPolicy({ limit: -1 }), 100)).toBe(180000);
  });
});

describe('retry of an automated sync', () => {
  test('an automated sync without syncPolicy.retry retries 5 times (Argo CD v3 autoSync), a manual one not at all', () => {
    expect([1, 5, 6].map((a) => retryDelay(retryPolicy(undefined, undefined, true), a))).toEqual([5000, 80000, undefined]);
    expect(retryDelay(retryPolicy(undefined, undefined, false), 1)).toBeUndefined();
    // An explicit retry (even without a limit) is the Application's, automated or not.
    expect(retryDelay(retryPolicy({}, undefined, true), 1)).toBeUndefined();
    expect(retryDelay(retryPolicy({ limit: 1 }, undefined, true), 2)).toBeUndefined();
    // --retry-limit overrides both.
    expect(retryDelay(retryPolicy(undefined, 0, true), 1)).toBeUndefined();
  });
});
