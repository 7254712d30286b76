/**
 * `npm run bench:argocd`: real Argo CD v3.2.11 (`argocd up`, src/argocd/local-argocd.ts) and the
 * engine side by side, on the same local control plane in the same run, from the same empty state:
 *
 *   1. time from `root.yaml` applied (Argo CD) / sync requested (engine: `cdk8s-argocd sync` in a
 *      child process) to every Application Synced and Healthy, for (a) one Application of 1,000
 *      objects and (b) a root with 50 automated child Applications of a handful of objects each;
 *   2. the no-op refresh of the unchanged 1,000-object Application: Argo CD after
 *      `argocd.argoproj.io/refresh=normal` until `status.reconciledAt` advances, against
 *      `cdk8s-argocd status --refresh` (the same comparison, written to the Application's status
 *      as an Argo CD refresh writes it); the engine's no-op `sync` is printed beside it;
 *   3. peak RSS: the sum of Argo CD's processes' VmHWM (controller, repo-server, ApplicationSet
 *      controller, Redis, Git server; reset through /proc/<pid>/clear_refs after the warm-up)
 *      against the engine process's (`/usr/bin/time`);
 *   4. the ratios engine/Argo CD against issue 13's targets (≤ 0.5× time, ≤ 0.25× memory).
 *
 *   npm run bench:argocd                                   # 3 runs, medians
 *   npm run bench:argocd -- --runs 1 --resources 300 --tree-apps 10 --tree-resources 5 --refreshes 2
 *   npm run bench:argocd -- --only single                  # or --only tree
 *
 * Fairness: Argo CD runs with a real install's defaults (nothing tuned: 20 status processors,
 * 10 operation processors, kubectl parallelism 20, client QPS 50 / burst 100, reconciliation
 * timeout 120 s + 60 s jitter). Each Argo CD case gets a freshly started Argo CD serving that
 * case's repository, warmed by one small Application so that its cluster cache is synced and the
 * repository cloned, as in a long-running installation; the engine is a CLI and starts cold every
 * time. Argo CD is stopped while the engine runs (it would otherwise reconcile the engine's
 * Application objects too). Each side has its own Applications and namespaces (created before the
 * clock starts); everything is deleted, and the deletion waited for, before the next measurement.
 * The side that goes first alternates from run to run.
 *
 * Uses a running local cluster ($CDK8S_ARGOCD_CLUSTER_DIR, else the repository's) when there is
 * one, else starts one in a temporary directory and stops it afterwards. Needs the cached
 * argocd-local binary (`cdk8s-argocd argocd build`; it is not built here).
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { setTimeout as sleep } from 'timers/promises';
import { stringify } from 'yaml';
import { application, compileEngine, writeResource } from './fixtures';
import { argoCdVersion, cachedArgoCdBinaryPath, isWorkingArgoCdBinary } from '../src/argocd/build';
import { LocalArgoCd } from '../src/argocd/local-argocd';
import { defaultClusterDir, LocalCluster } from '../src/cluster/local-cluster';
import { KubeClient } from '../src/engine/kube/client';
import { ApiResource } from '../src/engine/kube/kube-api';
import { resolveKubeConfig } from '../src/engine/kube/kubeconfig';
import { KubeObject } from '../src/engine/model';

const args = process.argv.slice(2).filter((a) => a !== '--');
function flag(name: string, def: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
}
const runs = flag('--runs', 3);
const total = flag('--resources', 1000);
const treeApps = flag('--tree-apps', 50);
const treeResources = flag('--tree-resources', 5);
const refreshes = flag('--refreshes', 3);
/** `--only single` or `--only tree`: one case alone. */
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const root = path.resolve(__dirname, '..');
const out = path.join(__dirname, '.out');
/** A host that does not exist: only Argo CD's local Git server answers for it. */
const REPO_URL = 'https://git.example.test/bench-argocd.git';
const SETTLE_TIMEOUT_MS = 20 * 60_000;
const TIME_TARGET = 0.5;
const MEMORY_TARGET = 0.25;

type Side = 'argocd' | 'engine';
type Case = 'single' | 'tree';

