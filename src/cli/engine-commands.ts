import { Command, InvalidArgumentError } from 'commander';
import { runApplications, runApplicationTree, ApplicationOptions } from './application-runner';
import { integerOption } from './integer-option';
import { isMachineFormat, OutputFormat, outputOption } from './output-format';
import { printResults } from './result-printer';
import { compareApplication } from '../engine/compare-app';
import { diffDocument, hasChanges, renderApplicationDiff } from '../engine/output/diff-text';
import { PlainEventLog, TtyTreeProgress } from '../engine/output/events';
import { renderSyncResult } from '../engine/output/sync-table';
import { renderTreeSummary, treeRunDocument } from '../engine/output/tree-summary';
import { treeOutline, TreeViewRow } from '../engine/output/tree-view';
import { parseResourceFilter, ResourceFilter } from '../engine/plan';
import { cliInitiator } from '../engine/record-sync';
import { ApplicationRun, DEFAULT_APP_CONCURRENCY, runSucceeded, syncTree, TreeEvent } from '../engine/tree/tree-sync';

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

/** `[path]` and `--app`, then the source and cluster options. */
export function addCommon(cmd: Command): Command {
  return addSourceOptions(cmd
    .argument('[path]', 'manifests directory (Applications are found anywhere below it) or one Application manifest', 'manifests')
    .option('-a, --app <name>', 'Application to use (repeatable)', collect, []));
}

/** Where the manifests are read from and which cluster is used, and `-o`. */
export function addSourceOptions(cmd: Command): Command {
  return cmd
    .option('--revision <git-rev>', 'read the committed tree at this Git revision instead of the work tree')
    .option('--repo-root <dir>', 'folder that source.path is relative to (default: the Git top level)')
    .option('--repo-url <url>', 'only sources with this repoURL map to the local repository')
    .option('--kubeconfig <file>', 'kubeconfig (default: KUBECONFIG, else a running local cluster, else ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context')
    .option('--clusters <file>', 'clusters file mapping other destinations to kubeconfigs')
    .addOption(outputOption());
}

/** Runs a command body; input and connection errors exit 2 with the message. */
export async function guarded(body: () => Promise<number>): Promise<void> {
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
  readonly recursive: boolean;
  readonly includeManual: boolean;
  readonly appConcurrency: number;
}

/** Progress on stderr: the live tree on a terminal, one line per event otherwise, none for json/yaml. */
function progressFor(opts: ApplicationOptions, rows: TreeViewRow[]): { handle(e: TreeEvent): void; finish(): void } | undefined {
  if (isMachineFormat(opts.output)) {
    return undefined;
  }
  if (process.stderr.isTTY) {
    const view = new TtyTreeProgress(rows);
    return { handle: (e) => view.handle(e), finish: () => view.finish() };
  }
  const log = new PlainEventLog();
  return { handle: (e) => log.handle(e), finish: () => undefined };
}

/**
 * stdout after a tree sync: json/yaml one document per Application (with its parent); text the
 * result of each synced Application, then (for more than one) every Application in one table.
 */
function printTreeResults(runs: readonly ApplicationRun[], format: OutputFormat): void {
  if (isMachineFormat(format)) {
    printResults(runs, format, { text: () => '', document: treeRunDocument });
    return;
  }
  const synced = runs.flatMap((r) => (r.operation ? [r.operation] : []));
  printResults(synced, format, { text: (r, s) => renderSyncResult(r, s.color, s.wide) });
  if (runs.length > 1) {
    process.stdout.write(`\n${renderTreeSummary(runs, !!process.stdout.isTTY)}\n`);
  }
}

export function registerEngineCommands(program: Command): void {
  addCommon(program.command('sync')
    .description('sync the Application tree to the cluster as Argo CD\'s controller would: roots top-down, children by wave and health, with dry run, phases, waves, hooks, health, prune; exit 0 all synced, 1 a sync failed, 2 usage or input error'))
    .option('--prune', 'delete tracked objects that are no longer desired (a manual sync never prunes otherwise)', false)
    .option('--dry-run', 'plan and server-side dry-run only; change nothing', false)
    .option('--resource <GROUP:KIND:NAME>', 'sync only this resource (repeatable; GROUP:KIND:NAMESPACE/NAME also works)', collectResource, [])
    .option('--force', 'Force=true for every resource: delete and recreate objects the server refuses to update', false)
    .option('--timeout <seconds>', 'fail an Application\'s operation after this many seconds (default: no timeout)', integerOption({ min: 1, unit: 'seconds' }))
    .option('--confirm-prune', 'approve prunes of resources annotated Prune=confirm', false)
    .option('--allow-empty', 'allow a prune that removes every resource of the Application', false)
    .option('--retry-limit <n>', 'retries on failure (default: syncPolicy.retry.limit; negative = unlimited)', integerOption({ unit: 'retries, negative = unlimited' }))
    .option('--concurrency <n>', 'parallel API calls within a kind group', integerOption({ min: 1, max: 1000 }), 16)
    .option('--recursive', 'with --app: also the Applications below it (the child Applications its sync creates)', false)
    .option('--include-manual', 'sync child Applications without an automated sync policy too (otherwise they are compared and reported OutOfSync)', false)
    .option('--app-concurrency <n>', 'Applications reconciled at once (like Argo CD\'s --operation-processors)', integerOption({ min: 1, max: 1000 }), DEFAULT_APP_CONCURRENCY)
    .action((path: string, opts: SyncOptions) => guarded(async () => {
      const interrupt = interruptOnSignals();
      try {
        const runs = await runApplicationTree({
          path,
          options: opts,
          recursive: opts.recursive,
          verb: opts.dryRun ? 'sync --dry-run' : 'sync',
          maxSockets: opts.concurrency,
          run: async (tree, selection, clientFor) => {
            const progress = progressFor(opts, treeOutline(tree, selection));
            try {
              return await syncTree(tree, selection, {
                request: {
                  prune: opts.prune,
                  dryRun: opts.dryRun,
                  resources: opts.resource,
                  force: opts.force,
                  timeoutSeconds: opts.timeout,
                  confirmPrune: opts.confirmPrune,
                  allowEmpty: opts.allowEmpty,
                  retryLimit: opts.retryLimit,
                  concurrency: opts.concurrency,
                  signal: interrupt.signal,
                },
                initiatedBy: cliInitiator(),
                includeManual: opts.includeManual,
                appConcurrency: opts.appConcurrency,
                clientFor,
                onEvent: progress?.handle,
              });
            } finally {
              progress?.finish();
            }
          },
        });
        printTreeResults(runs, opts.output);
        if (interrupt.signal.aborted) {
          return EXIT_INTERRUPTED;
        }
        return runs.every(runSucceeded) ? EXIT_OK : EXIT_FAILED_OR_CHANGED;
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
}

/** 2 when an Application could not be compared (its error is said on stderr), else 1 when `changed`. */
export function exitOfComparison<S extends { application: string; error?: string }>(results: readonly S[], changed: (s: S) => boolean): number {
  const failed = results.filter((s) => s.error);
  for (const s of failed) {
    process.stderr.write(`error: ${s.application}: ${s.error}\n`);
  }
  if (failed.length > 0) {
    return EXIT_USAGE;
  }
  return results.some(changed) ? EXIT_FAILED_OR_CHANGED : EXIT_OK;
}
