/**
 * The sync engine against the real local control plane: ordering, health gating, hooks,
 * tracking, prune, ignoreDifferences, dry run and the per-Application lock.
 */
import { getJson, kubectl, POD_FAIL_LABEL, POD_FAIL_LABEL_VALUE, testNamespaces, waitFor } from './cluster-fixture';
import { compareApplication } from '../../src/engine/compare-app';
import { KubeClient } from '../../src/engine/kube/client';
import { KubeApi } from '../../src/engine/kube/kube-api';
import { OperationPhase, ResultCode, SyncPhase, SyncStatusCode } from '../../src/engine/model';
import { SyncEvent, syncApplication } from '../../src/engine/sync';
import { configMap, deployment, job, TestApp, useE2eClient } from '../engine/e2e-app';

jest.setTimeout(180_000);

let client: KubeClient;
useE2eClient((c) => {
  client = c;
});
const namespaces = testNamespaces();

const newNamespace = namespaces.create;

function resultNames(events: SyncEvent[]): string[] {
  const seen: string[] = [];
  for (const e of events) {
    if (e.type === 'resource' && !seen.includes(`${e.result.kind}/${e.result.name}`)) {
      seen.push(`${e.result.kind}/${e.result.name}`);
    }
  }
  return seen;
}

describe('sync', () => {
  test('applies every object with Argo CD\'s tracking id, and a re-sync changes nothing', async () => {
    const ns = await newNamespace('eng-track');
    const app = new TestApp('track', ns).write('cm.yaml', configMap('settings')).write('web.yaml', deployment('web'));
    const { result } = await app.sync(client);
    expect(result.phase).toBe(OperationPhase.SUCCEEDED);
    const cm = await getJson(['configmap', 'settings'], { namespace: ns });
    expect(cm.metadata.annotations['argocd.argoproj.io/tracking-id']).toBe(`track:/ConfigMap:${ns}/settings`);
    const web = await getJson(['deployment', 'web', '--show-managed-fields'], { namespace: ns });
    expect(web.metadata.annotations['argocd.argoproj.io/tracking-id']).toBe(`track:apps/Deployment:${ns}/web`);
    expect(web.metadata.managedFields.map((f: any) => f.manager)).toContain('cdk8s-argocd');

    const again = await app.sync(client);
    expect(again.result.phase).toBe(OperationPhase.SUCCEEDED);
    expect(again.result.resources.map((r) => r.message)).toEqual([expect.stringMatching(/unchanged$/), expect.stringMatching(/unchanged$/)]);
    const cmAfter = await getJson(['configmap', 'settings'], { namespace: ns });
    expect(cmAfter.metadata.resourceVersion).toBe(cm.metadata.resourceVersion);
  });

  test('re-applies an object someone changed by hand', async () => {
    const ns = await newNamespace('eng-drift');
    const app = new TestApp('drift', ns).write('cm.yaml', configMap('settings', { a: '1' }));
    await app.sync(client);
    await kubectl(['patch', 'configmap', 'settings', '--type=merge', '-p', '{"data":{"a":"changed"}}'], { namespace: ns });
    const { result } = await app.sync(client);
    expect(result.resources[0].message).toMatch(/configured$/);
    expect((await getJson(['configmap', 'settings'], { namespace: ns })).data.a).toBe('1');
  });

  test('waits for a Deployment to become Available before the next wave', async () => {
    const ns = await newNamespace('eng-waves');
    const app = new TestApp('waves', ns)
      .write('web.yaml', deployment('web', 2, { 'argocd.argoproj.io/sync-wave': '0' }, { minReadySeconds: 2 }))
      .write('after.yaml', configMap('after', { a: '1' }, { 'argocd.argoproj.io/sync-wave': '1' }));
    const { result, events } = await app.sync(client);
    expect(result.phase).toBe(OperationPhase.SUCCEEDED);
    const waveOne = events.findIndex((e) => e.type === 'step' && e.wave === 1);
    const waited = events.slice(0, waveOne).filter((e) => e.type === 'waiting');
    expect(waited.map((e) => (e as { message: string }).message)).toContainEqual(expect.stringMatching(/healthy state of apps\/Deployment\/web/));
    expect(result.resources.find((r) => r.name === 'web')?.health?.status).toBe('Healthy');

    const web = await getJson(['deployment', 'web'], { namespace: ns });
    const available = web.status.conditions.find((c: any) => c.type === 'Available' && c.status === 'True');
    const after = await getJson(['configmap', 'after'], { namespace: ns });
    expect(Date.parse(after.metadata.creationTimestamp)).toBeGreaterThanOrEqual(Date.parse(available.lastTransitionTime));
    expect(Date.parse(after.metadata.creationTimestamp) - Date.parse(web.metadata.creationTimestamp)).toBeGreaterThanOrEqual(2000);
  });

  test('creates a Namespace and a CRD before the objects that need them', async () => {
    const ns = await newNamespace('eng-deps');
    const target = `${ns}-extra`;
    namespaces.track(target);
    const group = `${ns}.example.com`;
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `widgets.${group}`, annotations: { 'argocd.argoproj.io/sync-wave': '5' } },
      spec: {
        group,
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } } }],
      },
    };
    const widget = { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'w', namespace: target }, spec: { size: 3 } };
    const inTarget = { ...configMap('inside'), metadata: { name: 'inside', namespace: target } };
    const app = new TestApp('deps', ns)
      .write('widget.yaml', widget)
      .write('inside.yaml', inTarget)
      .write('crd.yaml', crd)
      .write('ns.yaml', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: target, annotations: { 'argocd.argoproj.io/sync-wave': '3' } } });
    try {
      const { result, events } = await app.sync(client);
      expect(result.message).toBe('successfully synced (all tasks run)');
      const order = resultNames(events);
      expect(order.indexOf(`Namespace/${target}`)).toBeLessThan(order.indexOf('ConfigMap/inside'));
      expect(order.indexOf(`CustomResourceDefinition/widgets.${group}`)).toBeLessThan(order.indexOf('Widget/w'));
      expect((await getJson([`widgets.${group}`, 'w'], { namespace: target })).spec.size).toBe(3);
      // Cluster-scoped objects carry the destination namespace in their tracking id, as in Argo CD;
      // a CRD none (Argo CD's repo-server never tracks one).
      const liveNs = await getJson(['namespace', target]);
      expect(liveNs.metadata.annotations['argocd.argoproj.io/tracking-id']).toBe(`deps:/Namespace:${ns}/${target}`);
      const liveCrd = await getJson(['crd', `widgets.${group}`]);
      expect(liveCrd.metadata.annotations?.['argocd.argoproj.io/tracking-id']).toBeUndefined();
    } finally {
      await kubectl(['delete', 'crd', `widgets.${group}`, '--ignore-not-found', '--wait=false']);
    }
  });

  test('a failing PostSync Job fails the sync and runs the SyncFail hook', async () => {
    const ns = await newNamespace('eng-hooks');
    const app = new TestApp('hooks', ns)
      .write('web.yaml', deployment('web'))
      .write('check.yaml', job('smoke', { 'argocd.argoproj.io/hook': 'PostSync' }, { [POD_FAIL_LABEL]: POD_FAIL_LABEL_VALUE }))
      .write('cleanup.yaml', job('on-fail', { 'argocd.argoproj.io/hook': 'SyncFail' }));
    const { result } = await app.sync(client);
    expect(result.phase).toBe(OperationPhase.FAILED);
    expect(result.message).toMatch(/one or more synchronization tasks completed unsuccessfully.*Job .*smoke/);
    const smoke = result.resources.find((r) => r.name === 'smoke')!;
    expect(smoke).toMatchObject({ hookType: SyncPhase.POST_SYNC, hookPhase: OperationPhase.FAILED, status: undefined });
    const onFail = result.resources.find((r) => r.name === 'on-fail')!;
    expect(onFail).toMatchObject({ hookType: SyncPhase.SYNC_FAIL, hookPhase: OperationPhase.SUCCEEDED });
    const failJob = await getJson(['job', 'on-fail'], { namespace: ns });
    expect(failJob.status.succeeded).toBe(1);
    // The hook finalizer is removed once the engine has seen the hook complete.
    expect(failJob.metadata.finalizers ?? []).not.toContain('argocd.argoproj.io/hook-finalizer');
  });

  test('runs PreSync hooks before the Sync phase, names generateName hooks and deletes HookSucceeded hooks', async () => {
    const ns = await newNamespace('eng-presync');
    const app = new TestApp('presync', ns)
      .write('web.yaml', configMap('web'))
      .write('migrate.yaml', job({ generateName: 'migrate-' }, { 'argocd.argoproj.io/hook': 'PreSync', 'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded' }))
      .write('keep.yaml', job('keep', { 'argocd.argoproj.io/hook': 'PreSync' }));
    const { result } = await app.sync(client);
    expect(result.phase).toBe(OperationPhase.SUCCEEDED);
    const names = result.resources.map((r) => `${r.syncPhase}:${r.name}`);
    const migrate = result.resources.find((r) => r.name.startsWith('migrate-'))!;
    expect(migrate.name).toMatch(/^migrate-0000000-presync-\d{10}$/);
    expect(names.indexOf('Sync:web')).toBeGreaterThan(names.indexOf(`PreSync:${migrate.name}`));
    // HookSucceeded: gone after success; the default BeforeHookCreation keeps `keep` until the next sync.
    const jobs = await getJson(['jobs'], { namespace: ns });
    const live = jobs.items.filter((j: any) => !j.metadata.deletionTimestamp).map((j: any) => j.metadata.name);
    expect(live).toEqual(['keep']);
    const second = await app.sync(client);
    expect(second.result.phase).toBe(OperationPhase.SUCCEEDED);
  });

  test('a hook of two phases (PreSync,PostSync) runs twice: re-created for its PostSync run', async () => {
    const ns = await newNamespace('eng-twophase');
    const app = new TestApp('twophase', ns)
      .write('cm.yaml', configMap('settings'))
      .write('both.yaml', job('both', { 'argocd.argoproj.io/hook': 'PreSync,PostSync' }));
    // Record what the real API server answered to each write of the hook (not the dry runs).
    const created: Array<{ uid: string; phase: string }> = [];
    let phase = '';
    // A view of the real client that records applies; the sync scopes it with withLimits, so views are recorded too.
    const recording = (target: KubeApi): KubeApi => new Proxy(target, {
      get(t, prop) {
        const value = Reflect.get(t, prop, t);
        if (prop === 'withLimits') {
          return (...args: any[]) => recording(value.apply(t, args));
        }
        if (prop !== 'apply' || typeof value !== 'function') {
          return typeof value === 'function' ? value.bind(t) : value;
        }
        return async (...args: any[]) => {
          const out = await value.apply(t, args);
          if (out.kind === 'Job' && !args[2]?.dryRun) {
            created.push({ uid: out.metadata.uid, phase });
          }
          return out;
        };
      },
    });
    const api = recording(client);
    const result = await syncApplication(api, app.load(), {
      pollMs: 200,
      timeoutSeconds: 90,
      onEvent: (e) => {
        if (e.type === 'step') {
          phase = e.phase;
        }
      },
    });
    expect(result.phase).toBe(OperationPhase.SUCCEEDED);
    expect(result.resources.map((r) => `${r.syncPhase}/${r.kind}/${r.name}: ${r.hookPhase ?? r.status}`)).toEqual([
      'PreSync/Job/both: Succeeded',
      'Sync/ConfigMap/settings: Synced',
      'PostSync/Job/both: Succeeded',
    ]);
    // Two Jobs: the PreSync one was deleted and a new one created (and run by the Job controller) for PostSync.
    expect(created.map((c) => c.phase)).toEqual([SyncPhase.PRE_SYNC, SyncPhase.POST_SYNC]);
    expect(created[1].uid).not.toBe(created[0].uid);
    const live = await getJson(['job', 'both'], { namespace: ns });
    expect(live.metadata.uid).toBe(created[1].uid);
    expect(live.status.succeeded).toBe(1);
  });
});

