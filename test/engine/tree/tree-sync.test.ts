/**
 * The tree's orchestration against the in-memory API (test/util/fake-kube.ts);
 * test/e2e/engine-tree.e2e.test.ts runs the same behaviour on the real control plane.
 */
import { appObject, loaded, WAVE } from './tree-apps';
import { KubeObject, OperationPhase, SyncStatusCode, HealthStatusCode } from '../../../src/engine/model';
import { discoverTree } from '../../../src/engine/tree/application-tree';
import { ReconcileAction } from '../../../src/engine/tree/child-policy';
import { SlotPool } from '../../../src/engine/tree/slot-pool';
import { selectTree } from '../../../src/engine/tree/tree-selection';
import { ApplicationRun, runSucceeded, syncTree, TreeEvent } from '../../../src/engine/tree/tree-sync';
import { deploymentAvailable, deploymentStuck, FakeKube } from '../../util/fake-kube';
import { obj } from '../fixtures';

const cm = (name: string) => obj('v1', 'ConfigMap', name);
const deployment: KubeObject = obj('apps/v1', 'Deployment', 'web', {}, {
  spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
});

function cluster(...namespaces: string[]): FakeKube {
  return new FakeKube()
    .addKind('argoproj.io/v1alpha1', 'Application', true, 'applications')
    .seed(...['argocd', 'kube-system', ...namespaces].map((n) => obj('v1', 'Namespace', n)));
}

interface RunOptions {
  readonly names?: string[];
  readonly recursive?: boolean;
  readonly includeManual?: boolean;
  readonly dryRun?: boolean;
  readonly appConcurrency?: number;
  readonly signal?: AbortSignal;
  readonly timeoutSeconds?: number;
  readonly exactRevision?: boolean;
  /** An automated sync retries 5 times by default (Argo CD), 5 s apart at first: tests of a failure set 0. */
  readonly retryLimit?: number;
  readonly onResource?: (e: Extract<TreeEvent, { type: 'resource' }>) => void;
}

async function run(fake: FakeKube, apps: ReturnType<typeof loaded>[], opts: RunOptions = {}) {
  const tree = discoverTree(apps);
  const events: TreeEvent[] = [];
  const runs = await syncTree(tree, selectTree(tree, opts.names ?? [], !!opts.recursive), {
    request: { pollMs: 2, timeoutSeconds: opts.timeoutSeconds ?? 20, dryRun: opts.dryRun, signal: opts.signal, retryLimit: opts.retryLimit },
    initiatedBy: { username: 'tester' },
    includeManual: opts.includeManual,
    appConcurrency: opts.appConcurrency,
    exactRevision: opts.exactRevision === undefined ? undefined : () => opts.exactRevision!,
    clientFor: async () => fake,
    settleMs: 5,
    onEvent: (e) => {
      events.push(e);
      if (e.type === 'resource') {
        opts.onResource?.(e);
      }
    },
  });
  return { runs, events };
}

const summary = (runs: ApplicationRun[]) => runs.map((r) => `${r.application}<${r.parent ?? ''}>@${r.wave}: ${r.action} ${r.phase ?? ''} ${r.sync ?? ''} ${r.health ?? ''}`.trim());
const order = (events: TreeEvent[]) => events.flatMap((e) => (e.type === 'started' ? [`start ${e.application}`] : e.type === 'reconciled' ? [`end ${e.application}`] : []));
const status = (fake: FakeKube, name: string) => fake.peek('argoproj.io/v1alpha1', 'Application', 'argocd', name)?.status;

