/**
 * `npm run bench:watch`: `cdk8s-argocd watch` idle on an app-of-apps tree of 50 Applications × 40
 * resources (ConfigMaps, Deployments with 0 replicas, headless Services; each child automated with
 * prune and selfHeal) in a temporary Git repository, on the local control plane:
 *
 *   - CPU seconds per minute while idle (utime+stime of the process from /proc, over
 *     --idle-seconds, which includes the periodic full refreshes of --refresh-interval);
 *   - peak RSS (VmHWM) over the whole run, the first sync of the 2,000 objects included (target ≤ 256 MiB);
 *   - drift-to-revert latency: `spec.replicas` of a tracked Deployment patched, then polled until
 *     it is back, against Argo CD v3's self-heal delay (0 s for the first heal after a sync, then
 *     2 s, 6 s … counted from the previous heal's end; target: within 2 s of it).
 *
 *   npm run bench:watch
 *   npm run bench:watch -- --apps 50 --resources 40 --idle-seconds 180 --refresh-interval 180 --drifts 5
 *
 * Uses a running local cluster ($CDK8S_ARGOCD_CLUSTER_DIR, else the default one) when there is
 * one, else starts one in a temporary directory and stops it afterwards. The engine runs as
 * compiled JavaScript (tsc into bench/.out), as users run it.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { compileEngine } from './fixtures';
import { defaultClusterDir, LocalCluster } from '../src/cluster/local-cluster';
import { KubeClient } from '../src/engine/kube/client';
import { resolveKubeConfig } from '../src/engine/kube/kubeconfig';
import { DEFAULT_SELF_HEAL_BACKOFF, selfHealAttempts, selfHealRemainingMs } from '../src/engine/tree/self-heal';

const args = process.argv.slice(2).filter((a) => a !== '--');
function flag(name: string, def: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
}
const apps = flag('--apps', 50);
const per = flag('--resources', 40);
const idleSeconds = flag('--idle-seconds', 180);
const refreshInterval = flag('--refresh-interval', 180);
const drifts = flag('--drifts', 5);
const root = path.resolve(__dirname, '..');
const out = path.join(__dirname, '.out');
const CLK_TCK = 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of /proc/PID/stat (here, after "pid (comm) ", at 11 and 12).
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

function memoryMiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function resource(i: number): [string, object] {
  const n = Math.floor(i / 3);
  switch (i % 3) {
    case 0:
      return [`configmap-${n}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${n}` }, data: { 'LOG_LEVEL': 'info', 'config.json': JSON.stringify({ id: n }) } }];
    case 1:
      return [`deployment-${n}`, {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: `web-${n}` },
        spec: {
          // replicas 0: the watcher's cost, not kwok scheduling thousands of pods on 2 cores.
          replicas: 0,
          selector: { matchLabels: { app: `web-${n}` } },
          template: { metadata: { labels: { app: `web-${n}` } }, spec: { containers: [{ name: 'main', image: 'registry.example.com/web:1.0' }] } },
        },
      }];
    default:
      // Headless: the local cluster's service CIDR is a /24.
      return [`service-${n}`, { apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${n}` }, spec: { clusterIP: 'None', selector: { app: `web-${n}` }, ports: [{ port: 80 }] } }];
  }
}

function application(name: string, namespace: string | undefined, sourcePath: string): object {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'argocd' },
    spec: {
      project: 'default',
      destination: { server: 'https://kubernetes.default.svc', ...(namespace ? { namespace } : {}) },
      source: { repoURL: 'https://example.com/bench-watch.git', path: sourcePath, targetRevision: 'HEAD' },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    },
  };
}

function writeRepo(dir: string, ns: (a: number) => string): void {
  fs.mkdirSync(path.join(dir, 'manifests', 'apps'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'manifests', 'root.yaml'), stringify(application('bench-watch-root', undefined, 'manifests/apps')));
  for (let a = 0; a < apps; a++) {
    const name = `bench-watch-${String(a).padStart(2, '0')}`;
    fs.writeFileSync(path.join(dir, 'manifests', 'apps', `${name}.yaml`), stringify(application(name, ns(a), `manifests/${name}`)));
    fs.mkdirSync(path.join(dir, 'manifests', name));
    for (let r = 0; r < per; r++) {
      const [file, obj] = resource(r);
      fs.writeFileSync(path.join(dir, 'manifests', name, `${file}.yaml`), stringify(obj));
    }
  }
  const git = (...a: string[]) => execFileSync('git', ['-c', 'user.email=bench@example.com', '-c', 'user.name=bench', ...a], { cwd: dir });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'bench');
}

async function metrics(port: number): Promise<string> {
  try {
    return await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  } catch {
    return '';
  }
}

async function main(): Promise<void> {
  // Compile the engine as users run it.
  const cli = compileEngine(root, out);

  let cluster = LocalCluster.open(process.env.CDK8S_ARGOCD_CLUSTER_DIR ?? defaultClusterDir(root));
  let started: LocalCluster | undefined;
  if (!cluster || !(await cluster.status()).running) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-watch-cluster-'));
    process.stderr.write(`starting a local cluster in ${dir}\n`);
    started = cluster = await LocalCluster.start({ dir, log: () => undefined });
  }
  const kubeconfig = cluster.kubeconfigPath;
  const k = (...a: string[]) => execFileSync('kubectl', [`--kubeconfig=${kubeconfig}`, ...a], { encoding: 'utf8' });
  const suffix = Date.now().toString(36);
  const ns = (a: number) => `bench-watch-${suffix}-${a}`;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-watch-'));
  const client = await KubeClient.create((await resolveKubeConfig({ kubeconfig })).config);
  let watch: ChildProcess | undefined;
  let log = '';
  try {
    k('apply', '--server-side', '-f', path.join(root, 'crds'));
    k('wait', '--for=condition=Established', 'crd/applications.argoproj.io');
    spawnSync('kubectl', [`--kubeconfig=${kubeconfig}`, 'create', 'namespace', 'argocd']);
    for (let a = 0; a < apps; a++) {
      k('create', 'namespace', ns(a));
    }
    writeRepo(work, ns);
    const port = 20000 + Math.floor(Math.random() * 20000);
    console.log(`node ${process.version}, ${os.cpus().length} cpus, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, local control plane ${(await cluster.status()).server}`);
    console.log(`watch on ${apps} Applications × ${per} resources (${apps * per} objects) under one root; --refresh-interval ${refreshInterval}\n`);
    const t0 = Date.now();
    watch = spawn(process.execPath, [cli, 'watch', 'manifests', '--kubeconfig', kubeconfig, '--refresh-interval', String(refreshInterval), '--metrics-addr', `127.0.0.1:${port}`],
      { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });
    watch.stderr!.setEncoding('utf8').on('data', (d: string) => (log += d));
    const pid = watch.pid!;
    // Settled: every Application Synced and Healthy, as argocd_app_info says.
    for (;;) {
      if (watch.exitCode !== null) {
        throw new Error(`watch exited ${watch.exitCode}:\n${log.slice(-3000)}`);
      }
      const text = await metrics(port);
      const settled = text.split('\n').filter((l) => l.startsWith('argocd_app_info{') && l.includes('sync_status="Synced"') && l.includes('health_status="Healthy"')).length;
      if (settled === apps + 1 && !/operation="sync"/.test(text)) {
        break;
      }
      if (Date.now() - t0 > 900_000) {
        throw new Error(`not settled after 15 minutes (${settled}/${apps + 1}):\n${log.slice(-3000)}`);
      }
      await sleep(1000);
    }
    const firstSync = (Date.now() - t0) / 1000;
    const firstSyncPeak = memoryMiB(pid, 'VmHWM');
    // Let the follow-up refreshes of the first sync (its own writes seen by the watches) pass.
    await sleep(5000);
    const cpu0 = cpuSeconds(pid);
    const i0 = Date.now();
    const logBefore = log.length;
    const rss: number[] = [];
    while (Date.now() - i0 < idleSeconds * 1000) {
      await sleep(1000);
      rss.push(memoryMiB(pid, 'VmRSS'));
    }
    const idleCpu = cpuSeconds(pid) - cpu0;
    const perMinute = idleCpu / ((Date.now() - i0) / 60_000);
    console.log(`first sync of the tree: ${firstSync.toFixed(1)} s, peak RSS by then ${firstSyncPeak.toFixed(0)} MiB`);
    const idleLog = log.slice(logBefore);
    const periodic = (idleLog.match(/event=refresh reason="periodic/g) ?? []).length;
    const others = (idleLog.match(/event=refresh reason=/g) ?? []).length - periodic;
    const syncs = (idleLog.match(/event=sync-started/g) ?? []).length;
    console.log(`idle ${idleSeconds} s: ${idleCpu.toFixed(2)} CPU s (${perMinute.toFixed(2)} CPU s per minute); RSS while idle ${Math.min(...rss).toFixed(0)}–${Math.max(...rss).toFixed(0)} MiB`);
    console.log(`  in the idle window: ${periodic} periodic full refresh(es) of all ${apps + 1} Applications, ${others} other refresh(es), ${syncs} sync(s)`);

    // Drift → revert, against Argo CD's self-heal delay for that very drift: the backoff step for
    // the Application's `autoHealAttemptsCount`, counted from its last operation's end (0 s for the
    // first heal since its sync). The first drifts hit Applications synced long ago; then the same
    // Application is drifted again right after its heal, which Argo CD delays by 2 s, then 6 s.
    const rows: string[] = [];
    const trial = async (a: number, what: string) => {
      const app = await client.get({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: `bench-watch-${String(a).padStart(2, '0')}`, namespace: 'argocd' } });
      const op = app?.status?.operationState;
      const ref = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web-0', namespace: ns(a) } };
      await client.merge(ref, { spec: { replicas: 3 } });
      const changed = Date.now();
      const attempts = selfHealAttempts(DEFAULT_SELF_HEAL_BACKOFF, op, app?.status?.sync?.status, changed);
      const argoDelay = Math.max(0, selfHealRemainingMs(DEFAULT_SELF_HEAL_BACKOFF, op, attempts, changed)) / 1000;
      for (;;) {
        const live = await client.get(ref);
        if (live?.spec?.replicas === 0) {
          break;
        }
        if (Date.now() - changed > 120_000) {
          throw new Error(`not reverted after 120 s:\n${log.slice(-3000)}`);
        }
        await sleep(25);
      }
      const latency = (Date.now() - changed) / 1000;
      rows.push(`| ${what} (heal ${attempts + 1}) | ${argoDelay.toFixed(2)} s | ${latency.toFixed(2)} s | ${(latency - argoDelay).toFixed(2)} s | ${latency - argoDelay <= 2 ? 'met' : 'MISSED'} |`);
    };
    for (let d = 0; d < drifts; d++) {
      await trial((d * 7) % apps, `Application ${(d * 7) % apps}, synced long ago`);
      await sleep(1000);
    }
    // Wait until the heal is recorded, then drift again at once (twice).
    for (const again of ['again', 'a third time']) {
      await sleep(1500);
      await trial(0, `Application 0 ${again}, right after its heal`);
    }
    console.log('\n| drift | Argo CD v3 self-heal delay for it | change → revert | over Argo CD | within 2 s |');
    console.log('|---|---:|---:|---:|---|');
    rows.forEach((r) => console.log(r));
    console.log(`\npeak RSS (VmHWM, whole run incl. the first sync): ${memoryMiB(pid, 'VmHWM').toFixed(0)} MiB (target ≤ 256 MiB)`);
    watch.kill('SIGINT');
    const code = await new Promise<number | null>((r) => watch!.on('exit', (c) => r(c)));
    console.log(`SIGINT: watch exited ${code}`);
  } finally {
    if (watch && watch.exitCode === null) {
      watch.kill('SIGKILL');
    }
    client.close();
    spawnSync('kubectl', [`--kubeconfig=${kubeconfig}`, 'delete', 'applications', '-n', 'argocd', '--wait=false', ...['bench-watch-root', ...Array.from({ length: apps }, (_, a) => `bench-watch-${String(a).padStart(2, '0')}`)]]);
    spawnSync('kubectl', [`--kubeconfig=${kubeconfig}`, 'delete', 'namespace', '--wait=false', ...Array.from({ length: apps }, (_, a) => ns(a))]);
    fs.rmSync(work, { recursive: true, force: true });
    if (started) {
      await started.stop();
    }
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
