/**
 * `rehearse -o markdown`: the report as a pull-request comment. The summary and the findings
 * come first (what a reviewer must see), every Application's changes and the timeline are
 * collapsed in `<details>` blocks, and the whole stays under GitHub's comment limit (65,536
 * characters): diffs are cut first, then whole sections, with a note saying so.
 */
import {
  ApplicationRehearsal, FindingSeverity, RehearsalFinding, RehearsalReport, RehearsalResource, RehearsalTimelineStep,
} from './report';

/** GitHub's limit on an issue or pull-request comment body. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** Longest diff shown per object before it is cut. */
const MAX_DIFF_LINES = 80;

export interface MarkdownOptions {
  /** Character budget (default: a margin below {@link GITHUB_COMMENT_LIMIT}). */
  readonly limit?: number;
}

const short = (sha: string) => sha.slice(0, 12);

function revision(r: RehearsalReport['base']): string {
  return r.dirty ? `\`${r.ref}\` (uncommitted changes on ${short(r.sha)})` : `\`${r.ref}\` (${short(r.sha)})`;
}

function resourceName(r: RehearsalResource): string {
  return `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
}

/** Text inside a table cell or a list item: no pipes or line breaks, no HTML. */
function cell(s: string): string {
  return s.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' }[c]!)).replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

const ICON: Record<FindingSeverity, string> = {
  [FindingSeverity.FAILURE]: ':x:',
  [FindingSeverity.DANGER]: ':warning:',
  [FindingSeverity.NEVER_SETTLES]: ':repeat:',
};

function findingLine(f: RehearsalFinding): string {
  const what = f.resource ? ` ${resourceName(f.resource)}${f.resource.source ? ` (\`${f.resource.source}\`)` : ''}` : '';
  const path = f.path ? ` \`${f.path}\`` : '';
  return `- ${ICON[f.severity]} **${f.kind}** — \`${f.application}\`${cell(what)}${path}: ${cell(f.message)}`;
}

/** A diff in a fenced block, cut to `maxLines`. */
function diffBlock(diff: string, maxLines: number): string {
  const lines = diff.split('\n').filter((l) => l.length > 0);
  const shown = lines.length > maxLines ? [...lines.slice(0, maxLines), `… ${lines.length - maxLines} more line(s) cut`] : lines;
  // A fence longer than any backtick run in the diff, so the diff cannot close it.
  const longest = Math.max(2, ...(diff.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}diff\n${shown.join('\n')}\n${fence}`;
}

function listOf(title: string, items: readonly RehearsalResource[]): string[] {
  if (items.length === 0) {
    return [];
  }
  return [`**${title}** (${items.length}):`, ...items.map((r) => `- ${cell(resourceName(r))}${r.source ? ` — \`${r.source}\`` : ''}`), ''];
}

function applicationSection(a: ApplicationRehearsal, diffLines: number): string {
  const parts: string[] = [];
  const counts = [
    a.created.length ? `${a.created.length} created` : '',
    a.changed.length ? `${a.changed.length} changed` : '',
    a.pruned.length ? `${a.pruned.length} pruned` : '',
    a.requirePruning.length ? `${a.requirePruning.length} require pruning` : '',
  ].filter(Boolean).join(', ') || 'no object changes';
  const icon = a.findings.some((f) => f.severity === FindingSeverity.FAILURE) ? ':x: '
    : a.findings.some((f) => f.severity === FindingSeverity.DANGER) ? ':warning: '
      : a.findings.length ? ':repeat: ' : '';
  parts.push(`<details><summary>${icon}<code>${cell(a.name)}</code> — ${a.change}, ${a.automated ? 'automated' : 'manual'}, ${counts}</summary>`, '');
  parts.push(`Outcome: **${a.outcome}**, then ${a.syncStatus}/${a.healthStatus}${a.message ? ` — ${cell(a.message)}` : ''}`, '');
  parts.push(...listOf('Created', a.created));
  for (const c of a.changed) {
    parts.push(`**Changed** ${cell(resourceName(c))}${c.source ? ` — \`${c.source}\`` : ''}`, '', diffBlock(c.diff, diffLines), '');
  }
  parts.push(...listOf('Pruned', a.pruned));
  parts.push(...listOf('Require pruning (not pruned: prune is off for them)', a.requirePruning));
  parts.push('</details>', '');
  return parts.join('\n');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

function timelineSection(steps: readonly RehearsalTimelineStep[], maxRows: number): string {
  if (steps.length === 0) {
    return '';
  }
  const rows = steps.slice(0, maxRows).map((s) => `| ${seconds(s.startMs)} | ${seconds(s.endMs - s.startMs)} | \`${cell(s.application)}\` | ${s.phase} | ${s.wave} | ${s.kind} | ${cell(s.name)} | ${cell(s.result)}${s.simulated ? ' *' : ''} |`);
  const cut = steps.length > maxRows ? [`\n… ${steps.length - maxRows} more step(s) cut (see \`-o json\` or \`-o html\`)`] : [];
  const simulated = steps.some((s) => s.simulated)
    ? ['', '\\* simulated on the local control plane: kwok runs no containers (hooks succeed without running; Pods are Ready at once).']
    : [];
  return [
    `<details><summary>Sync timeline (${steps.length} step${steps.length === 1 ? '' : 's'})</summary>`,
    '',
    '| start | took | Application | phase | wave | step | what | result |',
    '|---:|---:|---|---|---:|---|---|---|',
    ...rows,
    ...cut,
    ...simulated,
    '',
    '</details>',
    '',
  ].join('\n');
}

