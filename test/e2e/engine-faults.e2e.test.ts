/**
 * Fault injection against a real local control plane of its own (so killing etcd cannot hurt the
 * other e2e files): kill -9 and kill -STOP of kube-apiserver and of etcd at several points of a
 * ~300-object sync with waves and hooks, and SIGINT of the engine (the real CLI process).
 * After each fault the next sync must converge: no desired object missing or stale, no extra
 * object, no untracked object touched, no hook finalizer and no Lease left behind.
 *
 * Also here, because they need a cluster they may break: a hung API server with --timeout
 * (issue 10, item 9) and an unavailable APIService (item 12).
 *
 * Reproduce: npx jest --ci --config test/e2e/jest.config.json test/e2e/engine-faults.e2e.test.ts
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { waitFor } from './cluster-fixture';
import { canaryValue, SecretCanary } from './secret-canary';
import { ComponentName, POD_COMPLETE_DELAY_ANNOTATION } from '../../src/cluster/constants';
import { LocalCluster } from '../../src/cluster/local-cluster';
import { HOOK_FINALIZER } from '../../src/engine/annotations';
import { KubeClient } from '../../src/engine/kube/client';
import { resolveKubeConfig } from '../../src/engine/kube/kubeconfig';
import { LOCK_NAMESPACE } from '../../src/engine/lock';
import { KubeObject, OperationPhase } from '../../src/engine/model';
import { SyncEvent, syncApplication } from '../../src/engine/sync';
import { trackingInstance } from '../../src/engine/tracking';
import { configMap, deployment, job, runCli, TestApp } from '../engine/e2e-app';

jest.setTimeout(240_000);

const ROOT = path.resolve(__dirname, '../..');
const quiet = () => undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let cluster: LocalCluster;
let client: KubeClient;
const clusterDir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-faults-'));

async function clientFor(kubeconfig: string): Promise<KubeClient> {
  return KubeClient.create((await resolveKubeConfig({ kubeconfig })).config);
}

beforeAll(async () => {
  cluster = await LocalCluster.start({ dir: clusterDir, log: quiet });
  client = await clientFor(cluster.kubeconfigPath);
}, 180_000);

afterAll(async () => {
  client?.close();
  if (cluster) {
    for (const c of cluster.state.components) {
      try {
        process.kill(c.pid, 'SIGCONT');
      } catch {
        // gone
      }
    }
    await cluster.stop({ purge: true, log: quiet });
  }
});

/** Sends `sig` to a component; SIGSTOP is undone in `finally` blocks with {@link cont}. */
function signal(component: ComponentName, sig: NodeJS.Signals): number {
  const pid = cluster.pidOf(component);
  if (!pid) {
    throw new Error(`${component} is not running`);
  }
  process.kill(pid, sig);
  return pid;
}

function cont(pid: number): void {
  try {
    process.kill(pid, 'SIGCONT');
  } catch {
    // gone
  }
}

async function apiReady(): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (!(await cluster.status()).apiReady) {
    if (Date.now() > deadline) {
      throw new Error(`the API server did not come back:\n${cluster.logTails(20)}`);
    }
    await sleep(200);
  }
}

async function resource(apiVersion: string, kind: string) {
  const r = await client.resourceFor(apiVersion, kind);
  if (!r) {
    throw new Error(`no ${kind}`);
  }
  return r;
}

async function createNamespace(name: string): Promise<void> {
  await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, 'e2e');
}

describe('a hung API server (kill -STOP of kube-apiserver)', () => {
  test('sync --timeout 5 fails within seconds, naming the server, instead of hanging', async () => {
    const ns = 'hung';
    await createNamespace(ns);
    const app = new TestApp('hung', ns).write('cm.yaml', configMap('a'));
    const pid = signal('kube-apiserver', 'SIGSTOP');
    let res;
    const t0 = Date.now();
    try {
      res = await runCli(cluster.kubeconfigPath, app, 'sync', '--timeout', '5');
    } finally {
      cont(pid);
    }
    const seconds = (Date.now() - t0) / 1000;
    // With its stderr, so a failure says which request held it.
    expect({ code: res.code, fast: seconds < 20, stderr: res.stderr }).toEqual({
      code: 1, fast: true, stderr: expect.stringContaining(`the API server at ${cluster.server} did not answer`),
    });
    await apiReady();
    expect((await runCli(cluster.kubeconfigPath, app, 'sync')).code).toBe(0);
  });
});

