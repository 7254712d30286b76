/**
 * The commands users know from the `argocd` CLI: `status`/`get` (live comparison plus what the
 * Application object records), `list`, `history`, `rollback` and `wait`. They read Application
 * objects in Argo CD's format, so they work the same on a cluster Argo CD itself manages.
 */
import { Command, InvalidArgumentError } from 'commander';
import { ApplicationOptions, runApplications } from './application-runner';
import { currentCluster } from './current-cluster';
import { addCommon, addSourceOptions, collect, EXIT_FAILED_OR_CHANGED, EXIT_OK, exitOfComparison, guarded } from './engine-commands';
import { integerOption } from './integer-option';
import { formatDocument, isMachineFormat, OutputFormat, outputOption } from './output-format';
import { printResults } from './result-printer';
import { ApplicationDetails, applicationDetails } from '../engine/app-status/application-details';
import { listApplicationObjects, readApplicationObject, readApplicationObjects } from '../engine/app-status/application-objects';
import { rollbackTarget } from '../engine/app-status/rollback-target';
import { recordComparison } from '../engine/app-status/status-record';
import { unmetWaitConditions, WaitFor } from '../engine/app-status/wait-state';
import { CONTROL_PLANE_NAMESPACE } from '../engine/application-spec';
import { compareApplication } from '../engine/compare-app';
import { checkFailHooks } from '../engine/hooks';
import { KubeClient } from '../engine/kube/client';
import { KubeApi } from '../engine/kube/kube-api';
import { resolveKubeConfig } from '../engine/kube/kubeconfig';
import { OperationPhase } from '../engine/model';
import { renderApplicationDetails } from '../engine/output/app-details';
import { renderHistory } from '../engine/output/app-history-table';
import { renderApplicationList } from '../engine/output/app-list-table';
import { renderSyncResult } from '../engine/output/sync-table';
import { cliInitiator, syncAndRecord } from '../engine/record-sync';
import { hasUncommittedChanges } from '../git/work-tree-changes';

/** How often `wait` reads the Application objects. */
const WAIT_POLL_MS = 1000;

interface ClusterOptions {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly argocdNamespace: string;
  readonly output: OutputFormat;
}

function addClusterOptions(cmd: Command, withOutput = true): Command {
  cmd
    .option('--kubeconfig <file>', 'kubeconfig (default: KUBECONFIG, else a running local cluster, else ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context')
    .option('--argocd-namespace <ns>', 'namespace of the Application objects', CONTROL_PLANE_NAMESPACE);
  return withOutput ? cmd.addOption(outputOption()) : cmd;
}

/** Runs `body` with a client for the cluster holding the Application objects (the current cluster). */
async function withControlPlane<T>(opts: { kubeconfig?: string; context?: string }, body: (api: KubeApi) => Promise<T>): Promise<T> {
  const resolved = await resolveKubeConfig(currentCluster(opts).kube);
  const client = await KubeClient.create(resolved.config);
  try {
    return await body(client);
  } finally {
    client.close();
  }
}

/** `status` and `get`: compare live with the tree, then add what the Application object records. */
async function showDetails(path: string, opts: ApplicationOptions & { readonly refresh?: boolean }): Promise<number> {
  const dirty = !opts.revision && hasUncommittedChanges(path);
  const results = await runApplications<ApplicationDetails>({
    path,
    options: opts,
    verb: 'status',
    // --refresh writes the comparison to the Application object.
    changes: !!opts.refresh,
    // The Application object (and project) is read and written where Argo CD's objects live.
    each: async (client, app, controlPlane) => {
      const comparison = await compareApplication(client, app, { controlPlane });
      if (opts.refresh) {
        // What Argo CD's controller writes on a refresh, so `list`, `wait` and kubectl see it too.
        await recordComparison(controlPlane, app, comparison);
      }
      return applicationDetails(comparison, app.manifest.spec?.project, await readApplicationObject(controlPlane, app), dirty);
    },
  });
  printResults(results, opts.output, { text: (r, s) => renderApplicationDetails(r, s.color, s.wide) });
  return exitOfComparison(results, () => false);
}

