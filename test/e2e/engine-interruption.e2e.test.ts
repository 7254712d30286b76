/**
 * Interrupting a sync (SIGINT/SIGTERM through an AbortSignal, --timeout) while a hook runs, and
 * fencing of the per-Application Lease, against the real local control plane.
 */
import * as os from 'os';
import { deleteNamespace, getJson, kubectl, testNamespaces, waitFor } from './cluster-fixture';
import { HOOK_FINALIZER } from '../../src/engine/annotations';
import { KubeClient } from '../../src/engine/kube/client';
import { acquireSyncLock, LOCK_NAMESPACE } from '../../src/engine/lock';
import { OperationPhase } from '../../src/engine/model';
import { configMap, deployment, TestApp, useE2eClient } from '../engine/e2e-app';

jest.setTimeout(180_000);

let client: KubeClient;
useE2eClient((c) => {
  client = c;
});
const namespaces = testNamespaces();

const newNamespace = namespaces.create;

/** A PreSync hook Pod that never completes: no node matches its selector, so it stays Pending. */
function stuckHook(name: string) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, annotations: { 'argocd.argoproj.io/hook': 'PreSync' } },
    spec: { nodeSelector: { 'e2e.cdk8s-argocd.io/no-such-node': 'true' }, containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.10' }] },
  };
}

function lease(app: string) {
  return getJson(['lease', `cdk8s-argocd-sync-${app}`], { namespace: LOCK_NAMESPACE });
}

describe('interrupting a sync while a hook runs', () => {
  test('an abort (SIGINT) starts no new work, removes our finalizer from the hook, releases the Lease and says what was left', async () => {
    const ns = await newNamespace('int-abort');
    const app = new TestApp('int-abort', ns).write('pre.yaml', stuckHook('pre')).write('cm.yaml', configMap('after'));
    const interrupt = new AbortController();
    const pending = app.sync(client, { signal: interrupt.signal });
    await waitFor('the hook to run', async () => (await getJson(['pod', 'pre'], { namespace: ns }))?.metadata.finalizers?.includes(HOOK_FINALIZER), 30_000);
    interrupt.abort(new Error('interrupted by SIGINT'));
    const { result, events } = await pending;

    expect(result.phase).toBe(OperationPhase.FAILED);
    expect(result.message).toMatch(/^interrupted: interrupted by SIGINT/);
    expect(result.message).toContain(`Pod/${ns}/pre: hook left unfinished; removed its finalizer`);
    expect(events.filter((e) => e.type === 'warning').map((e) => (e as { message: string }).message))
      .toContainEqual(expect.stringMatching(new RegExp(`^left behind: Pod/${ns}/pre`)));
    // No new work: the Sync phase never started.
    expect(await getJson(['configmap', 'after'], { namespace: ns })).toBeUndefined();
    const pod = await getJson(['pod', 'pre'], { namespace: ns });
    expect(pod.metadata.finalizers ?? []).not.toContain(HOOK_FINALIZER);
    expect(await lease('int-abort')).toBeUndefined();
    // Nothing blocks the namespace's deletion any more.
    await deleteNamespace(ns, { wait: true });
    expect(await getJson(['namespace', ns])).toBeUndefined();
  });

  test('--timeout while a hook runs: the same clean-up, and the next sync is not refused', async () => {
    const ns = await newNamespace('int-timeout');
    const app = new TestApp('int-timeout', ns).write('pre.yaml', stuckHook('pre'));
    const { result } = await app.sync(client, { timeoutSeconds: 3 });
    expect(result.phase).toBe(OperationPhase.FAILED);
    expect(result.message).toMatch(/timed out after 3s waiting for completion of hook/);
    expect(result.message).toContain(`Pod/${ns}/pre: hook left unfinished; removed its finalizer`);
    expect((await getJson(['pod', 'pre'], { namespace: ns })).metadata.finalizers ?? []).not.toContain(HOOK_FINALIZER);
    expect(await lease('int-timeout')).toBeUndefined();
    // The next sync starts at once (recreating the hook) instead of being refused for 60 s.
    app.remove('pre.yaml').write('cm.yaml', configMap('now'));
    expect((await app.sync(client)).result.phase).toBe(OperationPhase.SUCCEEDED);
  });
});