describe('tree sync', () => {
  test('the root object is applied, children synced by the controller, each status recorded', async () => {
    const fake = cluster('a', 'b');
    const { runs } = await run(fake, [
      loaded('root', [appObject('a'), appObject('b', { wave: 1 })]),
      loaded('a', [cm('a')]),
      loaded('b', [cm('b')]),
    ]);
    expect(summary(runs)).toEqual([
      'root<>@0: sync Succeeded Synced Healthy',
      'a<root>@0: sync Succeeded Synced Healthy',
      'b<root>@1: sync Succeeded Synced Healthy',
    ]);
    expect(status(fake, 'root')?.operationState.operation.initiatedBy).toEqual({ username: 'tester' });
    expect(status(fake, 'a')?.operationState.operation.initiatedBy).toEqual({ automated: true });
    // An automated sync prunes as `automated.prune` says; the user's root sync only with --prune.
    expect(status(fake, 'a')?.operationState.operation.sync.prune).toBe(true);
    expect(status(fake, 'root')?.operationState.operation.sync.prune).toBe(false);
    expect(status(fake, 'b')?.health.status).toBe('Healthy');
    expect(fake.peek('v1', 'ConfigMap', 'b', 'b')).toBeDefined();
  });

  test('a later-wave child starts only after the earlier wave\'s child recorded Healthy', async () => {
    const fake = cluster('a', 'b');
    const { events } = await run(fake, [
      loaded('root', [appObject('a'), appObject('b', { wave: 1 })]),
      loaded('a', [cm('a')]),
      loaded('b', [cm('b')]),
    ]);
    const seen = order(events);
    expect(seen.indexOf('end a')).toBeLessThan(seen.indexOf('start b'));
    expect(seen.slice(0, 2)).toEqual(['start root', 'start a']);
  });

  test('a Degraded child fails the parent before the later wave; the later child is not reached', async () => {
    const fake = cluster('a', 'b').statusOnWrite('Deployment', deploymentStuck);
    const { runs } = await run(fake, [
      loaded('root', [appObject('a'), appObject('b', { wave: 1 })]),
      loaded('a', [deployment]),
      loaded('b', [cm('b')]),
    ]);
    expect(summary(runs)).toEqual([
      'root<>@0: sync Failed OutOfSync Degraded',
      'a<root>@0: sync Succeeded Synced Degraded',
      'b<root>@1: skipped',
    ]);
    expect(runs[0].message).toMatch(/Application argocd\/a: Degraded/);
    expect(fake.peek('argoproj.io/v1alpha1', 'Application', 'argocd', 'b')).toBeUndefined();
  });

  test('a child still Progressing after its sync is followed until Healthy; only then does the next wave start', async () => {
    const fake = cluster('a', 'b');
    const { events, runs } = await run(fake, [
      loaded('root', [appObject('a'), appObject('b', { wave: 1 })]),
      loaded('a', [deployment]),
      loaded('b', [cm('b')]),
    ], {
      onResource: (e) => {
        if (e.application === 'a' && e.result.kind === 'Deployment') {
        // The rollout finishes a little later, as the Deployment controller would report it.
          setTimeout(() => {
            const live = fake.peek('apps/v1', 'Deployment', 'a', 'web')!;
            fake.setStatus('apps/v1', 'Deployment', 'a', 'web', deploymentAvailable(live));
          }, 60);
        }
      },
    });
    expect(summary(runs)).toEqual([
      'root<>@0: sync Succeeded Synced Healthy',
      'a<root>@0: sync Succeeded Synced Healthy',
      'b<root>@1: sync Succeeded Synced Healthy',
    ]);
    const waitedForA = events.findIndex((e) => e.type === 'waiting' && e.application === 'a' && /Deployment\/web is Progressing/.test(e.message));
    const startB = events.findIndex((e) => e.type === 'started' && e.application === 'b');
    expect(waitedForA).toBeGreaterThan(-1);
    expect(waitedForA).toBeLessThan(startB);
    // While it rolls out only the Deployment is read again; `a` is compared (listed) once before
    // its sync, once in it, and once more when the rollout is done.
    expect(fake.requests.filter((r) => r.verb === 'get' && r.key === 'apps/Deployment/a/web').length).toBeGreaterThan(1);
    expect(fake.requests.filter((r) => r.verb === 'list' && r.key === 'apps/Deployment/a')).toHaveLength(3);
  });

  test('a manual child is compared and recorded OutOfSync; --include-manual syncs it', async () => {
    const apps = () => [loaded('root', [appObject('m', { automated: false })]), loaded('m', [cm('m')], { automated: false })];
    const fake = cluster('m');
    const first = await run(fake, apps());
    expect(summary(first.runs)).toEqual(['root<>@0: sync Succeeded Synced Healthy', 'm<root>@0: compare  OutOfSync Healthy']);
    expect(status(fake, 'm')?.sync.status).toBe(SyncStatusCode.OUT_OF_SYNC);
    expect(fake.peek('v1', 'ConfigMap', 'm', 'm')).toBeUndefined();

    const second = await run(fake, apps(), { includeManual: true });
    expect(second.runs[1].action).toBe(ReconcileAction.SYNC);
    expect(fake.peek('v1', 'ConfigMap', 'm', 'm')).toBeDefined();
  });

  test('--app X syncs that node only; --recursive its subtree; a child\'s own object is left to its parent', async () => {
    const apps = () => [loaded('root', [appObject('a')]), loaded('a', [appObject('a1')]), loaded('a1', [cm('x')])];
    const fake = cluster('a', 'a1');
    const only = await run(fake, apps(), { names: ['a'] });
    // a1's object is applied but nothing reconciles it: a reports it as still Progressing.
    expect(summary(only.runs)).toEqual(['a<root>@0: sync Succeeded Synced Progressing']);
    expect(fake.peek('argoproj.io/v1alpha1', 'Application', 'argocd', 'a')).toBeUndefined();
    expect(fake.peek('argoproj.io/v1alpha1', 'Application', 'argocd', 'a1')).toBeDefined();
    expect(fake.peek('v1', 'ConfigMap', 'a1', 'x')).toBeUndefined();

    const recursive = await run(fake, apps(), { names: ['a'], recursive: true });
    expect(summary(recursive.runs).map((s) => s.split(':')[0])).toEqual(['a<root>@0', 'a1<a>@0']);
    expect(fake.peek('v1', 'ConfigMap', 'a1', 'x')).toBeDefined();
  });

  test('a dry run of the tree goes down the same path and writes nothing', async () => {
    const fake = cluster('a');
    const { runs } = await run(fake, [loaded('root', [appObject('a')]), loaded('a', [cm('a')])], { dryRun: true });
    expect(runs.map((r) => `${r.application}: ${r.action} ${r.phase}`)).toEqual(['root: sync Succeeded', 'a: sync Succeeded']);
    expect(fake.writes().filter((w) => !w.includes('dry run'))).toEqual([]);
  });

  test('a deep tree does not starve with one slot: a parent hands its slot to its children', async () => {
    const fake = cluster('a', 'b', 'c');
    const { runs } = await run(fake, [
      loaded('root', [appObject('a'), appObject('c', { wave: 1 })]),
      loaded('a', [appObject('b'), cm('x')]),
      loaded('b', [cm('b')]),
      loaded('c', [cm('c')]),
    ], { appConcurrency: 1 });
    expect(runs.every((r) => r.phase === OperationPhase.SUCCEEDED && r.health === HealthStatusCode.HEALTHY)).toBe(true);
  });
});

