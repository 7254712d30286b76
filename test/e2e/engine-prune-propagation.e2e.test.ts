/**
 * PrunePropagationPolicy against the real garbage collector: a pruned Deployment's ReplicaSet and
 * pods stay with `orphan`; with the default (foreground) the Deployment waits for them to go; with
 * `background` it goes first. A finalizer on the ReplicaSet holds it so the cases differ reliably.
 */
import { getJson, kubectl, testNamespaces, waitFor } from './cluster-fixture';
import { KubeClient } from '../../src/engine/kube/client';
import { OperationPhase, ResultCode } from '../../src/engine/model';
import { configMap, deployment, TestApp, useE2eClient } from '../engine/e2e-app';

jest.setTimeout(180_000);

let client: KubeClient;
useE2eClient((c) => {
  client = c;
});
const namespaces = testNamespaces();

interface Owned {
  metadata: {
    name: string;
    uid: string;
    deletionTimestamp?: string;
    finalizers?: string[];
    ownerReferences?: Array<{ kind: string; name: string; uid: string }>;
  };
}

/** Keeps the ReplicaSet from being removed while it is deleted, so every policy can be told apart. */
const HOLD = 'e2e.cdk8s-argocd.io/hold';

async function replicaSets(ns: string): Promise<Owned[]> {
  return (await getJson<{ items: Owned[] }>(['replicasets', '-l', 'app=web'], { namespace: ns }))?.items ?? [];
}

async function pods(ns: string): Promise<Owned[]> {
  return (await getJson<{ items: Owned[] }>(['pods', '-l', 'app=web'], { namespace: ns }))?.items ?? [];
}

async function liveDeployment(ns: string): Promise<Owned | undefined> {
  return getJson<Owned>(['deployment', 'web'], { namespace: ns });
}

interface Pruned {
  readonly ns: string;
  readonly rs: Owned;
  readonly podUids: string[];
  /** Removes the hold finalizer from the ReplicaSet. */
  release(): Promise<void>;
}

/**
 * Syncs a Deployment with 2 pods (plus a ConfigMap that stays), waits for its ReplicaSet and
 * pods, puts a finalizer on the ReplicaSet and prunes the Deployment with `--prune`.
 */
async function pruneDeployment(prefix: string, syncOptions: string[], body: (p: Pruned) => Promise<void>): Promise<void> {
  const ns = await namespaces.create(prefix);
  const app = new TestApp(prefix, ns, { syncPolicy: { syncOptions } }).write('keep.yaml', configMap('keep')).write('web.yaml', deployment('web', 2));
  expect((await app.sync(client)).result.phase).toBe(OperationPhase.SUCCEEDED);
  const deploy = (await liveDeployment(ns))!;
  const [rs] = await waitFor('the ReplicaSet of deployment/web', async () => {
    const list = await replicaSets(ns);
    return list.length === 1 && list;
  });
  expect(rs.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Deployment', name: 'web', uid: deploy.metadata.uid })]);
  const running = await waitFor('2 pods of deployment/web', async () => {
    const list = await pods(ns);
    return list.length === 2 && list;
  });
  for (const p of running) {
    expect(p.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'ReplicaSet', uid: rs.metadata.uid })]);
  }
  await kubectl(['patch', 'replicaset', rs.metadata.name, '--type=merge', '-p', JSON.stringify({ metadata: { finalizers: [HOLD] } })], { namespace: ns });
  const release = async () => {
    await kubectl(['patch', 'replicaset', rs.metadata.name, '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]'], { namespace: ns, check: false });
  };
  try {
    app.remove('web.yaml');
    const { result } = await app.sync(client, { prune: true });
    expect(result.phase).toBe(OperationPhase.SUCCEEDED);
    expect(result.resources.find((r) => r.name === 'web')).toMatchObject({ kind: 'Deployment', status: ResultCode.PRUNED });
    await body({ ns, rs, podUids: running.map((p) => p.metadata.uid), release });
    expect(await getJson(['configmap', 'keep'], { namespace: ns })).toBeDefined();
  } finally {
    await release();
  }
}

describe('PrunePropagationPolicy', () => {
  test('orphan: the pruned Deployment\'s ReplicaSet and pods remain, without owner', async () => {
    await pruneDeployment('prune-orphan', ['PrunePropagationPolicy=orphan'], async ({ ns, rs, podUids }) => {
      // The garbage collector removes the owner references before it lets the Deployment go.
      await waitFor('deployment/web to be deleted', async () => (await liveDeployment(ns)) === undefined, 20_000);
      const [left, ...more] = await replicaSets(ns);
      expect(more).toEqual([]);
      expect(left.metadata).toMatchObject({ uid: rs.metadata.uid, finalizers: [HOLD] });
      expect(left.metadata.deletionTimestamp).toBeUndefined();
      expect(left.metadata.ownerReferences ?? []).toEqual([]);
      // Still there a little later, pods included: nothing collects them.
      await new Promise((r) => setTimeout(r, 2000));
      expect((await replicaSets(ns)).map((r) => [r.metadata.uid, r.metadata.deletionTimestamp])).toEqual([[rs.metadata.uid, undefined]]);
      expect((await pods(ns)).map((p) => p.metadata.uid).sort()).toEqual([...podUids].sort());
    });
  });

  test.each([
    ['no option (default foreground)', 'prune-default', [] as string[]],
    ['PrunePropagationPolicy=foreground', 'prune-foreground', ['PrunePropagationPolicy=foreground']],
  ])('%s: the Deployment stays until its ReplicaSet and pods are gone', async (_what, prefix, syncOptions) => {
    await pruneDeployment(prefix, syncOptions, async ({ ns, release }) => {
      const deleting = await waitFor('deployment/web to wait for its dependents', async () => {
        const d = await liveDeployment(ns);
        return d?.metadata.deletionTimestamp && d.metadata.finalizers?.includes('foregroundDeletion') && d;
      }, 20_000);
      expect(deleting).toBeDefined();
      await waitFor('the ReplicaSet to be deleted (held by its finalizer)', async () => (await replicaSets(ns))[0]?.metadata.deletionTimestamp, 20_000);
      await waitFor('the pods to be deleted', async () => (await pods(ns)).length === 0, 60_000);
      // The held ReplicaSet blocks the Deployment's deletion.
      expect((await liveDeployment(ns))?.metadata.deletionTimestamp).toBeDefined();
      await release();
      await waitFor('deployment/web to be deleted', async () => (await liveDeployment(ns)) === undefined && (await replicaSets(ns)).length === 0, 60_000);
    });
  });

  test('background: the Deployment goes at once, its ReplicaSet and pods after it', async () => {
    await pruneDeployment('prune-background', ['PrunePropagationPolicy=background'], async ({ ns, rs, release }) => {
      await waitFor('deployment/web to be deleted', async () => (await liveDeployment(ns)) === undefined, 20_000);
      await waitFor('the ReplicaSet to be deleted (held by its finalizer)', async () => (await replicaSets(ns))[0]?.metadata.deletionTimestamp, 20_000);
      expect((await replicaSets(ns)).map((r) => r.metadata.uid)).toEqual([rs.metadata.uid]);
      await release();
      await waitFor('the ReplicaSet and pods to be deleted', async () => (await replicaSets(ns)).length === 0 && (await pods(ns)).length === 0, 60_000);
    });
  });
});
