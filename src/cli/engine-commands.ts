import { Command, InvalidArgumentError } from 'commander';
import { runApplications, ApplicationOptions } from './application-runner';
import { integerOption } from './integer-option';
import { isMachineFormat, outputOption } from './output-format';
import { printResults } from './result-printer';
import { compareApplication } from '../engine/compare-app';
import { OperationPhase } from '../engine/model';
import { diffDocument, hasChanges, renderApplicationDiff } from '../engine/output/diff-text';
import { PlainEventLog, TtyProgress } from '../engine/output/events';
import { renderStatus } from '../engine/output/status-table';
import { renderSyncResult } from '../engine/output/sync-table';
import { parseResourceFilter, ResourceFilter } from '../engine/plan';
import { cliInitiator, syncAndRecord } from '../engine/record-sync';
import { SyncEvent } from '../engine/sync';

/** Exit codes of every command: see README "CLI". */
export const EXIT_OK = 0;
export const EXIT_FAILED_OR_CHANGED = 1;
export const EXIT_USAGE = 2;
/** A sync stopped by SIGINT/SIGTERM (128 + SIGINT, as shells report it). */
export const EXIT_INTERRUPTED = 130;

/**
 * SIGINT/SIGTERM during a sync: abort the signal (the engine starts no new work, releases hooks
 * and the Lease, and reports what it left); a second signal exits at once.
 */
