import { discoverTree, subtree } from '../../../src/engine/tree/application-tree';
import { selectTree } from '../../../src/engine/tree/tree-selection';
import { obj } from '../fixtures';
import { appObject, loaded, WAVE } from './tree-apps';

const cm = (name: string) => obj('v1', 'ConfigMap', name);

/** `parent → child@wave` per node with a parent, and the roots. */
function shape(apps: ReturnType<typeof loaded>[]): { roots: readonly string[]; edges: string[] } {
  const tree = discoverTree(apps);
  const edges = [...tree.nodes.values()].flatMap((n) => n.children.map((c) => `${n.key} → ${c}@${tree.nodes.get(c)!.wave}`));
  return { roots: tree.roots, edges };
}

describe('tree discovery', () => {
  test('the parent is the Application whose source holds the child object; roots are held by none', () => {
    const apps = [
      loaded('root', [appObject('b', { wave: 1 }), appObject('a'), cm('x')]),
      loaded('a', [cm('a')]),
      loaded('b', [appObject('c', { wave: -2 })]),
      loaded('c', [cm('c')]),
      loaded('lonely', [cm('l')]),
    ];
    expect(shape(apps)).toEqual({
      roots: ['argocd/lonely', 'argocd/root'],
      edges: ['argocd/root → argocd/a@0', 'argocd/root → argocd/b@1', 'argocd/b → argocd/c@-2'],
    });
  });

  test('children are ordered by wave, then name', () => {
    const tree = discoverTree([
      loaded('root', [appObject('z', { wave: 0 }), appObject('y', { wave: 5 }), appObject('a', { wave: 5 })]),
      loaded('z', []), loaded('y', []), loaded('a', []),
    ]);
    expect(tree.nodes.get('argocd/root')!.children).toEqual(['argocd/z', 'argocd/a', 'argocd/y']);
  });

  test('an Application that holds its own object manages itself and stays a root', () => {
    expect(shape([loaded('root', [appObject('root'), appObject('a')]), loaded('a', [])])).toEqual({ roots: ['argocd/root'], edges: ['argocd/root → argocd/a@0'] });
  });

  test('an object without a namespace is in argocd; one in another namespace is another Application', () => {
    const noNs = { ...appObject('a'), metadata: { name: 'a' } };
    expect(shape([loaded('root', [noNs, appObject('b', { namespace: 'team' })]), loaded('a', []), loaded('b', [])]).edges).toEqual(['argocd/root → argocd/a@0']);
  });

  test('fails when an Application is contained by two parents, naming both files', () => {
    expect(() => discoverTree([
      loaded('p1', [appObject('a')], { file: 'm/p1.yaml' }),
      loaded('p2', [appObject('a')], { file: 'm/p2.yaml' }),
      loaded('a', []),
    ])).toThrow(/Application argocd\/a is contained by two Applications: argocd\/p1 \(m\/p1\/f0.yaml:1, source of m\/p1.yaml:1\) and argocd\/p2 \(m\/p2\/f0.yaml:1, source of m\/p2.yaml:1\)/);
  });

  test('fails on a cycle, naming the files', () => {
    expect(() => discoverTree([
      loaded('root', []),
      loaded('a', [appObject('b')], { file: 'm/a.yaml' }),
      loaded('b', [appObject('a')], { file: 'm/b.yaml' }),
    ])).toThrow(/cycle: argocd\/a \(m\/a.yaml:1\) → argocd\/b \(m\/b.yaml:1\) → argocd\/a/);
  });

  test('fails when an Application is defined twice', () => {
    expect(() => discoverTree([loaded('a', [], { file: 'x.yaml' }), loaded('a', [], { file: 'y.yaml' })])).toThrow(/argocd\/a is defined twice: x.yaml:1 and y.yaml:1/);
  });

  test('a bad sync-wave on a child object names its file', () => {
    const bad = appObject('a');
    bad.metadata.annotations = { [WAVE]: 'soon' };
    expect(() => discoverTree([loaded('root', [bad]), loaded('a', [])])).toThrow(/m\/root\/f0.yaml:1: Application argocd\/a: .*must be an integer, got 'soon'/);
  });
});

describe('tree selection', () => {
  const tree = discoverTree([
    loaded('root', [appObject('a'), appObject('b')]),
    loaded('a', [appObject('a1')]),
    loaded('a1', []),
    loaded('b', []),
  ]);

  test('without names: every root, the whole tree', () => {
    const s = selectTree(tree, [], false);
    expect(s.starts).toEqual(['argocd/root']);
    expect([...s.members].sort()).toEqual(['argocd/a', 'argocd/a1', 'argocd/b', 'argocd/root']);
  });

  test('--app names that node only; --recursive its subtree', () => {
    expect(selectTree(tree, ['a'], false)).toEqual({ starts: ['argocd/a'], members: new Set(['argocd/a']) });
    expect(selectTree(tree, ['a'], true)).toEqual({ starts: ['argocd/a'], members: new Set(['argocd/a', 'argocd/a1']) });
    expect(subtree(tree, 'argocd/root').map((n) => n.key)).toEqual(['argocd/root', 'argocd/a', 'argocd/a1', 'argocd/b']);
  });

  test('--recursive with a name inside another named subtree starts it through its parent', () => {
    expect(selectTree(tree, ['a1', 'root'], true).starts).toEqual(['argocd/root']);
  });

  test('an unknown name is an error listing the known ones', () => {
    expect(() => selectTree(tree, ['nope'], false)).toThrow("no Application named 'nope' (found: a, a1, b, root)");
  });
});
