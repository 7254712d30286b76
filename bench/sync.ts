/**
 * `npm run bench:sync`: the sync engine against kubectl on the local control plane, same
 * resources, same cluster, same run. 1,000 resources (ConfigMaps, Deployments, Services) in one
 * Application; each side gets its own namespace. Measures cold sync vs `kubectl apply
 * --server-side -f`, no-op re-sync vs the same apply again, and diff vs `kubectl diff
 * --server-side` (no changes, and with 10% of the objects changed), plus peak RSS of each process.
 *
 * The tree case: 50 Applications × 40 resources under one root (`sync <dir>` without --app, the
 * whole tree) against the same 2,000 resources as one Application, cold and no-op re-sync.
 *
 *   npm run bench:sync                       # 1,000 resources, 3 runs of each repeatable case, then the tree case
 *   npm run bench:sync -- --resources 300 --runs 1
 *   npm run bench:sync -- --only tree --tree-apps 50 --tree-resources 40
 *
 * Uses a running local cluster (`cdk8s-argocd cluster up`, or $CDK8S_ARGOCD_CLUSTER_DIR) when
 * there is one, else starts one in a temporary directory and stops it afterwards. The engine
 * runs as compiled JavaScript (tsc into bench/.out), as users run it, not through ts-node.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { compileEngine, configMap, deploymentObj, serviceObj, writeResource } from './fixtures';
import { defaultClusterDir, LocalCluster } from '../src/cluster/local-cluster';

const args = process.argv.slice(2).filter((a) => a !== '--');
function flag(name: string, def: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
}
const total = flag('--resources', 1000);
const runs = flag('--runs', 3);
const treeApps = flag('--tree-apps', 50);
const treeResources = flag('--tree-resources', 40);
/** `--only tree` runs the tree case alone; `--only kubectl` the kubectl comparison alone. */
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const root = path.resolve(__dirname, '..');
const out = path.join(__dirname, '.out');

interface Measurement {
  readonly ms: number;
  readonly rssMiB: number;
  readonly code: number;
  readonly stderr: string;
}

/** Runs a command under /usr/bin/time for its peak RSS; wall time from around the spawn. */
function measure(cmd: string, cmdArgs: string[], env: NodeJS.ProcessEnv = process.env): Measurement {
  const t0 = process.hrtime.bigint();
  const res = spawnSync('/usr/bin/time', ['-f', 'MAXRSS_KB=%M', cmd, ...cmdArgs], { encoding: 'utf8', env, maxBuffer: 256 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const m = /MAXRSS_KB=(\d+)/.exec(res.stderr ?? '');
  return { ms, rssMiB: m ? Number(m[1]) / 1024 : NaN, code: res.status ?? -1, stderr: res.stderr ?? '' };
}

function median(ms: Measurement[]): Measurement {
  return [...ms].sort((a, b) => a.ms - b.ms)[Math.floor(ms.length / 2)];
}

function must(m: Measurement, what: string, okCodes = [0]): Measurement {
  if (!okCodes.includes(m.code)) {
    throw new Error(`${what} exited ${m.code}:\n${m.stderr.slice(-3000)}`);
  }
  return m;
}

function application(name: string, namespace: string | undefined, sourcePath: string, automated: boolean): object {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'argocd' },
    spec: {
      project: 'default',
      destination: { server: 'https://kubernetes.default.svc', ...(namespace ? { namespace } : {}) },
      source: { repoURL: 'https://example.com/bench.git', path: sourcePath },
      ...(automated ? { syncPolicy: { automated: { prune: true } } } : {}),
    },
  };
}

/**
 * The tree case's two layouts of the same `apps × per` resources: one root whose source holds
 * `apps` automated child Applications of `per` resources each (`<dir>/tree`), and one
 * Application holding them all (`<dir>/single`). Each is its own repository.
 */
function writeTreeManifests(dir: string, apps: number, per: number, nsTree: string, nsSingle: string): { tree: string; single: string } {
  const tree = path.join(dir, 'tree');
  const single = path.join(dir, 'single');
  fs.mkdirSync(path.join(tree, 'manifests', 'children'), { recursive: true });
  fs.mkdirSync(path.join(single, 'manifests', 'apps'), { recursive: true });
  fs.mkdirSync(path.join(single, 'manifests', 'all'), { recursive: true });
  fs.writeFileSync(path.join(tree, 'manifests', 'root.yaml'), stringify(application('bench-tree-root', undefined, 'manifests/children', false)));
  fs.writeFileSync(path.join(single, 'manifests', 'apps', 'single.yaml'), stringify(application('bench-single', nsSingle, 'manifests/all', false)));
  for (let a = 0; a < apps; a++) {
    const name = `bench-tree-${String(a).padStart(2, '0')}`;
    // Each child in its own namespace, as app-of-apps children usually are.
    fs.writeFileSync(path.join(tree, 'manifests', 'children', `${name}.yaml`), stringify(application(name, `${nsTree}-${a}`, `manifests/${name}`, true)));
    const appDir = path.join(tree, 'manifests', name);
    fs.mkdirSync(appDir);
    for (let r = 0; r < per; r++) {
      // Numbered across the whole tree, so both layouts hold objects of the same names.
      writeResource(appDir, a * per + r);
      writeResource(path.join(single, 'manifests', 'all'), a * per + r);
    }
  }
  return { tree, single };
}

