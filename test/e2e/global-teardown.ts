/**
 * Jest globalTeardown for e2e tests: stops the cluster global-setup.ts
 * started (and deletes its temporary state dir). A cluster that was already
 * running in $CDK8S_ARGOCD_E2E_CLUSTER_DIR is left alone. Set
 * CDK8S_ARGOCD_E2E_KEEP=1 to keep the state dir (logs) of a temporary cluster.
 */
import { E2E_CLUSTER_DIR_ENV } from './cluster-fixture';
import { E2E_OWNS_CLUSTER_ENV } from './global-setup';
import { LocalCluster } from '../../src/cluster/local-cluster';

export default async function globalTeardown(): Promise<void> {
  const owns = process.env[E2E_OWNS_CLUSTER_ENV];
  const dir = process.env[E2E_CLUSTER_DIR_ENV];
  if (!owns || !dir) {
    return;
  }
  const cluster = LocalCluster.open(dir);
  const keep = process.env.CDK8S_ARGOCD_E2E_KEEP === '1';
  await cluster?.stop({ purge: owns === 'purge' && !keep });
  if (keep) {
    process.stderr.write(`[e2e cluster] stopped; state and logs kept in ${dir}\n`);
  }
}
