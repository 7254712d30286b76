import pc from 'picocolors';
import { alignColumns, sourceColumn } from './columns';
import { logText } from '../hook-pods';
import { OperationPhase, ResourceResult, SyncOperationResult } from '../model';

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
    ...resultNotes(r.resources),
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
    // One line per row: a failed hook's log lines follow the table.
    const message = x.message.split('\n')[0];
    rows.push(wide
      ? [x.syncPhase, String(x.syncWave), ...common, sourceColumn(x.source), [message, x.health?.message].filter((m) => m).join('; ')]
      : [...common, message]);
  }
  const table = alignColumns(rows);
  return [...lines, '', color ? pc.bold(table[0]) : table[0], ...table.slice(1), ...hookLogs(r.resources)].join('\n');
}

const hookName = (x: ResourceResult) => `${x.hookType ?? x.syncPhase} ${x.hookType ? 'hook ' : ''}${x.kind} ${x.name}`;

/** Under the operation's message: which results were only simulated, and which hooks failed on purpose. */
function resultNotes(resources: readonly ResourceResult[]): string[] {
  const notes: string[] = [];
  const simulated = resources.filter((x) => x.simulated);
  for (const reason of new Set(simulated.map((x) => x.simulated!))) {
    const these = simulated.filter((x) => x.simulated === reason);
    notes.push(`Simulated:      ${these.length} ${these.length === 1 ? 'result' : 'results'} only simulated (${reason}): ${these.map((x) => `${hookName(x)} ${x.hookPhase ?? x.health?.status ?? ''}`.trim()).join(', ')}`);
  }
  const forced = resources.filter((x) => x.forced && x.hookPhase !== undefined);
  if (forced.length > 0) {
    notes.push(`Forced:         ${forced.map((x) => `${hookName(x)} made to fail on purpose (${x.forced})`).join(', ')}`);
  }
  return notes;
}

/** After the table: the end of each failed hook's log. */
function hookLogs(resources: readonly ResourceResult[]): string[] {
  return resources.filter((x) => x.log).flatMap((x) => {
    const [first, ...rest] = logText(x.log!).split('\n');
    return ['', `${hookName(x)} failed; ${first}`, ...rest.map((l) => `  ${l}`)];
  });
}