function render(report: RehearsalReport, diffLines: number, timelineRows: number, maxApps: number): string {
  const s = report.summary;
  const verdict = report.exitCode === 0
    ? ':white_check_mark: **Predicted to succeed, no danger sign.**'
    : report.outcome === 'Failed' && s.failures > 0
      ? `:x: **Predicted to fail** (${s.failures} failure${s.failures === 1 ? '' : 's'}).`
      : s.dangers > 0 ? `:warning: **Danger sign${s.dangers === 1 ? '' : 's'}** (${s.dangers}).` : `:repeat: **${s.neverSettling} object(s) will never settle.**`;
  const out: string[] = [
    '## Rehearsal: what Argo CD will do when this merges',
    '',
    `${verdict} Base ${revision(report.base)} → head ${revision(report.head)}, rehearsed in ${seconds(report.durationMs)} on a throwaway local control plane.`,
    '',
    '| Applications | created | changed | pruned | require pruning | failures | dangers | never settle |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${s.applications} | ${s.created} | ${s.changed} | ${s.pruned} | ${s.requirePruning} | ${s.failures} | ${s.dangers} | ${s.neverSettling} |`,
    '',
  ];
  const findings = report.applications.flatMap((a) => a.findings);
  if (findings.length > 0) {
    const order = [FindingSeverity.FAILURE, FindingSeverity.DANGER, FindingSeverity.NEVER_SETTLES];
    out.push('### Findings', '', ...[...findings].sort((a, b) => order.indexOf(a.severity) - order.indexOf(b.severity)).map(findingLine), '');
  }
  const touched = report.applications.filter((a) => a.change !== 'unchanged' || a.findings.length > 0 || a.outcome !== 'None' && a.outcome !== 'Succeeded');
  if (touched.length === 0 && report.applicationSets.every((a) => a.added.length + a.removed.length === 0)) {
    out.push('No change: every Application stays as it is.', '');
  }
  if (touched.length > 0) {
    out.push('### Applications', '');
    for (const a of touched.slice(0, maxApps)) {
      out.push(applicationSection(a, diffLines));
    }
    if (touched.length > maxApps) {
      out.push(`… ${touched.length - maxApps} more Application(s) cut to fit a comment (see \`-o json\` or \`-o html\`).`, '');
    }
  }
  const sets = report.applicationSets.filter((a) => a.added.length + a.removed.length + a.rollingSteps.length > 0);
  if (sets.length > 0) {
    out.push('### ApplicationSets', '');
    for (const set of sets) {
      const steps = set.rollingSteps.map((apps, i) => `step ${i + 1}: ${apps.map((a) => `\`${a}\``).join(', ')}`).join('; ');
      out.push(`- \`${set.name}\`: ${set.added.length ? `adds ${set.added.map((a) => `\`${a}\``).join(', ')}` : 'adds none'}; `
        + `${set.removed.length ? `removes ${set.removed.map((a) => `\`${a}\``).join(', ')}` : 'removes none'}${steps ? `; RollingSync ${steps}` : ''}`);
    }
    out.push('');
  }
  out.push(timelineSection(report.timeline, timelineRows));
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

/**
 * The Markdown comment. When it would exceed the limit, diffs are shortened, then the timeline
 * and the Application sections are cut, each time with a note; the summary and findings stay.
 */
export function renderMarkdown(report: RehearsalReport, options: MarkdownOptions = {}): string {
  const limit = options.limit ?? GITHUB_COMMENT_LIMIT - 1_000;
  const attempts: Array<[number, number, number]> = [
    [MAX_DIFF_LINES, 200, Infinity], [20, 100, Infinity], [5, 50, 100], [0, 20, 30], [0, 10, 10], [0, 0, 0],
  ];
  for (const [diffLines, rows, apps] of attempts) {
    const text = render(report, diffLines, rows, apps);
    if (text.length <= limit) {
      return diffLines < MAX_DIFF_LINES ? `${text}\n_Shortened to fit a pull-request comment: the full report is in \`-o json\` / \`-o html\`._\n` : text;
    }
  }
  // Only the findings can still be too long: cut the text itself.
  const text = render(report, 0, 0, 0);
  const note = '\n\n_… cut to fit a pull-request comment: the full report is in `-o json` / `-o html`._\n';
  return text.slice(0, limit - note.length) + note;
}
