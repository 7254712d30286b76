/**
 * The tree as the terminal shows it while syncing: one line per Application, children indented
 * under their parent, each with its wave, phase, health and what it is doing now. Pure: events
 * in, lines out (events.ts draws them in place).
 */
import pc from 'picocolors';
import { ApplicationTree } from '../tree/application-tree';
import { TreeSelection } from '../tree/tree-selection';
import { TreeEvent } from '../tree/tree-sync';

export interface TreeViewRow {
  readonly application: string;
  readonly depth: number;
  readonly wave: number;
  /** Pending, Syncing, Comparing, then the operation's phase (or Compared / Skipped). */
  phase: string;
  health: string;
  /** The latest step, wait or warning. */
  detail: string;
}

/** The selected Applications in tree order, all Pending. */
export function treeOutline(tree: ApplicationTree, selection: TreeSelection): TreeViewRow[] {
  const rows: TreeViewRow[] = [];
  const visit = (key: string, depth: number) => {
    const node = tree.nodes.get(key)!;
    if (!selection.members.has(key)) {
      return;
    }
    rows.push({ application: node.app.name, depth, wave: node.wave, phase: 'Pending', health: '', detail: '' });
    node.children.forEach((c) => visit(c, depth + 1));
  };
  selection.starts.forEach((k) => visit(k, 0));
  return rows;
}

/** Updates the rows with one event (rows of other Applications are left alone). */
export function applyTreeEvent(rows: readonly TreeViewRow[], e: TreeEvent): void {
  const row = rows.find((r) => r.application === e.application);
  if (!row) {
    return;
  }
  switch (e.type) {
    case 'started':
      row.phase = e.action === 'sync' ? 'Syncing' : 'Comparing';
      return;
    case 'step':
      row.detail = `${e.phase} wave ${e.wave} (${e.tasks} task${e.tasks === 1 ? '' : 's'})`;
      return;
    case 'waiting':
    case 'warning':
      row.detail = e.message;
      return;
    case 'reconciled': {
      const r = e.run;
      row.phase = r.action === 'skipped' ? 'Skipped' : r.phase ?? (r.sync ?? 'Compared');
      row.health = r.health ?? '';
      row.detail = r.message;
      return;
    }
    default:
      return;
  }
}

function colorWord(text: string): string {
  if (/Failed|Error|Degraded|Unknown/.test(text)) {
    return pc.red(text);
  }
  if (/Syncing|Comparing|Running|Progressing|OutOfSync|Missing|Suspended|Skipped/.test(text)) {
    return pc.yellow(text);
  }
  if (text === 'Pending') {
    return pc.dim(text);
  }
  return pc.green(text);
}

/** One line per row, cut to `columns`: `  ├ name  wave 1  Succeeded  Healthy  detail`. */
export function renderTree(rows: readonly TreeViewRow[], color: boolean, columns: number): string[] {
  const nameWidth = Math.max(...rows.map((r) => r.depth * 2 + r.application.length), 4);
  const waveWidth = Math.max(...rows.map((r) => String(r.wave).length));
  return rows.map((r) => {
    const name = `${'  '.repeat(r.depth)}${r.application}`.padEnd(nameWidth);
    const phase = r.phase.padEnd(10);
    const health = r.health.padEnd(11);
    const detail = r.detail.split('\n')[0];
    const plain = `${name}  wave ${String(r.wave).padStart(waveWidth)}  ${phase} ${health} ${detail}`;
    if (plain.length >= columns) {
      // Cut the detail only: the columns before it always show.
      const keep = Math.max(0, columns - 1 - (plain.length - detail.length));
      return render(name, r, phase, health, detail.slice(0, keep), color, waveWidth);
    }
    return render(name, r, phase, health, detail, color, waveWidth);
  });
}

function render(name: string, r: TreeViewRow, phase: string, health: string, detail: string, color: boolean, waveWidth: number): string {
  const wave = `wave ${String(r.wave).padStart(waveWidth)}`;
  if (!color) {
    return `${name}  ${wave}  ${phase} ${health} ${detail}`.trimEnd();
  }
  return `${pc.bold(name)}  ${pc.dim(wave)}  ${colorWord(phase)} ${r.health ? colorWord(health) : health} ${pc.dim(detail)}`.trimEnd();
}
