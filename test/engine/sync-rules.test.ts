/**
 * Every sync rule against the in-memory API (test/util/fake-kube.ts) with a virtual clock: fast
 * and without a cluster. test/e2e/engine-sync.e2e.test.ts checks the same rules on the real
 * control plane.
 */
import { desired, obj } from './fixtures';
import { ApplicationSpec } from '../../src/engine/application-spec';
import { compareApplication } from '../../src/engine/compare-app';
import { ApiError } from '../../src/engine/kube/api-error';
import { LoadedApplication } from '../../src/engine/load/applications';
import { KubeObject, OperationPhase, ResultCode, SyncOperationResult, SyncStatusCode } from '../../src/engine/model';
import { syncApplication, SyncEvent, SyncRequest } from '../../src/engine/sync';
import { deploymentAvailable, deploymentStuck, FakeKube, FakeWrite, JOB_COMPLETE, JOB_FAILED } from '../util/fake-kube';
import { VirtualClock } from '../util/virtual-clock';

const POLL_MS = 7;
const WAVE = 'argocd.argoproj.io/sync-wave';
const HOOK = 'argocd.argoproj.io/hook';
const DELETE_POLICY = 'argocd.argoproj.io/hook-delete-policy';
const OPTIONS = 'argocd.argoproj.io/sync-options';

function application(objs: KubeObject[], spec: Partial<ApplicationSpec> = {}): LoadedApplication {
  return {
    name: 'app',
    namespace: 'argocd',
    position: { file: 'm/apps/app.yaml', line: 1 },
    revision: 'abcdef0123456789',
    manifest: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'app', namespace: 'argocd' },
      spec: { destination: { server: 'https://kubernetes.default.svc', namespace: 'dest' }, ...spec },
    },
    objects: desired(...objs),
  };
}

function cluster(): FakeKube {
  return new FakeKube().seed(obj('v1', 'Namespace', 'dest'), obj('v1', 'Namespace', 'kube-system'));
}

interface Run {
  readonly result: SyncOperationResult;
  readonly events: SyncEvent[];
  readonly clock: VirtualClock;
}

async function sync(fake: FakeKube, app: LoadedApplication, req: SyncRequest = {}, clock = new VirtualClock()): Promise<Run> {
  const events: SyncEvent[] = [];
  const result = await syncApplication(fake, app, { pollMs: POLL_MS, timeoutSeconds: 60, clock, ...req, onEvent: (e) => events.push(e) });
  return { result, events, clock };
}

/** `phase/wave/Kind/name: status (hook phase)` per result row; an observed hook has no status (`-`), as in Argo CD. */
function results(r: SyncOperationResult): string[] {
  return r.resources.map((x) => `${x.syncPhase}/${x.syncWave}/${x.kind}/${x.name}: ${x.status ?? '-'}${x.hookPhase ? ` (${x.hookPhase})` : ''}`);
}

function job(name: string, annotations: Record<string, string>): KubeObject {
  return obj('batch/v1', 'Job', name, annotations, { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } });
}

function deployment(name: string, annotations: Record<string, string> = {}): KubeObject {
  return obj('apps/v1', 'Deployment', name, annotations, { spec: { replicas: 1, selector: { matchLabels: { app: name } } } });
}

function cm(name: string, annotations: Record<string, string> = {}, data: Record<string, string> = { a: '1' }): KubeObject {
  return obj('v1', 'ConfigMap', name, annotations, { data });
}