describe('prune', () => {
  test('prunes a removed resource only with prune enabled; without, it is reported PruneSkipped and status agrees', async () => {
    const ns = await newNamespace('eng-prune');
    const app = new TestApp('prune', ns).write('a.yaml', configMap('a')).write('b.yaml', configMap('b'));
    await app.sync(client);
    app.remove('b.yaml');
    const noPrune = await app.sync(client);
    expect(noPrune.result.phase).toBe(OperationPhase.SUCCEEDED);
    expect(noPrune.result.resources.find((r) => r.name === 'b')).toMatchObject({ status: ResultCode.PRUNE_SKIPPED, message: 'ignored (requires pruning)' });
    expect(await getJson(['configmap', 'b'], { namespace: ns })).toBeDefined();
    const status = await compareApplication(client, app.load());
    expect(status.sync).toBe(SyncStatusCode.OUT_OF_SYNC);
    expect(status.resources.filter((r) => r.requiresPruning).map((r) => r.name)).toEqual(['b']);

    const pruned = await app.sync(client, { prune: true });
    expect(pruned.result.resources.find((r) => r.name === 'b')).toMatchObject({ status: ResultCode.PRUNED });
    await expect(getJson(['configmap', 'b'], { namespace: ns })).resolves.toBeUndefined();
    expect(await getJson(['configmap', 'a'], { namespace: ns })).toBeDefined();
  });

  test('never deletes objects without our tracking id', async () => {
    const ns = await newNamespace('eng-foreign');
    await kubectl(['create', 'configmap', 'foreign', '--from-literal=x=1'], { namespace: ns });
    await kubectl(['apply', '-f', '-'], {
      namespace: ns,
      input: JSON.stringify({ ...configMap('other-app'), metadata: { name: 'other-app', annotations: { 'argocd.argoproj.io/tracking-id': `other:/ConfigMap:${ns}/other-app` } } }),
    });
    await kubectl(['apply', '-f', '-'], {
      namespace: ns,
      input: JSON.stringify({ ...configMap('copied'), metadata: { name: 'copied', annotations: { 'argocd.argoproj.io/tracking-id': `foreign:/ConfigMap:${ns}/original` } } }),
    });
    const app = new TestApp('foreign', ns).write('a.yaml', configMap('a'));
    const { result } = await app.sync(client, { prune: true });
    expect(result.resources.map((r) => r.name)).toEqual(['a']);
    for (const name of ['foreign', 'other-app', 'copied']) {
      expect(await getJson(['configmap', name], { namespace: ns })).toBeDefined();
    }
  });

  test('Prune=false keeps a removed resource and PruneSkipped reports it', async () => {
    const ns = await newNamespace('eng-noprune');
    const app = new TestApp('noprune', ns).write('a.yaml', configMap('a')).write('b.yaml', configMap('b', { a: '1' }, { 'argocd.argoproj.io/sync-options': 'Prune=false' }));
    await app.sync(client);
    app.remove('b.yaml');
    const { result } = await app.sync(client, { prune: true });
    expect(result.resources.find((r) => r.name === 'b')).toMatchObject({ status: ResultCode.PRUNE_SKIPPED });
    expect(await getJson(['configmap', 'b'], { namespace: ns })).toBeDefined();
  });

  test('Prune=confirm prunes only with --confirm-prune', async () => {
    const ns = await newNamespace('eng-confirm');
    const app = new TestApp('confirm', ns).write('a.yaml', configMap('a'))
      .write('b.yaml', configMap('b', { a: '1' }, { 'argocd.argoproj.io/sync-options': 'Prune=confirm' }));
    await app.sync(client);
    app.remove('b.yaml');
    const waiting = await app.sync(client, { prune: true });
    expect(waiting.result.resources.find((r) => r.name === 'b')).toMatchObject({ status: ResultCode.PRUNE_SKIPPED, message: expect.stringMatching(/--confirm-prune/) });
    expect(await getJson(['configmap', 'b'], { namespace: ns })).toBeDefined();
    const confirmed = await app.sync(client, { prune: true, confirmPrune: true });
    expect(confirmed.result.resources.find((r) => r.name === 'b')).toMatchObject({ status: ResultCode.PRUNED });
  });

  test('refuses to prune every resource unless allowEmpty', async () => {
    const ns = await newNamespace('eng-empty');
    const app = new TestApp('empty', ns).write('a.yaml', configMap('a'));
    await app.sync(client);
    app.remove('a.yaml');
    const refused = await app.sync(client, { prune: true });
    expect(refused.result.phase).toBe(OperationPhase.FAILED);
    expect(refused.result.message).toMatch(/refusing to prune all 1 resources/);
    expect(await getJson(['configmap', 'a'], { namespace: ns })).toBeDefined();
    const allowed = await app.sync(client, { prune: true, allowEmpty: true });
    expect(allowed.result.phase).toBe(OperationPhase.SUCCEEDED);
    await expect(getJson(['configmap', 'a'], { namespace: ns })).resolves.toBeUndefined();
  });
});

