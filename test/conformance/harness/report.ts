/**
 * The conformance report: one row per scenario (Argo CD, engine, same?) and the details of every
 * difference, as Markdown (readable as plain text in a CI log too).
 */
import { ExpectationFailure, JudgedDifference, SideSnapshot } from './compare';
import { KeptDifference } from './scenario';

export interface ScenarioOutcome {
  readonly scenario: string;
  readonly description: string;
  readonly root: string;
  readonly argocd?: SideSnapshot;
  readonly engine?: SideSnapshot;
  readonly differences: JudgedDifference[];
  readonly expectations: ExpectationFailure[];
  /** Kept differences of scenario.yaml that matched nothing. */
  readonly unusedKept: KeptDifference[];
  /** Seconds each side took to settle (both commits). */
  readonly seconds?: { readonly argocd: number; readonly engine: number };
  /** Argo CD's redundant syncs (see operations.ts), one line each; not failures. */
  readonly extraSyncs?: string[];
  /** The scenario could not run (invalid, or the harness failed): why. */
  readonly error?: string;
}

/** Failing differences (not kept). */
export function failures(o: ScenarioOutcome): JudgedDifference[] {
  return o.differences.filter((d) => !d.kept);
}

/** True when the scenario passes: it ran, both sides settled, no unkept difference, every expectation met. */
export function passed(o: ScenarioOutcome): boolean {
  return !o.error && !o.argocd?.error && !o.engine?.error && failures(o).length === 0 && o.expectations.length === 0;
}

function sideSummary(side: SideSnapshot | undefined, root: string): string {
  if (!side) {
    return '—';
  }
  const r = side.apps[root];
  const state = r ? [r.sync || '?', r.health || '?', r.phase ?? 'no operation'].join(' ') : 'no root Application';
  const n = Object.keys(side.apps).length;
  const bad = Object.entries(side.apps)
    .filter(([name, a]) => name !== root && (a.phase === 'Failed' || a.phase === 'Error' || a.health === 'Degraded' || a.health === 'Missing' || a.sync === 'OutOfSync' || a.sync === 'Unknown'))
    .map(([name, a]) => `${name} ${[a.sync, a.health, a.phase].filter(Boolean).join(' ')}`);
  return [state, n > 1 ? `${n} apps` : '', bad.length ? `(${bad.join('; ')})` : '', side.error ? `**${firstLine(side.error)}**` : ''].filter(Boolean).join(', ');
}

function firstLine(s: string): string {
  const line = s.split('\n')[0];
  return line.length > 100 ? `${line.slice(0, 97)}...` : line;
}

function countByAspect(ds: readonly JudgedDifference[]): string {
  const counts = new Map<string, number>();
  for (const d of ds) {
    counts.set(d.aspect, (counts.get(d.aspect) ?? 0) + 1);
  }
  return [...counts].map(([a, n]) => `${a} ${n}`).join(', ');
}

