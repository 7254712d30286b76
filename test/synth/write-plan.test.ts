import { DirectorySnapshot, EntryKind } from '../../src/synth/directory-snapshot';
import { GENERATED_MARKER } from '../../src/synth/generated-file';
import { joinManifestPath, ManifestPath, manifestPathError, normalizeRelativePath } from '../../src/synth/manifest-path';
import { planWrite } from '../../src/synth/write-plan';

const generated = (id: string) => `${GENERATED_MARKER} from ${id}. Do not edit: change the code and run synth.\nkind: ConfigMap\n`;
const p = (value: string) => value as ManifestPath;

function snapshot(entries: Record<string, EntryKind | string>, extra: Partial<DirectorySnapshot> = {}): DirectorySnapshot {
  const kinds = new Map<ManifestPath, EntryKind>();
  const manifests = new Map<ManifestPath, string>();
  for (const [key, value] of Object.entries(entries)) {
    const isKind = ['file', 'folder', 'symlink', 'other'].includes(value);
    kinds.set(p(key), isKind ? value as EntryKind : 'file');
    if (!isKind) manifests.set(p(key), value);
  }
  return { exists: true, entries: kinds, manifests, leftoverTempFiles: [], nestedOutdirs: [], hasMarker: true, ...extra };
}

const files = (entries: Record<string, string>) => new Map(Object.entries(entries).map(([k, v]) => [p(k), v]));
const shown = (x: string) => `out/${x}`;

describe('write plan', () => {
  test('writes changed and new files, keeps unchanged ones, removes stale generated ones, never foreign ones', () => {
    const plan = planWrite(snapshot({
      'apps': 'folder',
      'apps/shop.yaml': generated('shop'),
      'apps/gone.yaml': generated('gone'),
      'shop': 'folder',
      'shop/a.yaml': generated('a'),
      'shop/notes.yaml': 'mine\n',
    }), files({ 'apps/shop.yaml': generated('shop'), 'shop/a.yaml': generated('a2'), 'web/deep/b.yaml': generated('b') }), shown);
    expect(plan.writes.map(w => w.path)).toEqual(['shop/a.yaml', 'web/deep/b.yaml']);
    expect(plan.unchanged).toBe(1);
    expect(plan.removals).toEqual(['apps/gone.yaml']);
    expect(plan.foldersToCreate).toEqual(['web', 'web/deep']);
  });

  test('a folder value given as children/ and the walk agree on one key, so nothing is both written and stale', () => {
    const folder = normalizeRelativePath('folder', 'children/').path!;
    const desired = joinManifestPath(folder, 'orders.yaml', 'test');
    const onDisk = joinManifestPath('children', 'orders.yaml', 'walk');
    const plan = planWrite(snapshot({ children: 'folder', [onDisk]: generated('orders') }), files({ [desired]: generated('orders') }), shown);
    expect(plan).toMatchObject({ writes: [], removals: [], unchanged: 1 });
  });

  test('no path that leaves the outdir or hides from the walk can be built', () => {
    expect(() => joinManifestPath('children/', 'orders.yaml', 'AppOfApps root')).toThrow(/AppOfApps root: path 'children\/\/orders.yaml' has an empty path segment/);
    expect(() => joinManifestPath('shop', 'x/../../victim.yaml', 'ConfigMap x')).toThrow(/has a '\/' in the file name/);
    expect(() => joinManifestPath('.hidden', 'a.yaml', 'AppOfApps root')).toThrow(/segment starting with '.'/);
    expect(manifestPathError('../a.yaml')).toBe("has a '..' segment");
    expect(manifestPathError('/etc/passwd')).toBe('is absolute');
    expect(manifestPathError(`${'a'.repeat(256)}.yaml`)).toMatch(/has a name of 261 bytes/);
  });

  test('all problems are collected, once per path, and nothing is planned', () => {
    const act = () => planWrite(snapshot({
      'shop': 'symlink', 'web': 'folder', 'web/a.yaml': 'mine\n', 'db': 'file', 'api': 'folder', 'api/x.yaml': 'folder',
    }, { nestedOutdirs: ['team'] }), files({
      'shop/a.yaml': generated('a'), 'shop/b.yaml': generated('b'), 'web/a.yaml': generated('a'), 'db/a.yaml': generated('a'), 'api/x.yaml': generated('x'),
    }), shown);
    expect(act).toThrow([
      'Synth refused to write (nothing was written):',
      '  - out/team is the output directory of another GitOpsApp (it holds .cdk8s-argocd-outdir), and synth would delete its files as stale: give each GitOpsApp its own outdir, not one inside another',
      '  - out/shop is a symbolic link, and synth does not write through symbolic links: replace it with a real folder',
      '  - out/web/a.yaml exists and was not written by cdk8s-argocd: move it away or rename the object that maps to it',
      '  - out/db is a file, but synth needs a folder there for out/db/a.yaml: move the file away',
      '  - out/api/x.yaml is a folder, but synth writes a manifest there: move it away',
    ].join('\n'));
  });

  test('leftover temporary files are removed and a missing outdir marker is written', () => {
    const plan = planWrite(snapshot({}, { leftoverTempFiles: ['shop/.cdk8s-argocd-tmp-1-0'], hasMarker: false }), files({}), shown);
    expect(plan.leftoverTempFiles).toEqual(['shop/.cdk8s-argocd-tmp-1-0']);
    expect(plan.writeMarker).toBe(true);
    expect(plan.foldersTouched).toEqual(['', 'shop']);
  });
});