describe('ignoreDifferences', () => {
  const hpaRule = [{ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] }];

  async function scaledThenResynced(respect: boolean): Promise<number> {
    const ns = await newNamespace(respect ? 'eng-respect' : 'eng-norespect');
    const app = new TestApp('hpa', ns, { ignoreDifferences: hpaRule, syncPolicy: { syncOptions: respect ? ['RespectIgnoreDifferences=true'] : [] } });
    app.write('web.yaml', deployment('web', 1));
    await app.sync(client);
    // What an HPA does: scale through the scale subresource with its own field manager.
    await kubectl(['scale', 'deployment', 'web', '--replicas=3'], { namespace: ns });
    // Change something else so the Deployment is applied again.
    app.write('web.yaml', deployment('web', 1, { 'example.com/rev': '2' }));
    const { result } = await app.sync(client);
    expect(result.phase).toBe(OperationPhase.SUCCEEDED);
    return (await getJson(['deployment', 'web'], { namespace: ns })).spec.replicas;
  }

  test('an HPA-managed replicas field is left alone with RespectIgnoreDifferences', async () => {
    expect(await scaledThenResynced(true)).toBe(3);
  });

  test('without RespectIgnoreDifferences the desired replicas are applied again', async () => {
    expect(await scaledThenResynced(false)).toBe(1);
  });
});

