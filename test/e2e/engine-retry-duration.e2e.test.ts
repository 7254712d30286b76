/**
 * Retry backoff durations as Argo CD reads them, end to end: a bare number of seconds is valid
 * (it used to make `sync` exit 2), an invalid one fails the Application alone with a message.
 */
import { createTestNamespace, deleteNamespace, kubeconfigPath } from './cluster-fixture';
import { KubeClient } from '../../src/engine/kube/client';
import { OperationPhase } from '../../src/engine/model';
import { configMap, e2eClient, runCli, TestApp } from '../engine/e2e-app';

jest.setTimeout(120_000);

let client: KubeClient;
let ns: string;
beforeAll(async () => {
  client = await e2eClient();
  ns = await createTestNamespace('retry-duration');
});
afterAll(async () => {
  await deleteNamespace(ns).catch(() => undefined);
  client.close();
});

test('syncPolicy.retry.backoff.duration of bare seconds syncs (exit 0)', async () => {
  const app = new TestApp('bare-seconds', ns, { syncPolicy: { retry: { limit: 2, backoff: { duration: '30', factor: 2, maxDuration: '300' } } } })
    .write('cm.yaml', configMap('bare-seconds'));
  const run = await runCli(kubeconfigPath(), app, 'sync');
  expect(run.stderr).not.toMatch(/error:/);
  expect(run.code).toBe(0);
  expect(await client.get({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bare-seconds', namespace: ns } })).toBeDefined();
});

test('an invalid backoff duration is an Error result naming the file and field; nothing is applied', async () => {
  const app = new TestApp('bad-duration', ns, { syncPolicy: { retry: { limit: 2, backoff: { duration: '5 seconds' } } } })
    .write('cm.yaml', configMap('bad-duration'));
  const { result } = await app.sync(client);
  expect(result.phase).toBe(OperationPhase.ERROR);
  expect(result.message).toMatch(/apps\/bad-duration\.yaml:\d+: Application bad-duration: spec\.syncPolicy\.retry\.backoff\.duration '5 seconds' is not a valid duration/);
  expect(await client.get({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bad-duration', namespace: ns } })).toBeUndefined();
});
