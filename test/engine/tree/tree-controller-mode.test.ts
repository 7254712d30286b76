/**
 * The tree in controller mode (what `watch` runs): every Application by its own sync policy,
 * children the parent's sync did not reach reconciled on their own, and a child whose Application
 * object nobody created left alone. Against the in-memory API (test/util/fake-kube.ts);
 * test/e2e/engine-watch.e2e.test.ts runs the watcher on the real control plane.
 */
import { appObject, loaded } from './tree-apps';
import { discoverTree } from '../../../src/engine/tree/application-tree';
import { ApplicationRun, syncTree } from '../../../src/engine/tree/tree-sync';
import { FakeKube } from '../../util/fake-kube';
import { obj } from '../fixtures';

const cm = (name: string, data: Record<string, string> = { v: '1' }) => obj('v1', 'ConfigMap', name, {}, { data });

function cluster(): FakeKube {
  return new FakeKube()
    .addKind('argoproj.io/v1alpha1', 'Application', true, 'applications')
    .seed(...['argocd', 'kube-system', 'a', 'm'].map((n) => obj('v1', 'Namespace', n)));
}

async function controllerRun(fake: FakeKube, apps: ReturnType<typeof loaded>[], keys?: string[]): Promise<ApplicationRun[]> {
  const tree = discoverTree(apps);
  const members = keys ?? [...tree.nodes.keys()];
  const starts = members.filter((k) => !tree.nodes.get(k)!.parent || !members.includes(tree.nodes.get(k)!.parent!));
  return syncTree(tree, { starts, members: new Set(members) }, {
    controller: true,
    request: { pollMs: 2, timeoutSeconds: 20 },
    initiatedBy: { username: 'tester' },
    clientFor: async () => fake,
    settleMs: 5,
  });
}

const line = (r: ApplicationRun) => `${r.application}: ${r.action} ${r.phase ?? ''} ${r.sync ?? ''}`.replace(/ +/g, ' ').trim();

describe('tree sync in controller mode (watch)', () => {
  test('automated Applications are synced by their policy, manual ones only compared; a second run syncs nothing', async () => {
    const fake = cluster();
    const apps = () => [
      loaded('root', [appObject('a'), appObject('m', { automated: false })]),
      loaded('a', [cm('a')]),
      loaded('m', [cm('m')], { automated: false }),
    ];
    expect((await controllerRun(fake, apps())).map(line)).toEqual([
      // The root has an automated policy: synced because it is OutOfSync, by the controller.
      'root: sync Succeeded Synced',
      'a: sync Succeeded Synced',
      'm: compare OutOfSync',
    ]);
    expect(fake.peek('argoproj.io/v1alpha1', 'Application', 'argocd', 'root')?.status.operationState.operation.initiatedBy).toEqual({ automated: true });
    // Nothing changed: the in-sync root applies nothing, yet its children are compared on their own.
    expect((await controllerRun(fake, apps())).map(line)).toEqual(['root: compare Synced', 'a: compare Synced', 'm: compare OutOfSync']);
  });

  test('a child refreshed alone is compared and synced by its policy; one without an Application object is left alone', async () => {
    const fake = cluster();
    await controllerRun(fake, [loaded('root', [appObject('a')]), loaded('a', [cm('a')])]);
    // Other manifests at the same revision: already synced to it, and no selfHeal, so left OutOfSync.
    const same = [loaded('root', [appObject('a')]), loaded('a', [cm('a', { v: '2' })])];
    const notSynced = await controllerRun(fake, same, ['argocd/a']);
    expect(notSynced.map(line)).toEqual(['a: compare OutOfSync']);
    expect(notSynced[0].message).toMatch(/selfHeal is off/);
    // A new revision: synced.
    const next = [loaded('root', [appObject('a')]), { ...loaded('a', [cm('a', { v: '2' })]), revision: 'fedcba9876543210' }];
    expect((await controllerRun(fake, next, ['argocd/a'])).map(line)).toEqual(['a: sync Succeeded Synced']);
    expect(fake.peek('v1', 'ConfigMap', 'a', 'a')?.data).toEqual({ v: '2' });
    const child = [loaded('root', [appObject('a'), appObject('late')]), loaded('a', [cm('a', { v: '2' })]), loaded('late', [cm('late')])];
    const runs = await controllerRun(fake, child, ['argocd/late']);
    expect(runs.map(line)).toEqual(['late: compare']);
    expect(runs[0].message).toMatch(/no Application object argocd\/late yet/);
    expect(fake.peek('v1', 'ConfigMap', 'late', 'late')).toBeUndefined();
  });

  test('a child applied before the AppProject its parent applies in the same wave waits for it and is synced (watch)', async () => {
    const fake = cluster().addKind('argoproj.io/v1alpha1', 'AppProject', true, 'appprojects');
    const inShop = (o: any): any => ({ ...o, spec: { ...o.spec, project: 'shop' } });
    const project = { ...obj('argoproj.io/v1alpha1', 'AppProject', 'shop'), metadata: { name: 'shop', namespace: 'argocd' }, spec: { sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }] } };
    const a = loaded('a', [cm('a')]);
    // Applied by name within the wave (gitops-engine's order): Application `a` before AppProject `shop`.
    const runs = await controllerRun(fake, [loaded('root', [inShop(appObject('a')), project]), { ...a, manifest: inShop(a.manifest) }]);
    expect(runs.map(line)).toEqual(['root: sync Succeeded Synced', 'a: sync Succeeded Synced']);
  });
});
