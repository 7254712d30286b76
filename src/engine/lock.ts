import { randomBytes } from 'crypto';
import * as os from 'os';
import { ApiError } from './kube/api-error';
import { KubeClient } from './kube/client';

/** Namespace of the per-Application sync Leases (exists in every cluster). */
export const LOCK_NAMESPACE = 'kube-system';
const LEASE_SECONDS = 60;

function leaseName(instance: string): string {
  const safe = instance.toLowerCase().replace(/[^a-z0-9.-]/g, '-');
  return `cdk8s-argocd-sync-${safe}`.slice(0, 253);
}

/** A held sync lock; `release()` deletes the Lease. */
export interface SyncLock {
  release(): Promise<void>;
}

/**
 * Takes the per-Application sync lock: a coordination.k8s.io Lease, renewed while the sync runs.
 * A second sync of the same Application is refused while the Lease is held and not expired.
 */
export async function acquireSyncLock(client: KubeClient, instance: string): Promise<SyncLock> {
  const name = leaseName(instance);
  const holder = `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const path = `/apis/coordination.k8s.io/v1/namespaces/${LOCK_NAMESPACE}/leases`;
  const spec = () => ({ holderIdentity: holder, leaseDurationSeconds: LEASE_SECONDS, acquireTime: new Date().toISOString().replace(/\.\d+Z$/, '.000000Z'), renewTime: new Date().toISOString().replace(/\.\d+Z$/, '.000000Z') });
  const body = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'cdk8s-argocd' } }, spec: spec() };
  try {
    await client.request('POST', path, body);
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 409)) {
      throw e;
    }
    const existing = await client.request('GET', `${path}/${name}`);
    const renew = Date.parse(existing.spec?.renewTime ?? existing.spec?.acquireTime ?? 0);
    const expires = renew + (existing.spec?.leaseDurationSeconds ?? LEASE_SECONDS) * 1000;
    if (existing.spec?.holderIdentity && expires > Date.now()) {
      throw new Error(`another sync of Application ${instance} is running (lease ${LOCK_NAMESPACE}/${name} held by ${existing.spec.holderIdentity} since ${existing.spec.acquireTime}); wait for it to finish`);
    }
    // Expired: a crashed sync. Take it over; the resourceVersion makes a concurrent takeover fail.
    await client.request('PUT', `${path}/${name}`, { ...body, metadata: { ...body.metadata, resourceVersion: existing.metadata.resourceVersion } });
  }
  const timer = setInterval(() => {
    client.request('PATCH', `${path}/${name}`, { spec: { renewTime: new Date().toISOString().replace(/\.\d+Z$/, '.000000Z') } }, 'application/merge-patch+json').catch(() => undefined);
  }, (LEASE_SECONDS / 3) * 1000);
  timer.unref();
  return {
    async release() {
      clearInterval(timer);
      try {
        await client.request('DELETE', `${path}/${name}`);
      } catch {
        // Already gone: nothing to release.
      }
    },
  };
}