function interruptOnSignals(): { signal: AbortSignal; dispose(): void } {
  const interrupt = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupt.signal.aborted) {
      process.exit(EXIT_INTERRUPTED);
    }
    process.stderr.write(`${sig}: stopping after the requests in flight; releasing hooks and the sync lock (send it again to exit at once)\n`);
    interrupt.abort(new Error(`interrupted by ${sig}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: interrupt.signal,
    dispose() {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    },
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function collectResource(value: string, previous: ResourceFilter[]): ResourceFilter[] {
  try {
    return [...previous, parseResourceFilter(value)];
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message.replace(/^--resource \S+: expected/, 'Expected'));
  }
}

function addCommon(cmd: Command): Command {
  return cmd
    .argument('[path]', 'manifests directory (Applications are found anywhere below it) or one Application manifest', 'manifests')
    .option('-a, --app <name>', 'Application to use (repeatable)', collect, [])
    .option('--revision <git-rev>', 'read the committed tree at this Git revision instead of the work tree')
    .option('--repo-root <dir>', 'folder that source.path is relative to (default: the Git top level)')
    .option('--repo-url <url>', 'only sources with this repoURL map to the local repository')
    .option('--kubeconfig <file>', 'kubeconfig (default: KUBECONFIG, else a running local cluster, else ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context')
    .option('--clusters <file>', 'clusters file mapping other destinations to kubeconfigs')
    .addOption(outputOption());
}

/** Runs a command body; input and connection errors exit 2 with the message. */
async function guarded(body: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await body();
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exitCode = EXIT_USAGE;
  }
}

interface SyncOptions extends ApplicationOptions {
  readonly prune: boolean;
  readonly dryRun: boolean;
  readonly resource: ResourceFilter[];
  readonly force: boolean;
  readonly timeout?: number;
  readonly confirmPrune: boolean;
  readonly allowEmpty: boolean;
  readonly retryLimit?: number;
  readonly concurrency: number;
}

/** Progress on stderr: live on a terminal, one line per event otherwise, none for json/yaml. */
function progressFor(opts: ApplicationOptions): ((e: SyncEvent) => void) | undefined {
  if (isMachineFormat(opts.output)) {
    return undefined;
  }
  const view = process.stderr.isTTY ? new TtyProgress() : new PlainEventLog();
  return (e) => view.handle(e);
}

export function registerEngineCommands(program: Command): void {
  addCommon(program.command('sync')
    .description('sync Applications to the cluster with Argo CD semantics: dry run, phases, waves, hooks, health, prune; exit 0 synced, 1 sync failed, 2 usage or input error'))
    .option('--prune', 'delete tracked objects that are no longer desired (a manual sync never prunes otherwise)', false)
    .option('--dry-run', 'plan and server-side dry-run only; change nothing', false)
    .option('--resource <GROUP:KIND:NAME>', 'sync only this resource (repeatable; GROUP:KIND:NAMESPACE/NAME also works)', collectResource, [])
    .option('--force', 'Force=true for every resource: delete and recreate objects the server refuses to update', false)
    .option('--timeout <seconds>', 'fail the operation after this many seconds (default: no timeout)', integerOption({ min: 1, unit: 'seconds' }))
    .option('--confirm-prune', 'approve prunes of resources annotated Prune=confirm', false)
    .option('--allow-empty', 'allow a prune that removes every resource of the Application', false)
    .option('--retry-limit <n>', 'retries on failure (default: syncPolicy.retry.limit; negative = unlimited)', integerOption({ unit: 'retries, negative = unlimited' }))
    .option('--concurrency <n>', 'parallel API calls within a kind group', integerOption({ min: 1, max: 1000 }), 16)
    .action((path: string, opts: SyncOptions) => guarded(async () => {
      const onEvent = progressFor(opts);
      const interrupt = interruptOnSignals();
      try {
        const results = await runApplications({
          path,
          options: opts,
          verb: opts.dryRun ? 'sync --dry-run' : 'sync',
          changes: true,
          maxSockets: opts.concurrency,
          each: (client, app) => syncAndRecord(client, app, {
            initiatedBy: cliInitiator(),
            prune: opts.prune,
            dryRun: opts.dryRun,
            resources: opts.resource,
            force: opts.force,
            timeoutSeconds: opts.timeout,
            confirmPrune: opts.confirmPrune,
            allowEmpty: opts.allowEmpty,
            retryLimit: opts.retryLimit,
            concurrency: opts.concurrency,
            onEvent,
            signal: interrupt.signal,
          }),
        });
        printResults(results, opts.output, { text: (r, s) => renderSyncResult(r, s.color, s.wide) });
        if (interrupt.signal.aborted) {
          return EXIT_INTERRUPTED;
        }
        return results.every((r) => r.phase === OperationPhase.SUCCEEDED) ? EXIT_OK : EXIT_FAILED_OR_CHANGED;
      } finally {
        interrupt.dispose();
      }
    }));

  addCommon(program.command('diff')
    .description('show live vs desired per resource (normalized as Argo CD does; Secret values masked); exit 0 no changes, 1 changes, 2 usage or input error'))
    .action((path: string, opts: ApplicationOptions) => guarded(async () => {
      const results = await runApplications({ path, options: opts, verb: 'diff', changes: false, each: (client, app) => compareApplication(client, app, { withObjects: true }) });
      printResults(results, opts.output, { text: (r, s) => renderApplicationDiff(r, s.color, s.wide), document: diffDocument });
      return exitOfComparison(results, hasChanges);
    }));

  addCommon(program.command('status')
    .description('per-resource sync status and health, app sync status and aggregated health (like `argocd app get`); exit 0, or 2 on a usage or input error'))
    .action((path: string, opts: ApplicationOptions) => guarded(async () => {
      const results = await runApplications({ path, options: opts, verb: 'status', changes: false, each: (client, app) => compareApplication(client, app) });
      printResults(results, opts.output, { text: (r, s) => renderStatus(r, s.color, s.wide) });
      return exitOfComparison(results, () => false);
    }));
}

/** 2 when an Application could not be compared (its error is said on stderr), else 1 when `changed`. */
function exitOfComparison<S extends { application: string; error?: string }>(results: readonly S[], changed: (s: S) => boolean): number {
  const failed = results.filter((s) => s.error);
  for (const s of failed) {
    process.stderr.write(`error: ${s.application}: ${s.error}\n`);
  }
  if (failed.length > 0) {
    return EXIT_USAGE;
  }
  return results.some(changed) ? EXIT_FAILED_OR_CHANGED : EXIT_OK;
}