describe('waves and health gating', () => {
  test('applies phase by phase, wave by wave, kind by kind, hooks in their phase', async () => {
    const fake = cluster().statusOnWrite('Job', () => JOB_COMPLETE);
    const { result } = await sync(fake, application([
      cm('late', { [WAVE]: '2' }),
      job('post', { [HOOK]: 'PostSync' }),
      obj('v1', 'Service', 'svc', {}, { spec: { ports: [{ port: 80 }] } }),
      cm('early', { [WAVE]: '-1' }),
      job('pre', { [HOOK]: 'PreSync' }),
      cm('mid'),
    ]));
    expect(result.phase).toBe(OperationPhase.SUCCEEDED);
    expect(fake.writes()).toEqual([
      'apply Job dest/pre',
      'apply ConfigMap dest/early',
      'apply ConfigMap dest/mid',
      'apply Service dest/svc',
      'apply ConfigMap dest/late',
      'apply Job dest/post',
    ]);
  });

  test('waits for a Deployment to be Healthy before the next wave', async () => {
    const fake = cluster();
    const clock = new VirtualClock().whenSleeping((n) => {
      const web = fake.peek('apps/v1', 'Deployment', 'dest', 'web');
      if (n === 3 && web) {
        fake.setStatus('apps/v1', 'Deployment', 'dest', 'web', deploymentAvailable(web));
      }
    });
    const { result, events } = await sync(fake, application([deployment('web'), cm('after', { [WAVE]: '1' })]), {}, clock);
    expect(result.phase).toBe(OperationPhase.SUCCEEDED);
    expect(clock.sleeps).toEqual([POLL_MS, POLL_MS, POLL_MS]);
    const waits = events.filter((e) => e.type === 'waiting').map((e) => (e as { message: string }).message);
    expect(waits[0]).toMatch(/^waiting for healthy state of apps\/Deployment\/web \(Progressing/);
    expect(fake.writes()).toEqual(['apply Deployment dest/web', 'apply ConfigMap dest/after']);
  });

  test('a gated resource that turns Degraded fails the sync and the next wave is not applied', async () => {
    const fake = cluster().statusOnWrite('Deployment', deploymentStuck);
    const { result } = await sync(fake, application([deployment('web'), cm('after', { [WAVE]: '1' })]));
    expect(result.phase).toBe(OperationPhase.FAILED);
    expect(result.message).toMatch(/Deployment dest\/web: Deployment "web" exceeded its progress deadline/);
    expect(fake.writes()).toEqual(['apply Deployment dest/web']);
  });

  test('a single wave without hooks does not wait for health', async () => {
    const fake = cluster();
    const { result, clock } = await sync(fake, application([deployment('web'), cm('settings')]));
    expect(result.phase).toBe(OperationPhase.SUCCEEDED);
    expect(clock.sleeps).toEqual([]);
  });

  test('--timeout fails an operation that waits too long', async () => {
    const fake = cluster();
    const { result } = await sync(fake, application([deployment('web'), cm('after', { [WAVE]: '1' })]), { timeoutSeconds: 1, pollMs: 300 });
    expect(result.phase).toBe(OperationPhase.FAILED);
    expect(result.message).toMatch(/^timed out after 1s waiting for healthy state of apps\/Deployment\/web/);
    expect(fake.writes()).toEqual(['apply Deployment dest/web']);
  });
});

describe('hooks', () => {
  test('BeforeHookCreation (the default) deletes the previous run before creating the hook', async () => {
    const fake = cluster().statusOnWrite('Job', () => JOB_COMPLETE);
    fake.seed({ ...job('migrate', { [HOOK]: 'PreSync' }), metadata: { name: 'migrate', namespace: 'dest' }, status: JOB_COMPLETE });
    const { result } = await sync(fake, application([job('migrate', { [HOOK]: 'PreSync' }), cm('settings')]));
    expect(result.phase).toBe(OperationPhase.SUCCEEDED);
    expect(fake.writes()).toEqual(['delete Job dest/migrate', 'apply Job dest/migrate', 'apply ConfigMap dest/settings']);
  });

  test('an observed hook has no sync status, as in Argo CD; a hook without health reads "<name> created"', async () => {
    const fake = cluster().statusOnWrite('Job', () => JOB_COMPLETE);
    const { result } = await sync(fake, application([cm('marker', { [HOOK]: 'PreSync' }), job('migrate', { [HOOK]: 'PreSync' }), cm('settings')]));
    expect(result.resources.map((r) => `${r.kind}/${r.name}: ${r.status ?? '-'} ${r.hookPhase ?? '-'} ${r.message}`)).toEqual([
      'ConfigMap/marker: - Succeeded marker created',
      expect.stringMatching(/^Job\/migrate: - Succeeded /),
      'ConfigMap/settings: Synced - configmap/settings created',
    ]);
  });

  test('a hook of two phases (PreSync,PostSync) runs twice: deleted and re-created for PostSync', async () => {
    const fake = cluster();
    let created = 0;
    // Each new Job completes after one poll; a re-applied finished Job would keep its old status.
    const clock = new VirtualClock().whenSleeping(() => {
      const j = fake.peek('batch/v1', 'Job', 'dest', 'both');
      if (j && !j.status) {
        created++;
        fake.setStatus('batch/v1', 'Job', 'dest', 'both', JOB_COMPLETE);
      }
    });
    const { result } = await sync(fake, application([job('both', { [HOOK]: 'PreSync,PostSync' }), cm('settings')]), {}, clock);
    expect(result.phase).toBe(OperationPhase.SUCCEEDED);
    expect(fake.writes()).toEqual([
      'apply Job dest/both',
      'apply ConfigMap dest/settings',
      'delete Job dest/both',
      'apply Job dest/both',
    ]);
    expect(created).toBe(2);
    expect(results(result)).toEqual([
      'PreSync/0/Job/both: - (Succeeded)',
      'Sync/0/ConfigMap/settings: Synced',
      'PostSync/0/Job/both: - (Succeeded)',
    ]);
  });

  test('HookSucceeded deletes the hook once the operation succeeded; the hook finalizer is removed first', async () => {
    const fake = cluster().statusOnWrite('Job', () => JOB_COMPLETE);
    const { result } = await sync(fake, application([job('smoke', { [HOOK]: 'PostSync', [DELETE_POLICY]: 'HookSucceeded' }), cm('settings')]));
    expect(result.phase).toBe(OperationPhase.SUCCEEDED);
    expect(fake.writes()).toEqual(['apply ConfigMap dest/settings', 'apply Job dest/smoke', 'delete Job dest/smoke']);
    expect(fake.peek('batch/v1', 'Job', 'dest', 'smoke')).toBeUndefined();
  });

  test('a hook keeps the hook finalizer until it was seen complete', async () => {
    const fake = cluster();
    const seen: Array<string[] | undefined> = [];
    const clock = new VirtualClock().whenSleeping((n) => {
      seen.push(fake.peek('batch/v1', 'Job', 'dest', 'pre')?.metadata.finalizers);
      if (n === 2) {
        fake.setStatus('batch/v1', 'Job', 'dest', 'pre', JOB_COMPLETE);
      }
    });
    const { result } = await sync(fake, application([job('pre', { [HOOK]: 'PreSync' }), cm('settings')]), {}, clock);
    expect(result.phase).toBe(OperationPhase.SUCCEEDED);
    expect(seen).toEqual([['argocd.argoproj.io/hook-finalizer'], ['argocd.argoproj.io/hook-finalizer']]);
    expect(fake.peek('batch/v1', 'Job', 'dest', 'pre')?.metadata.finalizers).toEqual([]);
  });

  test('HookFailed deletes a failed hook; a failed hook fails the sync and later phases do not run', async () => {
    const fake = cluster().statusOnWrite('Job', () => JOB_FAILED);
    const { result } = await sync(fake, application([
      job('pre', { [HOOK]: 'PreSync', [DELETE_POLICY]: 'HookFailed' }), cm('settings'),
    ]));
    expect(result.phase).toBe(OperationPhase.FAILED);
    expect(result.message).toMatch(/Job dest\/pre: Job has reached the specified backoff limit/);
    expect(results(result)).toEqual(['PreSync/0/Job/pre: - (Failed)']);
    expect(fake.writes()).toEqual(['apply Job dest/pre', 'delete Job dest/pre']);
  });

  test('HookSucceeded hooks are kept when the operation fails', async () => {
    const fake = cluster()
      .statusOnWrite('Job', (o) => (o.metadata.name === 'bad' ? JOB_FAILED : JOB_COMPLETE));
    const { result } = await sync(fake, application([
      job('ok', { [HOOK]: 'PreSync', [DELETE_POLICY]: 'HookSucceeded' }),
      job('bad', { [HOOK]: 'PostSync' }),
    ]));
    expect(result.phase).toBe(OperationPhase.FAILED);
    expect(fake.peek('batch/v1', 'Job', 'dest', 'ok')).toBeDefined();
  });

  test('SyncFail hooks run only when the operation failed, with their own delete policies', async () => {
    const fake = cluster().statusOnWrite('Job', (o) => (o.metadata.name === 'post' ? JOB_FAILED : JOB_COMPLETE));
    const objs = [
      cm('settings'),
      job('post', { [HOOK]: 'PostSync' }),
      job('notify', { [HOOK]: 'SyncFail', [DELETE_POLICY]: 'HookSucceeded' }),
    ];
    const failedRun = await sync(fake, application(objs));
    expect(failedRun.result.phase).toBe(OperationPhase.FAILED);
    expect(fake.writes()).toEqual(['apply ConfigMap dest/settings', 'apply Job dest/post', 'apply Job dest/notify', 'delete Job dest/notify']);
    expect(results(failedRun.result)).toEqual([
      'Sync/0/ConfigMap/settings: Synced',
      'PostSync/0/Job/post: - (Failed)',
      'SyncFail/0/Job/notify: - (Succeeded)',
    ]);

    const ok = cluster().statusOnWrite('Job', () => JOB_COMPLETE);
    const okRun = await sync(ok, application(objs));
    expect(okRun.result.phase).toBe(OperationPhase.SUCCEEDED);
    expect(ok.writes()).not.toContain('apply Job dest/notify');
  });
});

describe('retry', () => {
  test('retries with syncPolicy.retry backoff: duration × factor, capped at maxDuration', async () => {
    const fake = cluster().statusOnWrite('Job', () => JOB_FAILED);
    const { result, clock } = await sync(fake, application([job('pre', { [HOOK]: 'PreSync' }), cm('settings')], {
      syncPolicy: { retry: { limit: 3, backoff: { duration: '2s', factor: 3, maxDuration: '10s' } } },
    }));
    expect(result.phase).toBe(OperationPhase.FAILED);
    expect(result.attempts).toBe(4);
    expect(clock.sleeps.filter((ms) => ms !== POLL_MS)).toEqual([2_000, 6_000, 10_000]);
  });

  test('no retry without syncPolicy.retry; --retry-limit overrides it', async () => {
    const fake = cluster().statusOnWrite('Job', () => JOB_FAILED);
    const once = await sync(fake, application([job('pre', { [HOOK]: 'PreSync' })]));
    expect(once.result.attempts).toBe(1);
    const twice = await sync(cluster().statusOnWrite('Job', () => JOB_FAILED), application([job('pre', { [HOOK]: 'PreSync' })]), { retryLimit: 1 });
    expect(twice.result.attempts).toBe(2);
    expect(twice.clock.sleeps.filter((ms) => ms !== POLL_MS)).toEqual([5_000]);
  });

  test('a retry that succeeds ends the operation', async () => {
    let attempt = 0;
    const fake = cluster().statusOnWrite('Job', () => (++attempt === 1 ? JOB_FAILED : JOB_COMPLETE));
    const { result } = await sync(fake, application([job('pre', { [HOOK]: 'PreSync' })], { syncPolicy: { retry: { limit: 5 } } }));
    expect(result.phase).toBe(OperationPhase.SUCCEEDED);
    expect(result.attempts).toBe(2);
  });

  test('an invalid backoff duration is an Error result, not a crash', async () => {
    const { result } = await sync(cluster(), application([cm('a')], { syncPolicy: { retry: { limit: 1, backoff: { duration: 'soon' } } } }));
    expect(result.phase).toBe(OperationPhase.ERROR);
    expect(result.message).toMatch(/^m\/apps\/app.yaml:1: Application app: spec.syncPolicy.retry.backoff.duration 'soon' is not a valid duration/);
  });
});

describe('prune', () => {
  function tracked(o: KubeObject, wave?: string): KubeObject {
    const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
    return {
      ...o,
      metadata: {
        ...o.metadata,
        namespace: 'dest',
        annotations: { ...(o.metadata.annotations ?? {}), 'argocd.argoproj.io/tracking-id': `app:${group}/${o.kind}:dest/${o.metadata.name}`, ...(wave ? { [WAVE]: wave } : {}) },
      },
    };
  }

  test('prunes tracked objects no longer desired only with prune, and never untracked ones', async () => {
    const fake = cluster().seed(tracked(cm('old')), { ...cm('foreign'), metadata: { name: 'foreign', namespace: 'dest' } });
    await sync(fake, application([cm('kept')]));
    expect(fake.peek('v1', 'ConfigMap', 'dest', 'old')).toBeDefined();
    const { result } = await sync(fake, application([cm('kept')]), { prune: true });
    expect(result.phase).toBe(OperationPhase.SUCCEEDED);
    expect(fake.peek('v1', 'ConfigMap', 'dest', 'old')).toBeUndefined();
    expect(fake.peek('v1', 'ConfigMap', 'dest', 'foreign')).toBeDefined();
    expect(fake.log(['delete']).filter((l) => !l.endsWith('(dry run)'))).toEqual(['delete ConfigMap dest/old']);
  });

  test('without prune each object that requires pruning is reported PruneSkipped (ignored (requires pruning)), and status agrees', async () => {
    const fake = cluster().seed(tracked(cm('old')), tracked(cm('older'), '3'), { ...cm('foreign'), metadata: { name: 'foreign', namespace: 'dest' } });
    const app = application([cm('kept')]);
    const skipped = (r: SyncOperationResult) => r.resources.filter((x) => x.status === ResultCode.PRUNE_SKIPPED).map((x) => `${x.kind}/${x.name}: ${x.message}`).sort();
    const { result } = await sync(fake, app);
    expect(result.phase).toBe(OperationPhase.SUCCEEDED);
    expect(skipped(result)).toEqual(['ConfigMap/old: ignored (requires pruning)', 'ConfigMap/older: ignored (requires pruning)']);
    expect(fake.log(['delete'])).toEqual([]);
    const dry = await sync(fake, app, { dryRun: true });
    expect(skipped(dry.result)).toEqual(['ConfigMap/old: ignored (requires pruning)', 'ConfigMap/older: ignored (requires pruning)']);
    const status = await compareApplication(fake, app);
    expect(status.sync).toBe(SyncStatusCode.OUT_OF_SYNC);
    expect(status.resources.filter((x) => x.requiresPruning).map((x) => x.name).sort()).toEqual(['old', 'older']);
    // Nothing is deleted, so an Application without desired resources left is not refused either.
    expect((await sync(fake, application([]))).result.phase).toBe(OperationPhase.SUCCEEDED);
    expect(fake.log(['delete'])).toEqual([]);
  });

  test('Prune=false reports PruneSkipped and keeps the object', async () => {
    const fake = cluster().seed(tracked(cm('old', { [OPTIONS]: 'Prune=false' })));
    const { result } = await sync(fake, application([cm('kept')]), { prune: true });
    expect(results(result)).toContain('Sync/0/ConfigMap/old: PruneSkipped');
    expect(fake.peek('v1', 'ConfigMap', 'dest', 'old')).toBeDefined();
  });

  test('Prune=confirm prunes only when confirmed', async () => {
    const fake = cluster().seed(tracked(cm('old', { [OPTIONS]: 'Prune=confirm' })));
    const waiting = await sync(fake, application([cm('kept')]), { prune: true });
    expect(waiting.result.resources.find((r) => r.name === 'old')?.message).toMatch(/waiting for confirmation/);
    expect(fake.peek('v1', 'ConfigMap', 'dest', 'old')).toBeDefined();
    await sync(fake, application([cm('kept')]), { prune: true, confirmPrune: true });
    expect(fake.peek('v1', 'ConfigMap', 'dest', 'old')).toBeUndefined();
  });

  test('refuses to prune every resource unless allowEmpty', async () => {
    const fake = cluster().seed(tracked(cm('a')), tracked(cm('b')));
    const refused = await sync(fake, application([]), { prune: true });
    expect(refused.result.phase).toBe(OperationPhase.FAILED);
    expect(refused.result.message).toMatch(/^refusing to prune all 2 resources of app/);
    expect(fake.writes()).toEqual([]);
    const allowed = await sync(fake, application([], { syncPolicy: { automated: { allowEmpty: true } } }), { prune: true });
    expect(allowed.result.phase).toBe(OperationPhase.SUCCEEDED);
    expect(fake.names()).toEqual(['Namespace dest', 'Namespace kube-system']);
  });

  test('prunes run in reverse wave order, and PruneLast after the last wave', async () => {
    const fake = cluster().seed(tracked(cm('p1'), '1'), tracked(cm('p2'), '2'));
    await sync(fake, application([cm('w1', { [WAVE]: '1' }), cm('w3', { [WAVE]: '3' })]), { prune: true });
    expect(fake.writes()).toEqual(['delete ConfigMap dest/p2', 'apply ConfigMap dest/w1', 'delete ConfigMap dest/p1', 'apply ConfigMap dest/w3']);

    const last = cluster().seed(tracked(cm('p1'), '1'));
    await sync(last, application([cm('w1', { [WAVE]: '1' }), cm('w3', { [WAVE]: '3' })], { syncPolicy: { syncOptions: ['PruneLast=true'] } }), { prune: true });
    expect(last.writes()).toEqual(['apply ConfigMap dest/w1', 'apply ConfigMap dest/w3', 'delete ConfigMap dest/p1']);
  });

  test('a CRD gets no tracking id (as in Argo CD), is still the Application\'s while desired, and is not pruned once removed unless it carries a legacy tracking id', async () => {
    const crd = (name: string, annotations: Record<string, string> = {}) => obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', `${name}.acme.io`, annotations,
      { spec: { group: 'acme.io', scope: 'Namespaced', names: { kind: name, plural: name }, versions: [{ name: 'v1', served: true, storage: true }] } });
    const fake = cluster().statusOnWrite('CustomResourceDefinition', () => ({ conditions: [{ type: 'Established', status: 'True' }] }));
    const app = application([crd('widgets'), cm('kept')]);
    expect((await sync(fake, app)).result.phase).toBe(OperationPhase.SUCCEEDED);
    const live = fake.peek('apiextensions.k8s.io/v1', 'CustomResourceDefinition', '', 'widgets.acme.io')!;
    expect(live.metadata.annotations?.['argocd.argoproj.io/tracking-id']).toBeUndefined();
    expect(fake.peek('v1', 'ConfigMap', 'dest', 'kept')!.metadata.annotations?.['argocd.argoproj.io/tracking-id']).toBe('app:/ConfigMap:dest/kept');
    const status = await compareApplication(fake, app);
    expect(status.sync).toBe(SyncStatusCode.SYNCED);
    expect(status.resources.find((r) => r.kind === 'CustomResourceDefinition')).toMatchObject({ name: 'widgets.acme.io', status: SyncStatusCode.SYNCED });

    // Written by an older engine or by Argo CD before: this Application's tracking id.
    fake.seed(crd('gadgets', { 'argocd.argoproj.io/tracking-id': 'app:apiextensions.k8s.io/CustomResourceDefinition:dest/gadgets.acme.io' }));
    const { result } = await sync(fake, application([cm('kept')]), { prune: true });
    expect(result.phase).toBe(OperationPhase.SUCCEEDED);
    expect(fake.peek('apiextensions.k8s.io/v1', 'CustomResourceDefinition', '', 'widgets.acme.io')).toBeDefined();
    expect(fake.peek('apiextensions.k8s.io/v1', 'CustomResourceDefinition', '', 'gadgets.acme.io')).toBeUndefined();
    expect(fake.log(['delete']).filter((l) => !l.endsWith('(dry run)'))).toEqual(['delete CustomResourceDefinition gadgets.acme.io']);
  });

  test('PrunePropagationPolicy decides the delete propagation (foreground by default)', async () => {
    const fake = cluster().seed(tracked(cm('fg')), tracked(cm('orphan', { [OPTIONS]: 'PrunePropagationPolicy=orphan' })));
    await sync(fake, application([cm('kept')]), { prune: true });
    const deletes = fake.requests.filter((r) => r.verb === 'delete' && !r.dryRun && r.key.startsWith('/ConfigMap/'))
      .map((r) => `${r.key.split('/')[3]} ${r.propagationPolicy}`);
    expect(deletes.sort()).toEqual(['fg Foreground', 'orphan Orphan']);
  });
});

