import { applicationsSyncPolicy, applicationToWrite, planApplicationChanges, withoutAutomatedSync } from '../../../src/engine/appset-controller/application-changes';
import { applicationSetConditions, validationMessage } from '../../../src/engine/appset-controller/appset-conditions';
import { clustersFromSecrets } from '../../../src/engine/appset-controller/cluster-secrets';

const appSet = { apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet', metadata: { name: 'web', namespace: 'argocd', uid: 'u1' }, spec: {} };
const owner = { apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet', name: 'web', uid: 'u1', controller: true, blockOwnerDeletion: true };

function generated(name: string, spec: object = { project: 'default' }, labels: Record<string, string> = {}): any {
  return { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name, namespace: 'argocd', labels }, spec };
}

function live(name: string, extra: any = {}): any {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'argocd', ownerReferences: [owner], resourceVersion: '7', ...extra.metadata },
    spec: extra.spec ?? { project: 'default' },
    status: { sync: { status: 'Synced' } },
  };
}

const summary = (plan: ReturnType<typeof planApplicationChanges>) => [...plan.changes.map((c) => `${c.action} ${c.name}`), ...plan.unchanged.map((n) => `keep ${n}`), ...plan.errors];

describe('Application changes per applicationsSync', () => {
  const desired = [generated('a'), generated('b', { project: 'other' })];
  const current = [live('b'), live('c'), live('foreign', { metadata: { ownerReferences: [] } })];

  test.each([
    ['sync', ['create a', 'update b', 'delete c']],
    ['create-update', ['create a', 'update b']],
    ['create-delete', ['create a', 'delete c', 'keep b']],
    ['create-only', ['create a', 'keep b']],
  ])('%s', (policy, expected) => {
    const chosen = applicationsSyncPolicy({ spec: { syncPolicy: { applicationsSync: policy } } });
    expect(summary(planApplicationChanges(appSet, desired, current, chosen))).toEqual(expected);
  });

  test('unset means sync; an unknown policy is refused with the choices', () => {
    expect(applicationsSyncPolicy({ spec: {} })).toBe('sync');
    expect(() => applicationsSyncPolicy({ spec: { syncPolicy: { applicationsSync: 'create' } } }))
      .toThrow("spec.syncPolicy.applicationsSync is 'create'; use one of create-only, create-update, create-delete, sync");
  });

  test('an unchanged Application is not written; Applications the set does not own are never deleted', () => {
    const plan = planApplicationChanges(appSet, [generated('b')], [live('b'), live('foreign', { metadata: { ownerReferences: [] } })], 'sync');
    expect(summary(plan)).toEqual(['keep b']);
  });

  test('an Application another controller owns is an error, not taken over', () => {
    const other = live('a', { metadata: { ownerReferences: [{ ...owner, name: 'other-set', uid: 'u2' }] } });
    expect(summary(planApplicationChanges(appSet, [generated('a')], [other], 'sync')))
      .toEqual(['Application argocd/a is already owned by ApplicationSet other-set; rename one of them']);
  });

  test('the written Application keeps preserved annotations/labels and post-delete finalizers, and the set as controller', () => {
    const set = { ...appSet, spec: { preservedFields: { labels: ['team'] } } };
    const found = live('a', {
      metadata: {
        labels: { team: 'x', old: 'y' },
        annotations: { 'notified.notifications.argoproj.io': '{}', 'other': 'z' },
        finalizers: ['resources-finalizer.argocd.argoproj.io', 'post-delete-finalizer.argocd.argoproj.io/cleanup'],
      },
    });
    const written = applicationToWrite(set, { ...generated('a', { project: 'default' }, { env: 'dev' }), metadata: { ...generated('a').metadata, labels: { env: 'dev' }, finalizers: [] } }, found);
    expect(written.metadata).toMatchObject({
      labels: { env: 'dev', team: 'x' },
      annotations: { 'notified.notifications.argoproj.io': '{}' },
      finalizers: ['post-delete-finalizer.argocd.argoproj.io/cleanup'],
      ownerReferences: [owner],
      resourceVersion: '7',
    });
    expect(written.status).toEqual({ sync: { status: 'Synced' } });
  });

  test('RollingSync turns automated sync off (enabled: false), keeping prune', () => {
    expect(withoutAutomatedSync(generated('a', { syncPolicy: { automated: { prune: true } } })).spec.syncPolicy.automated).toEqual({ prune: true, enabled: false });
    const manual = generated('a', { syncPolicy: {} });
    expect(withoutAutomatedSync(manual)).toBe(manual);
  });
});

