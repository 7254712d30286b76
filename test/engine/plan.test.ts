import { obj, planInput, spec } from './fixtures';
import { ANNOTATION_TRACKING_ID } from '../../src/engine/annotations';
import { KubeObject, SyncPhase, TaskAction } from '../../src/engine/model';
import { parseResourceFilter, planSync, pruneDecision } from '../../src/engine/plan';
import { parseSyncOptions } from '../../src/engine/sync-options';

function order(objs: KubeObject[], extra = {}): string[] {
  return planSync(planInput(objs, extra)).tasks.map((t) => `${t.phase}/${t.wave}/${t.key.kind}/${t.key.name}${t.action === TaskAction.PRUNE ? '(prune)' : ''}`);
}

function tracked(o: KubeObject, instance = 'app', wave?: number): KubeObject {
  const ns = o.metadata.namespace ?? '';
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
  return {
    ...o,
    metadata: {
      ...o.metadata,
      annotations: { ...(o.metadata.annotations ?? {}), [ANNOTATION_TRACKING_ID]: `${instance}:${group}/${o.kind}:${ns}/${o.metadata.name}`, ...(wave !== undefined ? { 'argocd.argoproj.io/sync-wave': String(wave) } : {}) },
    },
  };
}

function liveMap(...objs: KubeObject[]): Map<string, KubeObject> {
  return new Map(objs.map((o) => {
    const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
    return [`${group}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, o];
  }));
}

describe('planSync ordering', () => {
  test('orders by phase, then wave, then kind rank, then name', () => {
    expect(order([
      obj('apps/v1', 'Deployment', 'b'),
      obj('apps/v1', 'Deployment', 'a'),
      obj('v1', 'Service', 'z'),
      obj('v1', 'ConfigMap', 'late', { 'argocd.argoproj.io/sync-wave': '2' }),
      obj('example.com/v1', 'Widget', 'w'),
      obj('v1', 'ConfigMap', 'early', { 'argocd.argoproj.io/sync-wave': '-1' }),
      obj('batch/v1', 'Job', 'pre', { 'argocd.argoproj.io/hook': 'PreSync' }),
      obj('batch/v1', 'Job', 'post', { 'argocd.argoproj.io/hook': 'PostSync' }),
    ])).toEqual([
      'PreSync/0/Job/pre',
      'Sync/-1/ConfigMap/early',
      'Sync/0/Service/z',
      'Sync/0/Deployment/a',
      'Sync/0/Deployment/b',
      'Sync/0/Widget/w',
      'Sync/2/ConfigMap/late',
      'PostSync/0/Job/post',
    ]);
  });

  test('uses helm.sh/hook-weight as the wave when sync-wave is absent, and sync-wave over it', () => {
    expect(order([
      obj('v1', 'ConfigMap', 'helm', { 'helm.sh/hook-weight': '5' }),
      obj('v1', 'ConfigMap', 'both', { 'helm.sh/hook-weight': '5', 'argocd.argoproj.io/sync-wave': '1' }),
    ])).toEqual(['Sync/1/ConfigMap/both', 'Sync/5/ConfigMap/helm']);
  });

  test('moves a Namespace before the first object in it, with that object\'s phase and wave', () => {
    const cm = obj('v1', 'ConfigMap', 'cm', { 'argocd.argoproj.io/sync-wave': '-5' });
    cm.metadata.namespace = 'other';
    expect(order([cm, obj('v1', 'Namespace', 'other', { 'argocd.argoproj.io/sync-wave': '3' })])).toEqual(['Sync/-5/Namespace/other', 'Sync/-5/ConfigMap/cm']);
  });

  test('moves a CRD before the first custom resource of its kind', () => {
    const crd = obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'widgets.example.com', { 'argocd.argoproj.io/sync-wave': '10' }, {
      spec: { group: 'example.com', names: { kind: 'Widget', plural: 'widgets' }, scope: 'Namespaced' },
    });
    expect(order([obj('example.com/v1', 'Widget', 'w'), crd])).toEqual(['Sync/0/CustomResourceDefinition/widgets.example.com', 'Sync/0/Widget/w']);
  });

  test('runs a hook in every phase it names and drops unknown and Skip hooks', () => {
    expect(order([
      obj('batch/v1', 'Job', 'both', { 'argocd.argoproj.io/hook': 'PreSync,PostSync' }),
      obj('batch/v1', 'Job', 'bogus', { 'argocd.argoproj.io/hook': 'Whenever' }),
      obj('v1', 'ConfigMap', 'skipped', { 'argocd.argoproj.io/hook': 'Skip' }),
      obj('batch/v1', 'Job', 'fail', { 'argocd.argoproj.io/hook': 'SyncFail' }),
    ])).toEqual(['PreSync/0/Job/both', 'PostSync/0/Job/both', 'SyncFail/0/Job/fail']);
  });

  test('Skip objects are listed with their final identity and stay in the target state: a tracked live one is not pruned', () => {
    const skip = obj('v1', 'ConfigMap', 'skipped', { 'argocd.argoproj.io/hook': 'Skip' });
    const live = tracked({ ...skip, metadata: { ...skip.metadata, namespace: 'dest' } });
    const plan = planSync(planInput([obj('v1', 'ConfigMap', 'a'), skip], { prune: true, live: new Map([['/ConfigMap/dest/skipped', live]]) }));
    expect(plan.skipped.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['dest/skipped']);
    expect(plan.tasks.map((t) => `${t.action} ${t.key.name}`)).toEqual(['apply a']);
  });

  test('maps Helm hooks and lets Argo CD hook annotations win', () => {
    expect(order([
      obj('batch/v1', 'Job', 'helm-pre', { 'helm.sh/hook': 'pre-install' }),
      obj('batch/v1', 'Job', 'helm-post', { 'helm.sh/hook': 'post-upgrade' }),
      obj('batch/v1', 'Job', 'argo-wins', { 'helm.sh/hook': 'pre-install', 'argocd.argoproj.io/hook': 'PostSync' }),
    ])).toEqual(['PreSync/0/Job/helm-pre', 'PostSync/0/Job/argo-wins', 'PostSync/0/Job/helm-post']);
  });

  test('names generateName hooks <generateName><rev7>-<phase>-<unix seconds>', () => {
    const hook: KubeObject = { apiVersion: 'batch/v1', kind: 'Job', metadata: { generateName: 'migrate-', annotations: { 'argocd.argoproj.io/hook': 'PreSync' } } };
    const t = planSync(planInput([hook])).tasks[0];
    expect(t.key.name).toBe('migrate-abcdef0-presync-1700000000');
    expect(t.desired!.metadata.generateName).toBeUndefined();
  });

  test('defaults the namespace of namespaced objects to the destination and clears it on cluster-scoped ones', () => {
    const role = obj('rbac.authorization.k8s.io/v1', 'ClusterRole', 'r');
    role.metadata.namespace = 'stamped';
    const tasks = planSync(planInput([obj('v1', 'ConfigMap', 'c'), role])).tasks;
    expect(tasks.map((t) => `${t.key.kind}:${t.key.namespace}`)).toEqual(['ConfigMap:dest', 'ClusterRole:']);
    expect(tasks[1].desired!.metadata.namespace).toBeUndefined();
  });

  test('fails when a sync-wave is not an integer, naming file and line', () => {
    const p = planSync(planInput([obj('v1', 'ConfigMap', 'ok'), obj('v1', 'ConfigMap', 'bad', { 'argocd.argoproj.io/sync-wave': 'soon' })]));
    expect(p.errors).toEqual([expect.stringMatching(/^m\/app\/f\.yaml:11: ConfigMap bad: argocd.argoproj.io\/sync-wave must be an integer, got 'soon'/)]);
  });

  test('fails when two files define the same object', () => {
    const p = planSync(planInput([obj('v1', 'ConfigMap', 'same'), obj('v1', 'ConfigMap', 'same')]));
    expect(p.errors[0]).toMatch(/f\.yaml:11: ConfigMap dest\/same is also defined at m\/app\/f\.yaml:1/);
  });

  test('fails when a non-hook object uses generateName', () => {
    const p = planSync(planInput([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'x-' } }]));
    expect(p.errors[0]).toMatch(/generateName, which only hooks may use/);
  });
});

describe('planSync prune', () => {
  const keep = obj('v1', 'ConfigMap', 'keep');
  const gone = (name: string, wave?: number, extra: Record<string, string> = {}) => {
    const o = obj('v1', 'ConfigMap', name, extra);
    o.metadata.namespace = 'dest';
    return tracked(o, 'app', wave);
  };

  test('prunes tracked objects that are no longer desired only when prune is on', () => {
    const live = liveMap(gone('old'));
    expect(order([keep], { live })).toEqual(['Sync/0/ConfigMap/keep']);
    expect(order([keep], { live, prune: true })).toEqual(['Sync/0/ConfigMap/keep', 'Sync/0/ConfigMap/old(prune)']);
  });

  test('never prunes objects of another instance, untracked objects, copied tracking ids, owned objects or hooks', () => {
    const other = tracked({ ...obj('v1', 'ConfigMap', 'other'), metadata: { name: 'other', namespace: 'dest' } }, 'someone-else');
    const untracked = { ...obj('v1', 'ConfigMap', 'untracked'), metadata: { name: 'untracked', namespace: 'dest' } };
    const copied = gone('copy');
    copied.metadata.annotations![ANNOTATION_TRACKING_ID] = 'app:/ConfigMap:dest/original';
    const owned = gone('owned');
    owned.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'd', uid: 'u' }];
    const hook = gone('hook', undefined, { 'argocd.argoproj.io/hook': 'PreSync' });
    expect(order([keep], { live: liveMap(other, untracked, copied, owned, hook), prune: true })).toEqual(['Sync/0/ConfigMap/keep']);
  });

  test('prunes in reverse wave order', () => {
    const tasks = order([keep], { live: liveMap(gone('w1', 1), gone('w3', 3), gone('w2', 2)), prune: true });
    expect(tasks).toEqual(['Sync/0/ConfigMap/keep', 'Sync/1/ConfigMap/w3(prune)', 'Sync/2/ConfigMap/w2(prune)', 'Sync/3/ConfigMap/w1(prune)']);
  });

  test('PruneLast moves prunes after the last Sync wave', () => {
    const late = obj('v1', 'ConfigMap', 'late', { 'argocd.argoproj.io/sync-wave': '4' });
    const input = { live: liveMap(gone('old', 0, { 'argocd.argoproj.io/sync-options': 'PruneLast=true' })), prune: true };
    expect(order([keep, late], input)).toEqual(['Sync/0/ConfigMap/keep', 'Sync/4/ConfigMap/late', 'Sync/5/ConfigMap/old(prune)']);
    const appWide = { ...input, spec: spec({ syncPolicy: { syncOptions: ['PruneLast=true'] } }), live: liveMap(gone('old2')) };
    expect(order([keep, late], appWide)).toContain('Sync/5/ConfigMap/old2(prune)');
  });

  test('PruneLast goes after the last prune wave too (gitops-engine counts prune tasks in the last Sync wave)', () => {
    // The sync-prune conformance scenario: only `keep` (wave 0) stays; prune waves 0,1,2,5 mirror.
    const tasks = order([keep], {
      live: liveMap(gone('w0', 0), gone('w1', 1), gone('w2', 2), gone('w5', 5), gone('last', 0, { 'argocd.argoproj.io/sync-options': 'PruneLast=true' })),
      prune: true,
    });
    expect(tasks).toEqual([
      'Sync/0/ConfigMap/keep', 'Sync/0/ConfigMap/w5(prune)', 'Sync/1/ConfigMap/w2(prune)', 'Sync/2/ConfigMap/w1(prune)',
      'Sync/5/ConfigMap/w0(prune)', 'Sync/6/ConfigMap/last(prune)',
    ]);
  });

  test('Prune=false skips and Prune=confirm waits for confirmation', () => {
    expect(pruneDecision(parseSyncOptions(['Prune=false']), true)).toBe('skip');
    expect(pruneDecision(parseSyncOptions(['Prune=confirm']), false)).toBe('confirm');
    expect(pruneDecision(parseSyncOptions(['Prune=confirm']), true)).toBe('prune');
    expect(pruneDecision(parseSyncOptions([]), false)).toBe('prune');
  });
});

describe('planSync options', () => {
  test('CreateNamespace adds the destination namespace with managedNamespaceMetadata in PreSync', () => {
    const s = spec({ syncPolicy: { syncOptions: ['CreateNamespace=true'], managedNamespaceMetadata: { labels: { team: 'a' } } } });
    const tasks = planSync(planInput([obj('v1', 'ConfigMap', 'c')], { spec: s })).tasks;
    expect(tasks[0]).toMatchObject({ phase: SyncPhase.PRE_SYNC, autoNamespace: true, key: { kind: 'Namespace', name: 'dest' } });
    expect(tasks[0].desired!.metadata.labels).toEqual({ team: 'a' });
  });

  test('CreateNamespace syncs an existing namespace only when managedNamespaceMetadata is set (controller/sync_namespace.go)', () => {
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dest' } };
    const live = new Map([['/Namespace//dest', ns]]);
    const plain = spec({ syncPolicy: { syncOptions: ['CreateNamespace=true'] } });
    expect(planSync(planInput([obj('v1', 'ConfigMap', 'c')], { spec: plain, live })).tasks.map((t) => t.key.kind)).toEqual(['ConfigMap']);
    const managed = spec({ syncPolicy: { syncOptions: ['CreateNamespace=true'], managedNamespaceMetadata: { labels: { team: 'a' } } } });
    expect(planSync(planInput([obj('v1', 'ConfigMap', 'c')], { spec: managed, live })).tasks.map((t) => t.key.kind)).toEqual(['Namespace', 'ConfigMap']);
  });

  test('a resource annotation overrides the Application\'s sync options', () => {
    const s = spec({ syncPolicy: { syncOptions: ['Validate=true', 'Replace=false'] } });
    const tasks = planSync(planInput([obj('v1', 'ConfigMap', 'c', { 'argocd.argoproj.io/sync-options': 'Replace=true' })], { spec: s })).tasks;
    expect(tasks[0].options.get('Replace')).toBe('true');
    expect(tasks[0].options.get('Validate')).toBe('true');
  });

  test('selective sync keeps only the named resources and runs no hooks', () => {
    const filter = [parseResourceFilter(':ConfigMap:b')];
    expect(order([obj('v1', 'ConfigMap', 'a'), obj('v1', 'ConfigMap', 'b'), obj('batch/v1', 'Job', 'h', { 'argocd.argoproj.io/hook': 'PreSync' })], { resources: filter }))
      .toEqual(['Sync/0/ConfigMap/b']);
  });

  test('fails when --resource is not GROUP:KIND:NAME', () => {
    expect(() => parseResourceFilter('ConfigMap/b')).toThrow(/expected GROUP:KIND:NAME/);
  });
});