describe('dry run first', () => {
  test('an invalid manifest anywhere means nothing was applied', async () => {
    const ns = await newNamespace('eng-invalid');
    const bad = { ...configMap('bad'), spec: { notAField: true } };
    const app = new TestApp('invalid', ns)
      .write('a.yaml', configMap('a'))
      .write('web.yaml', deployment('web'))
      .write('z.yaml', configMap('z', { a: '1' }, { 'argocd.argoproj.io/sync-wave': '9' }), bad);
    const { result } = await app.sync(client);
    expect(result.phase).toBe(OperationPhase.FAILED);
    expect(result.message).toMatch(/failed to apply \(dry run\), nothing was applied/);
    expect(result.message).toMatch(/invalid\/z\.yaml:\d+: ConfigMap .*\/bad/);
    expect(result.resources).toEqual([expect.objectContaining({ name: 'bad', status: ResultCode.SYNC_FAILED })]);
    const cms = await getJson(['configmaps'], { namespace: ns });
    expect(cms.items.map((c: any) => c.metadata.name).filter((n: string) => n !== 'kube-root-ca.crt')).toEqual([]);
    expect(await getJson(['deployment', 'web'], { namespace: ns })).toBeUndefined();
  });

  test('Validate=false lets the server drop unknown fields instead of failing', async () => {
    const ns = await newNamespace('eng-validate');
    const lenient = { ...configMap('lenient', { a: '1' }, { 'argocd.argoproj.io/sync-options': 'Validate=false' }), spec: { notAField: true } };
    const { result } = await new TestApp('validate', ns).write('a.yaml', lenient).sync(client);
    expect(result.phase).toBe(OperationPhase.SUCCEEDED);
  });

  test('--dry-run changes nothing', async () => {
    const ns = await newNamespace('eng-dryrun');
    const { result } = await new TestApp('dryrun', ns).write('a.yaml', configMap('a')).sync(client, { dryRun: true });
    expect(result.phase).toBe(OperationPhase.SUCCEEDED);
    expect(result.resources[0].message).toBe('would be created (dry run)');
    expect(await getJson(['configmap', 'a'], { namespace: ns })).toBeUndefined();
  });
});

