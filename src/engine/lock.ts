import { randomBytes } from 'crypto';
import * as os from 'os';
import { ApiError } from './kube/api-error';
import { KubeApi } from './kube/kube-api';
import { sleep } from './poll';

/** Namespace of the per-Application sync Leases (exists in every cluster). */
export const LOCK_NAMESPACE = 'kube-system';
const LEASE_SECONDS = 60;
/** How long `release()` keeps trying while the API server is unreachable (it may be restarting). */
const RELEASE_RETRY_MS = 15_000;
/** Writes re-confirm the Lease at most this long after the last confirmation. */
const CONFIRM_EVERY_MS = 5_000;

function leaseName(instance: string): string {
  const safe = instance.toLowerCase().replace(/[^a-z0-9.-]/g, '-');
  return `cdk8s-argocd-sync-${safe}`.slice(0, 253);
}

function microTime(ms: number = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, '.000000Z');
}


/** The Lease now belongs to someone else (or is gone): the holder must stop changing things. */
export class LeaseLostError extends Error {
  constructor(readonly lease: string, detail: string) {
    super(`lost the sync lock (Lease ${LOCK_NAMESPACE}/${lease}): ${detail}; stopped before changing anything else — run the sync again`);
    this.name = 'LeaseLostError';
  }
}

/** A held sync lock. */
export interface SyncLock {
  /** Aborted when the Lease is found lost (taken over or deleted by someone else). */
  readonly signal: AbortSignal;
  /**
   * Resolves when the Lease is ours: confirmed in the last few seconds, or re-confirmed now with a
   * compare-and-swap renewal (after a pause, failed renewals, or a while). Throws LeaseLostError.
   */
  ensureHeld(): Promise<void>;
  /** Deletes the Lease if it is still ours (never someone else's). */
  release(): Promise<void>;
}

export interface SyncLockOptions {
  /** Lease duration (default 60 s). Short values are for tests. */
  readonly leaseSeconds?: number;
  /** Renewal interval (default a third of the lease). */
  readonly renewEveryMs?: number;
}

/** `<hostname>-<pid>-<random>`, as written by {@link acquireSyncLock}. */
function holderProcess(holder: string): { host: string; pid: number } | undefined {
  const m = /^(.*)-(\d+)-[0-9a-f]{6}$/.exec(holder);
  return m ? { host: m[1], pid: Number(m[2]) } : undefined;
}

