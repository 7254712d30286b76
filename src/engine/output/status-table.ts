import pc from 'picocolors';
import { ApplicationStatus } from '../compare-app';

function pad(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd());
}

function paint(text: string, color: boolean): string {
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

/** `argocd app get`-like text: the Application summary, then one row per resource. */
export function renderStatus(s: ApplicationStatus, color: boolean): string {
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
  lines.push('');
  const rows = [['GROUP', 'KIND', 'NAMESPACE', 'NAME', 'STATUS', 'HEALTH', 'MESSAGE']];
  for (const r of s.resources) {
    rows.push([r.group, r.kind, r.namespace, r.name, r.status, r.health?.status ?? '',
      r.requiresPruning ? 'requires pruning' : r.message ?? r.health?.message ?? '']);
  }
  const table = pad(rows);
  lines.push(color ? pc.bold(table[0]) : table[0]);
  for (const row of table.slice(1)) {
    lines.push(color ? row.replace(/\b(OutOfSync|Synced|Healthy|Progressing|Degraded|Missing|Suspended|Unknown)\b/g, (m) => paint(m, true)) : row);
  }
  return lines.join('\n');
}
