/**
 * What bounds and ends a sync besides success or failure: a per-request deadline, cancellation
 * (SIGINT/SIGTERM through an AbortSignal, or losing the sync Lease) and the clean-up afterwards,
 * so an interrupted or timed-out sync leaves nothing that blocks the next sync or a namespace
 * deletion, and says what it left.
 *
 * sync.ts calls it at a few marked points; everything else lives here.
 */
import { HOOK_FINALIZER } from './annotations';
import { isHook } from './hooks';
import { ApiError } from './kube/api-error';
import { abortReason, DEFAULT_REQUEST_TIMEOUT_MS } from './kube/client';
import { KubeApi } from './kube/kube-api';
import { LoadedApplication } from './load/applications';
import { acquireSyncLock, SyncLock } from './lock';
import { OperationPhase, SyncOperationResult } from './model';
import { mapLimit } from './poll';
import { trackingInstance } from './tracking';

/** The operation was interrupted: no new work starts. */
export class SyncInterruptedError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'SyncInterruptedError';
  }
}

/** Per-request deadline of an operation: its timeout, at most {@link DEFAULT_REQUEST_TIMEOUT_MS}. */
export function requestTimeoutMs(timeoutSeconds: number | undefined): number {
  const fromOperation = timeoutSeconds && timeoutSeconds > 0 ? timeoutSeconds * 1000 : Number.POSITIVE_INFINITY;
  return Math.max(1000, Math.min(DEFAULT_REQUEST_TIMEOUT_MS, fromOperation));
}

/** Throws SyncInterruptedError when `signal` was aborted: call it before starting new work. */
export function throwIfInterrupted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new SyncInterruptedError(abortReason(signal));
  }
}

/**
 * One sync's guard: owns the lock, the combined cancellation signal (caller's signal + lost
 * Lease) and the client the operation uses (bounded requests, no new requests once interrupted,
 * a fence check before each write).
 */
export class SyncGuard {
  private readonly controller = new AbortController();
  private lock?: SyncLock;
  private readonly base: KubeApi;
  /** The client for the operation. */
  client: KubeApi;

  constructor(client: KubeApi, signal: AbortSignal | undefined, timeoutSeconds: number | undefined) {
    this.base = client.withLimits({ timeoutMs: requestTimeoutMs(timeoutSeconds), signal: undefined, beforeWrite: undefined });
    this.client = this.base.withLimits({ signal: this.controller.signal });
    if (signal) {
      this.follow(signal);
    }
  }

  /** Aborted on interruption (caller's signal) or when the Lease is lost. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get interrupted(): boolean {
    return this.controller.signal.aborted;
  }

  private follow(signal: AbortSignal): void {
    if (signal.aborted) {
      this.controller.abort(signal.reason);
    } else {
      signal.addEventListener('abort', () => this.controller.abort(signal.reason), { once: true });
    }
  }

  /** Takes the sync lock; writes are fenced by it from now on. */
  async acquireLock(instance: string): Promise<void> {
    throwIfInterrupted(this.signal);
    const lock = await acquireSyncLock(this.base, instance);
    this.lock = lock;
    this.follow(lock.signal);
    this.client = this.base.withLimits({ signal: this.controller.signal, beforeWrite: () => lock.ensureHeld() });
  }

  /**
   * After the last attempt: unless the sync succeeded, take our finalizer off the hooks it left
   * (so a namespace deletion or the next sync can finish them), then release the Lease. An
   * interruption becomes the operation's message; what was left is added, one line per object.
   */
  async finish(app: LoadedApplication, instance: string, result: SyncOperationResult, warn: (message: string) => void): Promise<void> {
    const left: string[] = [];
    const lostLease = this.lock?.signal.aborted ?? false;
    if (this.interrupted) {
      result.phase = OperationPhase.FAILED;
      result.message = `${lostLease ? '' : 'interrupted: '}${abortReason(this.signal)}`;
    }
    if (result.phase !== OperationPhase.SUCCEEDED && !result.dryRun) {
      if (lostLease) {
        left.push('hooks of this sync were not touched: the Lease belongs to another sync now');
      } else {
        left.push(...(await releaseHookFinalizers(this.base, app, instance)));
      }
    }
    try {
      await this.lock?.release();
    } catch (e) {
      left.push(`Lease: ${(e as Error).message}`);
    }
    left.forEach((line) => warn(`left behind: ${line}`));
    if (left.length > 0) {
      result.message = `${result.message}\n  left behind:\n  ${left.join('\n  ')}`;
    }
  }
}

/**
 * Removes `argocd.argoproj.io/hook-finalizer` from this instance's hooks that still carry it.
 * Nobody watches them once the operation ended, and the finalizer would block their deletion
 * (and their namespace's) until a later sync. Returns one line per hook.
 */
export async function releaseHookFinalizers(client: KubeApi, app: LoadedApplication, instance: string): Promise<string[]> {
  const destination = app.manifest.spec?.destination?.namespace;
  const kinds = new Map<string, { apiVersion: string; kind: string; namespace?: string }>();
  for (const { object } of app.objects) {
    if (isHook(object)) {
      const namespace = object.metadata.namespace ?? destination;
      kinds.set(`${object.apiVersion}/${object.kind}/${namespace ?? ''}`, { apiVersion: object.apiVersion, kind: object.kind, namespace });
    }
  }
  const lines: string[] = [];
  await mapLimit([...kinds.values()], 4, async ({ apiVersion, kind, namespace }) => {
    const what = `${kind} hooks${namespace ? ` in ${namespace}` : ''}`;
    try {
      const r = await client.resourceFor(apiVersion, kind);
      if (!r) {
        return;
      }
      const items = await client.list(r, namespace, true);
      for (const item of items) {
        const finalizers: string[] = item.metadata.finalizers ?? [];
        if (trackingInstance(item) !== instance || !finalizers.includes(HOOK_FINALIZER)) {
          continue;
        }
        const name = `${kind}/${item.metadata.namespace ? `${item.metadata.namespace}/` : ''}${item.metadata.name}`;
        try {
          // resourceVersion makes this a compare-and-swap: finalizers others add meanwhile stay.
          const remaining = finalizers.filter((f) => f !== HOOK_FINALIZER);
          await client.merge(item, { metadata: { finalizers: remaining, resourceVersion: item.metadata.resourceVersion } });
          lines.push(`${name}: hook left unfinished; removed its finalizer (the next sync re-creates it)`);
        } catch (e) {
          if (!(e instanceof ApiError && e.code === 404)) {
            lines.push(`${name}: hook still carries ${HOOK_FINALIZER} (${(e as Error).message}); remove it or sync again`);
          }
        }
      }
    } catch (e) {
      lines.push(`${what}: could not check for ${HOOK_FINALIZER} (${(e as Error).message}); sync again or remove it by hand`);
    }
  });
  return lines.sort();
}