describe('dry-run strategy: a later wave the server refuses', () => {
  const invalid = (w: FakeWrite) => (w.obj.metadata.name === 'bad' ? new ApiError(422, 'Invalid', 'ConfigMap "bad" is invalid: data[not a key]: Invalid value') : undefined);
  const objects = () => [cm('first'), cm('bad', { [WAVE]: '1' }), cm('last', { [WAVE]: '2' })];

  test('server (default): the dry run fails and nothing is applied', async () => {
    const fake = cluster().refuse(invalid);
    const { result } = await sync(fake, application(objects()));
    expect(result.phase).toBe(OperationPhase.FAILED);
    expect(result.message).toMatch(/failed to apply \(dry run\), nothing was applied/);
    expect(results(result)).toEqual(['Sync/1/ConfigMap/bad: SyncFailed']);
    expect(fake.writes()).toEqual([]);
  });

  test('client (Argo CD\'s): earlier waves are applied, the refused object fails in its wave, later waves never run', async () => {
    const fake = cluster().refuse(invalid);
    const { result, events } = await sync(fake, application(objects()), { dryRunStrategy: 'client' });
    expect(result.phase).toBe(OperationPhase.FAILED);
    expect(result.message).toMatch(/^one or more objects failed to apply, reason: .*ConfigMap dest\/bad: ConfigMap "bad" is invalid/);
    expect(results(result)).toEqual(['Sync/0/ConfigMap/first: Synced', 'Sync/1/ConfigMap/bad: SyncFailed']);
    // `bad` was sent (and refused), `last` never.
    expect(fake.writes()).toEqual(['apply ConfigMap dest/first', 'apply ConfigMap dest/bad']);
    expect(fake.peek('v1', 'ConfigMap', 'dest', 'bad')).toBeUndefined();
    expect(events.filter((e) => e.type === 'warning').map((e) => (e as { message: string }).message))
      .toEqual([expect.stringMatching(/ConfigMap dest\/bad: the server refuses it \(dry run\).*fails when its wave is applied/)]);
  });

  test('client: a kind the server does not know still fails before anything is applied', async () => {
    const fake = cluster();
    const { result } = await sync(fake, application([cm('first'), obj('example.com/v1', 'Gadget', 'g', { [WAVE]: '1' })]), { dryRunStrategy: 'client' });
    expect(result.phase).toBe(OperationPhase.FAILED);
    expect(result.message).toMatch(/nothing was applied/);
    expect(fake.writes()).toEqual([]);
  });
});