describe('Lease fencing', () => {
  test('a holder paused past its lease never deletes the new holder\'s Lease, and learns it lost it', async () => {
    const instance = `fence-${Date.now().toString(36)}`;
    // "Paused": a 2 s lease that is never renewed.
    const paused = await acquireSyncLock(client, instance, { leaseSeconds: 2, renewEveryMs: 3_600_000 });
    await new Promise((r) => setTimeout(r, 2500));
    const next = await acquireSyncLock(client, instance);
    try {
      // The paused holder resumes: it must find out before changing anything, and leave the Lease alone.
      await expect(paused.ensureHeld()).rejects.toThrow(/lost the sync lock .* held by .* now; stopped before changing anything else/);
      expect(paused.signal.aborted).toBe(true);
      await paused.release();
      const live = await lease(instance);
      expect(live?.spec.holderIdentity).toBeDefined();
      // So a third sync is still refused.
      await expect(acquireSyncLock(client, instance)).rejects.toThrow(/another sync of Application .* is running/);
    } finally {
      await next.release();
    }
    expect(await lease(instance)).toBeUndefined();
  });

  test('a fresh Lease whose holder process on this machine is gone (a crashed sync) is taken over at once', async () => {
    const instance = `crashed-${Date.now().toString(36)}`;
    const name = `cdk8s-argocd-sync-${instance}`;
    const now = new Date().toISOString().replace(/\.\d+Z$/, '.000000Z');
    // pid 2^22+1 is above Linux's pid_max default, so it is never alive.
    const dead = `${os.hostname()}-4194305-abcdef`;
    await client.create({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace: LOCK_NAMESPACE },
      spec: { holderIdentity: dead, leaseDurationSeconds: 60, acquireTime: now, renewTime: now },
    }, 'e2e');
    const lock = await acquireSyncLock(client, instance);
    try {
      expect((await lease(instance))?.spec.holderIdentity).toMatch(new RegExp(`^${os.hostname()}-${process.pid}-`));
    } finally {
      await lock.release();
    }
    // A live holder (this very process, another sync) is still respected.
    const held = await acquireSyncLock(client, instance);
    try {
      await expect(acquireSyncLock(client, instance)).rejects.toThrow(/another sync of Application .* is running/);
    } finally {
      await held.release();
    }
  });

  test('a sync whose Lease is taken over stops before its next write, with a clear message', async () => {
    const ns = await newNamespace('int-fence');
    const app = new TestApp('int-fence', ns)
      .write('web.yaml', deployment('web', 1, {}, { minReadySeconds: 8 }))
      .write('after.yaml', configMap('after', { a: '1' }, { 'argocd.argoproj.io/sync-wave': '1' }));
    const pending = app.sync(client);
    await waitFor('the sync to hold its Lease', () => lease('int-fence'), 30_000);
    await kubectl(['patch', 'lease', 'cdk8s-argocd-sync-int-fence', '--type=merge', '-p', '{"spec":{"holderIdentity":"intruder"}}'], { namespace: LOCK_NAMESPACE });
    try {
      const { result } = await pending;
      expect(result.phase).toBe(OperationPhase.FAILED);
      expect(result.message).toMatch(/lost the sync lock \(Lease kube-system\/cdk8s-argocd-sync-int-fence\): it is held by intruder now; stopped before changing anything else/);
      expect(await getJson(['configmap', 'after'], { namespace: ns })).toBeUndefined();
      // The intruder's Lease was not touched.
      expect((await lease('int-fence'))?.spec.holderIdentity).toBe('intruder');
    } finally {
      await kubectl(['delete', 'lease', 'cdk8s-argocd-sync-int-fence', '--ignore-not-found'], { namespace: LOCK_NAMESPACE });
    }
  });
});
