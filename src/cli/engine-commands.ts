import { statSync } from 'fs';
import { dirname, resolve as pathResolve } from 'path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { runApplications, runApplicationTree, ApplicationOptions } from './application-runner';
import { applyAll, describeEvent } from './appset-sync-command';
import { integerOption } from './integer-option';
import { formatDocument, isMachineFormat, OutputFormat, outputOption } from './output-format';
import { printResults } from './result-printer';
import { positionOf, topLevelArgoObjects, TreeApplicationSets } from './tree-appsets';
import { ARGOCD_NAMESPACE } from '../argo/destination';
import { ApplicationSetEvent, ApplicationSetRunResult } from '../engine/appset-controller';
import { compareApplication } from '../engine/compare-app';
import { DryRunStrategy } from '../engine/dry-run';
import { checkFailHooks } from '../engine/hooks';
import { gitRoot } from '../engine/load/source-tree';
import { PlacedApplicationSet, withGeneratedApplications } from '../engine/output/appset-rows';
import { diffDocument, hasChanges, renderApplicationDiff } from '../engine/output/diff-text';
import { PlainEventLog, TtyTreeProgress } from '../engine/output/events';
import { renderSyncResult } from '../engine/output/sync-table';
import { renderTreeSummary, treeRunDocument } from '../engine/output/tree-summary';
import { treeOutline, TreeViewRow } from '../engine/output/tree-view';
import { parseResourceFilter, ResourceFilter } from '../engine/plan';
import { cliInitiator } from '../engine/record-sync';
import { ApplicationRun, DEFAULT_APP_CONCURRENCY, runSucceeded, syncTree, TreeEvent } from '../engine/tree/tree-sync';
import { matchesHeadCommit } from '../git/work-tree-changes';

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

/** A repeatable option's values. */
export function collect(value: string, previous: string[]): string[] {
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
  readonly failHook: string[];
  readonly dryRunStrategy: DryRunStrategy;
}

interface TreeProgress {
  handle(e: TreeEvent): void;
  /** An event of a set's controller; `parent` applied the set (none for a top-level set). */
  applicationSet(e: ApplicationSetEvent, parent?: string): void;
  applicationSetDone(result: ApplicationSetRunResult, parent?: string): void;
  finish(): void;
}

/**
 * Progress on stderr: the live tree on a terminal (ApplicationSets and their Applications under
 * the Application that applied them), one line per event otherwise, none for json/yaml.
 */
function progressFor(opts: ApplicationOptions, rows: TreeViewRow[]): TreeProgress | undefined {
  if (isMachineFormat(opts.output)) {
    return undefined;
  }
  if (process.stderr.isTTY) {
    const view = new TtyTreeProgress(rows);
    return {
      handle: (e) => view.handle(e),
      applicationSet: (e, parent) => view.handleApplicationSet(e, parent),
      applicationSetDone: (r, parent) => view.applicationSetDone(r, parent),
      finish: () => view.finish(),
    };
  }
  const log = new PlainEventLog();
  return {
    handle: (e) => log.handle(e),
    applicationSet: (e) => process.stderr.write(`${describeEvent(e)}\n`),
    applicationSetDone: () => undefined,
    finish: () => undefined,
  };
}

/**
 * stdout after a tree sync: json/yaml one document per Application (with its parent), and when
 * ApplicationSets ran, `{ applications: [...], applicationSets: [...] }` instead, where the
 * applications include the ones the sets generated (parent: the set, `parentKind:
 * ApplicationSet`) and each set names the Application that applied it (`parent`); text the
 * result of each synced Application, then (for more than one) every Application in one table,
 * generated ones included, then one line per ApplicationSet.
 */
function printTreeResults(treeRuns: readonly ApplicationRun[], sets: readonly PlacedApplicationSet[], format: OutputFormat): void {
  const runs = withGeneratedApplications(treeRuns, sets);
  if (isMachineFormat(format)) {
    if (sets.length === 0) {
      printResults(runs, format, { text: () => '', document: treeRunDocument });
    } else {
      const applicationSets = sets.map(({ result, parent }) => ({ ...result, ...(parent !== undefined ? { parent } : {}) }));
      process.stdout.write(formatDocument(format, { applications: runs.map(treeRunDocument), applicationSets }));
    }
    return;
  }
  const synced = treeRuns.flatMap((r) => (r.operation ? [r.operation] : []));
  printResults(synced, format, { text: (r, s) => renderSyncResult(r, s.color, s.wide) });
  if (runs.length > 1) {
    process.stdout.write(`\n${renderTreeSummary(runs, !!process.stdout.isTTY)}\n`);
  }
  if (sets.length > 0) {
    const lines = sets.map(({ result: r }) => `ApplicationSet ${r.applicationSet}: ${r.ok ? 'done' : 'FAILED'}: ${r.message}`);
    process.stdout.write(`${runs.length > 0 ? '\n' : ''}${lines.join('\n')}\n`);
  }
}

/**
 * A `--fail-hook` hook that did not run (its Application was only compared, as a Synced automated
 * child is, or the operation stopped before its phase) rehearsed nothing: say so.
 */
