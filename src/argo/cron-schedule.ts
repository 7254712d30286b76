/**
 * The cron schedules of AppProject sync windows, parsed as Argo CD parses them: robfig/cron's
 * standard five fields (minute hour day-of-month month day-of-week), with `*`, `?`, lists, ranges,
 * steps and month/day names; no seconds field and no `@daily` descriptors (Argo CD's parser does
 * not enable them). Times are evaluated on the wall clock of an IANA time zone.
 */

interface FieldRange {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: Readonly<Record<string, number>>;
}

const MONTH_NAMES: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DAY_NAMES: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

const FIELDS: readonly FieldRange[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES },
  { name: 'day of week', min: 0, max: 6, names: DAY_NAMES },
];

interface Field {
  readonly values: ReadonlySet<number>;
  /** `*` or `?` without a step: robfig's star bit, which changes how day of month and day of week combine. */
  readonly star: boolean;
}

function parseNumber(text: string, range: FieldRange): number {
  const named = range.names?.[text.toLowerCase()];
  if (named !== undefined) return named;
  if (!/^\d+$/.test(text)) {
    throw new Error(`failed to parse int from ${text}`);
  }
  return Number(text);
}

function parseField(expr: string, range: FieldRange): Field {
  const values = new Set<number>();
  let star = false;
  for (const part of expr.split(',')) {
    const [span, stepText, extra] = part.split('/');
    if (extra !== undefined) throw new Error(`too many slashes: ${part}`);
    let start: number;
    let end: number;
    let isStar = false;
    if (span === '*' || span === '?') {
      start = range.min;
      end = range.max;
      isStar = true;
    } else {
      const [low, high, more] = span.split('-');
      if (more !== undefined) throw new Error(`too many hyphens: ${part}`);
      start = parseNumber(low, range);
      end = high === undefined ? start : parseNumber(high, range);
      if (high === undefined && stepText !== undefined) end = range.max;
    }
    const step = stepText === undefined ? 1 : parseNumber(stepText, { ...range, names: undefined });
    if (start < range.min) throw new Error(`beginning of range (${start}) below minimum (${range.min}): ${part}`);
    if (end > range.max) throw new Error(`end of range (${end}) above maximum (${range.max}): ${part}`);
    if (start > end) throw new Error(`beginning of range (${start}) beyond end of range (${end}): ${part}`);
    if (step === 0) throw new Error(`step of range should be a positive number: ${part}`);
    for (let v = start; v <= end; v += step) values.add(v);
    star = star || (isStar && step === 1);
  }
  return { values, star };
}

/** Wall-clock fields of an instant in a time zone. */
interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function wallClock(ms: number, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute };
}

/** The time zone's offset from UTC at `ms`, in milliseconds. */
function offsetAt(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) - Math.floor(ms / 60_000) * 60_000;
}

/** The instant a wall-clock time (as a UTC timestamp of the same fields) names in `timeZone`. */
function instantOf(wallMs: number, timeZone: string): number {
  const guess = wallMs - offsetAt(wallMs, timeZone);
  return wallMs - offsetAt(guess, timeZone);
}

/** Whether `timeZone` is one the runtime knows (Argo CD falls back to UTC for others). */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

export class CronSchedule {
  /** Parses a five-field schedule; throws with robfig/cron's reason when it is not one. */
  static parse(spec: string): CronSchedule {
    const fields = spec.trim().split(/\s+/).filter((f) => f !== '');
    if (fields.length !== FIELDS.length) {
      throw new Error(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
    }
    return new CronSchedule(fields.map((f, i) => parseField(f, FIELDS[i])));
  }

  private constructor(private readonly fields: readonly Field[]) {}

  /**
   * The first start strictly after `afterMs` (robfig/cron `Next`), evaluated on the wall clock of
   * `timeZone`; undefined when there is none within five years (e.g. February 30th).
   */
  next(afterMs: number, timeZone = 'UTC'): number | undefined {
    const [minute, hour, dom, month, dow] = this.fields;
    const w = wallClock(afterMs, timeZone);
    // Walk the wall clock as UTC timestamps of the same fields, from the next whole minute.
    let t = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) + 60_000;
    const limit = t + 5 * 366 * 86_400_000;
    while (t < limit) {
      const d = new Date(t);
      if (!month.values.has(d.getUTCMonth() + 1)) {
        t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
        continue;
      }
      const domMatch = dom.values.has(d.getUTCDate());
      const dowMatch = dow.values.has(d.getUTCDay());
      // robfig/cron: when either day field is `*`, both must match; otherwise either may.
      const dayMatch = dom.star || dow.star ? domMatch && dowMatch : domMatch || dowMatch;
      if (!dayMatch) {
        t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
        continue;
      }
      if (!hour.values.has(d.getUTCHours())) {
        t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours() + 1);
        continue;
      }
      if (!minute.values.has(d.getUTCMinutes())) {
        t += 60_000;
        continue;
      }
      const instant = instantOf(t, timeZone);
      if (instant > afterMs) return instant;
      t += 60_000;
    }
    return undefined;
  }
}
