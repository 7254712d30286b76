/**
 * Time for the engine: the one `sleep`, the one bounded-parallel `mapLimit`, and the one polling
 * loop with a deadline. The clock is injectable so unit tests run waits and backoffs instantly.
 */

/** Wall clock and sleep; tests pass a virtual one. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export const SYSTEM_CLOCK: Clock = { now: () => Date.now(), sleep };

/** Runs `fn` over `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return out;
}

/** One deadline for a whole operation (Infinity when there is no timeout). */
export class Deadline {
  private at: number;

  constructor(private readonly clock: Clock, timeoutMs: number | undefined) {
    this.at = timeoutMs ? clock.now() + timeoutMs : Number.POSITIVE_INFINITY;
  }

  expired(): boolean {
    return this.clock.now() > this.at;
  }

  /** Makes sure at least `ms` are left (SyncFail hooks still get to run after a timeout). */
  extendTo(ms: number): void {
    this.at = Math.max(this.at, this.clock.now() + ms);
  }
}

/** One look at what is being waited for: done with a value, or still waiting (and why). */
export type PollCheck<T> = { readonly done: true; readonly value: T } | { readonly done: false; readonly waiting: string };

export type PollOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly timedOut: string };

export interface Poller {
  readonly clock: Clock;
  readonly deadline: Deadline;
  readonly intervalMs: number;
}

/**
 * Calls `check` until it is done, sleeping `intervalMs` between looks; `onWait` hears each
 * waiting reason. Past the deadline it returns the last reason instead of throwing.
 */
export async function pollUntil<T>(poller: Poller, check: () => Promise<PollCheck<T>>, onWait?: (reason: string) => void): Promise<PollOutcome<T>> {
  for (;;) {
    const c = await check();
    if (c.done) {
      return { ok: true, value: c.value };
    }
    if (poller.deadline.expired()) {
      return { ok: false, timedOut: c.waiting };
    }
    onWait?.(c.waiting);
    await poller.clock.sleep(poller.intervalMs);
  }
}