function sameCell(o: ScenarioOutcome): string {
  if (o.error) {
    return `**ERROR**: ${firstLine(o.error)}`;
  }
  const failed = failures(o);
  const kept = o.differences.length - failed.length;
  const parts: string[] = [];
  if (failed.length === 0) {
    parts.push(kept ? `yes (${kept} kept)` : 'yes');
  } else {
    parts.push(`**NO**: ${failed.length} (${countByAspect(failed)})${kept ? `, ${kept} kept` : ''}`);
  }
  if (o.expectations.length) {
    parts.push(`**${o.expectations.length} expectation(s) not met**`);
  }
  if (o.argocd?.error || o.engine?.error) {
    parts.push('**did not settle**');
  }
  return parts.join('; ');
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function value(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 300 ? `${s.slice(0, 297)}...` : s;
}

/** One line per difference: where, then `argocd: … | engine: …`. */
export function describeDifference(d: JudgedDifference): string {
  const where = [d.commit !== undefined && `commit ${d.commit}:`, d.aspect, d.app && `app ${d.app}`, d.object, d.path].filter(Boolean).join(' ');
  return `${where}: argocd ${value(d.argocd)} | engine ${value(d.engine)}${d.kept ? ` (kept: ${firstLine(d.kept.reason)})` : ''}`;
}

/** Everything that makes the scenario fail, for its test's failure message. */
export function failureMessage(o: ScenarioOutcome): string {
  const lines: string[] = [`scenario ${o.scenario}: ${o.description}`];
  if (o.error) {
    lines.push(`error: ${o.error}`);
  }
  for (const side of ['argocd', 'engine'] as const) {
    if (o[side]?.error) {
      lines.push(`${side === 'argocd' ? 'Argo CD' : 'engine'}: ${o[side]!.error}`);
    }
  }
  for (const e of o.expectations) {
    lines.push(`expect ${e.app}.${e.field} = ${e.expected}: ${e.side === 'argocd' ? 'Argo CD' : 'engine'} has ${e.actual ?? '(none)'}`);
  }
  const failed = failures(o);
  if (failed.length) {
    lines.push(`${failed.length} difference(s) not kept in scenario.yaml:`);
    lines.push(...failed.map((d) => `  ${describeDifference(d)}`));
  }
  return lines.join('\n');
}

/** The Markdown report: the table, then details per scenario with differences. */
export function renderReport(outcomes: readonly ScenarioOutcome[], header: string[] = []): string {
  const lines: string[] = ['# Conformance: real Argo CD vs the engine', '', ...header, ''];
  lines.push('| scenario | Argo CD | engine | same? |', '|---|---|---|---|');
  for (const o of outcomes) {
    lines.push(`| ${cell(o.scenario)} | ${cell(sideSummary(o.argocd, o.root))} | ${cell(sideSummary(o.engine, o.root))} | ${cell(sameCell(o))} |`);
  }
  const pass = outcomes.filter(passed).length;
  lines.push('', `${pass} of ${outcomes.length} scenario(s) pass.`);
  for (const o of outcomes) {
    const lastApplied = o.argocd && o.engine ? `last-applied-configuration annotation (not compared): Argo CD ${o.argocd.lastApplied} object(s), engine ${o.engine.lastApplied}` : '';
    const extra = o.extraSyncs ?? [];
    const clean = !o.differences.length && !o.expectations.length && !o.error && !o.argocd?.error && !o.engine?.error && !o.unusedKept.length;
    if (clean && !extra.length) {
      continue;
    }
    lines.push('', `## ${o.scenario}`, '', o.description, '');
    const seconds = o.seconds ? `settled in: Argo CD ${o.seconds.argocd.toFixed(1)}s, engine ${o.seconds.engine.toFixed(1)}s` : '';
    for (const l of [seconds, lastApplied, ...extra].filter(Boolean)) {
      lines.push(`* ${l}`);
    }
    if (o.error) {
      lines.push('', '```', o.error, '```');
    }
    for (const side of ['argocd', 'engine'] as const) {
      if (o[side]?.error) {
        lines.push(`* ${side === 'argocd' ? 'Argo CD' : 'engine'} did not settle: ${o[side]!.error}`);
      }
    }
    for (const e of o.expectations) {
      lines.push(`* expectation not met: ${e.app}.${e.field} = ${e.expected}, ${e.side === 'argocd' ? 'Argo CD' : 'engine'} has ${e.actual ?? '(none)'}`);
    }
    for (const d of o.differences) {
      lines.push(`* ${d.kept ? 'kept' : '**differs**'}: ${describeDifference(d)}`);
    }
    for (const k of o.unusedKept) {
      lines.push(`* kept difference that matched nothing (stale?): ${k.aspect}${k.app ? ` app ${k.app}` : ''}${k.object ? ` ${k.object}` : ''}`);
    }
  }
  return lines.join('\n') + '\n';
}
