/**
 * When the watcher reconciles what, as Argo CD's controller queues refreshes: a full refresh of
 * the tree when the tracked revision moved (or, with `--worktree`, a saved file changed) and
 * periodically (`timeout.reconciliation`, default 180 s), and a refresh of one Application when
 * one of its live objects changed (the controller's watch) or its self-heal backoff ends. Pure:
 * the caller passes the clock.
 */

/** Argo CD's default `timeout.reconciliation` (argocd-cm): every Application is refreshed this often. */
export const DEFAULT_REFRESH_INTERVAL_MS = 180_000;

/**
 * Live events of one Application within this window are handled as one refresh: a `kubectl
 * apply` of several objects, or a sync's own writes, is one change.
 */
export const DEFAULT_EVENT_DEBOUNCE_MS = 100;

/** What is due now: a full refresh (with why) and/or Applications to refresh (with why). */
export interface DueWork {
  readonly full?: string;
  readonly apps: ReadonlyMap<string, string>;
}

export class RefreshSchedule {
  private nextPeriodicMs: number;
  private fullReason?: string;
  private readonly apps = new Map<string, { atMs: number; reason: string }>();

  constructor(private readonly intervalMs: number, nowMs: number, private readonly debounceMs = DEFAULT_EVENT_DEBOUNCE_MS) {
    // The first full refresh is at start (requested by the caller); the periodic one an interval after it.
    this.nextPeriodicMs = nowMs + intervalMs;
  }

  /** A full refresh as soon as possible (a new commit, a saved file, the start). */
  requestFull(reason: string): void {
    this.fullReason ??= reason;
  }

  /**
   * A refresh of one Application at `atMs` (a live change: now plus the debounce; a self-heal
   * backoff: when it ends). An earlier request wins; its reason is kept.
   */
  requestApp(key: string, reason: string, atMs: number): void {
    const known = this.apps.get(key);
    if (!known || atMs < known.atMs) {
      this.apps.set(key, { atMs, reason: known?.reason && atMs >= known.atMs ? known.reason : reason });
    }
  }

  /** A live change of one of `key`'s objects, seen at `nowMs`. */
  liveChange(key: string, reason: string, nowMs: number): void {
    this.requestApp(key, reason, nowMs + this.debounceMs);
  }

  /** Takes what is due at `nowMs`. A full refresh covers every Application, so it takes them all. */
  take(nowMs: number): DueWork {
    let full = this.fullReason;
    if (full === undefined && nowMs >= this.nextPeriodicMs) {
      full = `periodic refresh (every ${Math.round(this.intervalMs / 1000)}s)`;
    }
    const apps = new Map<string, string>();
    if (full !== undefined) {
      this.fullReason = undefined;
      this.nextPeriodicMs = nowMs + this.intervalMs;
      // Pending backoff retries still wait for their time: a full refresh now would find them in backoff.
      for (const [key, { atMs }] of this.apps) {
        if (atMs <= nowMs + this.debounceMs) {
          this.apps.delete(key);
        }
      }
      return { full, apps };
    }
    for (const [key, { atMs, reason }] of this.apps) {
      if (atMs <= nowMs) {
        apps.set(key, reason);
        this.apps.delete(key);
      }
    }
    return { apps };
  }

  /** When something is next due (ms since epoch): the caller sleeps until then or until a new request. */
  nextDueMs(): number {
    if (this.fullReason !== undefined) {
      return 0;
    }
    let next = this.nextPeriodicMs;
    for (const { atMs } of this.apps.values()) {
      next = Math.min(next, atMs);
    }
    return next;
  }
}
