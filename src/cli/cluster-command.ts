/**
 * `cdk8s-argocd cluster ...`: a local Kubernetes control plane (etcd,
 * kube-apiserver, kube-controller-manager, kube-scheduler, kwok, metrics-server) run as plain
 * processes from binaries built out of cluster/.
 */
import * as path from 'path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { installCrdsInto } from './crds-command';
import { integerOption } from './integer-option';
import { formatDocument, isMachineFormat, OutputFormat, outputOption } from './output-format';
import { ClusterError, ensureClusterBinary } from '../cluster/build';
import {
  CLUSTER_DIR_ENV,
  DEFAULT_SIMULATED_USAGE_PERCENT,
  POD_FAIL_LABEL,
  POD_FAIL_LABEL_VALUE,
  USAGE_CPU_ANNOTATION,
  USAGE_MEMORY_ANNOTATION,
} from '../cluster/constants';
import { ClusterStatus, LocalCluster } from '../cluster/local-cluster';
import { ClusterLocation, locateCluster } from '../cluster/state-dir';

interface DirOption {
  readonly dir?: string;
}

interface UpOptions extends DirOption {
  readonly fresh: boolean;
  readonly timeout: number;
  readonly argocdCrds: boolean;
  readonly simulatedCpu?: number;
  readonly simulatedMemory?: number;
  readonly metricsServer: boolean;
}

const log = (m: string) => process.stderr.write(`${m}\n`);

/** `50` or `50%`: a percentage >= 0 (over 100 simulates a container above its request). */
function percentOption(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(value);
  if (!m) {
    throw new InvalidArgumentError('Expected a percentage of the request, e.g. 50 or 50%.');
  }
  return Number(m[1]);
}

/** The state dir (`--dir`, else see locateCluster), saying on stderr when an older version left it inside the repository. */
function resolveDir(opts: DirOption): ClusterLocation {
  const location = locateCluster({ dir: opts.dir });
  if (location.hint) {
    log(`note: ${location.hint}`);
  }
  return location;
}

/** Runs an action, turning ClusterErrors into a message and exit code 1. */
function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      if (e instanceof ClusterError) {
        process.stderr.write(`error: ${e.message}\n`);
        process.exitCode = 1;
        return;
      }
      throw e;
    }
  };
}

/** `wide` adds each component's log file. */
export function formatStatus(st: ClusterStatus, wide = false, repository?: string): string {
  if (!st.exists) {
    return repository
      ? `no cluster for repository ${repository} (state dir ${st.dir}; start one with: cdk8s-argocd cluster up)`
      : `no cluster in ${st.dir} (start one with: cdk8s-argocd cluster up)`;
  }
  const rows = st.components.map((c) => {
    const state = !c.running ? 'stopped' : c.healthy ? 'running' : 'running (unhealthy)';
    const where = c.running ? `${`pid ${c.pid}`.padEnd(12)} ${`port ${c.port}`.padEnd(11)}` : ''.padEnd(24);
    return `  ${c.name.padEnd(24)} ${state.padEnd(20)} ${where}${wide && c.log ? ` log ${c.log}` : ''}`.trimEnd();
  });
  return [
    `cluster: ${st.dir}`,
    ...(repository ? [`  repository: ${repository}`] : []),
    `  api:       ${st.server} (${st.apiReady ? 'ready' : 'not ready'})`,
    `  kubeconfig: ${st.kubeconfig}`,
    ...rows,
  ].join('\n');
}

