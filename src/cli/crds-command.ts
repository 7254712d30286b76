/**
 * `cdk8s-argocd install-crds`: installs the Argo CD CRDs shipped in the package, and the `argocd`
 * namespace, into a cluster. The engine never does this by itself; `cluster up` does it for the
 * local cluster.
 */
import { Command } from 'commander';
import { announceTargets, currentCluster } from './current-cluster';
import { installArgoCdCrds } from '../engine/crds/install-crds';
import { KubeClient } from '../engine/kube/client';
import { KubeConfigOptions, resolveKubeConfig } from '../engine/kube/kubeconfig';

/** Connects with `kube` and installs the CRDs; resolves with the API server's URL. */
export async function installCrdsInto(kube: KubeConfigOptions, log: (message: string) => void, describeSource?: string): Promise<string> {
  const resolved = await resolveKubeConfig(kube);
  const server = resolved.config.getCurrentCluster()?.server ?? '';
  if (describeSource) {
    announceTargets('install-crds', [{ target: { server, context: resolved.config.getCurrentContext(), source: describeSource } }]);
  }
  const client = await KubeClient.create(resolved.config, 4);
  try {
    await installArgoCdCrds(client, { log });
  } finally {
    client.close();
  }
  return server;
}

export function registerCrdsCommand(program: Command): void {
  program.command('install-crds')
    .description('install the Argo CD v3.5 CRDs (Application, AppProject, ApplicationSet) shipped with this package and the argocd namespace, and wait until they are Established; exit 0 done, 2 error')
    .option('--kubeconfig <file>', 'kubeconfig (default: KUBECONFIG, else a running local cluster, else ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context')
    .action(async (opts: { kubeconfig?: string; context?: string }) => {
      try {
        const current = currentCluster(opts);
        await installCrdsInto(current.kube, (m) => process.stdout.write(`${m}\n`), current.source);
        process.exitCode = 0;
      } catch (e) {
        process.stderr.write(`error: ${(e as Error).message}\n`);
        process.exitCode = 2;
      }
    });
}
