import { SharedListCache } from '../../../src/engine/tree/shared-list-cache';
import { FakeKube } from '../../util/fake-kube';
import { obj } from '../fixtures';

describe('shared list cache', () => {
  const configMaps = { group: '', version: 'v1', name: 'configmaps', kind: 'ConfigMap', namespaced: true, verbs: ['list'] };
  const inNs = (name: string) => ({ ...obj('v1', 'ConfigMap', name), metadata: { name, namespace: 'a' } });

  test('a cluster-wide metadata list is read once for every view; namespaced and full lists are not cached', async () => {
    const fake = new FakeKube().seed(obj('v1', 'Namespace', 'a'), inNs('one'));
    const cache = new SharedListCache();
    const first = cache.view(fake);
    const second = cache.view(fake).withLimits({ timeoutMs: 1000 });
    expect((await first.list(configMaps, undefined, true)).map((o) => o.metadata.name)).toEqual(['one']);
    expect((await second.list(configMaps, undefined, true)).map((o) => o.metadata.name)).toEqual(['one']);
    await second.list(configMaps, 'a');
    await second.list(configMaps, undefined, false);
    expect(fake.requests.filter((r) => r.verb === 'list')).toHaveLength(3);
  });

  test('an object deleted through any view is gone from the shared lists; a dry-run delete is not', async () => {
    const fake = new FakeKube().seed(obj('v1', 'Namespace', 'a'), inNs('one'), inNs('two'));
    const cache = new SharedListCache();
    const view = cache.view(fake);
    await view.list(configMaps, undefined, true);
    await cache.view(fake).delete(inNs('two'), 'Foreground', true);
    expect((await view.list(configMaps, undefined, true)).map((o) => o.metadata.name).sort()).toEqual(['one', 'two']);
    await cache.view(fake).delete(inNs('two'));
    expect((await view.list(configMaps, undefined, true)).map((o) => o.metadata.name)).toEqual(['one']);
  });

  test('an AppProject is read once per run and read again after a write through the run; other objects every time', async () => {
    const project = { ...obj('argoproj.io/v1alpha1', 'AppProject', 'team'), metadata: { name: 'team', namespace: 'argocd' }, spec: { sourceRepos: ['*'] } };
    const fake = new FakeKube().addKind('argoproj.io/v1alpha1', 'AppProject', true, 'appprojects')
      .seed(obj('v1', 'Namespace', 'argocd'), obj('v1', 'Namespace', 'a'), project, inNs('one'));
    const cache = new SharedListCache();
    const gets = () => fake.requests.filter((r) => r.verb === 'get').map((r) => r.key.split('/').slice(1).join('/'));
    const first = await cache.view(fake).get(project);
    first!.spec.sourceRepos.push('mutated by a caller');
    expect((await cache.view(fake).withLimits({ timeoutMs: 1000 }).get(project))!.spec).toEqual({ sourceRepos: ['*'] });
    await cache.view(fake).get(inNs('one'));
    await cache.view(fake).get(inNs('one'));
    expect(gets()).toEqual(['AppProject/argocd/team', 'ConfigMap/a/one', 'ConfigMap/a/one']);

    await cache.view(fake).apply({ ...project, spec: { sourceRepos: ['https://example.com/*'] } }, 'test', { dryRun: true });
    expect((await cache.view(fake).get(project))!.spec.sourceRepos).toEqual(['*']);
    await cache.view(fake).apply({ ...project, spec: { sourceRepos: ['https://example.com/*'] } }, 'test');
    expect((await cache.view(fake).get(project))!.spec.sourceRepos).toEqual(['https://example.com/*']);
    expect(gets().filter((g) => g.startsWith('AppProject'))).toHaveLength(2);
  });

  test('a missing AppProject is not kept: created by another client (another cache), it is found on the next read', async () => {
    const project = { ...obj('argoproj.io/v1alpha1', 'AppProject', 'team'), metadata: { name: 'team', namespace: 'argocd' }, spec: { sourceRepos: ['*'] } };
    const fake = new FakeKube().addKind('argoproj.io/v1alpha1', 'AppProject', true, 'appprojects').seed(obj('v1', 'Namespace', 'argocd'));
    const cache = new SharedListCache();
    expect(await cache.view(fake).get(project)).toBeUndefined();
    await new SharedListCache().view(fake).apply(project, 'test');
    expect((await cache.view(fake).get(project))?.spec).toEqual({ sourceRepos: ['*'] });
  });
});