/** One case's layout: the Applications that must end Synced and Healthy, their namespaces. */
interface Layout {
  readonly repo: string;
  readonly apps: string[];
  readonly namespaces: string[];
  /** The Application of the no-op refresh (the 1,000-object one). */
  readonly refreshApp?: string;
}

interface Figures {
  /** root.yaml applied / sync requested → every Application Synced and Healthy. */
  readonly settleS: number;
  /** Peak RSS over the case (Argo CD: sum of its processes). */
  readonly peakMiB: number;
  /** Argo CD: each component's peak. */
  readonly perComponent?: Record<string, number>;
  /**
   * Argo CD: the peak of its three Argo CD programs alone (controller, repo-server, ApplicationSet
   * controller), without the local stand-ins for Redis and a Git host.
   */
  readonly controllersPeakMiB?: number;
  /** No-op refresh, median. */
  readonly refreshS?: number;
  /** Engine: no-op `sync`, median. */
  readonly noopSyncS?: number;
  /** Engine: `status --refresh` runs needed after the sync before every Application read Healthy. */
  readonly extraStatusRuns?: number;
  readonly load: string;
}

const loadavg = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

/**
 * The benchmark's own API calls, retried: on a loaded machine a kept-alive connection that the
 * API server closed meanwhile answers "socket hang up" once.
 */
async function retried<T>(what: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await what();
    } catch (e) {
      if (attempt >= 5) {
        throw e;
      }
      await sleep(1000 * attempt);
    }
  }
}

interface Measurement {
  readonly s: number;
  readonly rssMiB: number;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A child process under /usr/bin/time for its peak RSS; wall time around the spawn. */
function measure(cmd: string, cmdArgs: string[], cwd: string): Measurement {
  const t0 = process.hrtime.bigint();
  const res = spawnSync('/usr/bin/time', ['-f', 'MAXRSS_KB=%M', cmd, ...cmdArgs], { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const s = seconds(t0);
  const m = /MAXRSS_KB=(\d+)/.exec(res.stderr ?? '');
  return { s, rssMiB: m ? Number(m[1]) / 1024 : NaN, code: res.status ?? -1, stdout: res.stdout ?? '', stderr: res.stderr ?? '' };
}

function git(repo: string, ...a: string[]): void {
  execFileSync('git', ['-c', 'user.email=bench@example.test', '-c', 'user.name=bench', ...a], { cwd: repo });
}

/**
 * Writes and commits a case's repository: `manifests/root.yaml` (the Application applied to Argo
 * CD and found by the engine), the objects, and `manifests/warmup` (one ConfigMap, Argo CD's warm-up).
 * `prefix` names the Applications and namespaces of one side in one run.
 */
function writeCase(work: string, which: Case, prefix: string): Layout {
  const repo = path.join(work, prefix);
  const m = path.join(repo, 'manifests');
  fs.mkdirSync(path.join(m, 'warmup'), { recursive: true });
  fs.writeFileSync(path.join(m, 'warmup', 'configmap.yaml'), stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'warmup' }, data: { warm: 'true' } }));
  let layout: Layout;
  if (which === 'single') {
    const name = `${prefix}-single`;
    fs.writeFileSync(path.join(m, 'root.yaml'), stringify(application(name, name, REPO_URL, 'manifests/single', true)));
    fs.mkdirSync(path.join(m, 'single'));
    for (let i = 0; i < total; i++) {
      writeResource(path.join(m, 'single'), i);
    }
    layout = { repo, apps: [name], namespaces: [name], refreshApp: name };
  } else {
    const rootName = `${prefix}-root`;
    fs.writeFileSync(path.join(m, 'root.yaml'), stringify(application(rootName, undefined, REPO_URL, 'manifests/apps', true)));
    fs.mkdirSync(path.join(m, 'apps'));
    const children = Array.from({ length: treeApps }, (_, a) => `${prefix}-${String(a).padStart(2, '0')}`);
    for (const child of children) {
      // Each child in its own namespace, as app-of-apps children usually are.
      fs.writeFileSync(path.join(m, 'apps', `${child}.yaml`), stringify(application(child, child, REPO_URL, `manifests/${child}`, true)));
      fs.mkdirSync(path.join(m, child));
      for (let r = 0; r < treeResources; r++) {
        writeResource(path.join(m, child), r);
      }
    }
    layout = { repo, apps: [rootName, ...children], namespaces: children };
  }
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', `bench ${prefix}`);
  return layout;
}

