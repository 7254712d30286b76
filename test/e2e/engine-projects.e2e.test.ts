/**
 * AppProject enforcement on the real control plane: the engine reads the project from Argo CD's
 * namespace, refuses an Application or a resource the project forbids before anything is applied,
 * and holds automated syncs back in a deny window while a manual sync passes with manualSync.
 * The Argo CD CRDs and the argocd namespace come from the global setup, as `cluster up` installs them.
 */
import { getJson, kubectl, kubeconfigPath, testNamespaces } from './cluster-fixture';
import { AppProjectSpec } from '../../src/argo/app-project';
import { KubeClient } from '../../src/engine/kube/client';
import { OperationPhase, ResultCode } from '../../src/engine/model';
import { configMap, runCli, TestApp, useE2eClient } from '../engine/e2e-app';

jest.setTimeout(180_000);

let client: KubeClient;
useE2eClient((c) => {
  client = c;
});
const namespaces = testNamespaces();
const projects: string[] = [];

const ARGOCD = 'argocd';

afterAll(async () => {
  for (const name of projects) await kubectl(['delete', 'appproject', name, '-n', ARGOCD, '--ignore-not-found'], { check: false });
});

/** An AppProject with a name unique to this run (projects are shared by the whole cluster). */
async function createProject(prefix: string, spec: AppProjectSpec): Promise<string> {
  const name = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
  const obj = { apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name, namespace: ARGOCD }, spec };
  await kubectl(['apply', '--server-side', '-f', '-'], { input: JSON.stringify(obj) });
  projects.push(name);
  return name;
}

const clusterRole = (name: string) => ({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
});

async function exists(args: string[], namespace?: string): Promise<boolean> {
  return (await getJson(args, namespace ? { namespace } : {})) !== undefined;
}

test('a kind the project forbids fails the sync before anything is applied', async () => {
  const ns = await namespaces.create('proj-kind');
  const roleName = `${ns}-reader`;
  const project = await createProject('proj-kind', { sourceRepos: ['*'], destinations: [{ server: '*', namespace: ns }] });
  const app = new TestApp('proj-kind', ns, { project }).write('cm.yaml', configMap('settings')).write('role.yaml', clusterRole(roleName));

  const { result } = await app.sync(client);

  expect(result.phase).toBe(OperationPhase.FAILED);
  expect(result.message).toContain(`resource rbac.authorization.k8s.io:ClusterRole is not permitted in project ${project}`);
  expect(result.resources.map((r) => `${r.kind}/${r.name}: ${r.status}`)).toEqual([`ClusterRole/${roleName}: ${ResultCode.SYNC_FAILED}`]);
  // Nothing was applied: not even the permitted ConfigMap of an earlier kind group.
  expect(await exists(['configmap', 'settings'], ns)).toBe(false);
  expect(await exists(['clusterrole', roleName])).toBe(false);

  // The same Application syncs once the project allows the kind.
  await kubectl(['patch', 'appproject', project, '-n', ARGOCD, '--type=merge', '-p', JSON.stringify({ spec: { clusterResourceWhitelist: [{ group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' }] } })]);
  expect((await app.sync(client)).result.phase).toBe(OperationPhase.SUCCEEDED);
  expect(await exists(['configmap', 'settings'], ns)).toBe(true);
  await kubectl(['delete', 'clusterrole', roleName, '--ignore-not-found'], { check: false });
});

test('a destination or source the project does not permit, or a missing project, is refused with Argo CD\'s message', async () => {
  const ns = await namespaces.create('proj-dest');
  const project = await createProject('proj-dest', { sourceRepos: ['https://github.com/acme/*'], destinations: [{ server: '*', namespace: 'elsewhere' }] });
  const app = new TestApp('proj-dest', ns, { project, source: { repoURL: 'https://github.com/acme/platform.git', path: 'proj-dest' } }).write('cm.yaml', configMap('settings'));

  const dest = (await app.sync(client)).result;
  expect(dest.phase).toBe(OperationPhase.ERROR);
  expect(dest.message).toContain(`InvalidSpecError: application destination server 'https://kubernetes.default.svc' and namespace '${ns}' do not match any of the allowed destinations in project '${project}'`);

  app.setSpec({ project, source: { repoURL: 'https://gitlab.com/acme/platform.git', path: 'proj-dest' }, destination: { server: 'https://kubernetes.default.svc', namespace: ns } });
  await kubectl(['patch', 'appproject', project, '-n', ARGOCD, '--type=merge', '-p', JSON.stringify({ spec: { destinations: [{ server: '*', namespace: ns }] } })]);
  const source = (await app.sync(client)).result;
  expect(source.message).toContain(`InvalidSpecError: application repo https://gitlab.com/acme/platform.git is not permitted in project '${project}'`);

  app.setSpec({ project: 'no-such-project', destination: { server: 'https://kubernetes.default.svc', namespace: ns } });
  const missing = await runCli(kubeconfigPath(), app, 'sync');
  expect(missing.code).toBe(1);
  expect(missing.stdout + missing.stderr).toContain('Application referencing project no-such-project which does not exist');
  const status = await runCli(kubeconfigPath(), app, 'status');
  expect(status.stderr).toContain('Application referencing project no-such-project which does not exist');

  expect(await exists(['configmap', 'settings'], ns)).toBe(false);
});

test('a deny window blocks an automated sync and lets a manual one through with manualSync', async () => {
  const ns = await namespaces.create('proj-window');
  // Starts every minute and lasts an hour: always open.
  const window = { kind: 'deny', schedule: '* * * * *', duration: '1h', namespaces: [ns] };
  const project = await createProject('proj-window', { sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }], syncWindows: [{ ...window, manualSync: true }] });
  const app = new TestApp('proj-window', ns, { project, syncPolicy: { automated: { prune: true } } }).write('cm.yaml', configMap('settings'));

  const automated = (await app.sync(client, { automated: true })).result;
  expect(automated.phase).toBe(OperationPhase.FAILED);
  expect(automated.message).toBe('Sync operation blocked by sync window (deny:* * * * *:1h)');
  expect(await exists(['configmap', 'settings'], ns)).toBe(false);

  const manual = (await app.sync(client)).result;
  expect(manual.phase).toBe(OperationPhase.SUCCEEDED);
  expect(await exists(['configmap', 'settings'], ns)).toBe(true);

  // Without manualSync the CLI's (manual) sync is held back too.
  await kubectl(['patch', 'appproject', project, '-n', ARGOCD, '--type=merge', '-p', JSON.stringify({ spec: { syncWindows: [window] } })]);
  app.write('cm.yaml', configMap('settings', { a: '2' }));
  const cli = await runCli(kubeconfigPath(), app, 'sync');
  expect(cli.code).toBe(1);
  expect(cli.stdout + cli.stderr).toContain('cannot sync: blocked by sync window');
  expect((await getJson<{ data: Record<string, string> }>(['configmap', 'settings'], { namespace: ns }))?.data).toEqual({ a: '1' });
});
