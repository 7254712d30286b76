/**
 * Finalizing a deleted Application as Argo CD's controller does, against the in-memory API
 * (test/e2e/engine-finalize.e2e.test.ts checks the same on the real control plane).
 */
import { desired, obj } from './fixtures';
import { HOOK_FINALIZER, RESOURCES_FINALIZER, RESOURCES_FINALIZER_BACKGROUND } from '../../src/argo/annotations';
import { deleteApplication } from '../../src/engine/finalize/delete-application';
import { cascadeMode, keptReason, nextDeletionWave } from '../../src/engine/finalize/deletion-rules';
import { finalizeApplication, FinalizeOptions } from '../../src/engine/finalize/finalize-application';
import { LoadedApplication } from '../../src/engine/load/applications';
import { KubeObject, OperationPhase, ResultCode } from '../../src/engine/model';
import { Deadline } from '../../src/engine/poll';
import { syncApplication } from '../../src/engine/sync';
import { FakeKube } from '../util/fake-kube';
import { VirtualClock } from '../util/virtual-clock';

const TRACKING = 'argocd.argoproj.io/tracking-id';
const WAVE = 'argocd.argoproj.io/sync-wave';
const OPTIONS = 'argocd.argoproj.io/sync-options';

function tracked(app: string, o: KubeObject, ns = 'dest', extra: Record<string, string> = {}): KubeObject {
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
  const namespaced = o.kind !== 'CustomResourceDefinition';
  return {
    ...o,
    metadata: {
      ...o.metadata,
      ...(namespaced ? { namespace: ns } : {}),
      annotations: { ...(o.metadata.annotations ?? {}), [TRACKING]: `${app}:${group}/${o.kind}:${ns}/${o.metadata.name}`, ...extra },
    },
  };
}

function application(name: string, finalizers: string[], deleting = true, destination: Record<string, string> = { server: 'https://kubernetes.default.svc', namespace: 'dest' }): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'argocd', finalizers, ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { project: 'default', destination, source: { repoURL: 'https://example.com/r.git', path: name } },
  };
}

function cluster(): FakeKube {
  return new FakeKube()
    .addKind('argoproj.io/v1alpha1', 'Application', true, 'applications')
    .seed(obj('v1', 'Namespace', 'dest'), obj('v1', 'Namespace', 'argocd'), obj('v1', 'Namespace', 'kube-system'));
}

const cm = (name: string, annotations: Record<string, string> = {}) => obj('v1', 'ConfigMap', name, annotations, { data: { a: '1' } });

function options(clock = new VirtualClock(), extra: Partial<FinalizeOptions> = {}): FinalizeOptions {
  return { poller: { clock, deadline: new Deadline(clock, 60_000), intervalMs: 5 }, ...extra };
}

/** Non-dry-run deletes as `name Policy`, in order. */
function deletes(fake: FakeKube): string[] {
  return fake.requests.filter((r) => r.verb === 'delete' && !r.dryRun).map((r) => `${r.key.split('/').slice(1).join('/')} ${r.propagationPolicy}`);
}

describe('deletion rules', () => {
  test('the finalizer decides the cascade; CRDs, the Application itself, Delete=false and helm keep stay; highest wave first', () => {
    expect(cascadeMode(application('a', [RESOURCES_FINALIZER]))).toBe('foreground');
    expect(cascadeMode(application('a', [RESOURCES_FINALIZER_BACKGROUND]))).toBe('background');
    expect(cascadeMode(application('a', []))).toBeUndefined();
    const app = application('a', [RESOURCES_FINALIZER]);
    expect(keptReason(app, obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'x.example.com'))).toMatch(/never deleted/);
    expect(keptReason(app, application('a', []))).toBe('the Application itself');
    expect(keptReason(app, cm('k', { [OPTIONS]: 'Delete=false' }))).toBe('Delete=false');
    expect(keptReason(app, cm('k', { 'helm.sh/resource-policy': 'keep' }))).toMatch(/keep/);
    expect(keptReason(app, cm('gone'))).toBeUndefined();
    expect(nextDeletionWave([cm('a'), cm('b', { [WAVE]: '2' }), cm('c', { [WAVE]: '2' }), cm('d', { [WAVE]: '-1' })]).map((o) => o.metadata.name)).toEqual(['b', 'c']);
  });
});

