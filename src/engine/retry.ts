import { RetrySpec } from './application-spec';

/** Parses a Go duration as Argo CD writes them (`5s`, `3m`, `1h30m`, `500ms`) into milliseconds. */
export function parseDuration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const n = parseFloat(m[1]);
    total += m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n * 3_600_000;
    consumed += m[0].length;
  }
  if (consumed !== text.length || text.length === 0) {
    throw new Error(`invalid duration '${text}': use e.g. 5s, 3m or 1h30m`);
  }
  return total;
}

/** Retry limits of an operation: Argo CD defaults 5s × 2 capped at 3m; a negative limit retries forever. */
export interface RetryPolicy {
  readonly limit: number;
  readonly durationMs: number;
  readonly factor: number;
  readonly maxDurationMs: number;
}

export function retryPolicy(spec: RetrySpec | undefined, limitOverride?: number): RetryPolicy {
  return {
    limit: limitOverride ?? spec?.limit ?? 0,
    durationMs: spec?.backoff?.duration ? parseDuration(spec.backoff.duration) : 5_000,
    factor: spec?.backoff?.factor ?? 2,
    maxDurationMs: spec?.backoff?.maxDuration ? parseDuration(spec.backoff.maxDuration) : 180_000,
  };
}

/** Delay before retry number `attempt` (1-based), or undefined when no retry is left. */
export function retryDelay(policy: RetryPolicy, attempt: number): number | undefined {
  if (policy.limit >= 0 && attempt > policy.limit) {
    return undefined;
  }
  return Math.min(policy.durationMs * Math.pow(policy.factor, attempt - 1), policy.maxDurationMs);
}