function warnUnusedFailHooks(names: readonly string[], runs: readonly ApplicationRun[]): void {
  const forced = new Set(runs.flatMap((r) => r.operation?.resources ?? []).filter((x) => x.hookPhase && x.forced).map((x) => x.forced));
  for (const name of names.filter((n) => !forced.has(`--fail-hook ${n}`))) {
    process.stderr.write(`warning: --fail-hook ${name}: the hook did not run in this sync, so nothing failed on purpose\n`);
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
    .option('--fail-hook <name>', 'make this Job or Pod hook fail on purpose, to rehearse the SyncFail path (only on a cluster that simulates pods, as the local cluster; repeatable)', collect, [])
    .addOption(new Option('--dry-run-strategy <strategy>', 'the check before anything is applied: server (every object dry-run by the API server; a refused object anywhere applies nothing) or client (Argo CD\'s: only an unknown kind stops the sync; a refused object fails when its wave is applied, after the earlier waves)')
      .choices(['server', 'client']).default('server'))
    .action((path: string, opts: SyncOptions) => guarded(async () => {
      const interrupt = interruptOnSignals();
      try {
        const { runs, sets } = await runApplicationTree({
          path,
          options: opts,
          recursive: opts.recursive,
          verb: opts.dryRun ? 'sync --dry-run' : 'sync',
          maxSockets: opts.concurrency,
          timeoutSeconds: opts.timeout,
          run: async (tree, selection, clientFor, clusters, files) => {
            // An unknown --fail-hook name is a usage error, before anything is applied.
            checkFailHooks(opts.failHook, [...selection.members].map((k) => tree.nodes.get(k)!.app));
            // Top-level AppProjects and ApplicationSets (in no Application's source) are applied
            // with the roots, as the README's one-time `kubectl apply -f manifests/apps/` would.
            let topLevel = opts.app.length === 0 ? topLevelArgoObjects(path, tree, files) : [];
            if (topLevel.length > 0 && opts.revision) {
              process.stderr.write(`warning: ${topLevel.length} AppProject(s)/ApplicationSet(s) in no Application's source are not applied with --revision (they would be read from the work tree): apply them with \`appset sync\`\n`);
              topLevel = [];
            }
            const topSets = topLevel.filter((o) => o.object.kind === 'ApplicationSet');
            if (tree.nodes.size === 0 && topSets.length === 0) {
              throw new Error(`no Application or ApplicationSet found in ${path}: point sync at the committed manifests (e.g. manifests) or at one Application manifest`);
            }
            const targetDir = statSync(path).isDirectory() ? pathResolve(path) : dirname(pathResolve(path));
            const repoRoot = pathResolve(opts.repoRoot ?? gitRoot(targetDir) ?? targetDir);
            const progress = progressFor(opts, treeOutline(tree, selection));
            const appSets = new TreeApplicationSets({
              repoRoot,
              repoURL: opts.repoUrl,
              clusters: opts.clusters ? clusters.entries : undefined,
              clientFor,
              includeManual: opts.includeManual,
              concurrency: opts.concurrency,
              timeoutSeconds: opts.timeout,
              signal: interrupt.signal,
              onEvent: progress?.applicationSet,
              onResult: progress?.applicationSetDone,
            });
            const dryRunSets: PlacedApplicationSet[] = [];
            const topRuns: Array<Promise<unknown>> = [];
            if (opts.dryRun) {
              for (const o of topLevel) {
                const name = `${o.object.metadata?.namespace ?? ARGOCD_NAMESPACE}/${o.object.metadata?.name}`;
                const message = `dry run: would be applied from ${positionOf(o, repoRoot).file}${o.object.kind === 'ApplicationSet' ? ' and its controller run' : ''}`;
                if (!isMachineFormat(opts.output)) {
                  process.stderr.write(`${o.object.kind} ${name}: ${message}\n`);
                }
                if (o.object.kind === 'ApplicationSet') {
                  dryRunSets.push({ result: { applicationSet: name, ok: true, message, changes: [], applications: [], conditions: [] } });
                }
              }
            } else if (topLevel.length > 0) {
              const api = await clusters.current(topLevel.map((o) => `${o.object.kind} ${o.object.metadata?.name}`).join(', '));
              await applyAll(api, topLevel);
              for (const o of topSets) {
                const ref = { name: o.object.metadata.name, namespace: o.object.metadata.namespace ?? ARGOCD_NAMESPACE };
                topRuns.push(appSets.run(api, ref, positionOf(o, repoRoot)));
              }
            }
            try {
              const treeRun = syncTree(tree, selection, {
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
                  failHooks: opts.failHook,
                  dryRunStrategy: opts.dryRunStrategy,
                },
                initiatedBy: cliInitiator(),
                includeManual: opts.includeManual,
                // The sources are read from the repository root: any uncommitted change there may change them.
                exactRevision: () => !!opts.revision || matchesHeadCommit(repoRoot),
                appConcurrency: opts.appConcurrency,
                clientFor,
                controlPlane: clusters.controlPlane,
                onEvent: progress?.handle,
                onApplicationSetApplied: (set, parent, api) => appSets.runApplied(api, set, parent),
              });
              const [applicationRuns] = await Promise.all([treeRun, ...topRuns]);
              return { runs: applicationRuns, sets: [...dryRunSets, ...appSets.results] };
            } finally {
              progress?.finish();
            }
          },
        });
        printTreeResults(runs, sets, opts.output);
        warnUnusedFailHooks(opts.failHook, runs);
        if (interrupt.signal.aborted) {
          return EXIT_INTERRUPTED;
        }
        return runs.every(runSucceeded) && sets.every(({ result }) => result.ok) ? EXIT_OK : EXIT_FAILED_OR_CHANGED;
      } finally {
        interrupt.dispose();
      }
    }));

  addCommon(program.command('diff')
    .description('show live vs desired per resource (normalized as Argo CD does; Secret values masked); exit 0 no changes, 1 changes, 2 usage or input error'))
    .action((path: string, opts: ApplicationOptions) => guarded(async () => {
      const results = await runApplications({ path, options: opts, verb: 'diff', changes: false, each: (client, app, controlPlane) => compareApplication(client, app, { withObjects: true, controlPlane }) });
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
