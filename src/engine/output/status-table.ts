import pc from 'picocolors';
import { alignColumns, sourceColumn } from './columns';
import { ApplicationStatus, ResourceStatus } from '../compare-app';

/** Colours a sync or health code: red for trouble, yellow for in between, green otherwise. */
export function paint(text: string, color: boolean): string {
  if (!color) {
    return text;
  }
  if (/OutOfSync|Degraded|Missing|Unknown/.test(text)) {
    return pc.red(text);
  }
  if (/Progressing|Suspended/.test(text)) {
    return pc.yellow(text);
  }
  return pc.green(text);
}

function message(r: ResourceStatus, wide: boolean): string {
  if (r.requiresPruning) {
    return 'requires pruning';
  }
  if (!wide) {
    return r.message ?? r.health?.message ?? '';
  }
  return [r.message, r.health?.message].filter((m) => m).join('; ');
}

/** One row per resource (`wide`: API version, `file:line`, both messages), header first. */
export function renderResourceTable(s: ApplicationStatus, color: boolean, wide = false): string[] {
  const rows = wide
    ? [['GROUP', 'VERSION', 'KIND', 'NAMESPACE', 'NAME', 'STATUS', 'HEALTH', 'SOURCE', 'MESSAGE']]
    : [['GROUP', 'KIND', 'NAMESPACE', 'NAME', 'STATUS', 'HEALTH', 'MESSAGE']];
  for (const r of s.resources) {
    rows.push(wide
      ? [r.group, r.version, r.kind, r.namespace, r.name, r.status, r.health?.status ?? '', sourceColumn(r.source), message(r, true)]
      : [r.group, r.kind, r.namespace, r.name, r.status, r.health?.status ?? '', message(r, false)]);
  }
  const table = alignColumns(rows);
  return [
    color ? pc.bold(table[0]) : table[0],
    ...table.slice(1).map((row) => (color ? row.replace(/\b(OutOfSync|Synced|Healthy|Progressing|Degraded|Missing|Suspended|Unknown)\b/g, (m) => paint(m, true)) : row)),
  ];
}

/**
 * `argocd app get`-like text: the Application summary, then one row per resource; `wide` adds
 * the API version, where each object came from (file:line) and the health message next to the
 * prediction message.
 */
export function renderStatus(s: ApplicationStatus, color: boolean, wide = false): string {
  const lines = [
    `Name:           ${s.application}`,
    `Revision:       ${s.revision}`,
    `Sync Status:    ${paint(s.sync, color)}`,
    `Health Status:  ${paint(s.health.status, color)}`,
  ];
  if (s.error) {
    lines.push(`Error:          ${s.error}`);
    return lines.join('\n');
  }
  lines.push('', ...renderResourceTable(s, color, wide));
  return lines.join('\n');
}