function parseId(value: string): number {
  if (!/^\d+$/.test(value)) {
    throw new InvalidArgumentError('Expected a history ID (a whole number; see `cdk8s-argocd history APP`).');
  }
  return Number(value);
}

interface RollbackOptions extends Omit<ApplicationOptions, 'app' | 'revision'> {
  readonly path: string;
  readonly prune: boolean;
  readonly timeout?: number;
  readonly argocdNamespace: string;
  readonly failHook: string[];
}

interface WaitOptions extends ClusterOptions {
  readonly sync: boolean;
  readonly health: boolean;
  readonly operation: boolean;
  readonly timeout?: number;
}

const DETAILS_DESCRIPTION = 'live per-resource sync status and health (the same comparison as `diff`), with the last synced revision against the tree\'s '
  + '(marked dirty when uncommitted), the recorded conditions and the last operation\'s result (like `argocd app get`); exit 0, or 2 on a usage or input error';

export function registerAppCommands(program: Command): void {
  const REFRESH = 'also write this comparison to the Application object\'s status (sync, health, resources, summary, conditions), as an Argo CD refresh does';
  addCommon(program.command('status').description(DETAILS_DESCRIPTION))
    .option('--refresh', REFRESH, false)
    .action((path: string, opts: ApplicationOptions & { refresh: boolean }) => guarded(() => showDetails(path, opts)));

  addSourceOptions(program.command('get')
    .description(`one Application by name: ${DETAILS_DESCRIPTION}`)
    .argument('<app>', 'Application name')
    .option('--path <dir>', 'manifests directory the Application is found in', 'manifests')
    .option('--refresh', REFRESH, false))
    .action((app: string, opts: ApplicationOptions & { path: string; refresh: boolean }) =>
      guarded(() => showDetails(opts.path, { ...opts, app: [app] })));

  addClusterOptions(program.command('list')
    .description('the Application objects in the cluster\'s Argo CD namespace, like `argocd app list`: NAME, PROJECT, SYNC, HEALTH, SYNC POLICY, '
      + 'CONDITIONS, PATH (wide adds CLUSTER, NAMESPACE, REPO, TARGET); exit 0, or 2 when they cannot be read'))
    .action((opts: ClusterOptions) => guarded(async () => {
      const apps = await withControlPlane(opts, (api) => listApplicationObjects(api, opts.argocdNamespace));
      if (isMachineFormat(opts.output)) {
        process.stdout.write(formatDocument(opts.output, apps));
      } else if (apps.length === 0) {
        process.stderr.write(`no Application objects in namespace ${opts.argocdNamespace}\n`);
      } else {
        process.stdout.write(`${renderApplicationList(apps, !!process.stdout.isTTY, opts.output === 'wide')}\n`);
      }
      return EXIT_OK;
    }));

  addClusterOptions(program.command('history')
    .description('the deployments recorded in an Application\'s status.history (ID, DATE, REVISION; like `argocd app history`); exit 0, or 2 for an unknown Application')
    .argument('<app>', 'Application name'))
    .action((name: string, opts: ClusterOptions) => guarded(async () => {
      const [app] = await withControlPlane(opts, (api) => readApplicationObjects(api, opts.argocdNamespace, [name]));
      const history = app.status?.history ?? [];
      if (isMachineFormat(opts.output)) {
        process.stdout.write(formatDocument(opts.output, history));
      } else if (history.length === 0) {
        process.stderr.write(`${name}: no deployments recorded yet (a successful sync records one)\n`);
      } else {
        process.stdout.write(`${renderHistory(history, opts.output === 'wide')}\n`);
      }
      return EXIT_OK;
    }));

  addClusterOptions(program.command('rollback')
    .description('sync an Application to a recorded deployment: its manifests as committed at that revision (default: the previous deployment, '
      + 'like `argocd app rollback`); refused while automated sync is on; exit 0 synced, 1 sync failed, 2 usage or input error')
    .argument('<app>', 'Application name')
    .argument('[id]', 'history ID (see `history APP`)', parseId)
    .option('--path <dir>', 'manifests directory the Application is found in', 'manifests')
    .option('--repo-root <dir>', 'folder that source.path is relative to (default: the Git top level)')
    .option('--repo-url <url>', 'only sources with this repoURL map to the local repository')
    .option('--clusters <file>', 'clusters file mapping other destinations to kubeconfigs')
    .option('--prune', 'delete tracked objects that the recorded revision does not have', false)
    .option('--timeout <seconds>', 'fail the operation after this many seconds (default: no timeout)', integerOption({ min: 1, unit: 'seconds' }))
    .option('--fail-hook <name>', 'make this Job or Pod hook fail on purpose, to rehearse the SyncFail path (only on a cluster that simulates pods, as the local cluster; repeatable)', collect, []))
    .action((name: string, id: number | undefined, opts: RollbackOptions) => guarded(async () => {
      const [app] = await withControlPlane(opts, (api) => readApplicationObjects(api, opts.argocdNamespace, [name]));
      const target = rollbackTarget(app, id);
      if (!target.revision) {
        throw new Error(`${name}: deployment ${target.id} records no single revision (multi-source rollback is not supported)`);
      }
      process.stderr.write(`rollback ${name} to deployment ${target.id}: revision ${target.revision} (deployed ${target.deployedAt})\n`);
      const results = await runApplications({
        path: opts.path,
        options: { ...opts, app: [name], revision: target.revision },
        verb: 'rollback',
        changes: true,
        each: (client, loaded, controlPlane) => {
          // One Application: an unknown --fail-hook name is a usage error before its sync starts.
          checkFailHooks(opts.failHook, [loaded]);
          return syncAndRecord(client, loaded, {
            initiatedBy: cliInitiator(), prune: opts.prune, timeoutSeconds: opts.timeout, controlPlane, failHooks: opts.failHook,
          });
        },
      });
      printResults(results, opts.output, { text: (r, s) => renderSyncResult(r, s.color, s.wide) });
      return results.every((r) => r.phase === OperationPhase.SUCCEEDED) ? EXIT_OK : EXIT_FAILED_OR_CHANGED;
    }));

  addClusterOptions(program.command('wait')
    .description('wait until Applications are Synced and Healthy with no operation running (like `argocd app wait`; --sync or --health to wait '
      + 'for one of them only); exit 0 when reached, 1 on timeout naming what was not reached, 2 for an unknown Application')
    .argument('<apps...>', 'Application names')
    .option('--sync', 'wait for sync status Synced', false)
    .option('--health', 'wait for health Healthy', false)
    .option('--operation', 'wait for the running operation to finish', false)
    .option('--timeout <seconds>', 'give up after this many seconds (default: wait forever)', integerOption({ min: 1, unit: 'seconds' })), false)
    .action((names: string[], opts: WaitOptions) => guarded(async () => {
      const any = opts.sync || opts.health || opts.operation;
      const want: WaitFor = any ? opts : { sync: true, health: true, operation: true };
      const deadline = opts.timeout === undefined ? Infinity : Date.now() + opts.timeout * 1000;
      return withControlPlane(opts, async (api) => {
        for (;;) {
          const apps = await readApplicationObjects(api, opts.argocdNamespace, names);
          const unmet = apps.map((a) => ({ name: a.metadata.name, unmet: unmetWaitConditions(a, want) })).filter((a) => a.unmet.length > 0);
          if (unmet.length === 0) {
            for (const a of apps) {
              process.stdout.write(`${a.metadata.name}: ${a.status?.sync?.status ?? ''} ${a.status?.health?.status ?? ''}\n`);
            }
            return EXIT_OK;
          }
          if (Date.now() >= deadline) {
            process.stderr.write(`error: timed out after ${opts.timeout}s: ${unmet.map((a) => `${a.name}: ${a.unmet.join(', ')}`).join('; ')}\n`);
            return EXIT_FAILED_OR_CHANGED;
          }
          await new Promise((r) => setTimeout(r, Math.min(WAIT_POLL_MS, Math.max(0, deadline - Date.now()))));
        }
      });
    }));
}