describe('finalizeApplication', () => {
  test('foreground: deletes only what the Application tracks, highest wave first, waits until it is gone, then removes the finalizer', async () => {
    const fake = cluster().seed(
      application('app', [RESOURCES_FINALIZER]),
      tracked('app', cm('late', { [WAVE]: '2' })),
      tracked('app', { ...cm('blocked'), metadata: { name: 'blocked', finalizers: ['example.com/block'] } }),
      tracked('app', obj('batch/v1', 'Job', 'hook', { 'argocd.argoproj.io/hook': 'PostSync' }, { metadata: { name: 'hook', finalizers: [HOOK_FINALIZER] } })),
      tracked('app', cm('kept', { [OPTIONS]: 'Delete=false' })),
      tracked('other', cm('not-ours')),
      { ...cm('untracked'), metadata: { name: 'untracked', namespace: 'dest' } },
    );
    let appDuringWait: KubeObject | undefined;
    const clock = new VirtualClock().whenSleeping((n) => {
      if (n === 4) {
        appDuringWait = fake.peek('argoproj.io/v1alpha1', 'Application', 'argocd', 'app');
        void fake.merge(fake.peek('v1', 'ConfigMap', 'dest', 'blocked')!, { metadata: { finalizers: null } });
      }
    });
    const result = await finalizeApplication(fake, application('app', []), options(clock));
    expect(result).toMatchObject({ ok: true, message: 'Application argocd/app: deleted 3 resource(s) (foreground), finalizer removed' });
    expect(deletes(fake)).toEqual(['ConfigMap/dest/late Foreground', 'ConfigMap/dest/blocked Foreground', 'Job/dest/hook Foreground']);
    expect(appDuringWait?.metadata.finalizers).toEqual([RESOURCES_FINALIZER]);
    expect(fake.peek('argoproj.io/v1alpha1', 'Application', 'argocd', 'app')).toBeUndefined();
    expect(fake.names().filter((n) => n.startsWith('ConfigMap') || n.startsWith('Job'))).toEqual(['ConfigMap dest/kept', 'ConfigMap dest/not-ours', 'ConfigMap dest/untracked']);
  });

  test('background: deletes with background propagation', async () => {
    const fake = cluster().seed(application('app', [RESOURCES_FINALIZER_BACKGROUND]), tracked('app', cm('a')));
    const result = await finalizeApplication(fake, application('app', []), options());
    expect(result.ok).toBe(true);
    expect(deletes(fake)).toEqual(['ConfigMap/dest/a Background']);
    expect(fake.peek('argoproj.io/v1alpha1', 'Application', 'argocd', 'app')).toBeUndefined();
  });

  test('without a resources finalizer the resources stay', async () => {
    const fake = cluster().seed(application('app', ['example.com/other']), tracked('app', cm('a')));
    const result = await finalizeApplication(fake, application('app', []), options());
    expect(result).toMatchObject({ ok: true, message: 'Application argocd/app has no resources finalizer: its resources stay', deleted: [] });
    expect(deletes(fake)).toEqual([]);
    expect(fake.peek('v1', 'ConfigMap', 'dest', 'a')).toBeDefined();
    expect(fake.peek('argoproj.io/v1alpha1', 'Application', 'argocd', 'app')?.metadata.finalizers).toEqual(['example.com/other']);
  });

  test('a child Application among the resources is finalized too (app of apps)', async () => {
    const child = tracked('root', application('child', [RESOURCES_FINALIZER], false), 'argocd');
    const fake = cluster().seed(application('root', [RESOURCES_FINALIZER]), child, tracked('child', cm('child-cm')));
    const result = await finalizeApplication(fake, application('root', []), options());
    expect(result.ok).toBe(true);
    expect(result.deleted).toEqual(['Application argocd/child', 'ConfigMap dest/child-cm']);
    expect(fake.names().filter((n) => !n.startsWith('Namespace'))).toEqual([]);
  });

  test('another cluster as destination is refused: nothing is deleted, the finalizer stays', async () => {
    const fake = cluster().seed(application('app', [RESOURCES_FINALIZER], true, { server: 'https://prod.example.com', namespace: 'dest' }), tracked('app', cm('a')));
    const result = await finalizeApplication(fake, application('app', []), options());
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/^Application argocd\/app: its destination https:\/\/prod\.example\.com is another cluster.*nothing was deleted/);
    expect(deletes(fake)).toEqual([]);
    expect(fake.peek('argoproj.io/v1alpha1', 'Application', 'argocd', 'app')).toBeDefined();
  });

  test('Delete=confirm resources need --confirm-delete', async () => {
    const fake = cluster().seed(application('app', [RESOURCES_FINALIZER]), tracked('app', cm('a', { [OPTIONS]: 'Delete=confirm' })));
    const refused = await finalizeApplication(fake, application('app', []), options());
    expect(refused.message).toMatch(/ConfigMap dest\/a needs confirmation \(Delete=confirm\)/);
    expect(deletes(fake)).toEqual([]);
    expect((await finalizeApplication(fake, application('app', []), options(new VirtualClock(), { confirmDelete: true }))).ok).toBe(true);
    expect(fake.peek('v1', 'ConfigMap', 'dest', 'a')).toBeUndefined();
  });
});

