import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadApplications } from '../../src/engine/load/applications';
import { listManifestFiles } from '../../src/engine/load/directory-source';
import { parseManifests } from '../../src/engine/load/yaml-documents';

function tmpRepo(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-loader-'));
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), text);
  }
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q');
  git('-c', 'user.email=t@t', '-c', 'user.name=t', 'add', '.');
  git('-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-q', '-m', 'init');
  return dir;
}

function application(name: string, sourcePath: string, extra = ''): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
  namespace: argocd
spec:
  project: default
  destination:
    server: https://kubernetes.default.svc
    namespace: ${name}
  source:
    repoURL: https://github.com/acme/k8s.git
    path: ${sourcePath}
${extra}`;
}

const CM = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: "1"\n`;

describe('parseManifests', () => {
  test('reads multi-document YAML with the line each document starts on', () => {
    const docs = parseManifests(`# comment\n${CM('a')}---\n\n${CM('b')}`, 'x.yaml');
    expect(docs.map((d) => [d.object.metadata.name, d.source.line])).toEqual([['a', 2], ['b', 10]]);
  });

  test('reads JSON and unwraps a List', () => {
    const list = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [JSON.parse(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'j' } }))] });
    const docs = parseManifests(list, 'x.json');
    expect(docs).toHaveLength(1);
    expect(docs[0].object.metadata.name).toBe('j');
  });

  test('skips empty documents', () => {
    expect(parseManifests('---\n---\n', 'x.yaml')).toEqual([]);
  });

  test('fails when a document has no kind, naming file and line', () => {
    expect(() => parseManifests(`${CM('a')}---\napiVersion: v1\nmetadata:\n  name: b\n`, 'apps/x.yaml')).toThrow(/^apps\/x\.yaml:8: object has no kind/);
  });

  test('fails when YAML is invalid, naming file and line', () => {
    expect(() => parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n', 'bad.yaml')).toThrow(/^bad\.yaml:\d+: invalid YAML/);
  });

  test('fails when an object has no metadata.name', () => {
    expect(() => parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {}\n', 'f.yaml')).toThrow(/f\.yaml:1: ConfigMap has no metadata.name/);
  });

  test('fails when a document is not a mapping', () => {
    expect(() => parseManifests('- a\n- b\n', 'f.yaml')).toThrow(/f\.yaml:1: expected a Kubernetes object/);
  });
});

describe('directory sources', () => {
  const dir = tmpRepo({
    'a.yaml': CM('a'),
    'b.json': '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b"}}',
    'notes.txt': 'x',
    'sub/c.yaml': CM('c'),
    'sub/deeper/d.yml': CM('d'),
    '.hidden/e.yaml': CM('e'),
  });

  test('reads only top-level manifests without recurse', () => {
    expect(listManifestFiles(dir)).toEqual(['a.yaml', 'b.json']);
  });

  test('recurses into subfolders (not hidden ones) with recurse', () => {
    expect(listManifestFiles(dir, { recurse: true })).toEqual(['a.yaml', 'b.json', 'sub/c.yaml', 'sub/deeper/d.yml']);
  });

  test('applies include and exclude globs to paths relative to the source', () => {
    expect(listManifestFiles(dir, { recurse: true, include: '{*.yaml,sub/**}' })).toEqual(['a.yaml', 'sub/c.yaml', 'sub/deeper/d.yml']);
    expect(listManifestFiles(dir, { recurse: true, exclude: 'sub/deeper/*' })).toEqual(['a.yaml', 'b.json', 'sub/c.yaml']);
  });
});

