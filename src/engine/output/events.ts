import pc from 'picocolors';
import { applyApplicationSetEvent, applyApplicationSetResult } from './appset-rows';
import { applyTreeEvent, renderTree, TreeViewRow } from './tree-view';
import { ApplicationSetEvent, ApplicationSetRunResult } from '../appset-controller';
import { failedResult, HealthStatusCode, OperationPhase, ResourceResult } from '../model';
import { SyncEvent } from '../sync';
import { TreeEvent } from '../tree/tree-sync';

function resourceName(r: ResourceResult): string {
  return `${r.group ? `${r.group}/` : ''}${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
}

function colorStatus(text: string): string {
  if (/Failed|Degraded|Error/.test(text)) {
    return pc.red(text);
  }
  if (/Running|Progressing|PruneSkipped|Missing/.test(text)) {
    return pc.yellow(text);
  }
  return pc.green(text);
}

/** One line per event, for logs (no colour, no cursor movement), each prefixed with its Application. */
export function plainEventLine(e: TreeEvent): string | undefined {
  const ts = new Date().toISOString();
  switch (e.type) {
    case 'started':
      return `${ts} app=${e.application} started action=${e.action}${e.parent ? ` parent=${e.parent} wave=${e.wave}` : ''}`;
    case 'reconciled': {
      const r = e.run;
      const fields = [`action=${r.action}`, r.phase && `operation=${r.phase}`, r.sync && `sync=${r.sync}`, r.health && `health=${r.health}`].filter((f) => f).join(' ');
      return `${ts} app=${e.application} finished ${fields} message=${JSON.stringify(r.message)}`;
    }
    case 'attempt':
      return e.attempt > 1 ? `${ts} app=${e.application} attempt=${e.attempt}` : undefined;
    case 'step':
      return `${ts} app=${e.application} phase=${e.phase} wave=${e.wave} tasks=${e.tasks}`;
    case 'resource': {
      const r = e.result;
      const hook = r.hookPhase ? ` hook=${r.hookPhase}` : '';
      const health = r.health ? ` health=${r.health.status}` : '';
      return `${ts} app=${e.application} resource="${resourceName(r)}" phase=${r.syncPhase} wave=${r.syncWave} status=${r.status ?? ''}${hook}${health} message=${JSON.stringify(r.message)}`;
    }
    case 'waiting':
      return `${ts} app=${e.application} ${e.message}`;
    case 'warning':
      return `${ts} app=${e.application} warning: ${e.message}`;
    case 'done':
      return `${ts} app=${e.application} operation=${e.result.phase} message=${JSON.stringify(e.result.message)}`;
  }
}

/**
 * The log written without a terminal: one line per event, except that a wait is written when it
 * starts and when its reason changes, not on every health poll (several times a second).
 */
export class PlainEventLog {
  /** The last wait written per Application; any other event of that Application ends it. */
  private readonly waits = new Map<string, string>();

  constructor(private readonly write: (line: string) => void = (line) => process.stderr.write(line)) {}

  handle(e: TreeEvent): void {
    if (e.type === 'waiting') {
      if (this.waits.get(e.application) === e.message) {
        return;
      }
      this.waits.set(e.application, e.message);
    } else {
      this.waits.delete(e.application);
    }
    const line = plainEventLine(e);
    if (line) {
      this.write(`${line}\n`);
    }
  }
}

/**
 * Live progress on a terminal: the current phase/wave as a heading, a coloured line per
 * resource and hook as it completes, and one self-overwriting "waiting for …" line.
 */
export class TtyProgress {
  private waiting = false;

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {}

  private clearWaiting(): void {
    if (this.waiting) {
      this.out.write('\r\x1b[2K');
      this.waiting = false;
    }
  }

  handle(e: SyncEvent): void {
    switch (e.type) {
      case 'attempt':
        if (e.attempt > 1) {
          this.clearWaiting();
          this.out.write(pc.bold(`${e.application}: attempt ${e.attempt}\n`));
        }
        return;
      case 'step':
        this.clearWaiting();
        this.out.write(pc.bold(`${e.application}: ${e.phase} wave ${e.wave} (${e.tasks} task${e.tasks === 1 ? '' : 's'})\n`));
        return;
      case 'resource': {
        this.clearWaiting();
        // One line per resource: a failed hook's log lines are in the result printed at the end.
        const r = e.result;
        const state = r.hookPhase ? `${r.hookPhase}` : `${r.status ?? ''}`;
        const health = r.health && r.health.status !== HealthStatusCode.HEALTHY ? ` ${colorStatus(r.health.status)}` : r.health ? ` ${pc.green('Healthy')}` : '';
        this.out.write(`  ${colorStatus(state.padEnd(12))}${health} ${resourceName(r)}${r.hookType ? pc.dim(` (${r.hookType} hook)`) : ''} ${pc.dim(r.message.split('\n')[0])}\n`);
        return;
      }
      case 'waiting': {
        const cols = this.out.columns ?? 120;
        this.out.write(`\r\x1b[2K${pc.dim(`  … ${e.message}`.slice(0, cols - 1))}`);
        this.waiting = true;
        return;
      }
      case 'warning':
        this.clearWaiting();
        this.out.write(pc.yellow(`  warning: ${e.message}\n`));
        return;
      case 'done': {
        this.clearWaiting();
        const ok = e.result.phase === OperationPhase.SUCCEEDED;
        const failedCount = e.result.resources.filter(failedResult).length;
        this.out.write(`${ok ? pc.green('✔') : pc.red('✘')} ${pc.bold(e.application)}: ${colorStatus(e.result.phase)} ${e.result.message}${failedCount ? pc.red(` (${failedCount} failed)`) : ''}\n`);
        return;
      }
    }
  }
}

/**
 * Live progress of a tree on a terminal: one line per Application (children under their
 * parent, with wave, phase, health and the current step or wait), redrawn in place. Redraws are
 * at most every `intervalMs`; `finish` draws the final state.
 */
export class TtyTreeProgress {
  private drawn = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly rows: TreeViewRow[], private readonly out: NodeJS.WriteStream = process.stderr, private readonly intervalMs = 100) {}

  handle(e: TreeEvent): void {
    applyTreeEvent(this.rows, e);
    this.schedule();
  }

  /** An event of a set's controller: the set and its Applications appear under `parent` (the Application that applied the set). */
  handleApplicationSet(e: ApplicationSetEvent, parent?: string): void {
    applyApplicationSetEvent(this.rows, e, parent);
    this.schedule();
  }

  applicationSetDone(result: ApplicationSetRunResult, parent?: string): void {
    applyApplicationSetResult(this.rows, result, parent);
    this.schedule();
  }

  private schedule(): void {
    if (!this.timer) {
      this.timer = setTimeout(() => this.draw(), this.intervalMs);
    }
  }

  finish(): void {
    this.draw();
  }

  private draw(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const lines = renderTree(this.rows, true, this.out.columns ?? 120);
    // Up to the first line drawn last time, clear to the end of the screen, draw again.
    const up = this.drawn > 0 ? `\x1b[${this.drawn}A\r\x1b[0J` : '';
    this.out.write(`${up}${lines.join('\n')}\n`);
    this.drawn = lines.length;
  }
}