/** A holder on this machine whose process is gone cannot finish its sync: its Lease is stale. */
function holderIsDeadLocalProcess(holder: string): boolean {
  const p = holderProcess(holder);
  if (!p || p.host !== os.hostname() || p.pid === process.pid) {
    return false;
  }
  try {
    process.kill(p.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Takes the per-Application sync lock: a coordination.k8s.io Lease, renewed while the sync runs.
 * A second sync of the same Application is refused while the Lease is held and not expired.
 *
 * Fencing: every renewal and the release are compare-and-swap on the resourceVersion we last
 * wrote, after checking the holder is still us. A holder that was paused past the lease duration
 * and finds someone else's Lease (a 409, or another holderIdentity) marks itself lost and never
 * touches that Lease.
 */
export async function acquireSyncLock(client: KubeApi, instance: string, options: SyncLockOptions = {}): Promise<SyncLock> {
  const leaseSeconds = options.leaseSeconds ?? LEASE_SECONDS;
  const name = leaseName(instance);
  const holder = `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const path = `/apis/coordination.k8s.io/v1/namespaces/${LOCK_NAMESPACE}/leases`;
  const now = microTime();
  const body = {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'cdk8s-argocd' } },
    spec: { holderIdentity: holder, leaseDurationSeconds: leaseSeconds, acquireTime: now, renewTime: now },
  };
  let current: any;
  let confirmedAt = Date.now();
  try {
    current = await client.request('POST', path, body);
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 409)) {
      throw e;
    }
    const existing = await client.request('GET', `${path}/${name}`);
    const renew = Date.parse(existing.spec?.renewTime ?? existing.spec?.acquireTime ?? 0);
    const expires = renew + (existing.spec?.leaseDurationSeconds ?? LEASE_SECONDS) * 1000;
    const other = existing.spec?.holderIdentity;
    if (other && expires > Date.now() && !holderIsDeadLocalProcess(other)) {
      throw new Error(`another sync of Application ${instance} is running (lease ${LOCK_NAMESPACE}/${name} held by ${other} since ${existing.spec.acquireTime}); wait for it to finish`);
    }
    // Expired (or its process is gone): a crashed sync. Take it over; the resourceVersion makes a
    // concurrent takeover fail with 409.
    confirmedAt = Date.now();
    try {
      current = await client.request('PUT', `${path}/${name}`, { ...body, metadata: { ...body.metadata, resourceVersion: existing.metadata.resourceVersion } });
    } catch (e2) {
      if (e2 instanceof ApiError && e2.code === 409) {
        throw new Error(`another sync of Application ${instance} took over the expired lease ${LOCK_NAMESPACE}/${name} at the same moment; wait for it to finish`);
      }
      throw e2;
    }
  }

  const lost = new AbortController();
  const markLost = (detail: string): LeaseLostError => {
    const err = new LeaseLostError(name, detail);
    if (!lost.signal.aborted) {
      lost.abort(err);
    }
    return err;
  };

  /** Compare-and-swap renewal of the Lease we hold; throws LeaseLostError if it is not ours. */
  const renew = async (): Promise<void> => {
    if (lost.signal.aborted) {
      throw lost.signal.reason;
    }
    const sentAt = Date.now();
    let live: any;
    try {
      live = await client.request('GET', `${path}/${name}`);
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) {
        throw markLost('it was deleted by someone else');
      }
      throw e;
    }
    if (live.spec?.holderIdentity !== holder) {
      throw markLost(`it is held by ${live.spec?.holderIdentity ?? 'nobody'} now`);
    }
    if (live.metadata.resourceVersion !== current.metadata.resourceVersion) {
      throw markLost('it was changed by someone else');
    }
    try {
      current = await client.request('PUT', `${path}/${name}`, { ...live, spec: { ...live.spec, renewTime: microTime(sentAt) } });
      confirmedAt = sentAt;
    } catch (e) {
      if (e instanceof ApiError && (e.code === 409 || e.code === 404)) {
        throw markLost('it was changed by someone else');
      }
      throw e;
    }
  };

  let renewing: Promise<void> | undefined;
  const renewOnce = (): Promise<void> => {
    renewing ??= renew().finally(() => {
      renewing = undefined;
    });
    return renewing;
  };
  const timer = setInterval(() => {
    // A failed renewal (server unreachable) is retried at the next tick; ensureHeld() re-checks.
    renewOnce().catch(() => undefined);
  }, options.renewEveryMs ?? (leaseSeconds / 3) * 1000);
  timer.unref();

  return {
    signal: lost.signal,
    async ensureHeld() {
      if (lost.signal.aborted) {
        throw lost.signal.reason;
      }
      // Recently confirmed, and far from expiry: ours. Otherwise (paused process, failed
      // renewals, or simply a while ago) confirm with a compare-and-swap renewal first.
      if (Date.now() - confirmedAt < Math.min(CONFIRM_EVERY_MS, (leaseSeconds * 1000) / 4)) {
        return;
      }
      await renewOnce();
    },
    async release() {
      clearInterval(timer);
      if (lost.signal.aborted) {
        return;
      }
      const giveUpAt = Date.now() + RELEASE_RETRY_MS;
      for (;;) {
        try {
          const live = await client.request('GET', `${path}/${name}`);
          if (live.spec?.holderIdentity !== holder || live.metadata.resourceVersion !== current.metadata.resourceVersion) {
            return; // someone else's now: not ours to delete
          }
          // Preconditions make the delete a compare-and-swap: a takeover in between wins.
          await client.request('DELETE', `${path}/${name}`, {
            apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: live.metadata.uid, resourceVersion: live.metadata.resourceVersion },
          });
          return;
        } catch (e) {
          if (e instanceof ApiError && (e.code === 404 || e.code === 409)) {
            return; // gone, or changed by someone else
          }
          if (Date.now() > giveUpAt) {
            throw new Error(`could not release the sync lock ${LOCK_NAMESPACE}/${name}: ${(e as Error).message}; the next sync of ${instance} waits until it expires (${leaseSeconds}s)`);
          }
          await sleep(500);
        }
      }
    },
  };
}