describe('loadApplications', () => {
  test('maps source.path to the repository folder and reads its objects with positions', () => {
    const repo = tmpRepo({ 'manifests/apps/web.yaml': application('web', 'manifests/web'), 'manifests/web/cm.yaml': CM('one') + '---\n' + CM('two') });
    const res = loadApplications({ path: path.join(repo, 'manifests'), apps: ['web'] });
    const app = res.applications[0];
    expect(app.error).toBeUndefined();
    expect(app.objects.map((o) => `${o.object.metadata.name}@${o.source.file}:${o.source.line}`)).toEqual(['one@manifests/web/cm.yaml:1', 'two@manifests/web/cm.yaml:8']);
    expect(app.revision).toMatch(/^[0-9a-f]{40}$/);
    res.dispose();
  });

  test('reads the committed tree with --revision, not the work tree', () => {
    const repo = tmpRepo({ 'manifests/apps/web.yaml': application('web', 'manifests/web'), 'manifests/web/cm.yaml': CM('committed') });
    fs.writeFileSync(path.join(repo, 'manifests/web/cm.yaml'), CM('uncommitted'));
    const work = loadApplications({ path: path.join(repo, 'manifests'), apps: ['web'] });
    expect(work.applications[0].objects[0].object.metadata.name).toBe('uncommitted');
    const head = loadApplications({ path: path.join(repo, 'manifests'), apps: ['web'], revision: 'HEAD' });
    expect(head.applications[0].objects[0].object.metadata.name).toBe('committed');
    head.dispose();
  });

  test('reads one Application manifest file', () => {
    const repo = tmpRepo({ 'apps/web.yaml': application('web', 'web'), 'web/cm.yaml': CM('x') });
    const res = loadApplications({ path: path.join(repo, 'apps/web.yaml') });
    expect(res.applications.map((a) => a.name)).toEqual(['web']);
  });

  test('renders Kustomize sources with kubectl kustomize', () => {
    const repo = tmpRepo({
      'apps/k.yaml': application('k', 'k'),
      'k/kustomization.yaml': 'resources:\n- cm.yaml\nnamePrefix: pre-\n',
      'k/cm.yaml': CM('x'),
    });
    const res = loadApplications({ path: path.join(repo, 'apps/k.yaml') });
    expect(res.applications[0].error).toBeUndefined();
    expect(res.applications[0].objects.map((o) => o.object.metadata.name)).toEqual(['pre-x']);
  });

  test('fails an Application whose manifest is invalid with file:line, without failing the others', () => {
    const repo = tmpRepo({
      'm/apps/a.yaml': application('a', 'm/a') + '---\n' + application('b', 'm/b'),
      'm/a/ok.yaml': CM('ok'),
      'm/b/bad.yaml': `${CM('fine')}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: x\n`,
    });
    const res = loadApplications({ path: path.join(repo, 'm'), apps: ['a', 'b'] });
    expect(res.applications[0].error).toBeUndefined();
    expect(res.applications[1].error).toMatch(/^m\/b\/bad\.yaml:8: ConfigMap has no metadata.name/);
  });

  test('fails a Helm source with a message naming the missing helm binary', () => {
    const repo = tmpRepo({ 'apps/h.yaml': application('h', 'chart'), 'chart/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n' });
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const res = loadApplications({ path: path.join(repo, 'apps/h.yaml') });
      expect(res.applications[0].error).toMatch(/needs a `helm` binary on PATH/);
    } finally {
      process.env.PATH = saved;
    }
  });

  test('fails when the chosen Application does not exist, listing the ones found', () => {
    const repo = tmpRepo({ 'm/apps/web.yaml': application('web', 'm/web'), 'm/web/cm.yaml': CM('x') });
    expect(() => loadApplications({ path: path.join(repo, 'm'), apps: ['nope'] })).toThrow(/no Application named 'nope'.*found: web/);
  });

  test('fails when a directory is given without --app', () => {
    const repo = tmpRepo({ 'm/apps/web.yaml': application('web', 'm/web'), 'm/web/cm.yaml': CM('x') });
    expect(() => loadApplications({ path: path.join(repo, 'm') })).toThrow(/choose Applications with --app/);
  });

  test('fails an Application whose source.path does not exist', () => {
    const repo = tmpRepo({ 'apps/web.yaml': application('web', 'missing') });
    const res = loadApplications({ path: path.join(repo, 'apps/web.yaml') });
    expect(res.applications[0].error).toMatch(/apps\/web\.yaml:1: .*source.path missing is not a folder/);
  });
});
