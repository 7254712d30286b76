/**
 * Destinations other than the current cluster, mapped through a clusters file (`--clusters`):
 * a second local control plane is started here; the global test cluster is the "current" one.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { createTestNamespace, deleteNamespace, kubeconfigPath } from './cluster-fixture';
import { LocalCluster } from '../../src/cluster/local-cluster';
import { KubeClient } from '../../src/engine/kube/client';
import { resolveKubeConfig } from '../../src/engine/kube/kubeconfig';
import { KubeObject } from '../../src/engine/model';
import { configMap, deployment, e2eClient, TestApp, runCli, runCliArgs } from '../engine/e2e-app';

jest.setTimeout(240_000);

const TRACKING_ID = 'argocd.argoproj.io/tracking-id';

let second: LocalCluster;
let secondDir: string;
let clustersFile: string;
let current: KubeClient;
let remote: KubeClient;
const namespaces: string[] = [];

beforeAll(async () => {
  current = await e2eClient();
  secondDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-argocd-e2e-second-'));
  second = await LocalCluster.start({ dir: secondDir, log: () => undefined });
  remote = await KubeClient.create((await resolveKubeConfig({ kubeconfig: second.kubeconfigPath })).config);
  // The kubeconfig is given relative to the clusters file, as users write it.
  const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-e2e-clusters-'));
  clustersFile = path.join(filesDir, 'clusters.yaml');
  fs.writeFileSync(clustersFile, stringify({
    clusters: [{ name: 'second', server: second.server, kubeconfig: path.relative(filesDir, second.kubeconfigPath) }],
  }));
}, 180_000);

afterAll(async () => {
  current?.close();
  remote?.close();
  for (const ns of namespaces) {
    await deleteNamespace(ns).catch(() => undefined);
  }
  await second?.stop({ purge: true });
  if (clustersFile) {
    fs.rmSync(path.dirname(clustersFile), { recursive: true, force: true });
  }
});


function ref(apiVersion: string, kind: string, name: string, namespace?: string): Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'> {
  return { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } };
}

/** A namespace name that exists in neither cluster yet (CreateNamespace makes it in the destination). */
function freshNamespace(prefix: string): string {
  const ns = `${prefix}-${Math.random().toString(16).slice(2, 8)}`;
  namespaces.push(ns);
  return ns;
}

describe.each([
  ['destination.name', (ns: string) => ({ name: 'second', namespace: ns })],
  ['destination.server', (ns: string) => ({ server: second.server, namespace: ns })],
])('an Application whose %s is in the clusters file', (field, destination) => {
  test('is synced to that cluster, not the current one, and diff shows no changes afterwards', async () => {
    const ns = freshNamespace(field === 'destination.name' ? 'dest-name' : 'dest-server');
    const name = field === 'destination.name' ? 'remote-by-name' : 'remote-by-server';
    const app = new TestApp(name, ns, { destination: destination(ns), syncPolicy: { syncOptions: ['CreateNamespace=true'] } })
      .write('cm.yaml', configMap('settings', { level: 'debug' }))
      .write('web.yaml', deployment('web'));

    const before = await cli(app, 'diff', '--clusters', clustersFile);
    expect(before.code).toBe(1);

    const res = await cli(app, 'sync', '--clusters', clustersFile, '--output', 'json');
    // stderr says only which cluster is about to change: the second one, through the clusters file.
    expect(res.stderr.split('\n')).toEqual([expect.stringMatching(new RegExp(`^Target: context \\S+, server ${second.server} \\(from .*\\) for sync ${name}$`)), '']);
    expect(res.stderr).toContain(`(clusters entry second in ${clustersFile})`);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ application: name, phase: 'Succeeded' });

    const cm = await remote.get(ref('v1', 'ConfigMap', 'settings', ns));
    expect(cm?.data).toEqual({ level: 'debug' });
    expect(cm?.metadata.annotations?.[TRACKING_ID]).toBe(`${name}:/ConfigMap:${ns}/settings`);
    const web = await remote.get(ref('apps/v1', 'Deployment', 'web', ns));
    expect(web?.metadata.annotations?.[TRACKING_ID]).toBe(`${name}:apps/Deployment:${ns}/web`);
    expect(await remote.get(ref('v1', 'Namespace', ns))).toBeDefined();
    // Nothing of it in the current cluster, not even the namespace.
    expect(await current.get(ref('v1', 'Namespace', ns))).toBeUndefined();
    expect(await current.get(ref('v1', 'ConfigMap', 'settings', ns))).toBeUndefined();
    expect(await current.get(ref('apps/v1', 'Deployment', 'web', ns))).toBeUndefined();

    const after = await cli(app, 'diff', '--clusters', clustersFile);
    expect(after).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const status = JSON.parse((await cli(app, 'status', '--clusters', clustersFile, '--output', 'json')).stdout);
    expect(status.sync).toBe('Synced');

    // A change is seen (and a re-sync made) in the destination cluster.
    app.write('cm.yaml', configMap('settings', { level: 'info' }));
    const changed = await cli(app, 'diff', '--clusters', clustersFile);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toMatch(/-\s+level: debug\n\+\s+level: info/);
    expect((await cli(app, 'sync', '--clusters', clustersFile)).code).toBe(0);
    expect((await remote.get(ref('v1', 'ConfigMap', 'settings', ns)))?.data).toEqual({ level: 'info' });
    expect((await cli(app, 'diff', '--clusters', clustersFile)).code).toBe(0);
  });
});