describe('an unavailable APIService (v1beta1.broken.example.com → a missing Service)', () => {
  const apiService = {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: { name: 'v1beta1.broken.example.com' },
    spec: {
      group: 'broken.example.com',
      version: 'v1beta1',
      groupPriorityMinimum: 1000,
      versionPriority: 15,
      insecureSkipTLSVerify: true,
      service: { namespace: 'default', name: 'no-such-service', port: 443 },
    },
  };

  test('sync --prune, status and diff skip the group with one warning, and still prune what they can see', async () => {
    const ns = 'broken-api';
    await createNamespace(ns);
    const app = new TestApp('brokenapi', ns).write('a.yaml', configMap('a')).write('b.yaml', configMap('b'));
    const cli = (...args: string[]) => runCli(cluster.kubeconfigPath, app, ...args);
    expect((await cli('sync')).code).toBe(0);
    await client.create(apiService as KubeObject, 'e2e');
    try {
      client.invalidateDiscovery();
      // The aggregator takes a moment to pick the APIService up (404 until then); then the group's
      // discovery answers 503, the state this test is about.
      await waitFor('broken.example.com/v1beta1 discovery to answer 503', async () => {
        try {
          await client.request('GET', '/apis/broken.example.com/v1beta1');
          return false;
        } catch (e) {
          return /service unavailable|503/i.test((e as Error).message);
        }
      }, 30_000);
      app.remove('b.yaml');
      const sync = await cli('sync', '--prune');
      expect(sync.stderr).not.toMatch(/^error/m);
      expect(sync.code).toBe(0);
      expect(sync.stderr.match(/skipped API groups the server cannot serve right now: broken\.example\.com\/v1beta1 \(503 /g)).toHaveLength(1);
      // Pruned (foreground deletion: gone, or going while the garbage collector finishes).
      const pruned = await client.get({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: ns } });
      expect(pruned === undefined || !!pruned.metadata.deletionTimestamp).toBe(true);
      expect(await client.get({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: ns } })).toBeDefined();
      const status = await cli('status');
      expect(status.code).toBe(0);
      expect(status.stderr).toMatch(/skipped API groups .*broken\.example\.com\/v1beta1/);
      const diff = await cli('diff');
      expect(diff.code).toBe(0);
    } finally {
      await client.delete(apiService as KubeObject);
      client.invalidateDiscovery();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The fault matrix.

const APP = 'faults';
const NS = 'faults';
const WAVE_SIZES = [100, 100, 87];
const SECRETS = 10;
/** Minimum time web-0 takes to roll out (its minReadySeconds), and the PreSync hook takes to run. */
const ROLLOUT_SECONDS = 4;
const HOOK_SECONDS = 4;

interface Generation {
  readonly g: number;
  /** Desired names per kind (hooks excluded). */
  readonly desired: Map<string, Set<string>>;
}

/** The desired state of generation `g`: every ConfigMap and Secret carries `gen: g`, one marker ConfigMap per generation. */
function writeGeneration(app: TestApp, g: number): Generation {
  const desired = new Map<string, Set<string>>([['ConfigMap', new Set()], ['Secret', new Set()], ['Deployment', new Set()]]);
  const wave = (w: number) => ({ 'argocd.argoproj.io/sync-wave': String(w) });
  const objs: KubeObject[] = [];
  WAVE_SIZES.forEach((n, w) => {
    for (let i = 0; i < n; i++) {
      const name = `cm-${w}-${String(i).padStart(3, '0')}`;
      objs.push(configMap(name, { gen: String(g), index: String(i) }, wave(w)));
      desired.get('ConfigMap')!.add(name);
    }
  });
  for (let i = 0; i < SECRETS; i++) {
    const name = `secret-${i}`;
    objs.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name, annotations: wave(1) }, type: 'Opaque', stringData: { gen: canaryValue(`gen-${g}`) } });
    desired.get('Secret')!.add(name);
  }
  objs.push(configMap(`marker-${g}`, { gen: String(g) }, wave(2)));
  desired.get('ConfigMap')!.add(`marker-${g}`);
  // Deployments gate waves 0 → 1 and 2 → PostSync on health; web-0 rolls out every generation,
  // and its new pod counts as available only ROLLOUT_SECONDS after it is Ready (minReadySeconds,
  // so the old one stays), so there is always a wait between waves: on kwok a rollout without it
  // can finish before the engine's first look, and the fault point would never come.
  for (const w of [0, 2]) {
    const d = deployment(`web-${w}`, 1, wave(w), w === 0 ? { minReadySeconds: ROLLOUT_SECONDS } : {});
    if (w === 0) {
      d.spec.template.metadata.annotations = { 'e2e.cdk8s-argocd.io/gen': String(g) };
    }
    objs.push(d);
    desired.get('Deployment')!.add(`web-${w}`);
  }
  // The PreSync hook runs for HOOK_SECONDS (kwok completes its pod that long after it started), so
  // the faults and the SIGINT "during the PreSync hook" land while it still runs.
  const pre = job('pre', { 'argocd.argoproj.io/hook': 'PreSync' });
  pre.spec.template.metadata.annotations = { [POD_COMPLETE_DELAY_ANNOTATION]: `${HOOK_SECONDS}s` };
  objs.push(pre);
  objs.push(job('post', { 'argocd.argoproj.io/hook': 'PostSync', 'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded' }));
  app.write('all.yaml', ...objs);
  return { g, desired };
}

/** Objects the Application does not track, created first; none may change. */
const UNTRACKED: KubeObject[] = [
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'hand-made', namespace: NS }, data: { keep: 'me' } },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm-0-000-copy', namespace: NS }, data: { keep: 'me' } },
  { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'hand-made', namespace: NS }, type: 'Opaque', stringData: { keep: 'me' } },
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'other-app', namespace: NS, annotations: { 'argocd.argoproj.io/tracking-id': `other:/ConfigMap:${NS}/other-app` } },
    data: { keep: 'me' },
  },
];
const untrackedVersions = new Map<string, string>();
/** Every result, event and CLI output of the matrix: none may show a Secret value. */
const canary = new SecretCanary();