describe('automated children are compared first, synced only when Argo CD\'s autoSync would', () => {
  const settings = (level: string) => obj('v1', 'ConfigMap', 'settings', {}, { data: { level } });
  const tree = () => [loaded('root', [appObject('a')]), loaded('a', [settings('one'), cm('b')])];
  /** Writes of the child's own resources (not its Application object, not the Lease). */
  const childWrites = (fake: FakeKube, from: number) => fake.requests.slice(from)
    .filter((r) => r.verb !== 'get' && r.verb !== 'list' && /ConfigMap/.test(r.key)).map((r) => `${r.verb} ${r.key}`);

  test('an automated child already Synced at this revision is not synced again: compared, its status rewritten once', async () => {
    const fake = cluster('a');
    const first = await run(fake, tree());
    expect(summary(first.runs)[1]).toBe('a<root>@0: sync Succeeded Synced Healthy');
    const synced = status(fake, 'a');

    const before = fake.requests.length;
    const second = await run(fake, tree());
    expect(summary(second.runs)).toEqual(['root<>@0: sync Succeeded Synced Healthy', 'a<root>@0: compare  Synced Healthy']);
    expect(second.runs[1].message).toBe('');
    expect(childWrites(fake, before)).toEqual([]);
    // No operation: no Lease taken for the child, its last operation and history kept.
    expect(fake.requests.slice(before).filter((r) => r.key.endsWith('Lease/kube-system/cdk8s-argocd-sync-a'))).toEqual([]);
    const after = status(fake, 'a');
    expect(after.operationState).toEqual(synced.operationState);
    expect(after.history).toEqual(synced.history);
    expect(after.sync.status).toBe(SyncStatusCode.SYNCED);
    expect(fake.requests.slice(before).filter((r) => r.verb === 'patch' && r.key.endsWith('/a'))).toHaveLength(1);
    expect(second.events.filter((e) => e.type === 'started' && e.application === 'a').map((e) => (e as any).action)).toEqual(['compare']);
  });

  test('an automated child that is OutOfSync is synced (announced as a sync once the comparison calls for it)', async () => {
    const fake = cluster('a');
    await run(fake, tree());
    const apps = [loaded('root', [appObject('a')]), loaded('a', [settings('one'), cm('b'), cm('c')])];
    const before = fake.requests.length;
    const { runs, events } = await run(fake, apps, { exactRevision: false });
    expect(summary(runs)[1]).toBe('a<root>@0: sync Succeeded Synced Healthy');
    expect(childWrites(fake, before)).toContain('apply /ConfigMap/a/c');
    expect(events.filter((e) => e.type === 'started' && e.application === 'a').map((e) => (e as any).action)).toEqual(['compare', 'sync']);
  });

  test('drift after a successful sync of the same revision is left alone without selfHeal, and synced with it', async () => {
    const fake = cluster('a');
    await run(fake, tree());
    fake.seed({ ...fake.peek('v1', 'ConfigMap', 'a', 'settings')!, data: { level: 'drifted' } });
    const left = await run(fake, tree(), { exactRevision: true });
    expect(summary(left.runs)[1]).toBe('a<root>@0: compare  OutOfSync Healthy');
    expect(left.runs[1].message).toMatch(/most recent sync was already to abcdef0123456789 \(selfHeal is off\)/);
    expect(left.runs.every((r) => runSucceeded(r))).toBe(true);
    expect(fake.peek('v1', 'ConfigMap', 'a', 'settings')!.data).toEqual({ level: 'drifted' });

    const healing = loaded('a', [settings('one'), cm('b')]);
    (healing.manifest.spec.syncPolicy!.automated as any).selfHeal = true;
    const rootWithHeal = loaded('root', [{ ...appObject('a'), spec: healing.manifest.spec } as KubeObject]);
    const healed = await run(fake, [rootWithHeal, healing], { exactRevision: true });
    expect(summary(healed.runs)[1]).toBe('a<root>@0: sync Succeeded Synced Healthy');
    expect(fake.peek('v1', 'ConfigMap', 'a', 'settings')!.data).toEqual({ level: 'one' });
  });

  test('a revision whose automated sync failed is not retried (the run fails, the SyncError stays), unless the work tree changed', async () => {
    const fake = cluster('a');
    const broken = () => [loaded('root', [appObject('a')]), loaded('a', [cm('a'), { ...cm('bad'), metadata: { name: 'bad', namespace: 'nowhere' } }])];
    const failed = await run(fake, broken(), { exactRevision: true, timeoutSeconds: 2, retryLimit: 0 });
    expect(failed.runs[1].phase).toBe(OperationPhase.FAILED);

    const before = fake.requests.length;
    const again = await run(fake, broken(), { exactRevision: true, timeoutSeconds: 2, retryLimit: 0 });
    expect(summary(again.runs)[1]).toMatch(/^a<root>@0: compare {2}OutOfSync /);
    expect(again.runs[1].message).toMatch(/last sync attempt to abcdef0123456789 failed/);
    expect(runSucceeded(again.runs[1])).toBe(false);
    expect(childWrites(fake, before)).toEqual([]);
    expect(status(fake, 'a').conditions).toEqual([expect.objectContaining({ type: 'SyncError', message: expect.stringMatching(/^Failed last sync attempt to \[abcdef0123456789\]/) })]);

    const uncommitted = await run(fake, broken(), { exactRevision: false, timeoutSeconds: 2, retryLimit: 0 });
    expect(uncommitted.runs[1].action).toBe(ReconcileAction.SYNC);
  });
});

