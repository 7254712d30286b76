/**
 * `cdk8s-argocd delete APP`: deletes an Application like `argocd app delete` and finalizes it as
 * Argo CD's controller would (cascade by default; `--cascade=false` keeps its resources).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { announceTargets, currentCluster } from './current-cluster';
import { EXIT_FAILED_OR_CHANGED, EXIT_OK, EXIT_USAGE } from './engine-commands';
import { integerOption } from './integer-option';
import { ARGOCD_NAMESPACE, IN_CLUSTER_SERVER } from '../argo/destination';
import { ClusterClients } from '../engine/cluster-clients';
import { readClustersFile } from '../engine/clusters-file';
import { deleteApplication } from '../engine/finalize/delete-application';
import { defaultFinalizePoller } from '../engine/finalize/finalize-application';

interface DeleteOptions {
  readonly cascade: boolean;
  readonly appNamespace: string;
  readonly propagationPolicy: 'foreground' | 'background';
  readonly confirmDelete: boolean;
  readonly timeout: number;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly clusters?: string;
}

function booleanOption(value: string): boolean {
  if (value === 'true' || value === 'false') {
    return value === 'true';
  }
  throw new InvalidArgumentError('Expected true or false (e.g. --cascade=false).');
}

export function registerDeleteCommand(program: Command): void {
  program.command('delete')
    .description('delete an Application like `argocd app delete`: with cascade (the default) its tracked resources are deleted first, as its resources finalizer asks; exit 0 deleted, 1 not finished, 2 usage or input error')
    .argument('<app>', 'Application name')
    .option('--cascade <bool>', 'delete the Application\'s resources too; --cascade=false removes its resources finalizer first, so they stay', booleanOption, true)
    .option('-N, --app-namespace <ns>', 'namespace of the Application object', ARGOCD_NAMESPACE)
    .addOption(new Option('--propagation-policy <policy>', 'cascade when the Application has no resources finalizer yet').choices(['foreground', 'background']).default('foreground'))
    .option('--confirm-delete', 'approve deleting resources annotated Delete=confirm', false)
    .option('--timeout <seconds>', 'give up waiting for the deletion after this long', integerOption({ min: 1, unit: 'seconds' }), 300)
    .option('--kubeconfig <file>', 'kubeconfig (default: KUBECONFIG, else a running local cluster, else ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context')
    .option('--clusters <file>', 'clusters file mapping other destinations to kubeconfigs')
    .action(async (name: string, opts: DeleteOptions) => {
      let clients: ClusterClients | undefined;
      try {
        const current = currentCluster(opts);
        const clusters = opts.clusters ? readClustersFile(opts.clusters) : [];
        clients = new ClusterClients(current.kube, clusters, 16, opts.clusters, current.source, current.chosen);
        const here = await clients.forDestination({ server: IN_CLUSTER_SERVER });
        announceTargets('delete', [{ name, target: here.target }]);
        let last = '';
        const result = await deleteApplication(here.client, { name, namespace: opts.appNamespace }, {
          cascade: opts.cascade,
          propagation: opts.propagationPolicy,
          confirmDelete: opts.confirmDelete,
          poller: defaultFinalizePoller(opts.timeout * 1000),
          clientFor: async (destination) => (await clients!.forDestination(destination)).client,
          onEvent: (message) => {
            // Waits repeat every poll: say each one once.
            if (message !== last) {
              process.stderr.write(`${message}\n`);
            }
            last = message;
          },
        });
        if (result.ok) {
          process.stdout.write(`${result.message}\n`);
          process.exitCode = EXIT_OK;
        } else {
          process.stderr.write(`error: ${result.message}\n`);
          process.exitCode = EXIT_FAILED_OR_CHANGED;
        }
      } catch (e) {
        process.stderr.write(`error: ${(e as Error).message}\n`);
        process.exitCode = EXIT_USAGE;
      } finally {
        await clients?.close();
      }
    });
}
