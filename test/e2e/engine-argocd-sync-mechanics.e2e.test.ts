/**
 * Sync mechanics where the engine was made to match real Argo CD v3.2.11 (found by the conformance
 * scenarios in test/conformance/scenarios/sync-*), on the real local control plane: PruneLast after
 * every prune wave, the client-side dry-run strategy (a later wave the API server refuses),
 * Replace=true,Force=true as kubectl replace --force, and the results as Argo CD records them.
 */
import { getJson, kubeconfigPath, testNamespaces } from './cluster-fixture';
import { KubeClient } from '../../src/engine/kube/client';
import { OperationPhase, ResultCode, SyncPhase } from '../../src/engine/model';
import { configMap, deployment, job, runCli, TestApp, useE2eClient } from '../engine/e2e-app';

jest.setTimeout(180_000);

let client: KubeClient;
useE2eClient((c) => {
  client = c;
});
const namespaces = testNamespaces();
const WAVE = 'argocd.argoproj.io/sync-wave';
const OPTIONS = 'argocd.argoproj.io/sync-options';

test('PruneLast prunes after every other prune wave; Prune=false reports "ignored (no prune)"', async () => {
  const ns = await namespaces.create('eng-prunelast');
  const app = new TestApp('prunelast', ns)
    .write('keep.yaml', configMap('keep', { a: '1' }, { [WAVE]: '0' }))
    .write('w0.yaml', configMap('w0', { a: '1' }, { [WAVE]: '0' }))
    .write('w1.yaml', configMap('w1', { a: '1' }, { [WAVE]: '1' }))
    .write('w2.yaml', configMap('w2', { a: '1' }, { [WAVE]: '2' }))
    .write('w5.yaml', configMap('w5', { a: '1' }, { [WAVE]: '5', [OPTIONS]: 'Prune=false' }))
    .write('last.yaml', configMap('last', { a: '1' }, { [WAVE]: '0', [OPTIONS]: 'PruneLast=true' }));
  expect((await app.sync(client)).result.phase).toBe(OperationPhase.SUCCEEDED);
  for (const f of ['w0', 'w1', 'w2', 'w5', 'last']) {
    app.remove(`${f}.yaml`);
  }
  const { result } = await app.sync(client, { prune: true });
  expect(result.phase).toBe(OperationPhase.SUCCEEDED);
  // Real Argo CD v3.2.11 on the sync-prune scenario: mirrored prune waves, PruneLast at the end.
  expect(result.resources.map((r) => `${r.syncWave} ${r.name} ${r.status} ${r.message}`)).toEqual([
    '0 w5 PruneSkipped ignored (no prune)',
    '0 keep Synced configmap/keep unchanged',
    '1 w2 Pruned pruned',
    '2 w1 Pruned pruned',
    '5 w0 Pruned pruned',
    '6 last Pruned pruned',
  ]);
  expect(await getJson(['configmap', 'w5'], { namespace: ns })).toBeDefined();
  expect(await getJson(['configmap', 'last'], { namespace: ns })).toBeUndefined();
});

describe('a later wave the API server refuses', () => {
  const objects = (app: TestApp) => app
    .write('first.yaml', configMap('first', { a: '1' }, { [WAVE]: '0' }))
    .write('rejected.yaml', configMap('rejected', { 'not a valid key': '1' }, { [WAVE]: '1' }))
    .write('last.yaml', configMap('last', { a: '1' }, { [WAVE]: '2' }));

  test('sync --dry-run-strategy client from the CLI: exit 1, the warning on stderr, wave 0 applied', async () => {
    const ns = await namespaces.create('eng-reject-cli');
    const res = await runCli(kubeconfigPath(), objects(new TestApp('reject-cli', ns)), 'sync', '--dry-run-strategy', 'client');
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/rejected: the server refuses it \(dry run\).*fails when its wave is applied/);
    expect(res.stdout).toMatch(/one or more objects failed to apply, reason: /);
    expect(await getJson(['configmap', 'first'], { namespace: ns })).toBeDefined();
  });

  test('the default server-side dry run applies nothing', async () => {
    const ns = await namespaces.create('eng-reject-server');
    const { result } = await objects(new TestApp('reject-server', ns)).sync(client);
    expect(result.phase).toBe(OperationPhase.FAILED);
    expect(result.message).toMatch(/failed to apply \(dry run\), nothing was applied:\n.*ConfigMap .*\/rejected: ConfigMap "rejected" is invalid/);
    expect(await getJson(['configmap', 'first'], { namespace: ns })).toBeUndefined();
  });

  test('--dry-run-strategy client applies wave 0, fails at wave 1 and never reaches wave 2, as Argo CD does', async () => {
    const ns = await namespaces.create('eng-reject-client');
    const { result, events } = await objects(new TestApp('reject-client', ns)).sync(client, { dryRunStrategy: 'client' });
    expect(result.phase).toBe(OperationPhase.FAILED);
    expect(result.message).toMatch(/^one or more objects failed to apply, reason: .*ConfigMap .*\/rejected: ConfigMap "rejected" is invalid: data\[not a valid key\]/);
    // Real Argo CD v3.2.11 on the sync-later-wave-rejected scenario: the same two rows and task states.
    expect(result.resources.map((r) => `${r.name} ${r.status} ${r.taskPhase}`)).toEqual(['first Synced Succeeded', 'rejected SyncFailed Failed']);
    expect(await getJson(['configmap', 'first'], { namespace: ns })).toBeDefined();
    expect(await getJson(['configmap', 'last'], { namespace: ns })).toBeUndefined();
    expect(events.some((e) => e.type === 'warning' && /rejected: the server refuses it \(dry run\)/.test(e.message))).toBe(true);
  });
});