/** Runs the CLI against the global test cluster. */
function cli(app: TestApp, ...args: string[]): ReturnType<typeof runCli> {
  return runCli(kubeconfigPath(), app, ...args);
}

describe('an in-cluster destination next to a clusters file', () => {
  test('still goes to the current cluster', async () => {
    const ns = await createTestNamespace('dest-local');
    namespaces.push(ns);
    const app = new TestApp('local-with-file', ns, { destination: { name: 'in-cluster', namespace: ns } }).write('cm.yaml', configMap('here'));
    expect((await cli(app, 'sync', '--clusters', clustersFile)).code).toBe(0);
    expect(await current.get(ref('v1', 'ConfigMap', 'here', ns))).toBeDefined();
    expect(await remote.get(ref('v1', 'ConfigMap', 'here', ns))).toBeUndefined();
  });
});

describe('a destination that is neither in-cluster nor in the clusters file', () => {
  test.each([
    ['name', { name: 'production' }, /destination name production/],
    ['server', { server: 'https://prod.example:6443' }, /destination server https:\/\/prod\.example:6443/],
  ])('fails with a message naming the destination (%s) and the clusters file', async (_what, dest, named) => {
    const ns = freshNamespace('dest-unknown');
    const app = new TestApp('unknown-dest', ns, { destination: { ...dest, namespace: ns } }).write('cm.yaml', configMap('nowhere'));
    for (const cmd of ['sync', 'diff', 'status']) {
      const res = await cli(app, cmd, '--clusters', clustersFile);
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(named);
      expect(res.stderr).toContain(`is not in the clusters file ${clustersFile}`);
    }
    expect(await current.get(ref('v1', 'ConfigMap', 'nowhere', ns))).toBeUndefined();
    expect(await remote.get(ref('v1', 'ConfigMap', 'nowhere', ns))).toBeUndefined();
  });

  test('without --clusters the message says that no clusters file was given', async () => {
    const ns = freshNamespace('dest-nofile');
    const app = new TestApp('no-clusters-file', ns, { destination: { name: 'second', namespace: ns } }).write('cm.yaml', configMap('nowhere'));
    const res = await cli(app, 'sync');
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/destination name second is not the current cluster and no clusters file was given \(--clusters\)/);
    expect(await remote.get(ref('v1', 'ConfigMap', 'nowhere', ns))).toBeUndefined();
  });
});

describe('the Application object of a remote destination lives on the current cluster, with Argo CD', () => {
  test('sync reads its project and records its status there; list and status show it; the remote cluster gets its resources only', async () => {
    const ns = freshNamespace('dest-status');
    const name = `remote-status-${Math.random().toString(16).slice(2, 8)}`;
    // The project exists only where Argo CD's objects live: read from the remote cluster, it would be missing.
    await current.apply({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AppProject',
      metadata: { name, namespace: 'argocd' },
      spec: { sourceRepos: ['*'], destinations: [{ name: 'second', namespace: ns }], clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }] },
    }, 'e2e', { force: true });
    const app = new TestApp(name, ns, { project: name, destination: { name: 'second', namespace: ns }, syncPolicy: { syncOptions: ['CreateNamespace=true'] } })
      .write('cm.yaml', configMap('settings', { level: 'debug' }));

    const res = await cli(app, 'sync', '--clusters', clustersFile, '-o', 'json');
    expect({ code: res.code, phase: JSON.parse(res.stdout || '{}').phase, stderr: res.code === 0 ? '' : res.stderr }).toEqual({ code: 0, phase: 'Succeeded', stderr: '' });
    expect((await remote.get(ref('v1', 'ConfigMap', 'settings', ns)))?.data).toEqual({ level: 'debug' });

    const recorded = await current.get(ref('argoproj.io/v1alpha1', 'Application', name, 'argocd'));
    expect(recorded?.status).toMatchObject({ sync: { status: 'Synced' }, health: { status: 'Healthy' }, operationState: { phase: 'Succeeded' } });
    if (await remote.resourceFor('argoproj.io/v1alpha1', 'Application')) {
      expect(await remote.get(ref('argoproj.io/v1alpha1', 'Application', name, 'argocd'))).toBeUndefined();
    }
    const listed = await runCliArgs(['list', '--kubeconfig', kubeconfigPath()]);
    expect(listed.stdout).toMatch(new RegExp(`^${name}\\s+${name}\\s+Synced\\s+Healthy\\s`, 'm'));
    const status = JSON.parse((await cli(app, 'status', '--clusters', clustersFile, '-o', 'json')).stdout);
    expect(status).toMatchObject({ sync: 'Synced', recorded: true, operationState: { phase: 'Succeeded' } });
    await current.delete(ref('argoproj.io/v1alpha1', 'Application', name, 'argocd')).catch(() => undefined);
  });
});