describe('selective sync', () => {
  test('--resource applies only the named resources, runs no hooks and prunes nothing', async () => {
    const fake = cluster().statusOnWrite('Job', () => JOB_COMPLETE).seed({
      ...cm('old'), metadata: { name: 'old', namespace: 'dest', annotations: { 'argocd.argoproj.io/tracking-id': 'app:/ConfigMap:dest/old' } },
    });
    const { result } = await sync(fake, application([cm('a'), cm('b'), job('pre', { [HOOK]: 'PreSync' })]), {
      prune: true, resources: [{ group: '', kind: 'ConfigMap', name: 'b' }],
    });
    expect(result.phase).toBe(OperationPhase.SUCCEEDED);
    expect(fake.writes()).toEqual(['apply ConfigMap dest/b']);
  });
});

describe('writes: Force, Replace, Validate=false, dry run', () => {
  const immutable = (w: { verb: string; live?: KubeObject; obj: KubeObject }): ApiError | undefined =>
    (w.live && w.obj.kind === 'Job' && w.verb !== 'patch' && JSON.stringify(w.live.spec) !== JSON.stringify(w.obj.spec)
      ? new ApiError(422, 'Invalid', 'Job.batch "j" is invalid: spec.template: field is immutable') : undefined);

  function liveJob(image: string, options?: string): KubeObject {
    const j = job('j', options ? { [OPTIONS]: options } : {});
    j.spec.template.spec.containers[0].image = image;
    return { ...j, metadata: { ...j.metadata, namespace: 'dest' } };
  }

  test('Force=true deletes and re-creates an object the server refuses to update (422)', async () => {
    const fake = cluster().refuse(immutable).seed(liveJob('old'));
    const { result } = await sync(fake, application([{ ...liveJob('new', 'Force=true'), metadata: { name: 'j', annotations: { [OPTIONS]: 'Force=true' } } }]));
    expect(result.phase).toBe(OperationPhase.SUCCEEDED);
    // `kubectl apply --force` says configured after the delete and create, as Argo CD reports it.
    expect(result.resources[0].message).toBe('job.batch/j configured');
    expect(fake.writes()).toEqual(['apply Job dest/j', 'delete Job dest/j', 'apply Job dest/j']);
    expect(fake.peek('batch/v1', 'Job', 'dest', 'j')?.spec.template.spec.containers[0].image).toBe('new');
  });

  test('without Force the refused update fails the dry run and nothing is written', async () => {
    const fake = cluster().refuse(immutable).seed(liveJob('old'));
    const { result } = await sync(fake, application([cm('first'), { ...liveJob('new'), metadata: { name: 'j' } }]));
    expect(result.phase).toBe(OperationPhase.FAILED);
    expect(result.message).toMatch(/nothing was applied/);
    expect(fake.writes()).toEqual([]);
  });

  test('Replace=true,Force=true is kubectl replace --force: delete and create even when nothing changed, in Argo CD\'s words', async () => {
    const fake = cluster().seed(liveJob('same'));
    const desiredJob = { ...liveJob('same'), metadata: { name: 'j', annotations: { [OPTIONS]: 'Replace=true,Force=true' } } };
    const { result } = await sync(fake, application([desiredJob]));
    expect(result.phase).toBe(OperationPhase.SUCCEEDED);
    expect(result.resources[0].message).toBe('job.batch "j" deleted from dest namespace\njob.batch/j replaced');
    expect(fake.writes()).toEqual(['delete Job dest/j', 'create Job dest/j']);
  });

  test('Replace=true replaces (a PUT), and never deletes a Namespace or a CRD, even with Force=true', async () => {
    const fake = cluster().seed({ ...cm('r', {}, { a: '0' }), metadata: { name: 'r', namespace: 'dest' } });
    const replaced = await sync(fake, application([cm('r', { [OPTIONS]: 'Replace=true' })]));
    expect(replaced.result.resources.map((r) => r.message)).toEqual(['configmap/r replaced']);
    const ns = cluster().seed(obj('v1', 'Namespace', 'other'));
    const updated = await sync(ns, application([obj('v1', 'Namespace', 'other', { [OPTIONS]: 'Replace=true,Force=true' })]));
    expect(updated.result.phase).toBe(OperationPhase.SUCCEEDED);
    expect(updated.result.resources.map((r) => r.message)).toEqual(['Namespace/other updated']);
    expect(ns.writes().filter((w) => w.startsWith('delete'))).toEqual([]);
  });

  test('--force applies Force=true to every object, including a 409 conflict', async () => {
    const fake = cluster().seed(liveJob('old')).refuse((w) => (w.live && !w.dryRun && w.verb === 'apply' ? new ApiError(409, 'Conflict', 'conflict') : undefined));
    const { result } = await sync(fake, application([{ ...liveJob('new'), metadata: { name: 'j' } }]), { force: true });
    expect(result.phase).toBe(OperationPhase.SUCCEEDED);
    expect(fake.writes()).toEqual(['apply Job dest/j', 'delete Job dest/j', 'apply Job dest/j']);
  });

  test('Replace=true is a PUT, Validate=false a merge patch, the rest server-side apply: in the dry run and the sync', async () => {
    const fake = cluster().seed(
      { ...cm('replaced', {}, { a: '0' }), metadata: { name: 'replaced', namespace: 'dest' } },
      { ...cm('lenient', {}, { a: '0' }), metadata: { name: 'lenient', namespace: 'dest' } },
    );
    await sync(fake, application([
      cm('replaced', { [OPTIONS]: 'Replace=true' }), cm('lenient', { [OPTIONS]: 'Validate=false' }), cm('applied'),
    ]));
    expect(fake.log(['apply', 'replace', 'patch', 'create']).sort()).toEqual([
      'apply ConfigMap dest/applied',
      'apply ConfigMap dest/applied (dry run)',
      'patch ConfigMap dest/lenient',
      'patch ConfigMap dest/lenient (dry run)',
      'replace ConfigMap dest/replaced',
      'replace ConfigMap dest/replaced (dry run)',
    ]);
  });

  test('diff predicts with the same write as sync (Replace=true is dry-run as a PUT)', async () => {
    const fake = cluster().seed({ ...cm('replaced', {}, { a: '0' }), metadata: { name: 'replaced', namespace: 'dest' } });
    const st = await compareApplication(fake, application([cm('replaced', { [OPTIONS]: 'Replace=true' }, { a: '1' })]));
    expect(st.resources.map((r) => `${r.name} ${r.status}`)).toEqual(['replaced OutOfSync']);
    expect(fake.log()).toEqual(['replace ConfigMap dest/replaced (dry run)']);
  });

  test('--dry-run writes nothing but dry runs', async () => {
    const fake = cluster().statusOnWrite('Job', () => JOB_COMPLETE);
    const { result } = await sync(fake, application([cm('a'), job('pre', { [HOOK]: 'PreSync' })]), { dryRun: true });
    expect(result.phase).toBe(OperationPhase.SUCCEEDED);
    expect(results(result)).toEqual(['PreSync/0/Job/pre: Synced', 'Sync/0/ConfigMap/a: Synced']);
    expect(fake.writes()).toEqual([]);
    expect(fake.names()).toEqual(['Namespace dest', 'Namespace kube-system']);
  });

  test('a dry-run failure anywhere means nothing is applied', async () => {
    const fake = cluster();
    const { result } = await sync(fake, application([cm('a'), { ...cm('b'), metadata: { name: 'b', namespace: 'missing' } }]));
    expect(result.phase).toBe(OperationPhase.FAILED);
    expect(results(result)).toEqual(['Sync/0/ConfigMap/b: SyncFailed']);
    expect(result.message).toMatch(/m\/app\/f.yaml:11: ConfigMap missing\/b: namespaces "missing" not found/);
    expect(fake.writes()).toEqual([]);
  });

  test('a re-sync of unchanged objects writes nothing', async () => {
    const fake = cluster();
    await sync(fake, application([cm('a'), deployment('web')]));
    const before = fake.requests.length;
    const { result } = await sync(fake, application([cm('a'), deployment('web')]));
    expect(result.resources.map((r) => r.message)).toEqual(['configmap/a unchanged', 'deployment.apps/web unchanged']);
    expect(fake.requests.slice(before).filter((r) => r.verb !== 'get' && r.verb !== 'list' && !r.key.startsWith('coordination'))).toEqual([]);
    const st = await compareApplication(fake, application([cm('a'), deployment('web')]));
    expect(st.sync).toBe(SyncStatusCode.SYNCED);
  });

  test('a Secret value in an API error is masked', async () => {
    const secret = obj('v1', 'Secret', 's', {}, { stringData: { password: 'hunter2-very-secret' } });
    const fake = cluster().refuse((w) => (w.obj.kind === 'Secret' ? new ApiError(422, 'Invalid', 'bad value "hunter2-very-secret"') : undefined));
    const { result } = await sync(fake, application([secret]));
    expect(result.message).not.toContain('hunter2-very-secret');
    expect(result.resources[0].status).toBe(ResultCode.SYNC_FAILED);
  });
});
