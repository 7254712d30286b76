import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { announceTargets, currentCluster } from './current-cluster';
import { EXIT_OK, guarded } from './engine-commands';
import { integerOption } from './integer-option';
import { ClusterClients } from '../engine/cluster-clients';
import { readClustersFile } from '../engine/clusters-file';
import { gitRoot } from '../engine/load/source-tree';
import { cliInitiator } from '../engine/record-sync';
import { DEFAULT_SELF_HEAL_BACKOFF } from '../engine/tree/self-heal';
import { DEFAULT_APP_CONCURRENCY } from '../engine/tree/tree-sync';
import { MetricsServer, WatchMetrics } from '../engine/watch/metrics';
import { DEFAULT_REFRESH_INTERVAL_MS } from '../engine/watch/refresh-schedule';
import { Watcher } from '../engine/watch/watcher';

interface WatchFlags {
  readonly worktree: boolean;
  readonly refreshInterval: number;
  readonly metricsAddr?: string;
  readonly repoRoot?: string;
  readonly repoUrl?: string;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly clusters?: string;
  readonly appConcurrency: number;
  readonly concurrency: number;
  readonly selfHealBackoffTimeoutSeconds: number;
  readonly selfHealBackoffFactor: number;
  readonly selfHealBackoffCapSeconds: number;
  readonly selfHealBackoffCooldownSeconds: number;
}

/** First SIGINT/SIGTERM: stop cleanly (the in-flight operation ends as an interrupted sync does); a second exits at once. */
function stopOnSignals(): { signal: AbortSignal; dispose(): void } {
  const stop = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      process.exit(130);
    }
    process.stderr.write(`${new Date().toISOString()} event=stopping ${sig}: finishing the requests in flight; releasing hooks and the sync Lease (send it again to exit at once)\n`);
    stop.abort(new Error(`interrupted by ${sig}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: stop.signal,
    dispose() {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    },
  };
}

export function registerWatchCommand(program: Command): void {
  program.command('watch')
    .description('reconcile the Application tree continuously as Argo CD\'s application controller does: new commits (and with --worktree saved files) are synced by automated sync policies, drift of tracked objects is self-healed, status stays current on the Application objects; Ctrl-C stops cleanly')
    .argument('[path]', 'manifests directory (Applications are found anywhere below it)', 'manifests')
    .option('--worktree', 'follow saved changes in the work tree, not only commits on the checked-out branch', false)
    .option('--refresh-interval <seconds>', 'full refresh of every Application this often (Argo CD\'s timeout.reconciliation)', integerOption({ min: 1, unit: 'seconds' }), DEFAULT_REFRESH_INTERVAL_MS / 1000)
    .option('--metrics-addr <host:port>', 'serve Prometheus metrics (Argo CD\'s names) at http://HOST:PORT/metrics, e.g. 127.0.0.1:8082')
    .option('--repo-root <dir>', 'folder that source.path is relative to (default: the Git top level)')
    .option('--repo-url <url>', 'only sources with this repoURL map to the local repository')
    .option('--kubeconfig <file>', 'kubeconfig (default: KUBECONFIG, else a running local cluster, else ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context')
    .option('--clusters <file>', 'clusters file mapping other destinations to kubeconfigs')
    .option('--app-concurrency <n>', 'Applications reconciled at once (like Argo CD\'s --operation-processors)', integerOption({ min: 1, max: 1000 }), DEFAULT_APP_CONCURRENCY)
    .option('--concurrency <n>', 'parallel API calls within a kind group', integerOption({ min: 1, max: 1000 }), 16)
    .option('--self-heal-backoff-timeout-seconds <s>', 'first self-heal backoff step (Argo CD\'s controller flag)', integerOption({ min: 0, unit: 'seconds' }), DEFAULT_SELF_HEAL_BACKOFF.durationMs / 1000)
    .option('--self-heal-backoff-factor <n>', 'self-heal backoff factor', integerOption({ min: 1 }), DEFAULT_SELF_HEAL_BACKOFF.factor)
    .option('--self-heal-backoff-cap-seconds <s>', 'longest self-heal backoff step', integerOption({ min: 0, unit: 'seconds' }), DEFAULT_SELF_HEAL_BACKOFF.capMs / 1000)
    .option('--self-heal-backoff-cooldown-seconds <s>', 'Synced this long after the last operation: the self-heal count starts again', integerOption({ min: 0, unit: 'seconds' }), DEFAULT_SELF_HEAL_BACKOFF.cooldownMs / 1000)
    .action((dir: string, opts: WatchFlags) => guarded(async () => {
      if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
        throw new Error(`${dir}: not a directory: point watch at the committed manifests directory (e.g. manifests)`);
      }
      const target = path.resolve(dir);
      const repoRoot = path.resolve(opts.repoRoot ?? gitRoot(target) ?? target);
      if (!opts.worktree && !fs.existsSync(path.join(repoRoot, '.git'))) {
        throw new Error(`${repoRoot} is not the top level of a Git work tree, so there is no branch to follow: run watch in a Git repository, pass --repo-root, or use --worktree`);
      }
      const clusters = opts.clusters ? readClustersFile(opts.clusters) : [];
      const current = currentCluster(opts);
      const clients = new ClusterClients(current.kube, clusters, Math.max(16, opts.concurrency), opts.clusters, current.source, current.chosen);
      const stop = stopOnSignals();
      let server: MetricsServer | undefined;
      try {
        const { target: controlTarget } = await clients.forDestination(undefined);
        announceTargets('watch', [{ name: path.relative(process.cwd(), target) || '.', target: controlTarget }]);
        const metrics = opts.metricsAddr ? new WatchMetrics() : undefined;
        if (metrics) {
          server = await metrics.serve(opts.metricsAddr!);
          process.stderr.write(`${new Date().toISOString()} event=metrics url=${server.url}\n`);
        }
        const watcher = new Watcher({
          path: target,
          repoRoot,
          repoURL: opts.repoUrl,
          worktree: opts.worktree,
          refreshIntervalMs: opts.refreshInterval * 1000,
          headPollMs: 1000,
          selfHealBackoff: {
            durationMs: opts.selfHealBackoffTimeoutSeconds * 1000,
            factor: opts.selfHealBackoffFactor,
            capMs: opts.selfHealBackoffCapSeconds * 1000,
            cooldownMs: opts.selfHealBackoffCooldownSeconds * 1000,
          },
          appConcurrency: opts.appConcurrency,
          concurrency: opts.concurrency,
          clientFor: (app) => clients.forApplication(app),
          controlPlane: async () => (await clients.forDestination(undefined)).client,
          initiatedBy: cliInitiator(),
          signal: stop.signal,
          log: (line) => process.stderr.write(`${line}\n`),
          metrics,
        });
        await watcher.run();
        process.stderr.write(`${new Date().toISOString()} event=stopped: the runs in flight ended (an interrupted operation released its hooks and sync Lease)\n`);
        return EXIT_OK;
      } finally {
        stop.dispose();
        await server?.close();
        await clients.close();
      }
    }));
}
