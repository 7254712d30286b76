/**
 * `cdk8s-argocd rehearse`: what Argo CD will do to the cluster when this change merges (see
 * src/rehearse/rehearse.ts). Progress on stderr; the report on stdout (or `--out`): Markdown for
 * a pull-request comment, JSON (the report model) or a self-contained HTML page.
 */
import * as fs from 'fs';
import { Command, Option } from 'commander';
import { EXIT_USAGE } from './engine-commands';
import { integerOption } from './integer-option';
import { renderHtml } from '../rehearse/html-report';
import { renderMarkdown } from '../rehearse/markdown';
import { rehearse, RehearsalInputError } from '../rehearse/rehearse';
import { RehearsalReport } from '../rehearse/report';

type RehearsalFormat = 'markdown' | 'json' | 'html';

interface RehearseCliOptions {
  readonly base: string;
  readonly head?: string;
  readonly worktree: boolean;
  readonly clusters?: string;
  readonly crds: string[];
  readonly output: RehearsalFormat;
  readonly out?: string;
  readonly manualBase: 'synced' | 'unsynced';
  readonly timeout: number;
}

/** The report in the asked format. */
export function formatRehearsal(report: RehearsalReport, format: RehearsalFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'html':
      return renderHtml(report);
    default:
      return renderMarkdown(report);
  }
}

export function registerRehearseCommand(program: Command): void {
  program.command('rehearse')
    .description('predict what Argo CD will do when this change merges: sync the base revision\'s tree on a throwaway local control plane, '
      + 'then reconcile the head revision as Argo CD would after the merge, and report changes, predicted failures, danger signs, '
      + 'the sync timeline and what never settles; exit 0 predicted success without danger, 1 predicted failure, danger sign or '
      + 'never-settling object, 2 bad input')
    .argument('[path]', 'manifests directory in a Git repository (Applications are found anywhere below it)', 'manifests')
    .option('--base <rev>', 'the revision the change merges into', 'origin/main')
    .option('--head <rev>', 'the revision with the change (default: HEAD)')
    .option('--worktree', 'head is the work tree as it is, uncommitted changes included', false)
    .option('--clusters <file>', 'clusters file: each destination it names gets its own throwaway local cluster')
    .option('--crds <path>', 'CustomResourceDefinitions your clusters have but the repository does not install (file or folder; repeatable)',
      (v: string, prev: string[]) => [...prev, v], [])
    .addOption(new Option('-o, --output <format>', 'report format').choices(['markdown', 'json', 'html']).default('markdown'))
    .option('--out <file>', 'write the report to this file instead of stdout')
    .addOption(new Option('--manual-base <state>', 'manual Applications at base: synced (as last synced by hand at base) or unsynced (never synced)')
      .choices(['synced', 'unsynced']).default('synced'))
    .option('--timeout <seconds>', 'fail an Application\'s sync operation after this many seconds', integerOption({ min: 1, unit: 'seconds' }), 120)
    .action(async (path: string, opts: RehearseCliOptions) => {
      if (opts.worktree && opts.head) {
        process.stderr.write('error: --head and --worktree exclude each other: head is a revision or the work tree\n');
        process.exitCode = EXIT_USAGE;
        return;
      }
      let report: RehearsalReport;
      try {
        report = await rehearse({
          path,
          base: opts.base,
          head: opts.head,
          worktree: opts.worktree,
          clusters: opts.clusters,
          crds: opts.crds,
          manualBase: opts.manualBase,
          timeoutSeconds: opts.timeout,
          log: (m) => process.stderr.write(`${m}\n`),
        });
      } catch (e) {
        const prefix = e instanceof RehearsalInputError ? 'error' : 'error: the rehearsal could not run';
        process.stderr.write(`${prefix}: ${(e as Error).message}\n`);
        process.exitCode = EXIT_USAGE;
        return;
      }
      let text: string;
      try {
        text = formatRehearsal(report, opts.output);
      } catch (e) {
        process.stderr.write(`error: cannot render the report as ${opts.output}: ${(e as Error).message} (-o json prints the model)\n`);
        process.exitCode = EXIT_USAGE;
        return;
      }
      if (opts.out) {
        fs.writeFileSync(opts.out, text);
        process.stderr.write(`rehearse: report written to ${opts.out}\n`);
      } else {
        process.stdout.write(text);
      }
      const s = report.summary;
      process.stderr.write(`rehearse: ${report.outcome}: ${s.failures} failure(s), ${s.dangers} danger sign(s), ${s.neverSettling} never settling, `
        + `${s.created} created, ${s.changed} changed, ${s.pruned} pruned, ${s.requirePruning} require pruning\n`);
      process.exitCode = report.exitCode;
    });
}