describe('selective sync', () => {
  test('--resource applies only the named resources, runs no hooks and prunes nothing else', async () => {
    const ns = await newNamespace('eng-select');
    const app = new TestApp('select', ns).write('a.yaml', configMap('a')).write('b.yaml', configMap('b'))
      .write('hook.yaml', job('pre', { 'argocd.argoproj.io/hook': 'PreSync' }));
    const { result } = await app.sync(client, { prune: true, resources: [{ group: '', kind: 'ConfigMap', name: 'b' }] });
    expect(result.phase).toBe(OperationPhase.SUCCEEDED);
    expect(result.resources.map((r) => r.name)).toEqual(['b']);
    expect(await getJson(['configmap', 'a'], { namespace: ns })).toBeUndefined();
    expect(await getJson(['job', 'pre'], { namespace: ns })).toBeUndefined();
  });
});

describe('sync options', () => {
  test('CreateNamespace creates the destination namespace with managedNamespaceMetadata', async () => {
    const ns = `eng-createns-${Date.now().toString(36)}`;
    namespaces.track(ns);
    const app = new TestApp('createns', ns, {
      syncPolicy: { syncOptions: ['CreateNamespace=true'], managedNamespaceMetadata: { labels: { team: 'platform' }, annotations: { owner: 'me' } } },
    });
    const { result } = await app.write('a.yaml', configMap('a')).sync(client);
    expect(result.phase).toBe(OperationPhase.SUCCEEDED);
    const live = await getJson(['namespace', ns]);
    expect(live.metadata.labels.team).toBe('platform');
    expect(live.metadata.annotations.owner).toBe('me');
    expect(await getJson(['configmap', 'a'], { namespace: ns })).toBeDefined();
  });

  test('CreateNamespace syncs the namespace only while it is missing (no managedNamespaceMetadata), as Argo CD\'s syncNamespace', async () => {
    const ns = `eng-createns2-${Date.now().toString(36)}`;
    namespaces.track(ns);
    const app = new TestApp('createns2', ns, { syncPolicy: { syncOptions: ['CreateNamespace=true'] } });
    const first = (await app.write('a.yaml', configMap('a')).sync(client)).result;
    expect(first.phase).toBe(OperationPhase.SUCCEEDED);
    expect(first.resources.map((r) => `${r.syncPhase} ${r.kind}/${r.name}`)).toEqual([`PreSync Namespace/${ns}`, 'Sync ConfigMap/a']);
    expect(await getJson(['namespace', ns])).toBeDefined();
    // The namespace exists now: the next sync leaves it alone and records no result for it.
    const second = (await app.write('a.yaml', configMap('a', { a: '2' })).sync(client)).result;
    expect(second.phase).toBe(OperationPhase.SUCCEEDED);
    expect(second.resources.map((r) => `${r.syncPhase} ${r.kind}/${r.name}`)).toEqual(['Sync ConfigMap/a']);
  });

  test('FailOnSharedResource fails before applying anything when another Application tracks an object', async () => {
    const ns = await newNamespace('eng-shared');
    await kubectl(['apply', '-f', '-'], {
      namespace: ns,
      input: JSON.stringify({ ...configMap('shared'), metadata: { name: 'shared', annotations: { 'argocd.argoproj.io/tracking-id': `owner:/ConfigMap:${ns}/shared` } } }),
    });
    const app = new TestApp('shared', ns, { syncPolicy: { syncOptions: ['FailOnSharedResource=true'] } })
      .write('a.yaml', configMap('a')).write('shared.yaml', configMap('shared', { a: 'mine' }));
    const { result } = await app.sync(client);
    expect(result.phase).toBe(OperationPhase.FAILED);
    expect(result.message).toMatch(/already managed by Application owner/);
    expect(await getJson(['configmap', 'a'], { namespace: ns })).toBeUndefined();
  });

  test('Replace=true replaces the object instead of applying', async () => {
    const ns = await newNamespace('eng-replace');
    const app = new TestApp('replace', ns).write('a.yaml', configMap('a', { a: '1', b: '2' }, { 'argocd.argoproj.io/sync-options': 'Replace=true' }));
    await app.sync(client);
    await kubectl(['patch', 'configmap', 'a', '--type=merge', '-p', '{"data":{"extra":"x"}}'], { namespace: ns });
    app.write('a.yaml', configMap('a', { a: '1' }, { 'argocd.argoproj.io/sync-options': 'Replace=true' }));
    await app.sync(client);
    // A replace drops what is not in the manifest, including fields other managers added.
    expect((await getJson(['configmap', 'a'], { namespace: ns })).data).toEqual({ a: '1' });
  });
});

