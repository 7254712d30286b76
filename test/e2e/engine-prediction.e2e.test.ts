/**
 * `diff`/`status` and `sync --dry-run` predict, object by object, what `sync` then does on the
 * real control plane — including objects written with Replace=true (PUT), Validate=false (merge
 * patch without validation) and Force=true.
 */
import { getJson, kubeconfigPath, kubectl, testNamespaces } from './cluster-fixture';
import { compareApplication } from '../../src/engine/compare-app';
import { compareObjects } from '../../src/engine/diff/compare';
import { KubeClient } from '../../src/engine/kube/client';
import { OperationPhase, SyncStatusCode } from '../../src/engine/model';
import { configMap, deployment, runCli, TestApp, useE2eClient } from '../engine/e2e-app';

jest.setTimeout(180_000);

let client: KubeClient;
useE2eClient((c) => {
  client = c;
});
const namespaces = testNamespaces();

const options = (o: string) => ({ 'argocd.argoproj.io/sync-options': o });

/** What a sync result message says was done, without the dry-run wording: created / configured / unchanged. */
function action(message: string): string {
  return /unchanged/.test(message) ? 'unchanged' : /created/.test(message) ? 'created' : 'configured';
}

test('diff and sync --dry-run agree object by object with what sync then does', async () => {
  const ns = await namespaces.create('eng-predict');
  const app = new TestApp('predict', ns)
    .write('applied.yaml', configMap('applied', { a: '1' }))
    .write('replaced.yaml', configMap('replaced', { a: '1', b: '2' }, options('Replace=true')))
    .write('lenient.yaml', { ...configMap('lenient', { a: '1' }, options('Validate=false')), spec: { notAField: true } })
    .write('forced.yaml', deployment('forced', 0, options('Force=true')))
    .write('same.yaml', configMap('same', { a: '1' }));
  expect((await app.sync(client)).result.phase).toBe(OperationPhase.SUCCEEDED);

  // Drift by hand, then new desired state: every write method has something to do.
  await kubectl(['patch', 'configmap', 'replaced', '--type=merge', '-p', '{"data":{"extra":"by hand"}}'], { namespace: ns });
  await kubectl(['patch', 'configmap', 'applied', '--type=merge', '-p', '{"data":{"a":"by hand"}}'], { namespace: ns });
  app.write('applied.yaml', configMap('applied', { a: '2' }))
    .write('replaced.yaml', configMap('replaced', { a: '1' }, options('Replace=true')))
    .write('lenient.yaml', { ...configMap('lenient', { a: '2' }, options('Validate=false')), spec: { notAField: true } })
    .write('forced.yaml', deployment('forced', 1, options('Force=true')))
    .write('new.yaml', configMap('new-applied', { a: '1' }), configMap('new-replaced', { a: '1' }, options('Replace=true')),
      { ...configMap('new-lenient', { a: '1' }, options('Validate=false')), spec: { notAField: true } });

  const diff = await compareApplication(client, app.load(), { withObjects: true });
  const dryRun = await app.sync(client, { dryRun: true });
  expect(dryRun.result.phase).toBe(OperationPhase.SUCCEEDED);
  const { result } = await app.sync(client);
  expect(result.phase).toBe(OperationPhase.SUCCEEDED);

  // sync --dry-run said what sync did, resource by resource (within a kind group results arrive as writes finish: sorted).
  const did = result.resources.map((r) => `${r.kind}/${r.name}: ${action(r.message)}`).sort();
  expect(dryRun.result.resources.map((r) => `${r.kind}/${r.name}: ${action(r.message)}`).sort()).toEqual(did);
  expect(did).toEqual([
    'ConfigMap/applied: configured',
    'ConfigMap/lenient: configured',
    'ConfigMap/new-applied: created',
    'ConfigMap/new-lenient: created',
    'ConfigMap/new-replaced: created',
    'ConfigMap/replaced: configured',
    'ConfigMap/same: unchanged',
    'Deployment/forced: configured',
  ]);

  // diff: OutOfSync exactly where sync wrote, and each predicted object is the live object after the sync.
  const rows = [...diff.resources].sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`));
  expect(rows.map((r) => `${r.kind}/${r.name}: ${r.status === SyncStatusCode.SYNCED ? 'unchanged' : 'changes'}`))
    .toEqual(did.map((d) => d.replace(/(configured|created)$/, 'changes')));
  for (const row of rows.filter((r) => r.status === SyncStatusCode.OUT_OF_SYNC)) {
    expect(row.message).toBeUndefined();
    const live = await getJson([row.kind.toLowerCase(), row.name], { namespace: ns });
    const after = (await compareObjects(live, live, [])).live;
    expect({ resource: `${row.kind}/${row.name}`, object: row.comparison?.target }).toEqual({ resource: `${row.kind}/${row.name}`, object: after });
  }
  // The objects the writes are about: Replace dropped what the manifest no longer has, Validate=false dropped the unknown field.
  expect((await getJson(['configmap', 'replaced'], { namespace: ns })).data).toEqual({ a: '1' });
  expect((await getJson(['configmap', 'lenient'], { namespace: ns })).spec).toBeUndefined();

  // After the sync, diff finds nothing to do.
  expect((await compareApplication(client, app.load())).sync).toBe(SyncStatusCode.SYNCED);
});

test('diff of a deleted Service shows what sync creates, without what the server assigns (clusterIP, defaults)', async () => {
  const ns = await namespaces.create('eng-predict-svc');
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
  };
  const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, stringData: { password: 'hunter2' } };
  const app = new TestApp('predictsvc', ns).write('svc.yaml', service).write('dep.yaml', deployment('web', 1)).write('secret.yaml', secret);
  expect((await app.sync(client)).result.phase).toBe(OperationPhase.SUCCEEDED);
  await kubectl(['delete', 'service', 'web', '--wait=true'], { namespace: ns });
  await kubectl(['delete', 'deployment', 'web', '--wait=true'], { namespace: ns });
  await kubectl(['delete', 'secret', 'creds', '--wait=true'], { namespace: ns });

  const res = await runCli(kubeconfigPath(), app, 'diff');
  expect(res.code).toBe(1);
  const added = res.stdout.split('\n').filter((l) => l.startsWith('+') && !l.startsWith('+++')).map((l) => l.slice(1).trim().replace(/^- /, ''));
  // What the manifest says is there …
  expect(added).toEqual(expect.arrayContaining(['port: 80', 'targetPort: 8080', 'app: web', 'image: registry.k8s.io/pause:3.10']));
  // … and nothing the API server assigns or defaults on create (Argo CD shows the manifest for a resource to create).
  for (const field of ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy', 'sessionAffinity', 'internalTrafficPolicy', 'uid', 'creationTimestamp',
    'terminationMessagePath', 'dnsPolicy', 'revisionHistoryLimit', 'progressDeadlineSeconds', 'schedulerName']) {
    expect(added.filter((l) => l.startsWith(`${field}:`))).toEqual([]);
  }
  expect(res.stdout).not.toContain('10.0.0.0');
  // A Secret written with stringData shows its (masked) data: managedFields name stringData, the server stores data.
  expect(added.filter((l) => /^password: \++$/.test(l))).toHaveLength(1);
  expect(res.stdout).not.toContain('hunter2');

  // The sync then creates it, and the diff is clean.
  expect((await app.sync(client)).result.phase).toBe(OperationPhase.SUCCEEDED);
  expect((await runCli(kubeconfigPath(), app, 'diff')).code).toBe(0);
});