/** Writes the Application and one file per resource (the committed-directory layout). */
function writeManifests(dir: string, namespace: string, changed = 0): string {
  fs.rmSync(dir, { recursive: true, force: true });
  const appDir = path.join(dir, 'manifests', 'bench');
  fs.mkdirSync(appDir, { recursive: true });
  fs.mkdirSync(path.join(dir, 'manifests', 'apps'));
  fs.writeFileSync(path.join(dir, 'manifests', 'apps', 'bench.yaml'), stringify({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'bench', namespace: 'argocd' },
    spec: { project: 'default', destination: { server: 'https://kubernetes.default.svc', namespace }, source: { repoURL: 'https://example.com/bench.git', path: 'manifests/bench' } },
  }));
  const per = Math.ceil(total / 3);
  let n = 0;
  for (let i = 0; i < per && n < total; i++) {
    const variant = i < changed / 2 ? 1 : 0;
    for (const [kind, obj] of [['configmap', configMap(i, variant)], ['deployment', deploymentObj(i, variant)], ['service', serviceObj(i)]] as const) {
      if (n++ < total) {
        fs.writeFileSync(path.join(appDir, `${kind}-${i}.yaml`), stringify(obj));
      }
    }
  }
  return appDir;
}

async function main(): Promise<void> {
  // Compile the engine as users run it.
  const cli = compileEngine(root, out);

  let cluster = LocalCluster.open(defaultClusterDir(root));
  let started: LocalCluster | undefined;
  if (!cluster || !(await cluster.status()).running) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sync-cluster-'));
    process.stderr.write(`starting a local cluster in ${dir}\n`);
    started = cluster = await LocalCluster.start({ dir, log: () => undefined });
  }
  const kubeconfig = cluster.kubeconfigPath;
  const suffix = Date.now().toString(36);
  const nsK = `bench-kubectl-${suffix}`;
  const nsE = `bench-engine-${suffix}`;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sync-'));
  const kubectl = (...a: string[]) => measure('kubectl', [`--kubeconfig=${kubeconfig}`, ...a]);
  const engine = (...a: string[]) => measure(process.execPath, [cli, ...a, path.join(work, 'manifests'), '--app', 'bench', '--repo-root', work, '--kubeconfig', kubeconfig]);
  const nsTree = `bench-tree-${suffix}`;
  const nsSingle = `bench-single-${suffix}`;
  try {
    const server = (await cluster.status()).server;
    console.log(`node ${process.version}, ${os.cpus().length} cpus, local control plane ${server}; ${runs} run(s) of repeatable cases (median)\n`);
    if (only !== 'tree') {
      execFileSync('kubectl', [`--kubeconfig=${kubeconfig}`, 'create', 'namespace', nsK]);
      execFileSync('kubectl', [`--kubeconfig=${kubeconfig}`, 'create', 'namespace', nsE]);
      compareWithKubectl(kubectl, engine, work, nsK, nsE);
    }
    if (only !== 'kubectl') {
      treeCase(kubeconfig, cli, work, nsTree, nsSingle);
    }
  } finally {
    const treeNamespaces = Array.from({ length: treeApps }, (_, a) => `${nsTree}-${a}`);
    spawnSync('kubectl', [`--kubeconfig=${kubeconfig}`, 'delete', 'namespace', nsK, nsE, nsSingle, ...treeNamespaces, '--wait=false', '--ignore-not-found']);
    const leases = ['bench', 'bench-single', 'bench-tree-root', ...Array.from({ length: treeApps }, (_, a) => `bench-tree-${String(a).padStart(2, '0')}`)];
    spawnSync('kubectl', [`--kubeconfig=${kubeconfig}`, 'delete', 'lease', '-n', 'kube-system', ...leases.map((l) => `cdk8s-argocd-sync-${l}`), '--ignore-not-found']);
    spawnSync('kubectl', [`--kubeconfig=${kubeconfig}`, 'delete', 'applications', '-n', 'argocd', ...leases.slice(1), '--ignore-not-found']);
    fs.rmSync(work, { recursive: true, force: true });
    if (started) {
      await started.stop({ purge: true });
    }
  }
}

type Runner = (...a: string[]) => Measurement;