describe('failure handling', () => {
  test('retries a failed operation with the Application\'s backoff', async () => {
    const ns = await newNamespace('eng-retry');
    const app = new TestApp('retry', ns, { syncPolicy: { retry: { limit: 1, backoff: { duration: '1s', factor: 2, maxDuration: '5s' } } } })
      .write('a.yaml', configMap('a'))
      .write('check.yaml', job('check', { 'argocd.argoproj.io/hook': 'PostSync' }, { [POD_FAIL_LABEL]: POD_FAIL_LABEL_VALUE }));
    const { result, events } = await app.sync(client);
    expect(result.phase).toBe(OperationPhase.FAILED);
    expect(result.attempts).toBe(2);
    expect(events.filter((e) => e.type === 'waiting').map((e) => (e as { message: string }).message)).toContainEqual(expect.stringMatching(/^retrying in 1s \(attempt 2 of 2\)/));
  });

  test('--timeout fails an operation that waits for health too long', async () => {
    const ns = await newNamespace('eng-timeout');
    // Its pods can never be scheduled, so it never becomes Available.
    const never = deployment('never', 1);
    (never.spec as any).template.spec.nodeSelector = { 'example.com/no-such-node': 'true' };
    const app = new TestApp('timeout', ns).write('never.yaml', never).write('after.yaml', configMap('after', { a: '1' }, { 'argocd.argoproj.io/sync-wave': '1' }));
    const { result } = await app.sync(client, { timeoutSeconds: 4 });
    expect(result.phase).toBe(OperationPhase.FAILED);
    expect(result.message).toMatch(/timed out after 4s waiting for healthy state of apps\/Deployment\/never/);
    expect(await getJson(['configmap', 'after'], { namespace: ns })).toBeUndefined();
  });

  test('a resource that turns Degraded while its wave is gated fails the sync', async () => {
    const ns = await newNamespace('eng-degraded');
    const stuck = deployment('stuck', 1, {}, { progressDeadlineSeconds: 2 });
    (stuck.spec as any).template.spec.nodeSelector = { 'example.com/no-such-node': 'true' };
    const app = new TestApp('degraded', ns).write('stuck.yaml', stuck).write('after.yaml', configMap('after', { a: '1' }, { 'argocd.argoproj.io/sync-wave': '1' }));
    const { result } = await app.sync(client, { timeoutSeconds: 60 });
    expect(result.phase).toBe(OperationPhase.FAILED);
    expect(result.message).toMatch(/completed unsuccessfully.*Deployment .*stuck.*exceeded its progress deadline/);
    expect(await getJson(['configmap', 'after'], { namespace: ns })).toBeUndefined();
  });

  test('Force=true deletes and recreates an object the server refuses to update', async () => {
    const ns = await newNamespace('eng-force');
    const base = job('once', {});
    const app = new TestApp('force', ns).write('job.yaml', base);
    await app.sync(client);
    const changed = job('once', { 'argocd.argoproj.io/sync-options': 'Force=true' });
    (changed.spec as any).template.spec.containers[0].command = ['sh', '-c', 'exit 0'];
    const refused = await new TestApp('force', ns).write('job.yaml', { ...changed, metadata: { ...changed.metadata, annotations: {} } }).sync(client);
    expect(refused.result.phase).toBe(OperationPhase.FAILED);
    expect(refused.result.message).toMatch(/field is immutable/);
    const uid = (await getJson(['job', 'once'], { namespace: ns })).metadata.uid;
    const { result } = await app.write('job.yaml', changed).sync(client);
    expect(result.message).toBe('successfully synced (all tasks run)');
    // `kubectl apply --force` says configured after the delete and create, as Argo CD reports it.
    expect(result.resources[0].message).toBe('job.batch/once configured');
    expect((await getJson(['job', 'once'], { namespace: ns })).metadata.uid).not.toBe(uid);
    expect((await getJson(['job', 'once'], { namespace: ns })).spec.template.spec.containers[0].command).toEqual(['sh', '-c', 'exit 0']);
  });

  test('ApplyOutOfSyncOnly skips objects whose only differences are ignored', async () => {
    const ns = await newNamespace('eng-oos');
    const spec = {
      ignoreDifferences: [{ kind: 'ConfigMap', jsonPointers: ['/data/tuned'] }],
      syncPolicy: { syncOptions: ['ApplyOutOfSyncOnly=true'] },
    };
    const app = new TestApp('oos', ns, spec).write('a.yaml', configMap('a', { tuned: '1' }));
    await app.sync(client);
    app.write('a.yaml', configMap('a', { tuned: '2' }));
    const { result } = await app.sync(client);
    expect(result.resources[0].message).toMatch(/unchanged$/);
    expect((await getJson(['configmap', 'a'], { namespace: ns })).data.tuned).toBe('1');
  });
});

