/**
 * `npm run demo` (after `npm run synth`, which the task runs first): starts the local control
 * plane, syncs the whole tree of each example that has one — examples/app-of-apps,
 * examples/platform-waves and examples/environments — from this checkout, then prints `list`.
 * Every step is the CLI's own command (`cluster up`, `sync`, `list`), run in this process, so the
 * demo shows exactly what a user gets. Re-running it re-syncs: nothing is created and no
 * workload is rewritten.
 *
 * One thing is simulated, and the demo says so: the local cluster runs no containers, so no
 * External Secrets or KEDA operator reports its objects Ready, and the waves after them would wait
 * for ever (as with Argo CD). scripts/simulated-operators.ts writes that status while the trees
 * sync, and prints each write.
 *
 * Options: `--dir <state-dir>` (default: the CLI's, this repository's per-user state dir), `--timeout <s>`
 * for each sync (default 60).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments, stringify } from 'yaml';
import { simulateOperators } from './simulated-operators';
import { run } from '../src/cli/main';
import { defaultClusterDir } from '../src/cluster/local-cluster';
import { FIELD_MANAGER } from '../src/engine/annotations';
import { KubeClient } from '../src/engine/kube/client';
import { resolveKubeConfig } from '../src/engine/kube/kubeconfig';

const repoRoot = path.resolve(__dirname, '..');

/** The example trees, in the order they are synced. */
export const DEMO_TREES = ['examples/app-of-apps', 'examples/platform-waves', 'examples/environments'];

/**
 * examples/app-of-apps deploys a KEDA ScaledObject, and no example installs KEDA: a cluster that
 * runs that example has KEDA already. The demo installs only its CRD (a schema-less stub, the one
 * the e2e tests use), so the object can be applied; no KEDA operator runs. External Secrets' CRDs
 * are not stubbed: examples/platform-waves installs them itself, with the operator's Helm chart
 * (vendored in the example, so this works offline).
 */
const PREREQUISITE_CRDS = ['test/fixtures/third-party-crds/keda-scaledobject.yaml'];

export interface DemoOptions {
  /** The local cluster's state dir. */
  readonly dir?: string;
  /** `--timeout` of each sync, in seconds. */
  readonly timeoutSeconds?: number;
}

function say(message: string): void {
  process.stderr.write(`\n==> ${message}\n`);
}

/** Runs one CLI command in this process; its exit code. */
async function cli(...args: string[]): Promise<number> {
  const code = await run(['node', 'cdk8s-argocd', ...args]);
  process.exitCode = undefined;
  return code;
}

/** Applies the prerequisite CRDs and waits until the API server serves them. */
async function installPrerequisiteCrds(kubeconfig: string): Promise<void> {
  const client = await KubeClient.create((await resolveKubeConfig({ kubeconfig })).config);
  try {
    for (const file of PREREQUISITE_CRDS) {
      for (const doc of parseAllDocuments(fs.readFileSync(path.join(repoRoot, file), 'utf8'))) {
        const crd = doc.toJS();
        await client.apply(crd, FIELD_MANAGER, { force: true });
        process.stderr.write(`CustomResourceDefinition ${crd.metadata.name} applied from ${file}\n`);
        const established = async () => ((await client.get(crd))?.status?.conditions ?? [])
          .some((c: { type: string; status: string }) => c.type === 'Established' && c.status === 'True');
        for (let i = 0; !(await established()); i++) {
          if (i > 100) {
            throw new Error(`CRD ${crd.metadata.name} is not Established after 20s`);
          }
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    }
  } finally {
    client.close();
  }
}

/**
 * The clusters file examples/environments needs: its ApplicationSet deploys to the named
 * clusters `staging` and `production`. Both map to the local cluster here (one control plane);
 * their `server` URLs only name them. web-production is a manual Application, so the demo only
 * compares it: OutOfSync/Missing (its Deployment `web` in namespace web is web-staging's).
 */
function writeClustersFile(dir: string, kubeconfig: string): string {
  const file = path.join(dir, 'demo-clusters.yaml');
  fs.writeFileSync(file, `# Written by \`npm run demo\`: examples/environments' named clusters, both the local cluster.\n${stringify({
    clusters: ['staging', 'production'].map((name) => ({ name, server: `https://${name}.demo.invalid:6443`, kubeconfig })),
  })}`);
  return file;
}

/** The demo; its exit code (0: every tree synced; 1: a sync failed, said why). */
export async function runDemo(options: DemoOptions = {}): Promise<number> {
  const dir = path.resolve(options.dir ?? defaultClusterDir(repoRoot));
  const timeout = String(options.timeoutSeconds ?? 60);
  say(`cluster up: the local control plane, state in ${dir}`);
  if (await cli('cluster', 'up', '--dir', dir) !== 0) {
    return 1;
  }
  // Named explicitly: KUBECONFIG or ~/.kube/config must never receive the demo.
  const kubeconfig = path.join(dir, 'kubeconfig');

  say('the CRD of KEDA (examples/app-of-apps deploys a ScaledObject; no example installs KEDA)');
  await installPrerequisiteCrds(kubeconfig);
  const clustersFile = writeClustersFile(dir, kubeconfig);

  // The engine waits for ExternalSecrets, secret stores and ScaledObjects to be Healthy, as Argo
  // CD does, and only their operators say so; on kwok none runs (scripts/simulated-operators.ts).
  say('simulated operators: External Secrets and KEDA status written for the tracked objects (the local cluster runs no containers)');
  const client = await KubeClient.create((await resolveKubeConfig({ kubeconfig })).config);
  const operators = simulateOperators(client, (line) => process.stderr.write(`${line}\n`));

  const failed: string[] = [];
  try {
    for (const tree of DEMO_TREES) {
      const manifests = path.join(tree, 'manifests');
      const extra = tree.endsWith('environments') ? ['--clusters', clustersFile] : [];
      say(`sync ${manifests}${extra.length ? ` --clusters ${clustersFile} (staging and production: both the local cluster)` : ''}: the whole tree`);
      const code = await cli('sync', path.join(repoRoot, manifests), '--repo-root', repoRoot, '--kubeconfig', kubeconfig, '--timeout', timeout, ...extra);
      if (code !== 0) {
        failed.push(`${tree} (sync exit ${code})`);
      }
    }
  } finally {
    await operators.stop();
    client.close();
  }

  say('cdk8s-argocd list');
  await cli('list', '--kubeconfig', kubeconfig);

  if (operators.written.length > 0) {
    process.stderr.write(`\nSimulated (no operator runs on the local cluster): Ready=True written to ${operators.written.join(', ')}.\n`
      + 'No Secret was created for an ExternalSecret and no HPA for a ScaledObject (README: The platform-waves example offline).\n');
  }
  process.stderr.write(`\nThe local cluster keeps running (state in ${dir}).\n`
    + `  Look around:  KUBECONFIG=${kubeconfig} kubectl get applications -n argocd\n`
    + `  Stop it:      npm run cli -- cluster down --dir ${dir}   (--purge also deletes the state)\n`
    + '  Run again:    npm run demo   (a re-sync: nothing is created, no workload rewritten)\n');
  if (failed.length > 0) {
    process.stderr.write(`\nNot everything synced: ${failed.join(', ')}.\n`);
    return 1;
  }
  return 0;
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (require.main === module) {
  const timeout = option('--timeout');
  runDemo({ dir: option('--dir'), timeoutSeconds: timeout ? Number(timeout) : undefined })
    .then((code) => {
      process.exitCode = code;
    })
    .catch((e) => {
      process.stderr.write(`demo: ${(e as Error).message}\n`);
      process.exitCode = 1;
    });
}