describe('a sync that prunes a child Application finalizes it', () => {
  test('the child\'s resources are deleted and the child Application disappears in the same run', async () => {
    const child = tracked('root', application('child', [RESOURCES_FINALIZER], false), 'argocd');
    const fake = cluster().seed(child, tracked('child', cm('child-cm')), tracked('root', cm('root-cm'), 'argocd'));
    const root: LoadedApplication = {
      name: 'root',
      namespace: 'argocd',
      position: { file: 'm/root.yaml', line: 1 },
      revision: 'abcdef0',
      manifest: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'root', namespace: 'argocd' }, spec: { destination: { server: 'https://kubernetes.default.svc', namespace: 'argocd' } } },
      objects: desired({ ...cm('root-cm'), metadata: { name: 'root-cm', namespace: 'argocd' } }),
    };
    const clock = new VirtualClock();
    const result = await syncApplication(fake, root, { prune: true, clock, pollMs: 5, timeoutSeconds: 60 });
    expect(result.phase).toBe(OperationPhase.SUCCEEDED);
    expect(result.resources.find((r) => r.name === 'child')).toMatchObject({ status: ResultCode.PRUNED, message: 'pruned (and its 1 resource(s))' });
    expect(fake.peek('argoproj.io/v1alpha1', 'Application', 'argocd', 'child')).toBeUndefined();
    expect(fake.peek('v1', 'ConfigMap', 'dest', 'child-cm')).toBeUndefined();
  });
});

describe('deleteApplication', () => {
  test('cascade (the default) adds the resources finalizer when missing and deletes the resources', async () => {
    const fake = cluster().seed(application('app', [], false), tracked('app', cm('a')));
    const result = await deleteApplication(fake, { name: 'app', namespace: 'argocd' }, options());
    expect(result).toMatchObject({ ok: true, message: 'Application argocd/app deleted; 1 resource(s) deleted' });
    expect(fake.peek('v1', 'ConfigMap', 'dest', 'a')).toBeUndefined();
    expect(fake.peek('argoproj.io/v1alpha1', 'Application', 'argocd', 'app')).toBeUndefined();
  });

  test('--cascade=false removes the resources finalizer first, so the resources stay', async () => {
    const fake = cluster().seed(application('app', [RESOURCES_FINALIZER], false), tracked('app', cm('a')));
    const result = await deleteApplication(fake, { name: 'app', namespace: 'argocd' }, { ...options(), cascade: false });
    expect(result).toMatchObject({ ok: true, message: 'Application argocd/app deleted; its resources stay' });
    expect(fake.peek('v1', 'ConfigMap', 'dest', 'a')).toBeDefined();
    expect(fake.peek('argoproj.io/v1alpha1', 'Application', 'argocd', 'app')).toBeUndefined();
  });

  test('a missing Application and a cluster without the CRD are clear errors', async () => {
    await expect(deleteApplication(cluster(), { name: 'nope', namespace: 'argocd' }, options())).rejects.toThrow(/^Application argocd\/nope not found in the cluster/);
    await expect(deleteApplication(new FakeKube(), { name: 'nope', namespace: 'argocd' }, options())).rejects.toThrow(/install them with `cdk8s-argocd install-crds`/);
  });
});