describe('interruption', () => {
  test('once interrupted, no further Application starts: the later children are reported interrupted', async () => {
    const fake = cluster('a', 'b');
    const interrupt = new AbortController();
    const { runs } = await run(fake, [
      loaded('root', [appObject('a'), appObject('b', { wave: 1 })]),
      loaded('a', [cm('a')]),
      loaded('b', [cm('b')]),
    ], {
      signal: interrupt.signal,
      // The in-memory API ignores the signal (a real client refuses requests once interrupted), so the root waits out its timeout.
      timeoutSeconds: 1,
      onResource: (e) => {
        if (e.application === 'a') {
          interrupt.abort(new Error('interrupted by SIGINT'));
        }
      },
    });
    expect(runs.map((r) => `${r.application}: ${r.action} ${r.phase ?? ''}`)).toEqual(['root: sync Failed', 'a: sync Failed', 'b: skipped ']);
    expect(runs[2].message).toBe('interrupted: interrupted by SIGINT');
    expect(fake.peek('argoproj.io/v1alpha1', 'Application', 'argocd', 'b')).toBeUndefined();
    expect(fake.peek('coordination.k8s.io/v1', 'Lease', 'kube-system', 'cdk8s-argocd-sync-root')).toBeUndefined();
  });
});

describe('slot pool', () => {
  test('at most `size` holders; a released slot goes to the first waiter; releasing twice frees once', async () => {
    const pool = new SlotPool(1);
    const first = await pool.acquire();
    const got: string[] = [];
    const second = pool.acquire().then((s) => { got.push('second'); return s; });
    const third = pool.acquire().then((s) => { got.push('third'); return s; });
    await Promise.resolve();
    expect(got).toEqual([]);
    first.release();
    first.release();
    const s2 = await second;
    await Promise.resolve();
    expect(got).toEqual(['second']);
    s2.release();
    await third;
    expect(got).toEqual(['second', 'third']);
  });
});