/** The engine against kubectl: cold, no-op, diff without and with changes. */
function compareWithKubectl(kubectl: Runner, engine: Runner, work: string, nsK: string, nsE: string): void {
  const appDir = writeManifests(work, nsE);
  console.log(`### ${total} resources in one Application, engine vs kubectl\n`);
  const kCold = must(kubectl('apply', '--server-side', '--field-manager=bench', '-n', nsK, '-f', appDir), 'kubectl apply (cold)');
  const eCold = must(engine('sync'), 'engine sync (cold)');
  const kNoop = median(Array.from({ length: runs }, () => must(kubectl('apply', '--server-side', '--field-manager=bench', '-n', nsK, '-f', appDir), 'kubectl apply (no-op)')));
  const eNoop = median(Array.from({ length: runs }, () => must(engine('sync'), 'engine sync (no-op)')));
  const kDiff = median(Array.from({ length: runs }, () => must(kubectl('diff', '--server-side', '--field-manager=bench', '-n', nsK, '-f', appDir), 'kubectl diff', [0])));
  const eDiff = median(Array.from({ length: runs }, () => must(engine('diff'), 'engine diff', [0])));
  const changed = Math.round(total / 10);
  writeManifests(work, nsE, changed);
  const kDiffC = median(Array.from({ length: runs }, () => must(kubectl('diff', '--server-side', '--field-manager=bench', '-n', nsK, '-f', appDir), 'kubectl diff (changes)', [1])));
  const eDiffC = median(Array.from({ length: runs }, () => must(engine('diff'), 'engine diff (changes)', [1])));

  const row = (what: string, k: Measurement, e: Measurement, target: string) =>
    console.log(`| ${what} | ${(k.ms / 1000).toFixed(2)} s | ${(e.ms / 1000).toFixed(2)} s | ${(e.ms / k.ms).toFixed(2)}× (kubectl/engine ${(k.ms / e.ms).toFixed(1)}×) | ${target} | ${k.rssMiB.toFixed(0)} MiB | ${e.rssMiB.toFixed(0)} MiB |`);
  console.log('| case | kubectl | engine | engine/kubectl | target | kubectl peak RSS | engine peak RSS |');
  console.log('|---|---:|---:|---:|---|---:|---:|');
  row('cold sync vs `kubectl apply --server-side`', kCold, eCold, '≤ 1.0×');
  row('no-op re-sync vs `kubectl apply --server-side`', kNoop, eNoop, '≥ 5× faster (≤ 0.2×)');
  row('diff, no changes, vs `kubectl diff --server-side`', kDiff, eDiff, '≤ 0.5×');
  row(`diff, ${changed} changed, vs \`kubectl diff --server-side\``, kDiffC, eDiffC, '≤ 0.5×');
  const peak = Math.max(eCold.rssMiB, eNoop.rssMiB, eDiff.rssMiB, eDiffC.rssMiB);
  console.log(`\nengine peak RSS over all cases: ${peak.toFixed(0)} MiB (target ≤ 256 MiB)\n`);
}

/**
 * The whole tree (`sync <dir>`, root + children) against the same resources as one Application
 * (`sync <dir> --app bench-single`): cold, then no-op re-syncs. Needs Argo CD's Application CRD
 * (the shipped crds/, applied when missing) so each Application's status is recorded.
 */
function treeCase(kubeconfig: string, cli: string, work: string, nsTree: string, nsSingle: string): void {
  const k = (...a: string[]) => execFileSync('kubectl', [`--kubeconfig=${kubeconfig}`, ...a], { encoding: 'utf8' });
  k('apply', '--server-side', '-f', path.join(root, 'crds'));
  k('wait', '--for=condition=Established', 'crd/applications.argoproj.io');
  spawnSync('kubectl', [`--kubeconfig=${kubeconfig}`, 'create', 'namespace', 'argocd']);
  for (let a = 0; a < treeApps; a++) {
    k('create', 'namespace', `${nsTree}-${a}`);
  }
  k('create', 'namespace', nsSingle);
  const { tree, single } = writeTreeManifests(work, treeApps, treeResources, nsTree, nsSingle);
  const sync = (repo: string, ...a: string[]) => measure(process.execPath, [cli, 'sync', path.join(repo, 'manifests'), ...a, '--repo-root', repo, '--kubeconfig', kubeconfig]);
  const n = treeApps * treeResources;
  console.log(`### tree: ${treeApps} Applications × ${treeResources} resources under one root vs the same ${n} resources in one Application\n`);
  const sCold = must(sync(single, '--app', 'bench-single'), 'single Application sync (cold)');
  const tCold = must(sync(tree), 'tree sync (cold)');
  const sNoop = median(Array.from({ length: runs }, () => must(sync(single, '--app', 'bench-single'), 'single Application sync (no-op)')));
  const tNoop = median(Array.from({ length: runs }, () => must(sync(tree), 'tree sync (no-op)')));
  const row = (what: string, s: Measurement, t: Measurement, target: string) =>
    console.log(`| ${what} | ${(s.ms / 1000).toFixed(2)} s | ${(t.ms / 1000).toFixed(2)} s | ${(t.ms / s.ms).toFixed(2)}× | ${target} | ${s.rssMiB.toFixed(0)} MiB | ${t.rssMiB.toFixed(0)} MiB |`);
  console.log('| case | one Application | tree | tree/one | target | one peak RSS | tree peak RSS |');
  console.log('|---|---:|---:|---:|---|---:|---:|');
  row('cold sync', sCold, tCold, 'tree ≤ 1.3× one');
  row('no-op re-sync', sNoop, tNoop, 'tree ≤ 3 s');
  console.log(`\ntree peak RSS: ${Math.max(tCold.rssMiB, tNoop.rssMiB).toFixed(0)} MiB (target ≤ 256 MiB)`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