interface Tally {
  cases: number;
  survived: number;
  objectsLost: number;
  untrackedTouched: number;
  /** Left right after the faulted sync ended (before the next sync), summed over cases. */
  leasesLeftAfterFault: number;
  finalizersLeftAfterFault: number;
  faultedSyncSucceeded: number;
  rows: string[];
}
const tally: Tally = {
  cases: 0, survived: 0, objectsLost: 0, untrackedTouched: 0, leasesLeftAfterFault: 0, finalizersLeftAfterFault: 0, faultedSyncSucceeded: 0, rows: [],
};

async function leftovers(): Promise<{ lease: boolean; finalizers: string[] }> {
  const lease = await client.get({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: `cdk8s-argocd-sync-${APP}`, namespace: LOCK_NAMESPACE } });
  const finalizers: string[] = [];
  for (const [apiVersion, kind] of [['batch/v1', 'Job'], ['v1', 'Pod'], ['v1', 'ConfigMap']]) {
    for (const o of await client.list(await resource(apiVersion, kind), NS, true)) {
      if ((o.metadata.finalizers ?? []).includes(HOOK_FINALIZER)) {
        finalizers.push(`${kind}/${o.metadata.name}`);
      }
    }
  }
  return { lease: !!lease, finalizers };
}

/** Compares the namespace with generation `gen`: what is missing, stale, extra, touched. */
async function check(gen: Generation): Promise<{ missing: string[]; stale: string[]; extra: string[]; untouchedBroken: string[]; hooks: string[] }> {
  const missing: string[] = [];
  const stale: string[] = [];
  const extra: string[] = [];
  for (const [kind, names] of gen.desired) {
    const apiVersion = kind === 'Deployment' ? 'apps/v1' : 'v1';
    const live = await client.list(await resource(apiVersion, kind), NS);
    const tracked = new Map(live.filter((o) => trackingInstance(o) === APP).map((o) => [o.metadata.name ?? '', o]));
    for (const name of names) {
      const o = tracked.get(name);
      if (!o) {
        missing.push(`${kind}/${name}`);
      } else if (kind === 'ConfigMap' && o.data?.gen !== String(gen.g)) {
        stale.push(`${kind}/${name}`);
      } else if (kind === 'Secret' && Buffer.from(o.data?.gen ?? '', 'base64').toString() !== canaryValue(`gen-${gen.g}`)) {
        stale.push(`${kind}/${name}`);
      }
    }
    for (const name of tracked.keys()) {
      if (!names.has(name)) {
        extra.push(`${kind}/${name}`);
      }
    }
  }
  const untouchedBroken: string[] = [];
  for (const u of UNTRACKED) {
    const live = await client.get(u);
    if (!live || live.metadata.resourceVersion !== untrackedVersions.get(`${u.kind}/${u.metadata.name}`)) {
      untouchedBroken.push(`${u.kind}/${u.metadata.name}${live ? ' changed' : ' deleted'}`);
    }
  }
  // Hooks: at most one `pre` Job (BeforeHookCreation), no `post` (HookSucceeded).
  const jobs = (await client.list(await resource('batch/v1', 'Job'), NS, true)).map((o) => o.metadata.name ?? '').sort();
  return { missing, stale, extra, untouchedBroken, hooks: jobs };
}