class Bench {
  private appResource!: ApiResource;

  constructor(
    private readonly cluster: LocalCluster,
    private readonly client: KubeClient,
    private readonly cli: string,
    private readonly work: string,
    private readonly binary: string,
  ) {}

  async init(): Promise<void> {
    const r = await this.client.resourceFor('argoproj.io/v1alpha1', 'Application');
    if (!r) {
      throw new Error('the cluster has no Application CRD (cdk8s-argocd cluster up installs it)');
    }
    this.appResource = r;
  }

  private kubectl(...a: string[]): string {
    return execFileSync('kubectl', [`--kubeconfig=${this.cluster.kubeconfigPath}`, ...a], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  }

  private async applications(): Promise<Map<string, KubeObject>> {
    const apps = await retried(() => this.client.list(this.appResource, 'argocd'));
    return new Map(apps.map((a) => [a.metadata.name!, a]));
  }

  /** Names of `names` not yet Synced and Healthy with a succeeded last operation. */
  private async unsettled(names: string[]): Promise<string[]> {
    const apps = await this.applications();
    return names.filter((n) => {
      const s = (apps.get(n) as any)?.status;
      return !(s?.sync?.status === 'Synced' && s?.health?.status === 'Healthy' && s?.operationState?.phase === 'Succeeded');
    });
  }

  private async waitSettled(names: string[], what: string, argocd?: LocalArgoCd): Promise<void> {
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    for (;;) {
      const left = await this.unsettled(names);
      if (left.length === 0) {
        return;
      }
      if (Date.now() > deadline) {
        const apps = await this.applications();
        const sample = left.slice(0, 3).map((n) => `${n}: ${JSON.stringify((apps.get(n) as any)?.status?.sync ?? {})} ${JSON.stringify((apps.get(n) as any)?.status?.health ?? {})} ${(apps.get(n) as any)?.status?.operationState?.message ?? ''}`);
        throw new Error(`${what}: ${left.length} Application(s) not Synced/Healthy after ${SETTLE_TIMEOUT_MS / 60_000} min:\n${sample.join('\n')}${argocd ? `\n${argocd.logTails(20)}` : ''}`);
      }
      await sleep(250);
    }
  }

  private async createNamespaces(names: string[]): Promise<void> {
    await Promise.all(names.map((name) => retried(() => this.client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } } as KubeObject, 'bench'))));
  }

  /** Deletes the Applications (none has a finalizer), the engine's Leases and the namespaces, and waits for them to go. */
  cleanUp(layout: Layout, extraApps: string[] = [], extraNamespaces: string[] = []): void {
    const apps = [...layout.apps, ...extraApps];
    spawnSync('kubectl', [`--kubeconfig=${this.cluster.kubeconfigPath}`, 'delete', 'applications', '-n', 'argocd', '--ignore-not-found', ...apps]);
    spawnSync('kubectl', [`--kubeconfig=${this.cluster.kubeconfigPath}`, 'delete', 'leases', '-n', 'kube-system', '--ignore-not-found', ...apps.map((a) => `cdk8s-argocd-sync-${a}`)]);
    const ns = spawnSync('kubectl', [`--kubeconfig=${this.cluster.kubeconfigPath}`, 'delete', 'namespace', '--ignore-not-found', '--wait=true', '--timeout=900s', ...layout.namespaces, ...extraNamespaces], { encoding: 'utf8' });
    if (ns.status !== 0) {
      process.stderr.write(`warning: namespaces not deleted in 15 min: ${ns.stderr}\n`);
    }
  }

  /** Argo CD: started fresh on the case's repository, warmed up, then `root.yaml` applied. */
  async argocd(which: Case, prefix: string): Promise<Figures> {
    const layout = writeCase(this.work, which, prefix);
    const warmup = `${prefix}-warmup`;
    let argocd: LocalArgoCd | undefined;
    try {
      await this.createNamespaces([...layout.namespaces, warmup]);
      const t0 = Date.now();
      argocd = await LocalArgoCd.start({
        clusterDir: this.cluster.dir, repository: layout.repo, repoURLs: [REPO_URL], binary: this.binary, log: () => undefined,
      });
      process.stderr.write(`  argocd up: ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
      const warmupApp = application(warmup, warmup, REPO_URL, 'manifests/warmup', true);
      await retried(() => this.client.apply(warmupApp as KubeObject, 'bench', { force: true }));
      await this.waitSettled([warmup], 'Argo CD warm-up', argocd);
      const pids = argocd.state.components.map((c) => ({ name: c.name, pid: c.pid }));
      // Peaks from here: the case alone, not the start-up and warm-up.
      pids.forEach((p) => fs.writeFileSync(`/proc/${p.pid}/clear_refs`, '5'));
      const load = loadavg();
      const start = process.hrtime.bigint();
      this.kubectl('apply', '-f', path.join(layout.repo, 'manifests', 'root.yaml'));
      await this.waitSettled(layout.apps, `Argo CD ${which}`, argocd);
      const settleS = seconds(start);
      let refreshS: number | undefined;
      if (layout.refreshApp) {
        // Let the follow-up refreshes of the sync (Deployments' status updates) pass.
        await sleep(5000);
        const times: number[] = [];
        for (let i = 0; i < refreshes; i++) {
          times.push(await this.argoRefresh(layout.refreshApp));
        }
        refreshS = median(times);
        process.stderr.write(`  Argo CD refresh=normal: ${times.map((t) => t.toFixed(2)).join(', ')} s\n`);
      }
      const perComponent: Record<string, number> = {};
      for (const p of pids) {
        perComponent[p.name] = memoryMiB(p.pid, 'VmHWM');
      }
      const peakMiB = Object.values(perComponent).reduce((a, b) => a + b, 0);
      const controllersPeakMiB = ['argocd-application-controller', 'argocd-repo-server', 'argocd-applicationset-controller'].reduce((a, c) => a + perComponent[c], 0);
      // One multi-call binary: its mapped pages (RssFile) are shared by the five processes, and the sum of peaks counts them five times.
      process.stderr.write(`  Argo CD now (RssAnon/RssFile MiB): ${pids.map((p) => `${p.name} ${f0(memoryMiB(p.pid, 'RssAnon'))}/${f0(memoryMiB(p.pid, 'RssFile'))}`).join(', ')}\n`);
      return { settleS, peakMiB, perComponent, controllersPeakMiB, refreshS, load: `${load} → ${loadavg()}` };
    } finally {
      await argocd?.stop({ log: () => undefined });
      this.cleanUp(layout, [warmup], [warmup]);
    }
  }

  /**
   * Argo CD's refresh of an unchanged Application: `refresh=normal` (latest revision resolved,
   * manifests from the repo-server's cache, compared with the controller's live cache, status
   * written), timed until `status.reconciledAt` advances.
   */
  private async argoRefresh(name: string): Promise<number> {
    const ref = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name, namespace: 'argocd' } };
    // reconciledAt has a resolution of one second: the new one must differ from the last.
    await sleep(1100);
    const before = ((await retried(() => this.client.get(ref))) as any)?.status?.reconciledAt;
    const t0 = process.hrtime.bigint();
    await retried(() => this.client.merge(ref, { metadata: { annotations: { 'argocd.argoproj.io/refresh': 'normal' } } }));
    for (;;) {
      const now = ((await retried(() => this.client.get(ref))) as any)?.status?.reconciledAt;
      if (now && now !== before) {
        return seconds(t0);
      }
      if (seconds(t0) > 300) {
        throw new Error(`Argo CD did not refresh ${name} within 300 s`);
      }
      await sleep(50);
    }
  }

  /** The engine: `sync manifests` in a child process; then the no-op refresh. */
  async engine(which: Case, prefix: string): Promise<Figures> {
    const layout = writeCase(this.work, which, prefix);
    const engine = (...a: string[]) =>
      measure(process.execPath, [this.cli, ...a, '--repo-root', layout.repo, '--kubeconfig', this.cluster.kubeconfigPath], layout.repo);
    try {
      await this.createNamespaces(layout.namespaces);
      const load = loadavg();
      const sync = engine('sync', path.join(layout.repo, 'manifests'));
      if (sync.code !== 0) {
        throw new Error(`engine sync exited ${sync.code}:\n${sync.stdout.slice(-2000)}\n${sync.stderr.slice(-3000)}`);
      }
      let settleS = sync.s;
      let peak = sync.rssMiB;
      // The sync records each Application's health as it left it; one still Progressing (a
      // Deployment not yet observed by its controller) is compared again, as a user would.
      let extraStatusRuns = 0;
      while ((await this.unsettled(layout.apps)).length > 0) {
        if (extraStatusRuns >= 50) {
          throw new Error(`engine: not every Application Synced/Healthy after the sync and 50 status --refresh: ${(await this.unsettled(layout.apps)).join(', ')}`);
        }
        const st = engine('status', '--refresh', path.join(layout.repo, 'manifests'));
        settleS += st.s;
        peak = Math.max(peak, st.rssMiB);
        extraStatusRuns++;
      }
      let refreshS: number | undefined;
      let noopSyncS: number | undefined;
      if (layout.refreshApp) {
        const times: number[] = [];
        for (let i = 0; i < refreshes; i++) {
          const st = engine('status', '--refresh', path.join(layout.repo, 'manifests'), '--app', layout.refreshApp);
          if (st.code !== 0) {
            throw new Error(`engine status --refresh exited ${st.code}:\n${st.stderr.slice(-3000)}`);
          }
          times.push(st.s);
          peak = Math.max(peak, st.rssMiB);
        }
        refreshS = median(times);
        const noop: number[] = [];
        for (let i = 0; i < refreshes; i++) {
          const s = engine('sync', path.join(layout.repo, 'manifests'), '--app', layout.refreshApp);
          if (s.code !== 0) {
            throw new Error(`engine no-op sync exited ${s.code}:\n${s.stderr.slice(-3000)}`);
          }
          noop.push(s.s);
          peak = Math.max(peak, s.rssMiB);
        }
        noopSyncS = median(noop);
        process.stderr.write(`  engine status --refresh: ${times.map((t) => t.toFixed(2)).join(', ')} s; no-op sync: ${noop.map((t) => t.toFixed(2)).join(', ')} s\n`);
      }
      return { settleS, peakMiB: peak, refreshS, noopSyncS, extraStatusRuns, load: `${load} → ${loadavg()}` };
    } finally {
      this.cleanUp(layout);
    }
  }
}

function memoryMiB(pid: number, field: 'VmHWM' | 'VmRSS' | 'RssAnon' | 'RssFile'): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

const f2 = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(2));
const f0 = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(0));
const verdict = (ratio: number, target: number) => (ratio <= target ? 'met' : 'NOT met');

async function main(): Promise<void> {
  const cli = compileEngine(root, out);
  // The cached binary only: a build takes 20-40 minutes and is not the benchmark's business.
  const binary = cachedArgoCdBinaryPath();
  if (!isWorkingArgoCdBinary(binary)) {
    throw new Error(`no cached Argo CD binary at ${binary}: build it first with cdk8s-argocd argocd build (20-40 min)`);
  }
  let cluster = LocalCluster.open(process.env.CDK8S_ARGOCD_CLUSTER_DIR ?? defaultClusterDir(root));
  let started: LocalCluster | undefined;
  if (!cluster || !(await cluster.status()).running) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-argocd-cluster-'));
    process.stderr.write(`starting a local cluster in ${dir}\n`);
    started = cluster = await LocalCluster.start({ dir, log: () => undefined });
  }
  const existing = LocalArgoCd.open(cluster.dir);
  if (existing && (await existing.status({ applications: false })).components.some((c) => c.running)) {
    throw new Error(`Argo CD is running on the cluster in ${cluster.dir}: it would reconcile the engine's Applications too; stop it first (cdk8s-argocd argocd down --dir ${cluster.dir})`);
  }
  const client = await KubeClient.create((await resolveKubeConfig({ kubeconfig: cluster.kubeconfigPath })).config);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-argocd-'));
  const bench = new Bench(cluster, client, cli, work, binary);
  const suffix = Date.now().toString(36).slice(-4);
  const cases: Case[] = only ? [only as Case] : ['single', 'tree'];
  const results: Record<Case, Record<Side, Figures[]>> = { single: { argocd: [], engine: [] }, tree: { argocd: [], engine: [] } };
  try {
    await bench.init();
    console.log(`node ${process.version}, ${os.cpus().length} cpus, load ${loadavg()}, local control plane ${(await cluster.status()).server}`);
    console.log(`Argo CD ${argoCdVersion()} (${binary}), its defaults; ${runs} run(s), medians`);
    console.log(`cases: (a) one Application of ${total} objects; (b) a root with ${treeApps} automated child Applications of ${treeResources} objects each\n`);
    for (let run = 1; run <= runs; run++) {
      // Alternate which side goes first, so a drift of the machine's load spreads over both.
      const order: Side[] = run % 2 === 1 ? ['argocd', 'engine'] : ['engine', 'argocd'];
      for (const which of cases) {
        for (const side of order) {
          const prefix = `ba${suffix}-${run}${side === 'argocd' ? 'a' : 'e'}-${which === 'single' ? 's' : 't'}`;
          process.stderr.write(`run ${run}: ${side}, ${which} (${prefix})\n`);
          const fig = side === 'argocd' ? await bench.argocd(which, prefix) : await bench.engine(which, prefix);
          results[which][side].push(fig);
          process.stderr.write(`  ${JSON.stringify(fig)}\n`);
          console.log(`run ${run} | ${which} | ${side} | Synced/Healthy ${f2(fig.settleS)} s | peak RSS ${f0(fig.peakMiB)} MiB${fig.perComponent ? ` (${Object.entries(fig.perComponent).map(([k, v]) => `${k} ${f0(v)}`).join(', ')})` : ''}` +
            `${fig.refreshS !== undefined ? ` | no-op refresh ${f2(fig.refreshS)} s` : ''}${fig.noopSyncS !== undefined ? ` | no-op sync ${f2(fig.noopSyncS)} s` : ''}` +
            `${fig.extraStatusRuns ? ` | ${fig.extraStatusRuns} status --refresh until Healthy` : ''} | load ${fig.load}`);
        }
      }
    }
    console.log('\n| case | Argo CD | engine | engine/Argo CD | target | verdict |');
    console.log('|---|---:|---:|---:|---|---|');
    const row = (what: string, a: number | undefined, e: number | undefined, unit: string, target?: number) => {
      if (a === undefined || e === undefined) {
        return;
      }
      const ratio = e / a;
      console.log(`| ${what} | ${unit === 's' ? f2(a) : f0(a)} ${unit} | ${unit === 's' ? f2(e) : f0(e)} ${unit} | ${ratio.toFixed(2)}× | ${target !== undefined ? `≤ ${target}×` : '–'} | ${target !== undefined ? verdict(ratio, target) : '–'} |`);
    };
    const med = (which: Case, side: Side, pick: (f: Figures) => number | undefined) => {
      const xs = results[which][side].map(pick).filter((x): x is number => x !== undefined);
      return xs.length ? median(xs) : undefined;
    };
    for (const which of cases) {
      const label = which === 'single' ? `1 Application × ${total} objects` : `root + ${treeApps} Applications × ${treeResources} objects`;
      row(`${label}: time to Synced/Healthy`, med(which, 'argocd', (f) => f.settleS), med(which, 'engine', (f) => f.settleS), 's', TIME_TARGET);
      row(`${label}: peak RSS (Argo CD: sum of its 5 processes)`, med(which, 'argocd', (f) => f.peakMiB), med(which, 'engine', (f) => f.peakMiB), 'MiB', MEMORY_TARGET);
      row(`${label}: peak RSS (Argo CD: controller + repo-server + appset controller)`, med(which, 'argocd', (f) => f.controllersPeakMiB), med(which, 'engine', (f) => f.peakMiB), 'MiB', MEMORY_TARGET);
      if (which === 'single') {
        row(`${label}: no-op refresh (Argo CD refresh=normal vs engine status --refresh)`, med(which, 'argocd', (f) => f.refreshS), med(which, 'engine', (f) => f.refreshS), 's');
        row(`${label}: no-op (Argo CD refresh=normal vs engine no-op sync)`, med(which, 'argocd', (f) => f.refreshS), med(which, 'engine', (f) => f.noopSyncS), 's');
      }
    }
  } finally {
    client.close();
    fs.rmSync(work, { recursive: true, force: true });
    if (started) {
      await started.stop({ purge: true });
    }
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
