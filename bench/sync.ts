/**
 * `npm run bench:sync`: the sync engine against kubectl on the local control plane, same
 * resources, same cluster, same run. 1,000 resources (ConfigMaps, Deployments, Services) in one
 * Application; each side gets its own namespace. Measures cold sync vs `kubectl apply
 * --server-side -f`, no-op re-sync vs the same apply again, and diff vs `kubectl diff
 * --server-side` (no changes, and with 10% of the objects changed), plus peak RSS of each process.
 *
 *   npm run bench:sync                       # 1,000 resources, 3 runs of each repeatable case
 *   npm run bench:sync -- --resources 300 --runs 1
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
import { defaultClusterDir, LocalCluster } from '../src/cluster/local-cluster';

const args = process.argv.slice(2).filter((a) => a !== '--');
function flag(name: string, def: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
}
const total = flag('--resources', 1000);
const runs = flag('--runs', 3);
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

function configMap(i: number, variant = 0): object {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, labels: { app: `svc-${i}` } }, data: { 'LOG_LEVEL': variant ? 'debug' : 'info', 'FEATURE_X': 'true', 'config.json': JSON.stringify({ id: i, replicas: 1, tags: ['a', 'b'] }) } };
}

function deploymentObj(i: number, variant = 0): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `web-${i}`, labels: { app: `web-${i}` } },
    spec: {
      // replicas 0: measure the apply path, not kwok scheduling hundreds of pods on 2 cores.
      replicas: 0,
      selector: { matchLabels: { app: `web-${i}` } },
      template: {
        metadata: { labels: { app: `web-${i}` } },
        spec: {
          containers: [{
            name: 'main',
            image: `registry.example.com/web:${variant ? '1.1' : '1.0'}`,
            ports: [{ containerPort: 8080 }],
            env: [{ name: 'INDEX', value: String(i) }],
            resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
          }],
        },
      },
    },
  };
}

function serviceObj(i: number): object {
  // Headless: the local cluster's service CIDR is a /24, too small for hundreds of ClusterIPs per side.
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `svc-${i}` },
    spec: { clusterIP: 'None', selector: { app: `web-${i}` }, ports: [{ port: 80, targetPort: 8080 }] },
  };
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
  fs.mkdirSync(out, { recursive: true });
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json'), '--outDir', path.join(out, 'lib'),
    '--noEmitOnError', 'false', '--declaration', 'false', '--inlineSourceMap', 'false', '--inlineSources', 'false'], { encoding: 'utf8' });
  const cli = path.join(out, 'lib', 'cli', 'main.js');
  if (!fs.existsSync(cli)) {
    throw new Error(`compiling the engine failed:\n${tsc.stdout}${tsc.stderr}`);
  }
  fs.copyFileSync(path.join(root, 'package.json'), path.join(out, 'package.json'));

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
  try {
    execFileSync('kubectl', [`--kubeconfig=${kubeconfig}`, 'create', 'namespace', nsK]);
    execFileSync('kubectl', [`--kubeconfig=${kubeconfig}`, 'create', 'namespace', nsE]);
    const appDir = writeManifests(work, nsE);
    const server = (await cluster.status()).server;
    console.log(`node ${process.version}, ${os.cpus().length} cpus, ${total} resources, local control plane ${server}; ${runs} run(s) of repeatable cases (median)\n`);

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
    console.log(`\nengine peak RSS over all cases: ${peak.toFixed(0)} MiB (target ≤ 256 MiB)`);
  } finally {
    spawnSync('kubectl', [`--kubeconfig=${kubeconfig}`, 'delete', 'namespace', nsK, nsE, '--wait=false']);
    spawnSync('kubectl', [`--kubeconfig=${kubeconfig}`, 'delete', 'lease', '-n', 'kube-system', 'cdk8s-argocd-sync-bench', '--ignore-not-found']);
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