type Point = 'PreSync hook' | 'wave 0 applying' | 'waiting between waves';

/** True for the event at which a fault is injected. */
function at(point: Point): (e: SyncEvent, resources: number) => boolean {
  switch (point) {
    case 'PreSync hook':
      return (e) => e.type === 'waiting' && /completion of hook/.test(e.message);
    case 'wave 0 applying':
      return (e, n) => e.type === 'resource' && n === 40;
    case 'waiting between waves':
      return (e) => e.type === 'waiting' && /healthy state of apps\/Deployment\/web-0/.test(e.message);
  }
}

type Fault = { component: ComponentName; how: 'kill -9' | 'kill -STOP' };

/** Injects the fault; the returned promise resolves once the component is back (restart, or SIGCONT after 4 s). */
function inject(fault: Fault): Promise<void> {
  if (fault.how === 'kill -9') {
    signal(fault.component, 'SIGKILL');
    // A supervisor restarts a crashed component right away.
    return cluster.restart(fault.component, { log: quiet });
  }
  const pid = signal(fault.component, 'SIGSTOP');
  return sleep(4000).then(() => cont(pid));
}

const FAULTS: Fault[] = [
  { component: 'kube-apiserver', how: 'kill -9' },
  { component: 'kube-apiserver', how: 'kill -STOP' },
  { component: 'etcd', how: 'kill -9' },
  { component: 'etcd', how: 'kill -STOP' },
];
const POINTS: Point[] = ['PreSync hook', 'wave 0 applying', 'waiting between waves'];
/** Each fault at two of the three points, rotating, so every (fault, point) pair is covered across the faults. */
const CASES = FAULTS.flatMap((f, i) => [POINTS[i % 3], POINTS[(i + 1) % 3]].map((p) => ({ fault: f, point: p })));

