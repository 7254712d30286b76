/**
 * What Argo CD keeps to itself: an Application whose destination is another cluster: its resources go there, but its
 * Application object, its AppProject and so its recorded status live where Argo CD's objects
 * live (the current cluster, the "control plane"), as with Argo CD. The e2e counterpart is in
 * test/e2e/engine-destinations.e2e.test.ts. And an Application whose chart repository cannot be
 * read: its ComparisonError is recorded there while the rest of the tree goes on.
 */
import { appObject, loaded } from './tree-apps';
import { syncAndRecord } from '../../../src/engine/record-sync';
import { discoverTree } from '../../../src/engine/tree/application-tree';
import { ReconcileAction } from '../../../src/engine/tree/child-policy';
import { reconcileApplication } from '../../../src/engine/tree/reconcile-application';
import { selectTree } from '../../../src/engine/tree/tree-selection';
import { syncTree } from '../../../src/engine/tree/tree-sync';
import { FakeKube } from '../../util/fake-kube';
import { obj } from '../fixtures';

const APP = 'argoproj.io/v1alpha1';

/** The current cluster: Argo CD's CRDs, the argocd namespace and the `team` project, and nothing of the remote Application's namespace. */
function controlPlane(): FakeKube {
  return new FakeKube()
    .addKind(APP, 'Application', true, 'applications')
    .addKind(APP, 'AppProject', true, 'appprojects')
    .seed(obj('v1', 'Namespace', 'argocd'), obj('v1', 'Namespace', 'kube-system'),
      obj(APP, 'AppProject', 'team', {}, {
        metadata: { name: 'team', namespace: 'argocd' },
        spec: { sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }] },
      }));
}

/** The destination: no Argo CD CRDs, no projects. */
function remote(): FakeKube {
  return new FakeKube().seed(obj('v1', 'Namespace', 'kube-system'), obj('v1', 'Namespace', 'remote'));
}

/** The Application `remote-app` of project `team`, deploying a ConfigMap to the remote cluster. */
function remoteApp() {
  const app = loaded('remote-app', [obj('v1', 'ConfigMap', 'settings', {}, { data: { k: 'v' } })]);
  const spec = { ...app.manifest.spec, project: 'team', destination: { name: 'remote', namespace: 'remote' } };
  return { ...app, manifest: { ...app.manifest, spec } };
}

test('syncAndRecord: resources to the destination, project read and status recorded on the control plane', async () => {
  const here = controlPlane().seed(obj(APP, 'Application', 'remote-app', {}, { metadata: { name: 'remote-app', namespace: 'argocd' }, spec: {} }));
  const there = remote();
  const result = await syncAndRecord(there, remoteApp(), { initiatedBy: { username: 'me' }, controlPlane: here });
  expect({ phase: result.phase, message: result.message }).toEqual({ phase: 'Succeeded', message: expect.any(String) });
  expect(there.peek('v1', 'ConfigMap', 'remote', 'settings')?.data).toEqual({ k: 'v' });
  expect(here.peek('v1', 'ConfigMap', 'remote', 'settings')).toBeUndefined();
  expect(here.peek(APP, 'Application', 'argocd', 'remote-app')?.status).toMatchObject({
    sync: { status: 'Synced' }, health: { status: 'Healthy' }, operationState: { phase: 'Succeeded' },
  });
});

test('reconcileApplication (compare only) records the comparison on the control plane', async () => {
  const here = controlPlane().seed(obj(APP, 'Application', 'remote-app', {}, { metadata: { name: 'remote-app', namespace: 'argocd' }, spec: {} }));
  const outcome = await reconcileApplication(remote(), remoteApp(), { action: ReconcileAction.COMPARE, initiatedBy: {}, controlPlane: here });
  expect(outcome.comparison?.sync).toBe('OutOfSync');
  expect(here.peek(APP, 'Application', 'argocd', 'remote-app')?.status?.sync?.status).toBe('OutOfSync');
});

test('tree sync: a root whose child deploys to another cluster; both statuses are on the control plane', async () => {
  const here = controlPlane();
  const there = remote();
  const child = { ...appObject('remote-app'), spec: remoteApp().manifest.spec };
  const apps = [loaded('root', [child]), remoteApp()];
  const tree = discoverTree(apps);
  const runs = await syncTree(tree, selectTree(tree, [], false), {
    request: { pollMs: 2, timeoutSeconds: 20 },
    initiatedBy: { username: 'tester' },
    clientFor: async (app) => (app.name === 'remote-app' ? there : here),
    controlPlane: async () => here,
    settleMs: 5,
  });
  expect(runs.map((r) => `${r.application}: ${r.action} ${r.phase} ${r.sync}/${r.health}`)).toEqual([
    'root: sync Succeeded Synced/Healthy',
    'remote-app: sync Succeeded Synced/Healthy',
  ]);
  expect(there.peek('v1', 'ConfigMap', 'remote', 'settings')).toBeDefined();
  expect(here.peek(APP, 'Application', 'argocd', 'remote-app')?.status).toMatchObject({
    sync: { status: 'Synced' }, health: { status: 'Healthy' }, operationState: { phase: 'Succeeded', operation: { initiatedBy: { automated: true } } },
  });
  expect(here.peek(APP, 'Application', 'argocd', 'root')?.status?.operationState?.phase).toBe('Succeeded');
});

test('tree sync: an automated child whose chart repository cannot be read is compared, not synced: ComparisonError recorded, its sibling synced', async () => {
  const here = controlPlane().seed(obj('v1', 'Namespace', 'ok'));
  const unreadable = { ...loaded('charted', []), error: 'charted (helm template x from https://charts.example.invalid): cannot fetch chart', remoteSourceError: true };
  const apps = [loaded('root', [appObject('charted'), appObject('ok')]), unreadable, loaded('ok', [obj('v1', 'ConfigMap', 'fine')])];
  const tree = discoverTree(apps);
  const runs = await syncTree(tree, selectTree(tree, [], false), {
    request: { pollMs: 2, timeoutSeconds: 20 },
    initiatedBy: { username: 'tester' },
    clientFor: async () => here,
    settleMs: 5,
  });
  expect(runs.map((r) => `${r.application}: ${r.action} ${r.phase ?? ''} ${r.sync}/${r.health}`)).toEqual([
    'root: sync Succeeded Synced/Healthy',
    'charted: compare  Unknown/Unknown',
    'ok: sync Succeeded Synced/Healthy',
  ]);
  const status = here.peek(APP, 'Application', 'argocd', 'charted')?.status;
  expect(status?.operationState).toBeUndefined();
  expect(status?.sync?.status).toBe('Unknown');
  expect(status?.conditions).toEqual([expect.objectContaining({ type: 'ComparisonError', message: `Failed to load target state: ${unreadable.error}` })]);
});
