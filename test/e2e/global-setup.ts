/**
 * Jest globalSetup for e2e tests: starts one local control plane for the
 * whole run (building the binaries first if the cache has none) and exports
 * its location to the test workers:
 *
 *   CDK8S_ARGOCD_E2E_CLUSTER_DIR  state dir (logs, state.json)
 *   CDK8S_ARGOCD_E2E_KUBECONFIG   admin kubeconfig
 *   KUBECONFIG                    the same, so kubectl / client-node default to it
 *
 * Like `cdk8s-argocd cluster up`, it installs the shipped Argo CD CRDs and the argocd namespace.
 *
 * Set CDK8S_ARGOCD_E2E_CLUSTER_DIR yourself to reuse a cluster between runs
 * (e.g. after `cdk8s-argocd cluster up --dir /tmp/e2e`): it is started there
 * if needed and left running afterwards.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { E2E_CLUSTER_DIR_ENV, E2E_KUBECONFIG_ENV } from './cluster-fixture';
import { installCrdsInto } from '../../src/cli/crds-command';
import { LocalCluster } from '../../src/cluster/local-cluster';
import { rendererBinary } from '../../src/engine/load/renderer-binary';

/** Set when this run started the cluster and global-teardown must stop it. */
export const E2E_OWNS_CLUSTER_ENV = 'CDK8S_ARGOCD_E2E_OWNS_CLUSTER';

export default async function globalSetup(): Promise<void> {
  const reuse = process.env[E2E_CLUSTER_DIR_ENV];
  const dir = reuse ? path.resolve(reuse) : fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-argocd-e2e-'));
  const t0 = Date.now();
  const log = (m: string) => process.stderr.write(`[e2e cluster] ${m}\n`);
  const wasRunning = reuse ? (await LocalCluster.open(dir)?.status())?.running === true : false;
  const cluster = await LocalCluster.start({ dir, log });
  // Helm and Kustomize sources render with the embedded renderer: build it now (cached like the
  // control plane) rather than inside the first test that renders a chart.
  log(`renderer ready: ${rendererBinary()}`);
  log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)}s: ${cluster.server}, kubeconfig ${cluster.kubeconfigPath}`);
  process.env[E2E_CLUSTER_DIR_ENV] = dir;
  process.env[E2E_KUBECONFIG_ENV] = cluster.kubeconfigPath;
  process.env.KUBECONFIG = cluster.kubeconfigPath;
  if (!reuse || !wasRunning) {
    process.env[E2E_OWNS_CLUSTER_ENV] = reuse ? 'stop' : 'purge';
    // If jest dies without running global-teardown (Ctrl-C, crash), take the
    // cluster down with it rather than leave detached processes behind.
    const killNow = () => {
      cluster.killNow();
      if (!reuse && process.env.CDK8S_ARGOCD_E2E_KEEP !== '1') {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    };
    process.once('exit', killNow);
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(sig, () => {
        killNow();
        process.exit(128 + os.constants.signals[sig]);
      });
    }
  }
  // As `cdk8s-argocd cluster up` does (after the clean-up hooks above, so a failure stops the cluster).
  const t1 = Date.now();
  await installCrdsInto({ kubeconfig: cluster.kubeconfigPath }, (m) => log(`${m} in ${((Date.now() - t1) / 1000).toFixed(1)}s`));
}
