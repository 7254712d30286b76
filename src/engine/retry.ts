import { RetrySpec } from './application-spec';
import { durationHint, parseArgoDuration } from '../argo/duration';

/** Retry limits of an operation: Argo CD defaults 5s × 2 capped at 3m; a negative limit retries forever. */
export interface RetryPolicy {
  readonly limit: number;
  readonly durationMs: number;
  readonly factor: number;
  readonly maxDurationMs: number;
}

/** A retry duration as Argo CD reads it (a bare number is seconds); throws a message naming the field. */
function retryDuration(field: string, text: string | undefined, fallbackMs: number): number {
  if (text === undefined || text === '') {
    return fallbackMs;
  }
  const ms = parseArgoDuration(String(text));
  if (ms === undefined || ms < 0) {
    throw new Error(`spec.syncPolicy.retry.backoff.${field} '${text}' is not a valid duration: ${durationHint(true)}`);
  }
  return ms;
}

/**
 * The retry limit of an automated sync whose Application sets no `syncPolicy.retry`: Argo CD's
 * controller starts every automated operation with `Retry: {Limit: 5}` (v3 appcontroller.go
 * autoSync); a manual sync retries only when asked.
 */
export const AUTOMATED_SYNC_RETRY_LIMIT = 5;

export function retryPolicy(spec: RetrySpec | undefined, limitOverride?: number, automated = false): RetryPolicy {
  return {
    limit: limitOverride ?? (spec ? spec.limit ?? 0 : automated ? AUTOMATED_SYNC_RETRY_LIMIT : 0),
    durationMs: retryDuration('duration', spec?.backoff?.duration, 5_000),
    factor: spec?.backoff?.factor ?? 2,
    maxDurationMs: retryDuration('maxDuration', spec?.backoff?.maxDuration, 180_000),
  };
}

/** Delay before retry number `attempt` (1-based), or undefined when no retry is left. */
export function retryDelay(policy: RetryPolicy, attempt: number): number | undefined {
  if (policy.limit >= 0 && attempt > policy.limit) {
    return undefined;
  }
  return Math.min(policy.durationMs * Math.pow(policy.factor, attempt - 1), policy.maxDurationMs);
}
