import pc from 'picocolors';
import type { TreeApplicationRun } from './appset-rows';
import { alignColumns } from './columns';
import { ApplicationRun, runSucceeded } from '../tree/tree-sync';

/**
 * Every Application of a tree sync in one table, parents before children, as `argocd app list`
 * would show them afterwards, plus what this run did to each.
 */
export function renderTreeSummary(runs: readonly TreeApplicationRun[], color: boolean): string {
  const rows = [['NAME', 'PARENT', 'WAVE', 'ACTION', 'OPERATION', 'SYNC', 'HEALTH', 'MESSAGE']];
  for (const r of runs) {
    // A generated Application's parent is its ApplicationSet: `ApplicationSet/web`.
    const parent = r.parent !== undefined && r.parentKind ? `${r.parentKind}/${r.parent}` : r.parent ?? '';
    rows.push([r.application, parent, String(r.wave), r.action, r.phase ?? '', r.sync ?? '', r.health ?? '', r.message.split('\n')[0]]);
  }
  const lines = alignColumns(rows);
  if (!color) {
    return lines.join('\n');
  }
  return lines.map((line, i) => (i === 0 ? pc.bold(line) : runSucceeded(runs[i - 1]) ? line : pc.red(line))).join('\n');
}

/** The `-o json`/`yaml` document of one Application: the operation's fields at the top, with its place in the tree. */
export function treeRunDocument(r: ApplicationRun): Record<string, unknown> {
  const { operation, ...rest } = r;
  return { ...(operation ?? {}), ...rest };
}
