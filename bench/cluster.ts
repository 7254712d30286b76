/**
 * Local control plane benchmark: how long a cached start takes, how long a
 * restart and a stop take, and how much disk the binaries and Go caches use.
 * With --cold, first measures a first build from empty Go caches (module
 * download + compile), in temporary directories it deletes afterwards.
 *
 *   npx ts-node --transpile-only bench/cluster.ts              # 3 cached starts
 *   npx ts-node --transpile-only bench/cluster.ts --runs 5 --cold
 *   npx ts-node --transpile-only bench/cluster.ts --metrics-only --runs 3
 *
 * Every run also measures what the metrics-server costs: fresh starts with and without it
 * (alternating, same binary), time to ready and the resident memory (VmRSS) of each component
 * 20 s after ready (the metrics-server has scraped twice by then). --metrics-only runs just that.
 *
 * Prints a markdown table (the figures in BENCHMARKS.md, "Local control plane").
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ensureClusterBinary } from '../src/cluster/build';
import { LocalCluster } from '../src/cluster/local-cluster';

const args = process.argv.slice(2).filter((a) => a !== '--');
const runsIndex = args.indexOf('--runs');
const runs = runsIndex >= 0 ? Number(args[runsIndex + 1]) : 3;
const cold = args.includes('--cold');
const metricsOnly = args.includes('--metrics-only');
const quiet = () => undefined;

function du(p: string): string {
  if (!fs.existsSync(p)) {
    return 'n/a';
  }
  return execFileSync('du', ['-sh', p], { encoding: 'utf8' }).split('\t')[0];
}

function goEnv(name: string): string {
  return execFileSync('go', ['env', name], { encoding: 'utf8' }).trim();
}

/** VmRSS of a process in MiB (0 when it is gone). */
function rssMiB(pid: number | undefined): number {
  if (!pid) {
    return 0;
  }
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Fresh starts with and without the metrics-server: time to ready and RSS per component. */
async function metricsServerCost(rows: string[][]): Promise<void> {
  const ready: Record<string, number[]> = { with: [], without: [] };
  const rss: Record<string, Record<string, number[]>> = { with: {}, without: {} };
  for (let i = 0; i < runs; i++) {
    const order: Array<'with' | 'without'> = i % 2 === 0 ? ['with', 'without'] : ['without', 'with'];
    for (const mode of order) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cluster-metrics-'));
      try {
        const t = Date.now();
        const c = await LocalCluster.start({ dir, log: quiet, metricsServer: mode === 'with' });
        ready[mode].push((Date.now() - t) / 1000);
        await new Promise((r) => setTimeout(r, 20_000));
        let total = 0;
        for (const comp of c.state.components) {
          const mib = rssMiB(c.pidOf(comp.name));
          (rss[mode][comp.name] ??= []).push(mib);
          total += mib;
        }
        (rss[mode].total ??= []).push(total);
        await c.stop({ purge: true, log: quiet });
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  const s = (xs: number[]) => `${median(xs).toFixed(1)} s (runs: ${xs.map((x) => x.toFixed(1)).join(', ')})`;
  const m = (xs: number[] | undefined) => (xs ? `${median(xs).toFixed(0)} MiB` : 'n/a');
  rows.push([`metrics-server: fresh start to ready, with / without (median of ${runs}, alternating)`, `${s(ready.with)} / ${s(ready.without)}`]);
  rows.push(['metrics-server: extra time to ready (median difference)', `${(median(ready.with) - median(ready.without)).toFixed(1)} s`]);
  rows.push(['metrics-server: RSS of all components 20 s after ready, with / without', `${m(rss.with.total)} / ${m(rss.without.total)}`]);
  rows.push(['  of which the metrics-server process', m(rss.with['metrics-server'])]);
  rows.push(['  kwok (serves the simulated kubelet metrics), with / without', `${m(rss.with.kwok)} / ${m(rss.without.kwok)}`]);
  rows.push(['  kube-apiserver (aggregation layer), with / without', `${m(rss.with['kube-apiserver'])} / ${m(rss.without['kube-apiserver'])}`]);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const rows: string[][] = [];
  const env = `${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)} at start`;
  if (metricsOnly) {
    await metricsServerCost(rows);
    printRows(env, rows);
    return;
  }

  if (cold) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cluster-cold-'));
    const saved = { GOMODCACHE: process.env.GOMODCACHE, GOCACHE: process.env.GOCACHE };
    process.env.GOMODCACHE = path.join(tmp, 'gomod');
    process.env.GOCACHE = path.join(tmp, 'gocache');
    try {
      const r = await ensureClusterBinary({ cacheRoot: path.join(tmp, 'bin'), force: true, log: (m) => process.stderr.write(`${m}\n`) });
      rows.push(['first build (empty GOMODCACHE and GOCACHE)', `${Math.round(r.seconds)} s`]);
      rows.push(['  Go module cache it fills', du(process.env.GOMODCACHE)]);
      rows.push(['  Go build cache it fills', du(process.env.GOCACHE)]);
    } finally {
      process.env.GOMODCACHE = saved.GOMODCACHE;
      process.env.GOCACHE = saved.GOCACHE;
      execFileSync('chmod', ['-R', 'u+w', tmp]); // the module cache is read-only
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }

  const cached = await ensureClusterBinary({ log: quiet });
  if (cached.built) {
    rows.push(['build (cache was empty)', `${Math.round(cached.seconds)} s`]);
  }
  const again = await ensureClusterBinary({ log: quiet });
  rows.push(['cache lookup (binary already built)', `${(again.seconds * 1000).toFixed(0)} ms`]);
  rows.push(['binary size (`k8s-local`, all six components)', du(again.binary)]);

  const starts: number[] = [];
  const restarts: number[] = [];
  const stops: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cluster-'));
    try {
      let t = Date.now();
      const c = await LocalCluster.start({ dir, log: quiet });
      starts.push((Date.now() - t) / 1000);
      t = Date.now();
      await c.stop({ log: quiet });
      stops.push((Date.now() - t) / 1000);
      t = Date.now();
      const c2 = await LocalCluster.start({ dir, log: quiet });
      restarts.push((Date.now() - t) / 1000);
      await c2.stop({ purge: true, log: quiet });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const fmt = (xs: number[]) => `${median(xs).toFixed(1)} s (runs: ${xs.map((x) => x.toFixed(1)).join(', ')})`;
  rows.push([`cached start, fresh state dir, to ready (median of ${runs})`, fmt(starts)]);
  rows.push(['restart on existing state dir, to ready', fmt(restarts)]);
  rows.push(['`cluster down` (graceful)', fmt(stops)]);
  rows.push(['Go module cache (GOMODCACHE, shared with other Go work)', du(goEnv('GOMODCACHE'))]);
  rows.push(['Go build cache (GOCACHE, shared with other Go work)', du(goEnv('GOCACHE'))]);
  await metricsServerCost(rows);
  printRows(env, rows);
}

function printRows(env: string, rows: string[][]): void {
  process.stdout.write(`Machine: ${env}, load average ${os.loadavg()[0].toFixed(1)} at the end\n\n| measurement | value |\n| --- | --- |\n`);
  for (const [k, v] of rows) {
    process.stdout.write(`| ${k} | ${v} |\n`);
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