test('Replace=true,Force=true deletes and creates even an unchanged Job; Force=true says configured; Replace=true says replaced', async () => {
  const ns = await namespaces.create('eng-replace-force');
  const jobWith = (name: string, options: string, image: string) => {
    const j = job(name, { [OPTIONS]: options });
    (j.spec as any).template.spec.containers[0].image = image;
    return j;
  };
  const app = new TestApp('replace-force', ns)
    .write('replaced.yaml', jobWith('replaced', 'Replace=true,Force=true', 'busybox:1.36'))
    .write('unchanged.yaml', jobWith('unchanged', 'Replace=true,Force=true', 'busybox:1.36'))
    .write('forced.yaml', jobWith('forced', 'Force=true', 'busybox:1.36'))
    .write('cm.yaml', configMap('cm', { a: '1', b: '2' }, { [OPTIONS]: 'Replace=true' }));
  expect((await app.sync(client)).result.phase).toBe(OperationPhase.SUCCEEDED);
  const uid = async (name: string) => (await getJson(['job', name], { namespace: ns })).metadata.uid;
  const before = { replaced: await uid('replaced'), unchanged: await uid('unchanged'), forced: await uid('forced') };

  app.write('replaced.yaml', jobWith('replaced', 'Replace=true,Force=true', 'busybox:1.37'))
    .write('forced.yaml', jobWith('forced', 'Force=true', 'busybox:1.37'))
    .write('cm.yaml', configMap('cm', { a: '1' }, { [OPTIONS]: 'Replace=true' }));
  const { result } = await app.sync(client);
  expect(result.phase).toBe(OperationPhase.SUCCEEDED);
  // Real Argo CD v3.2.11's messages on the sync-replace-force scenario (kubectl's words).
  expect(Object.fromEntries(result.resources.map((r) => [r.name, r.message]))).toEqual({
    cm: 'configmap/cm replaced',
    replaced: `job.batch "replaced" deleted from ${ns} namespace\njob.batch/replaced replaced`,
    unchanged: `job.batch "unchanged" deleted from ${ns} namespace\njob.batch/unchanged replaced`,
    forced: 'job.batch/forced configured',
  });
  // Every one of them is a new object (a new uid).
  for (const name of ['replaced', 'unchanged', 'forced'] as const) {
    expect({ name, uid: await uid(name) }).not.toEqual({ name, uid: before[name] });
  }
  expect((await getJson(['job', 'forced'], { namespace: ns })).spec.template.spec.containers[0].image).toBe('busybox:1.37');
  expect((await getJson(['configmap', 'cm'], { namespace: ns })).data).toEqual({ a: '1' });
});

test('results as Argo CD records them: hooks without sync status, task states of the other rows, "no more tasks"', async () => {
  const ns = await namespaces.create('eng-hook-rows');
  const app = new TestApp('hook-rows', ns)
    .write('marker.yaml', { ...configMap('marker'), metadata: { name: 'marker', annotations: { 'argocd.argoproj.io/hook': 'PreSync' } } })
    .write('web.yaml', deployment('web'))
    .write('settings.yaml', configMap('settings'))
    .write('post.yaml', job('post', { 'argocd.argoproj.io/hook': 'PostSync' }));
  const { result } = await app.sync(client);
  expect(result.phase).toBe(OperationPhase.SUCCEEDED);
  expect(result.message).toBe('successfully synced (no more tasks)');
  const rows = Object.fromEntries(result.resources.map((r) => [r.name, r]));
  // Real Argo CD v3.2.11 on the sync-hooks scenario: a hook without health reads "<name> created", no status.
  expect(rows.marker).toMatchObject({ syncPhase: SyncPhase.PRE_SYNC, status: undefined, hookPhase: OperationPhase.SUCCEEDED, message: 'marker created' });
  expect(rows.post).toMatchObject({ status: undefined, hookPhase: OperationPhase.SUCCEEDED });
  // Seen Healthy (or without health) before PostSync ran: gitops-engine's task state Succeeded.
  expect(rows.web).toMatchObject({ status: ResultCode.SYNCED, taskPhase: OperationPhase.SUCCEEDED });
  expect(rows.web.hookPhase).toBeUndefined();
  expect(rows.settings).toMatchObject({ status: ResultCode.SYNCED, taskPhase: OperationPhase.SUCCEEDED });
});
