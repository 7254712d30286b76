import pc from 'picocolors';
import { alignColumns, sourceColumn } from './columns';
import { OperationPhase, SyncOperationResult } from '../model';

/**
 * The outcome of one sync as `argocd app sync` prints it: the operation, then one row per
 * resource and hook in execution order; `wide` adds phase, wave and where each object came from.
 */
export function renderSyncResult(r: SyncOperationResult, color: boolean, wide = false): string {
  const phase = color ? (r.phase === OperationPhase.SUCCEEDED ? pc.green(r.phase) : pc.red(r.phase)) : r.phase;
  const lines = [
    `Name:           ${r.application}`,
    `Revision:       ${r.revision}`,
    `Phase:          ${phase}${r.dryRun ? ' (dry run)' : ''}`,
    `Message:        ${r.message}`,
  ];
  if (r.resources.length === 0) {
    return lines.join('\n');
  }
  const rows = wide
    ? [['PHASE', 'WAVE', 'GROUP', 'KIND', 'NAMESPACE', 'NAME', 'STATUS', 'HEALTH', 'HOOK', 'SOURCE', 'MESSAGE']]
    : [['GROUP', 'KIND', 'NAMESPACE', 'NAME', 'STATUS', 'HEALTH', 'HOOK', 'MESSAGE']];
  for (const x of r.resources) {
    const hook = x.hookType ? `${x.hookType}${x.hookPhase ? `/${x.hookPhase}` : ''}` : '';
    const common = [x.group, x.kind, x.namespace, x.name, x.status ?? '', x.health?.status ?? '', hook];
    rows.push(wide
      ? [x.syncPhase, String(x.syncWave), ...common, sourceColumn(x.source), [x.message, x.health?.message].filter((m) => m).join('; ')]
      : [...common, x.message]);
  }
  const table = alignColumns(rows);
  return [...lines, '', color ? pc.bold(table[0]) : table[0], ...table.slice(1)].join('\n');
}