describe('fault injection during a ~300-object sync with waves and hooks', () => {
  const app = new TestApp(APP, NS);
  let generation = 0;

  beforeAll(async () => {
    await createNamespace(NS);
    for (const u of UNTRACKED) {
      const created = await client.create(u, 'e2e');
      untrackedVersions.set(`${u.kind}/${u.metadata.name}`, created.metadata.resourceVersion!);
    }
    const gen = writeGeneration(app, ++generation);
    const { result } = await app.sync(client, { prune: true, timeoutSeconds: 120 });
    expect(result.message).toBe('successfully synced (no more tasks)'); // the PostSync hook is the last step (gitops-engine's words)
    expect(await check(gen)).toEqual({ missing: [], stale: [], extra: [], untouchedBroken: [], hooks: ['pre'] });
  }, 180_000);

  afterAll(() => {
    const lines = [
      'Reliability (fault injection):',
      `  cases tried:        ${tally.cases}`,
      `  faults survived:    ${tally.survived} (next sync converged; nothing lost, duplicated, left behind or touched)`,
      `  objects lost:       ${tally.objectsLost}`,
      `  untracked touched:  ${tally.untrackedTouched}`,
      `  faulted syncs that still succeeded: ${tally.faultedSyncSucceeded}`,
      `  left right after a faulted sync (cleared by the next one): Leases ${tally.leasesLeftAfterFault}, hook finalizers ${tally.finalizersLeftAfterFault}`,
      ...tally.rows.map((r) => `  ${r}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  });

  /** After a fault: restore, look at what was left, sync again, verify. */
  async function converge(
    label: string, faulted: { phase: OperationPhase; message: string } | undefined, gen: Generation, t0: number,
  ): Promise<void> {
    tally.cases++;
    await apiReady();
    const left = await leftovers();
    tally.leasesLeftAfterFault += left.lease ? 1 : 0;
    tally.finalizersLeftAfterFault += left.finalizers.length;
    if (faulted?.phase === OperationPhase.SUCCEEDED) {
      tally.faultedSyncSucceeded++;
    }
    const t1 = Date.now();
    const { result, events } = await app.sync(client, { prune: true, timeoutSeconds: 120 });
    canary.record(`${label}: next sync`, { result, events });
    const syncSeconds = (Date.now() - t1) / 1000;
    const found = await check(gen);
    const after = await leftovers();
    const lost = found.missing.length + found.untouchedBroken.filter((u) => u.endsWith('deleted')).length;
    tally.objectsLost += lost;
    tally.untrackedTouched += found.untouchedBroken.length;
    const ok = result.phase === OperationPhase.SUCCEEDED && lost === 0 && found.stale.length === 0 && found.extra.length === 0
      && found.untouchedBroken.length === 0 && !after.lease && after.finalizers.length === 0;
    if (ok) {
      tally.survived++;
    }
    const why = faulted ? `${faulted.phase} (${faulted.message.split('\n')[0].slice(0, 100)})` : 'interrupted';
    tally.rows.push(`${label}: faulted sync ${why}; left ${left.lease ? 'a Lease' : 'no Lease'}, ${left.finalizers.length} finalizer(s); `
      + `next sync ${result.phase} in ${syncSeconds.toFixed(1)}s; lost ${lost}; case ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    expect(result.message).toBe('successfully synced (no more tasks)'); // the PostSync hook is the last step (gitops-engine's words)
    expect(found).toEqual({ missing: [], stale: [], extra: [], untouchedBroken: [], hooks: ['pre'] });
    expect(after).toEqual({ lease: false, finalizers: [] });
  }

  test.each(CASES.map((c) => [`${c.fault.how} ${c.fault.component}`, c.point, c.fault] as const))('%s at "%s"', async (label, point, fault) => {
    const t0 = Date.now();
    const gen = writeGeneration(app, ++generation);
    const trigger = at(point);
    let restored: Promise<void> | undefined;
    let resources = 0;
    const events: SyncEvent[] = [];
    const result = await syncApplication(client, app.load(), {
      prune: true,
      // Bounds a case where the restarted control plane is slow to notice the hook finished.
      timeoutSeconds: 30,
      pollMs: 200,
      onEvent: (e) => {
        events.push(e);
        resources += e.type === 'resource' ? 1 : 0;
        if (!restored && trigger(e, resources)) {
          restored = inject(fault);
        }
      },
    }).catch(async (e) => {
      throw new Error(`the faulted sync threw instead of returning a result: ${(e as Error).message}`);
    });
    canary.record(`${label} at "${point}": faulted sync`, { result, events });
    if (!restored) {
      // Say what the sync did instead of reaching the fault point (a bare toBeDefined() says nothing).
      const seen = events.filter((e) => e.type === 'step' || e.type === 'waiting')
        .map((e) => (e.type === 'step' ? `step ${e.phase} wave ${e.wave} (${e.tasks} tasks)` : `waiting: ${e.message}`));
      throw new Error(`the fault point "${point}" was never reached: the faulted sync ended ${result.phase}: ${result.message}\n`
        + `steps and waits seen (${resources} resource events):\n  ${seen.join('\n  ')}`);
    }
    await restored;
    await converge(`${label} at "${point}"`, result, gen, t0);
  });

  /** The real CLI in its own process (SIGINT must reach the engine's handler). */
  function cliProcess(...args: string[]): { child: ChildProcess; stderr: () => string; exit: Promise<number> } {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'src/cli/main.ts'), ...args], {
      cwd: ROOT, env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'test/tsconfig.json') }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout!.resume();
    const exit = new Promise<number>((resolve) => child.on('exit', (code, sig) => resolve(code ?? (sig ? 128 : 1))));
    return { child, stderr: () => err, exit };
  }

  test('SIGINT of the engine during the PreSync hook: exits 130, releases the Lease and the hook at once', async () => {
    const when = 'during the PreSync hook';
    // The engine waits for the hook it created (which runs HOOK_SECONDS): not the step's line,
    // which comes before the previous `pre` Job is deleted and the new one created.
    const line = /waiting for completion of hook batch\/Job\/pre/;
    const t0 = Date.now();
    const gen = writeGeneration(app, ++generation);
    const p = cliProcess('sync', app.dir, '--app', APP, '--repo-root', app.dir, '--kubeconfig', cluster.kubeconfigPath, '--prune');
    let sent = false;
    try {
      const deadline = Date.now() + 90_000;
      while (!line.test(p.stderr()) && p.child.exitCode === null && Date.now() < deadline) {
        await sleep(20);
      }
      if (!line.test(p.stderr())) {
        throw new Error(`the sync never waited for the PreSync hook (exit code ${p.child.exitCode}); its stderr:\n${p.stderr()}`);
      }
      p.child.kill('SIGINT');
      sent = true;
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([p.exit, new Promise<number>((r) => (timer = setTimeout(() => r(-1), 60_000)))]);
      clearTimeout(timer);
      canary.record('SIGINT of the engine: stderr', p.stderr());
      // Released by the engine itself, before the next sync.
      const left = await leftovers();
      // One look at everything, with the engine's stderr, so a failure says what happened.
      expect({ code, left, stderr: p.stderr() }).toEqual({
        code: 130,
        left: { lease: false, finalizers: [] },
        stderr: expect.stringMatching(new RegExp([
          'SIGINT: stopping after the requests in flight',
          // The hook was still running: the engine took its finalizer off.
          'left behind: Job/faults/pre: hook left unfinished; removed its finalizer',
          'operation=Failed message="interrupted: interrupted by SIGINT',
        ].join('[^]*'))),
      });
    } finally {
      if (p.child.exitCode === null) {
        p.child.kill('SIGKILL');
      }
    }
    expect(sent).toBe(true);
    await converge(`SIGINT of the engine ${when}`, undefined, gen, t0);
  });

  test('no output of any case shows a Secret value', () => {
    canary.expectNeverSeen();
  });
});