export function registerClusterCommand(program: Command): void {
  const cluster = program
    .command('cluster')
    .description(
      'Run a local Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, ' +
        `kwok fake nodes, metrics-server) as plain processes. State dir: --dir, $${CLUSTER_DIR_ENV}, or one per repository (found from any subdirectory) ` +
        'in $XDG_STATE_HOME/cdk8s-argocd/clusters (default ~/.local/state/cdk8s-argocd/clusters), outside the repository',
    );

  cluster
    .command('up')
    .description('build the binaries if needed, start the cluster and wait until it is ready')
    .option('--dir <state-dir>', 'state directory (kubeconfig, logs, etcd data)')
    .option('--fresh', 'discard existing state (etcd data, certificates) first', false)
    .option('--timeout <seconds>', 'how long to wait for readiness', integerOption({ min: 1, unit: 'seconds' }), 120)
    .option('--no-argocd-crds', 'do not install the Argo CD CRDs and the argocd namespace (installed by default)')
    .option(
      '--simulated-cpu <percent>',
      `simulated CPU use of each container, in percent of its CPU request (default ${DEFAULT_SIMULATED_USAGE_PERCENT}); ` +
        `a pod's ${USAGE_CPU_ANNOTATION} annotation (e.g. 750m) wins; on a running cluster, restarts kwok with the new value`,
      percentOption,
    )
    .option(
      '--simulated-memory <percent>',
      `simulated memory use of each container, in percent of its memory request (default ${DEFAULT_SIMULATED_USAGE_PERCENT}); ` +
        `a pod's ${USAGE_MEMORY_ANNOTATION} annotation (e.g. 300Mi) wins`,
      percentOption,
    )
    .option('--no-metrics-server', 'start without the metrics-server (lighter; HPAs get no metrics, kubectl top fails)')
    .action(
      action(async (opts: UpOptions) => {
        const location = resolveDir(opts);
        const dir = location.dir;
        // Ctrl-C during start-up must not leave detached processes behind.
        const onSignal = () => {
          const c = LocalCluster.open(dir);
          void (c ? c.stop({ log }) : Promise.resolve()).finally(() => process.exit(130));
        };
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        try {
          const c = await LocalCluster.start({
            dir,
            fresh: opts.fresh,
            log,
            timeoutMs: opts.timeout * 1000,
            simulatedCpuPercent: opts.simulatedCpu,
            simulatedMemoryPercent: opts.simulatedMemory,
            metricsServer: opts.metricsServer,
          });
          if (opts.argocdCrds) {
            const t0 = Date.now();
            try {
              await installCrdsInto({ kubeconfig: c.kubeconfigPath }, (m) => log(`${m} (${((Date.now() - t0) / 1000).toFixed(1)}s)`));
            } catch (e) {
              throw new ClusterError(`the cluster is up, but installing the Argo CD CRDs failed: ${(e as Error).message}; retry with: cdk8s-argocd install-crds --kubeconfig ${c.kubeconfigPath}`);
            }
          }
          process.stdout.write(
            [
              `Local cluster is up: ${c.server}`,
              `  state dir:  ${c.dir}`,
              ...(location.repository ? [`  repository: ${location.repository}`] : []),
              `  kubeconfig: ${c.kubeconfigPath}`,
              `  logs:       ${path.join(c.dir, 'logs')}`,
              '',
              'Use it with kubectl:',
              `  export KUBECONFIG=${c.kubeconfigPath}`,
              '  kubectl get nodes',
              '',
              `Pods run on kwok fake nodes: they become Ready, Job pods succeed, pods labelled ${POD_FAIL_LABEL}=${POD_FAIL_LABEL_VALUE} fail.`,
              ...(opts.metricsServer
                ? [
                  'kubectl top and HorizontalPodAutoscalers see simulated usage (metrics-server): a share of each container\'s requests',
                  `(--simulated-cpu/--simulated-memory, default ${DEFAULT_SIMULATED_USAGE_PERCENT}%), or a pod's ${USAGE_CPU_ANNOTATION} / ${USAGE_MEMORY_ANNOTATION} annotation.`,
                ]
                : []),
              `Stop it with: cdk8s-argocd cluster down${opts.dir ? ` --dir ${opts.dir}` : ''}`,
              '',
            ].join('\n'),
          );
        } finally {
          process.removeListener('SIGINT', onSignal);
          process.removeListener('SIGTERM', onSignal);
        }
      }),
    );

  cluster
    .command('down')
    .description('stop every component of the cluster')
    .option('--dir <state-dir>', 'state directory')
    .option('--purge', 'also delete the state directory', false)
    .action(
      action(async (opts: DirOption & { purge: boolean }) => {
        const { dir } = resolveDir(opts);
        const c = LocalCluster.open(dir);
        if (!c) {
          process.stdout.write(`no cluster in ${dir}\n`);
          return;
        }
        // Under the state dir's lock: never while a `cluster up` on the same dir is starting.
        await LocalCluster.withStateLock(dir, 'down', () => c.stop({ purge: opts.purge, log }));
        process.stdout.write(`stopped cluster in ${dir}${opts.purge ? ' and deleted its state' : ''}\n`);
      }),
    );

  cluster
    .command('status')
    .description('report each component (running/stopped, pid, port) and API health; exit 0 running, 1 not running (or unhealthy)')
    .option('--dir <state-dir>', 'state directory')
    .addOption(outputOption())
    .addOption(new Option('--json', 'deprecated: use -o json').hideHelp())
    .action(
      action(async (opts: DirOption & { output: OutputFormat; json?: boolean }) => {
        const { dir, repository } = resolveDir(opts);
        const c = LocalCluster.open(dir);
        const st: ClusterStatus = c ? await c.status() : { dir, exists: false, running: false, components: [] };
        const format = opts.json ? 'json' : opts.output;
        process.stdout.write(isMachineFormat(format) ? formatDocument(format, repository ? { ...st, repository } : st) : `${formatStatus(st, format === 'wide', repository)}\n`);
        if (!st.running) {
          process.exitCode = 1;
        }
      }),
    );

  cluster
    .command('build')
    .description('build (or find in the cache) the control plane binaries and print their path')
    .option('--force', 'rebuild even if cached', false)
    .action(
      action(async (opts: { force: boolean }) => {
        const r = await ensureClusterBinary({ force: opts.force, log });
        process.stdout.write(`${r.binary}\n`);
        log(r.built ? `built in ${Math.round(r.seconds)}s` : `cached (key ${r.key})`);
      }),
    );

  cluster
    .command('kubeconfig')
    .description('print the path of the cluster\'s admin kubeconfig (for `export KUBECONFIG=$(cdk8s-argocd cluster kubeconfig)`); exit 1 when there is no cluster')
    .option('--dir <state-dir>', 'state directory')
    .action(
      action(async (opts: DirOption) => {
        const { dir } = resolveDir(opts);
        const c = LocalCluster.open(dir);
        if (!c) {
          throw new ClusterError(`no cluster in ${dir} (start one with: cdk8s-argocd cluster up)`);
        }
        process.stdout.write(`${c.kubeconfigPath}\n`);
      }),
    );

  cluster
    .command('logs')
    .description('print the last lines of each component log')
    .option('--dir <state-dir>', 'state directory')
    .option('-n, --lines <n>', 'lines per component', integerOption({ min: 1 }), 40)
    .action(
      action(async (opts: DirOption & { lines: number }) => {
        const { dir } = resolveDir(opts);
        const c = LocalCluster.open(dir);
        if (!c) {
          throw new ClusterError(`no cluster in ${dir}`);
        }
        process.stdout.write(c.logTails(opts.lines) + '\n');
      }),
    );
}
