import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findArgoObjects } from '../../src/cli/argo-objects';
import { loadApplications } from '../../src/engine/load/applications';
import { ManifestFiles } from '../../src/engine/load/manifest-file';
import * as yamlDocuments from '../../src/engine/load/yaml-documents';
import { applicationYaml } from '../util/application-yaml';

// The fs module itself (not an import namespace copy), so a spy sees every read of the engine.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeFs: typeof fs = require('fs');

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manifest-files-'));
});
afterEach(() => {
  jest.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(rel: string, text: string): string {
  const file = path.join(dir, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

/** How many times each file below `dir` was read through fs.readFileSync. */
function countReads(): Map<string, number> {
  const reads = new Map<string, number>();
  const real = nodeFs.readFileSync;
  jest.spyOn(nodeFs, 'readFileSync').mockImplementation(((file: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
    if (typeof file === 'string' && file.startsWith(dir)) {
      reads.set(path.relative(dir, file), (reads.get(path.relative(dir, file)) ?? 0) + 1);
    }
    return (real as (...a: unknown[]) => unknown)(file, ...rest);
  }) as typeof fs.readFileSync);
  return reads;
}

const CM = (name: string, value = '1') => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: "${value}"\n`;


test('a file is read once however often the run asks for it', () => {
  const file = write('cm.yaml', CM('a'));
  const reads = countReads();
  const files = new ManifestFiles();
  expect(files.text(file, 'cm.yaml')).toBe(CM('a'));
  expect(files.text(file, 'cm.yaml')).toBe(CM('a'));
  expect(files.manifests(file, 'cm.yaml').map((d) => d.object.metadata.name)).toEqual(['a']);
  expect(files.textIfRead(file)).toBe(CM('a'));
  expect(reads.get('cm.yaml')).toBe(1);
  // Another run reads it again.
  expect(new ManifestFiles().text(file, 'cm.yaml')).toBe(CM('a'));
  expect(reads.get('cm.yaml')).toBe(2);
});

test('a file that changed since it was read is read again, whether its size changed or only its times', () => {
  const file = write('cm.yaml', CM('a'));
  const files = new ManifestFiles();
  expect(files.manifests(file, 'cm.yaml', { keep: true })[0].object.data).toEqual({ a: '1' });
  fs.writeFileSync(file, CM('a', '22'));
  expect(files.manifests(file, 'cm.yaml', { keep: true })[0].object.data).toEqual({ a: '22' });
  expect(files.textIfRead(file)).toBe(CM('a', '22'));
  // Same size: only the modification time tells (set apart explicitly, beyond any time granularity).
  fs.writeFileSync(file, CM('a', '33'));
  const later = new Date(Date.now() + 60_000);
  fs.utimesSync(file, later, later);
  expect(files.textIfRead(file)).toBeUndefined();
  expect(files.manifests(file, 'cm.yaml')[0].object.data).toEqual({ a: '33' });
});

test('kept objects are parsed once and each request gets its own copy', () => {
  const file = write('cm.yaml', CM('a'));
  const parse = jest.spyOn(yamlDocuments, 'parseManifests');
  const files = new ManifestFiles();
  const first = files.manifests(file, 'cm.yaml', { keep: true });
  first[0].object.metadata.labels = { changed: 'by the caller' };
  const second = files.manifests(file, 'cm.yaml');
  expect(second[0].object.metadata.labels).toBeUndefined();
  expect(second[0].source).toEqual({ file: 'cm.yaml', line: 1 });
  expect(parse).toHaveBeenCalledTimes(1);
  // Without keep nothing is kept: each request parses.
  const other = write('other.yaml', CM('b'));
  files.manifests(other, 'other.yaml');
  files.manifests(other, 'other.yaml');
  expect(parse).toHaveBeenCalledTimes(3);
});

test('a refused file is refused on every request and not kept', () => {
  const file = write('bin.yaml', 'kind: x\n\u0000');
  const files = new ManifestFiles();
  expect(() => files.text(file, 'bin.yaml')).toThrow(/bin\.yaml:2: not a text manifest/);
  expect(() => files.text(file, 'bin.yaml')).toThrow(/not a text manifest/);
  expect(files.textIfRead(file)).toBeUndefined();
});

test('a whole-tree load and the top-level AppProject/ApplicationSet scan read each manifest file once, and parse an Application file once', () => {
  write('manifests/root.yaml', applicationYaml('root', 'manifests/children'));
  write('manifests/children/web.yaml', applicationYaml('web', 'manifests/web'));
  write('manifests/children/project.yaml', 'apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  name: team\n  namespace: argocd\n');
  write('manifests/web/cm-1.yaml', CM('one'));
  write('manifests/web/cm-2.yaml', CM('two'));
  write('manifests/apps/set.yaml', 'apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: s\n  namespace: argocd\n');
  const reads = countReads();
  const parse = jest.spyOn(yamlDocuments, 'parseManifests');
  const loaded = loadApplications({ path: path.join(dir, 'manifests'), all: true, repoRoot: dir });
  try {
    const found = findArgoObjects(path.join(dir, 'manifests'), ['AppProject', 'ApplicationSet'], loaded.files);
    expect(found.map((o) => o.object.metadata.name).sort()).toEqual(['s', 'team']);
    expect(Object.fromEntries(reads)).toEqual({
      'manifests/root.yaml': 1,
      'manifests/children/web.yaml': 1,
      'manifests/children/project.yaml': 1,
      'manifests/web/cm-1.yaml': 1,
      'manifests/web/cm-2.yaml': 1,
      'manifests/apps/set.yaml': 1,
    });
    const parsed = parse.mock.calls.map(([, file]) => file).sort();
    expect(parsed).toEqual(['manifests/children/project.yaml', 'manifests/children/web.yaml', 'manifests/root.yaml', 'manifests/web/cm-1.yaml', 'manifests/web/cm-2.yaml']);
    const byName = new Map(loaded.applications.map((a) => [a.name, a]));
    expect(byName.get('root')!.objects.map((o) => `${o.object.kind}/${o.object.metadata.name}`)).toEqual(['AppProject/team', 'Application/web']);
    // The root's desired child Application and the child's own manifest are separate objects.
    const desiredChild = byName.get('root')!.objects.find((o) => o.object.kind === 'Application')!.object;
    expect(desiredChild).toEqual(byName.get('web')!.manifest);
    expect(desiredChild).not.toBe(byName.get('web')!.manifest);
    expect(byName.get('web')!.objects.map((o) => o.object.metadata.name)).toEqual(['one', 'two']);
  } finally {
    loaded.dispose();
  }
});
