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
});