describe('ApplicationSets a parent applies', () => {
  const appSet = { apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet', metadata: { name: 'web', namespace: 'argocd' }, spec: { generators: [], template: {} } } as KubeObject;
  const withSets = () => cluster('parent').addKind('argoproj.io/v1alpha1', 'ApplicationSet', true, 'applicationsets');

  async function runWithSets(fake: FakeKube, dryRun: boolean, controller: (name: string) => Promise<void>) {
    const apps = [loaded('parent', [cm('a'), appSet])];
    const tree = discoverTree(apps);
    const calls: string[] = [];
    const runs = await syncTree(tree, selectTree(tree, [], false), {
      request: { pollMs: 2, timeoutSeconds: 20, dryRun },
      initiatedBy: { username: 'tester' },
      clientFor: async () => fake,
      settleMs: 5,
      onApplicationSetApplied: async (set, parent, api) => {
        calls.push(`${set.namespace}/${set.name} from ${parent.name} (${api === fake ? 'parent client' : 'other client'})`);
        await controller(set.name);
      },
    });
    return { runs, calls };
  }

  test('the set applied by a parent is run with the parent\'s client, and the tree waits for it', async () => {
    const fake = withSets();
    let finished = false;
    const { runs, calls } = await runWithSets(fake, false, async (name) => {
      // The set is in the cluster when its controller starts.
      expect(fake.peek('argoproj.io/v1alpha1', 'ApplicationSet', 'argocd', name)).toBeDefined();
      await new Promise((resolve) => setTimeout(resolve, 50));
      finished = true;
    });
    expect(calls).toEqual(['argocd/web from parent (parent client)']);
    expect(finished).toBe(true);
    expect(summary(runs)).toEqual(['parent<>@0: sync Succeeded Synced Healthy']);
  });

  test('a failing controller is awaited too and does not fail the parent', async () => {
    const { runs, calls } = await runWithSets(withSets(), false, async () => {
      throw new Error('boom');
    });
    expect(calls).toHaveLength(1);
    expect(runs[0].phase).toBe(OperationPhase.SUCCEEDED);
  });

  test('a dry run runs no controller', async () => {
    const { calls } = await runWithSets(withSets(), true, async () => undefined);
    expect(calls).toEqual([]);
  });
});

describe('a child whose AppProject its parent applies in the same sync', () => {
  /**
   * The in-memory API with AppProjects whose writes take a while. In one wave, objects of kinds
   * without a rank are applied by name (gitops-engine's order), so the child `a` comes before
   * the project `shop`, and its comparison would find no project.
   */
  class SlowProjects extends FakeKube {
    async apply(o: KubeObject, fieldManager: string, options: Parameters<FakeKube['apply']>[2] = {}): Promise<KubeObject> {
      if (o.kind === 'AppProject' && !options.dryRun) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return super.apply(o, fieldManager, options);
    }
  }
  const project = (name: string, wave?: number): KubeObject => obj('argoproj.io/v1alpha1', 'AppProject', name, wave === undefined ? {} : { [WAVE]: String(wave) }, {
    metadata: { name, namespace: 'argocd', ...(wave === undefined ? {} : { annotations: { [WAVE]: String(wave) } }) },
    spec: { sourceRepos: ['*'], destinations: [{ server: 'https://kubernetes.default.svc', namespace: '*' }] },
  });
  const inProject = (o: any, name: string): any => ({ ...o, spec: { ...o.spec, project: name } });
  const slowCluster = () => new SlowProjects()
    .addKind('argoproj.io/v1alpha1', 'Application', true, 'applications')
    .addKind('argoproj.io/v1alpha1', 'AppProject', true, 'appprojects')
    .seed(...['argocd', 'kube-system', 'a'].map((n) => obj('v1', 'Namespace', n)));
  const child = () => {
    const a = loaded('a', [cm('a')]);
    return { ...a, manifest: inProject(a.manifest, 'shop') };
  };

  test('is synced once the project exists (same wave), as Argo CD refreshes it', async () => {
    const fake = slowCluster();
    const { runs } = await run(fake, [loaded('root', [project('shop'), inProject(appObject('a'), 'shop')]), child()]);
    expect(summary(runs)).toEqual(['root<>@0: sync Succeeded Synced Healthy', 'a<root>@0: sync Succeeded Synced Healthy']);
    expect(status(fake, 'a')?.conditions ?? []).toEqual([]);
  });

  test('is synced when the project is in an earlier wave', async () => {
    const fake = slowCluster();
    const { runs } = await run(fake, [loaded('root', [project('shop', -1), inProject(appObject('a'), 'shop')]), child()]);
    expect(summary(runs)).toEqual(['root<>@0: sync Succeeded Synced Healthy', 'a<root>@0: sync Succeeded Synced Healthy']);
  });

  test('records Argo CD\'s InvalidSpecError only when the project still does not exist after the parent\'s sync', async () => {
    const fake = slowCluster();
    const { runs } = await run(fake, [loaded('root', [inProject(appObject('a'), 'shop')]), child()]);
    expect(summary(runs)).toEqual(['root<>@0: sync Succeeded Synced Healthy', 'a<root>@0: compare  Unknown Unknown']);
    expect(status(fake, 'a')?.conditions).toEqual([
      expect.objectContaining({ type: 'InvalidSpecError', message: 'Application referencing project shop which does not exist' }),
    ]);
  });
});
