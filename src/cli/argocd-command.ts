/**
 * `cdk8s-argocd argocd ...`: real Argo CD (application controller, repo-server, ApplicationSet
 * controller) as plain processes beside the local cluster, reading this repository's committed
 * manifests through a local Git server. Logic in src/argocd/.
 */
import * as path from 'path';
import { Command } from 'commander';
import { integerOption } from './integer-option';
import { formatDocument, isMachineFormat, OutputFormat, outputOption } from './output-format';
import { ArgoCdError, ensureArgoCdBinary } from '../argocd/build';
import { argoCdDir, ArgoCdStatus, LocalArgoCd } from '../argocd/local-argocd';
import { ClusterError } from '../cluster/build';
import { CLUSTER_DIR_ENV } from '../cluster/constants';
import { LocalCluster } from '../cluster/local-cluster';
import { locateCluster } from '../cluster/state-dir';

interface DirOption {
  readonly dir?: string;
}

const log = (m: string) => process.stderr.write(`${m}\n`);

function clusterDirOf(opts: DirOption): string {
  const location = locateCluster({ dir: opts.dir });
  if (location.hint) {
    log(`note: ${location.hint}`);
  }
  return location.dir;
}

/** Runs an action, turning our errors into a message and exit code 1. */
function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      if (e instanceof ArgoCdError || e instanceof ClusterError) {
        process.stderr.write(`error: ${e.message}\n`);
        process.exitCode = 1;
        return;
      }
      throw e;
    }
  };
}