describe('ApplicationSet conditions', () => {
  const now = '2026-01-01T00:00:00.000Z';
  const later = '2026-01-01T00:05:00.000Z';

  test('a good reconcile, with Argo CD\'s reasons and messages', () => {
    const conditions = applicationSetConditions({ ok: true }, undefined, [], now);
    expect(conditions.map((c) => `${c.type}=${c.status} ${c.reason}: ${c.message}`)).toEqual([
      'ErrorOccurred=False ApplicationSetUpToDate: All applications have been generated successfully',
      'ParametersGenerated=True ParametersGenerated: Successfully generated parameters for all Applications',
      'ResourcesUpToDate=True ApplicationSetUpToDate: All applications have been generated successfully',
    ]);
    // Unchanged conditions keep their transition time.
    expect(applicationSetConditions({ ok: true }, undefined, conditions, later).map((c) => c.lastTransitionTime)).toEqual([now, now, now]);
  });

  test('a generator error: parameters not generated, resources not up to date', () => {
    const conditions = applicationSetConditions({ ok: false, reason: 'ApplicationGenerationFromParamsError', message: 'boom', parametersGenerated: false }, undefined, [], now);
    expect(conditions.map((c) => `${c.type}=${c.status} ${c.reason}: ${c.message}`)).toEqual([
      'ErrorOccurred=True ApplicationGenerationFromParamsError: boom',
      'ParametersGenerated=False ErrorOccurred: boom',
      'ResourcesUpToDate=False ErrorOccurred: boom',
    ]);
  });

  test('RolloutProgressing only with RollingSync; validation errors keep the last one and count the rest', () => {
    const rollout = { status: 'True' as const, reason: 'ApplicationSetModified' as const, message: 'ApplicationSet is performing rollout of step 1' };
    const withRollout = applicationSetConditions({ ok: true }, rollout, [], now);
    expect(withRollout.map((c) => c.type)).toEqual(['ErrorOccurred', 'ParametersGenerated', 'ResourcesUpToDate', 'RolloutProgressing']);
    expect(applicationSetConditions({ ok: true }, undefined, withRollout, later).map((c) => c.type)).toEqual(['ErrorOccurred', 'ParametersGenerated', 'ResourcesUpToDate']);
    expect(validationMessage(['x', 'y', 'z'])).toBe('z (and 2 more)');
  });
});

describe('clusters from Argo CD cluster Secrets', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  test('name, server, project and labels are read; in-cluster is added unless a Secret declares it; config is never read', () => {
    const secret = (name: string, server: string, labels: Record<string, string> = {}) => ({
      metadata: { name: `cluster-${name}`, labels: { 'argocd.argoproj.io/secret-type': 'cluster', ...labels } },
      data: { name: b64(name), server: b64(server), project: b64('p'), config: b64('{"bearerToken":"secret"}') },
    });
    const clusters = clustersFromSecrets([secret('prod', 'https://prod:6443', { env: 'prod' }), secret('dev', 'https://dev:6443')]);
    expect(clusters.map((c) => `${c.name} ${c.server} ${c.project ?? '-'} ${JSON.stringify(c.labels ?? {})}${c.local ? ' local' : ''}`)).toEqual([
      'in-cluster https://kubernetes.default.svc - {} local',
      'dev https://dev:6443 p {}',
      'prod https://prod:6443 p {"env":"prod"}',
    ]);
    expect(JSON.stringify(clusters)).not.toContain('bearerToken');
    expect(clustersFromSecrets([secret('in-cluster', 'https://kubernetes.default.svc')]).map((c) => c.local ?? false)).toEqual([false]);
  });
});