describe('more hook and dry-run rules', () => {
  test('HookFailed deletes a failed hook once the operation failed', async () => {
    const ns = await newNamespace('eng-hookfailed');
    const app = new TestApp('hookfailed', ns)
      .write('a.yaml', configMap('a'))
      .write('check.yaml', job('check', { 'argocd.argoproj.io/hook': 'PostSync', 'argocd.argoproj.io/hook-delete-policy': 'HookFailed' },
        { [POD_FAIL_LABEL]: POD_FAIL_LABEL_VALUE }));
    const { result } = await app.sync(client);
    expect(result.phase).toBe(OperationPhase.FAILED);
    const live = await getJson(['job', 'check'], { namespace: ns });
    expect(live === undefined || live.metadata.deletionTimestamp !== undefined).toBe(true);
  });

  test('SkipDryRunOnMissingResource lets the dry run pass for a kind the cluster does not know yet', async () => {
    const ns = await newNamespace('eng-skipdry');
    const gadget = (options?: string) => ({
      apiVersion: 'nowhere.example.com/v1',
      kind: 'Gadget',
      metadata: { name: 'g', annotations: { 'argocd.argoproj.io/sync-wave': '1', ...(options ? { 'argocd.argoproj.io/sync-options': options } : {}) } },
    });
    const strict = await new TestApp('skipdry', ns).write('a.yaml', configMap('a')).write('g.yaml', gadget()).sync(client);
    expect(strict.result.message).toMatch(/dry run.*server does not know Gadget/s);
    expect(await getJson(['configmap', 'a'], { namespace: ns })).toBeUndefined();

    const skipped = await new TestApp('skipdry', ns).write('a.yaml', configMap('a')).write('g.yaml', gadget('SkipDryRunOnMissingResource=true')).sync(client);
    // The dry run passed, so wave 0 was applied; the Gadget itself still fails when applied.
    expect(await getJson(['configmap', 'a'], { namespace: ns })).toBeDefined();
    expect(skipped.result.resources.find((r) => r.name === 'g')).toMatchObject({ status: ResultCode.SYNC_FAILED, message: expect.stringMatching(/server does not know Gadget/) });
  });
});

describe('concurrency', () => {
  test('a second sync of the same Application while one runs is refused', async () => {
    const ns = await newNamespace('eng-lock');
    const app = new TestApp('lock', ns)
      .write('web.yaml', deployment('web', 1, {}, { minReadySeconds: 3 }))
      .write('after.yaml', configMap('after', { a: '1' }, { 'argocd.argoproj.io/sync-wave': '1' }));
    const first = app.sync(client);
    await waitFor('the first sync to hold its Lease', () => getJson(['lease', 'cdk8s-argocd-sync-lock'], { namespace: 'kube-system' }), 30_000);
    const second = await app.sync(client);
    expect(second.result.phase).toBe(OperationPhase.ERROR);
    expect(second.result.message).toMatch(/another sync of Application lock is running/);
    expect((await first).result.phase).toBe(OperationPhase.SUCCEEDED);
    // Released afterwards.
    expect((await app.sync(client)).result.phase).toBe(OperationPhase.SUCCEEDED);
  });
});