/** `wide` adds each component's log file. */
export function formatArgoCdStatus(st: ArgoCdStatus, wide = false): string {
  if (!st.exists) {
    return `no Argo CD in ${st.dir} (start it with: cdk8s-argocd argocd up)`;
  }
  const rows = st.components.map((c) => {
    const state = !c.running ? 'stopped' : c.healthy ? 'running' : 'running (unhealthy)';
    const where = c.running ? `${`pid ${c.pid}`.padEnd(12)} ${`port ${c.port}`.padEnd(11)}` : ''.padEnd(24);
    return `  ${c.name.padEnd(34)} ${state.padEnd(20)} ${where}${wide && c.log ? ` log ${c.log}` : ''}`.trimEnd();
  });
  const apps = st.applications === undefined
    ? ['  (the cluster did not answer)']
    : st.applications.length === 0
      ? ['  (none: apply your root.yaml to hand the tree to Argo CD)']
      : [
        `  ${'NAMESPACE/NAME'.padEnd(40)} ${'SYNC'.padEnd(10)} ${'HEALTH'.padEnd(12)} ${'OPERATION'.padEnd(12)} REVISION`,
        ...st.applications.map((a) => {
          const line = `  ${`${a.namespace}/${a.name}`.padEnd(40)} ${(a.sync || '-').padEnd(10)} ${(a.health || '-').padEnd(12)} ${(a.operation ?? '-').padEnd(12)} ${(a.revision ?? '-').slice(0, 12)}`;
          return a.condition ? `${line}\n      ${a.condition}` : line;
        }),
      ];
  return [
    `argocd: ${st.dir}`,
    `  version:    Argo CD ${st.argocdVersion}`,
    `  repository: ${st.repository} (served as ${st.repoURLs?.join(', ')})`,
    ...rows,
    'applications:',
    ...apps,
  ].join('\n');
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function registerArgoCdCommand(program: Command): void {
  const argocd = program
    .command('argocd')
    .description(
      'Run real Argo CD (application controller, repo-server, ApplicationSet controller, built from the Go module proxy) against the local cluster, ' +
        'reading this repository\'s committed manifests through a local Git server; apply root.yaml once to hand the tree to it. ' +
        `State: <cluster state dir>/argocd (cluster state dir: --dir, $${CLUSTER_DIR_ENV}, or the repository's)`,
    );

  argocd
    .command('up')
    .description('build Argo CD if needed, install its CRDs, ConfigMaps, Secret and default project, start it, and wait until every component is healthy')
    .option('--dir <state-dir>', 'the local cluster\'s state directory')
    .option('--repo-root <dir>', 'the Git checkout to serve (default: the repository around the working directory)')
    .option('--repo-url <url>', 'a repoURL the Applications use for this repository (repeatable; default: its http(s) remotes)', collect)
    .option('--timeout <seconds>', 'how long to wait for every component to be healthy', integerOption({ min: 1, unit: 'seconds' }), 120)
    .action(
      action(async (opts: DirOption & { repoRoot?: string; repoUrl?: string[]; timeout: number }) => {
        const clusterDir = clusterDirOf(opts);
        // Ctrl-C during start-up must not leave detached processes behind.
        const onSignal = () => {
          const a = LocalArgoCd.open(clusterDir);
          void (a ? a.stop({ log }) : Promise.resolve()).finally(() => process.exit(130));
        };
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        try {
          const a = await LocalArgoCd.start({
            clusterDir,
            repository: opts.repoRoot ? path.resolve(opts.repoRoot) : undefined,
            repoURLs: opts.repoUrl,
            timeoutMs: opts.timeout * 1000,
            log,
          });
          const cluster = LocalCluster.open(clusterDir);
          process.stdout.write(
            [
              `Argo CD ${a.state.argocdVersion} is up beside the local cluster in ${clusterDir}`,
              `  repository: ${a.state.repository}, served as ${a.state.repoURLs.join(', ')} (committed content only)`,
              `  logs:       ${path.join(a.dir, 'logs')}`,
              '',
              'Hand the tree to it by applying your root Application once:',
              `  kubectl --kubeconfig ${cluster?.kubeconfigPath ?? '<kubeconfig>'} apply -f root.yaml`,
              `Watch it with: cdk8s-argocd argocd status${opts.dir ? ` --dir ${opts.dir}` : ''}`,
              `Stop it with:  cdk8s-argocd argocd down${opts.dir ? ` --dir ${opts.dir}` : ''}`,
              '',
            ].join('\n'),
          );
        } finally {
          process.removeListener('SIGINT', onSignal);
          process.removeListener('SIGTERM', onSignal);
        }
      }),
    );

  argocd
    .command('down')
    .description('stop every Argo CD component (the Applications and what they deployed stay in the cluster)')
    .option('--dir <state-dir>', 'the local cluster\'s state directory')
    .action(
      action(async (opts: DirOption) => {
        const clusterDir = clusterDirOf(opts);
        const a = LocalArgoCd.open(clusterDir);
        if (!a) {
          process.stdout.write(`no Argo CD in ${argoCdDir(clusterDir)}\n`);
          return;
        }
        await a.stop({ log });
        process.stdout.write(`stopped Argo CD in ${a.dir}\n`);
      }),
    );

  argocd
    .command('status')
    .description('report each Argo CD component (running/stopped, pid, port, health) and every Application\'s sync and health; exit 0 running, 1 not')
    .option('--dir <state-dir>', 'the local cluster\'s state directory')
    .addOption(outputOption())
    .action(
      action(async (opts: DirOption & { output: OutputFormat }) => {
        const clusterDir = clusterDirOf(opts);
        const a = LocalArgoCd.open(clusterDir);
        const st: ArgoCdStatus = a ? await a.status() : { dir: argoCdDir(clusterDir), exists: false, running: false, components: [] };
        process.stdout.write(isMachineFormat(opts.output) ? formatDocument(opts.output, st) : `${formatArgoCdStatus(st, opts.output === 'wide')}\n`);
        if (!st.running) {
          process.exitCode = 1;
        }
      }),
    );

  argocd
    .command('logs')
    .description('print the last lines of each Argo CD component log')
    .option('--dir <state-dir>', 'the local cluster\'s state directory')
    .option('-n, --lines <n>', 'lines per component', integerOption({ min: 1 }), 40)
    .action(
      action(async (opts: DirOption & { lines: number }) => {
        const clusterDir = clusterDirOf(opts);
        const a = LocalArgoCd.open(clusterDir);
        if (!a) {
          throw new ArgoCdError(`no Argo CD in ${argoCdDir(clusterDir)}`);
        }
        process.stdout.write(a.logTails(opts.lines) + '\n');
      }),
    );

  argocd
    .command('build')
    .description('build (or find in the cache) the argocd-local binary and print its path')
    .option('--force', 'rebuild even if cached', false)
    .action(
      action(async (opts: { force: boolean }) => {
        const r = await ensureArgoCdBinary({ force: opts.force, log });
        process.stdout.write(`${r.binary}\n`);
        log(r.built ? `built in ${Math.round(r.seconds)}s` : `cached (key ${r.key})`);
      }),
    );
}
