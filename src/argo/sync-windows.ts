/**
 * AppProject sync windows, as Argo CD evaluates them (SyncWindows.Matches/Active/CanSync): which
 * windows apply to an Application, which are open at a given time, and whether a manual or an
 * automated sync may run. No matching window: every sync may run. An open deny window blocks
 * syncs (manual ones only pass when every open deny window has `manualSync`); when allow windows
 * apply, a sync outside all of them is blocked the same way.
 */
import { SyncWindowSpec } from './app-project';
import { CronSchedule, isKnownTimeZone } from './cron-schedule';
import { durationHint, parseArgoDuration } from './duration';
import { projectGlobMatch } from './glob';

/** What a window is matched against. */
export interface WindowSubject {
  readonly application: string;
  readonly namespace: string;
  readonly server?: string;
  readonly clusterName?: string;
}

function anyMatch(patterns: readonly string[] | undefined, value: string | undefined): boolean {
  return !!value && (patterns ?? []).some((p) => projectGlobMatch(p, value, false));
}

/** `SyncWindow.Matches`: any listed matcher matches, or every listed one with `andOperator`. */
export function windowMatches(w: SyncWindowSpec, s: WindowSubject): boolean {
  const checks: boolean[] = [];
  if ((w.applications ?? []).length > 0) checks.push(anyMatch(w.applications, s.application));
  if ((w.clusters ?? []).length > 0) checks.push(anyMatch(w.clusters, s.clusterName) || anyMatch(w.clusters, s.server));
  if ((w.namespaces ?? []).length > 0) {
    // Argo CD matches the namespace glob even against an empty destination namespace.
    checks.push((w.namespaces ?? []).some((p) => projectGlobMatch(p, s.namespace, false)));
  }
  if (checks.length === 0) return false;
  return w.andOperator ? checks.every(Boolean) : checks.some(Boolean);
}

/** Why a window cannot be evaluated (Argo CD's `SyncWindow.Validate` wording), or undefined. */
export function windowError(w: SyncWindowSpec): string | undefined {
  if (w.kind !== 'allow' && w.kind !== 'deny') {
    return `kind '${w.kind ?? ''}' mismatch: can only be allow or deny`;
  }
  try {
    CronSchedule.parse(w.schedule ?? '');
  } catch (e) {
    return `cannot parse schedule '${w.schedule ?? ''}': ${(e as Error).message}`;
  }
  if (parseArgoDuration(w.duration ?? '', { bareSeconds: false }) === undefined) {
    return `cannot parse duration '${w.duration ?? ''}': ${durationHint(false)}`;
  }
  return undefined;
}

/**
 * Whether the window is open at `nowMs`: its latest start lies less than `duration` ago (Argo CD:
 * the next start after now − duration is before now).
 */
export function windowActive(w: SyncWindowSpec, nowMs: number): boolean {
  const schedule = CronSchedule.parse(w.schedule ?? '');
  const duration = parseArgoDuration(w.duration ?? '', { bareSeconds: false }) ?? 0;
  const zone = w.timeZone && isKnownTimeZone(w.timeZone) ? w.timeZone : 'UTC';
  const next = schedule.next(nowMs - duration, zone);
  return next !== undefined && next < nowMs;
}

export type WindowVerdict =
  | { readonly canSync: true }
  | { readonly canSync: false; readonly reason: string };

/** `SyncWindows.CanSync` for the windows that match the Application. */
export function canSync(windows: readonly SyncWindowSpec[] | undefined, subject: WindowSubject, nowMs: number, manual: boolean): WindowVerdict {
  const matching = (windows ?? []).filter((w) => windowMatches(w, subject));
  if (matching.length === 0) {
    return { canSync: true };
  }
  for (const w of matching) {
    const error = windowError(w);
    if (error) {
      // A window that cannot be evaluated blocks syncs (Argo CD: "prevents sync because sync window has an error").
      return { canSync: false, reason: error };
    }
  }
  const active = matching.filter((w) => windowActive(w, nowMs));
  const activeDeny = active.filter((w) => w.kind === 'deny');
  if (activeDeny.length > 0) {
    return manual && activeDeny.every((w) => w.manualSync) ? { canSync: true } : { canSync: false, reason: describe('deny', activeDeny) };
  }
  if (active.some((w) => w.kind === 'allow')) {
    return { canSync: true };
  }
  const inactiveAllows = matching.filter((w) => w.kind === 'allow');
  if (inactiveAllows.length > 0) {
    return manual && inactiveAllows.every((w) => w.manualSync) ? { canSync: true } : { canSync: false, reason: `outside every allow window: ${describe('allow', inactiveAllows)}` };
  }
  return { canSync: true };
}

function describe(kind: string, windows: readonly SyncWindowSpec[]): string {
  return windows.map((w) => `${kind}:${w.schedule}:${w.duration}${w.timeZone ? ` (${w.timeZone})` : ''}`).join(', ');
}
