/**
 * Durations as Argo CD reads them: Go's `time.ParseDuration` (`300ms`, `1.5h`, `2h45m`, units
 * ns us µs μs ms s m h, an optional sign, `0` alone), and for retry backoff also a bare integer
 * meaning seconds — Argo CD tries `strconv.Atoi` before `time.ParseDuration`.
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3, // U+00B5 micro sign
  μs: 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const GO_DURATION = /^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;
const COMPONENT = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;
const BARE_SECONDS = /^[-+]?\d+$/;

/** Milliseconds of a Go duration, or undefined when `text` is not one. */
export function parseGoDuration(text: string): number | undefined {
  if (text === '0' || text === '+0' || text === '-0') {
    return 0;
  }
  if (!GO_DURATION.test(text)) {
    return undefined;
  }
  let total = 0;
  for (const m of text.matchAll(COMPONENT)) {
    total += parseFloat(m[1]) * UNIT_MS[m[2]];
  }
  return text.startsWith('-') ? -total : total;
}

/** Options of {@link parseArgoDuration}. */
export interface ArgoDurationOptions {
  /** Accept a bare integer as seconds (retry backoff does; sync window durations do not). */
  readonly bareSeconds?: boolean;
}

/** Milliseconds of an Argo CD duration, or undefined when Argo CD would refuse it. */
export function parseArgoDuration(text: string, options: ArgoDurationOptions = {}): number | undefined {
  if ((options.bareSeconds ?? true) && BARE_SECONDS.test(text)) {
    return parseInt(text, 10) * 1000;
  }
  return parseGoDuration(text);
}

/** What to write instead, for error messages. */
export function durationHint(bareSeconds: boolean): string {
  return `use a Go duration such as '5s', '3m' or '1h30m'${bareSeconds ? ', or a whole number of seconds' : ''}`;
}
