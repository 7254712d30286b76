import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadApplications } from '../../src/engine/load/applications';
import { listManifestFiles } from '../../src/engine/load/directory-source';
import { MAX_MANIFEST_BYTES } from '../../src/engine/load/manifest-file';
import { parseManifests } from '../../src/engine/load/yaml-documents';
import { applicationYaml } from '../util/application-yaml';

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
    const repo = tmpRepo({ 'manifests/apps/web.yaml': applicationYaml('web', 'manifests/web'), 'manifests/web/cm.yaml': CM('one') + '---\n' + CM('two') });
    const res = loadApplications({ path: path.join(repo, 'manifests'), apps: ['web'] });
    const app = res.applications[0];
    expect(app.error).toBeUndefined();
    expect(app.objects.map((o) => `${o.object.metadata.name}@${o.source.file}:${o.source.line}`)).toEqual(['one@manifests/web/cm.yaml:1', 'two@manifests/web/cm.yaml:8']);
    expect(app.revision).toMatch(/^[0-9a-f]{40}$/);
    res.dispose();
  });

  test('reads the committed tree with --revision, not the work tree', () => {
    const repo = tmpRepo({ 'manifests/apps/web.yaml': applicationYaml('web', 'manifests/web'), 'manifests/web/cm.yaml': CM('committed') });
    fs.writeFileSync(path.join(repo, 'manifests/web/cm.yaml'), CM('uncommitted'));
    const work = loadApplications({ path: path.join(repo, 'manifests'), apps: ['web'] });
    expect(work.applications[0].objects[0].object.metadata.name).toBe('uncommitted');
    const head = loadApplications({ path: path.join(repo, 'manifests'), apps: ['web'], revision: 'HEAD' });
    expect(head.applications[0].objects[0].object.metadata.name).toBe('committed');
    head.dispose();
  });

  test('reads one Application manifest file', () => {
    const repo = tmpRepo({ 'apps/web.yaml': applicationYaml('web', 'web'), 'web/cm.yaml': CM('x') });
    const res = loadApplications({ path: path.join(repo, 'apps/web.yaml') });
    expect(res.applications.map((a) => a.name)).toEqual(['web']);
  });

  test('renders Kustomize sources with the embedded renderer', () => {
    const repo = tmpRepo({
      'apps/k.yaml': applicationYaml('k', 'k'),
      'k/kustomization.yaml': 'resources:\n- cm.yaml\nnamePrefix: pre-\n',
      'k/cm.yaml': CM('x'),
    });
    const res = loadApplications({ path: path.join(repo, 'apps/k.yaml') });
    expect(res.applications[0].error).toBeUndefined();
    expect(res.applications[0].objects.map((o) => o.object.metadata.name)).toEqual(['pre-x']);
  });

  test('fails an Application whose manifest is invalid with file:line, without failing the others', () => {
    const repo = tmpRepo({
      'm/apps/a.yaml': applicationYaml('a', 'm/a') + '---\n' + applicationYaml('b', 'm/b'),
      'm/a/ok.yaml': CM('ok'),
      'm/b/bad.yaml': `${CM('fine')}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: x\n`,
    });
    const res = loadApplications({ path: path.join(repo, 'm'), apps: ['a', 'b'] });
    expect(res.applications[0].error).toBeUndefined();
    expect(res.applications[1].error).toMatch(/^m\/b\/bad\.yaml:8: ConfigMap has no metadata.name/);
  });

  test('fails a Helm source whose chart does not render, naming the folder', () => {
    const repo = tmpRepo({ 'apps/h.yaml': applicationYaml('h', 'chart'), 'chart/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n', 'chart/templates/x.yaml': '{{ .Values.missing.key }}\n' });
    const res = loadApplications({ path: path.join(repo, 'apps/h.yaml') });
    expect(res.applications[0].error).toMatch(/^chart \(helm template\): .* failed \(exit 1\): .*nil pointer evaluating interface \{\}\.key/s);
  });

  test('fails when the chosen Application does not exist, listing the ones found', () => {
    const repo = tmpRepo({ 'm/apps/web.yaml': applicationYaml('web', 'm/web'), 'm/web/cm.yaml': CM('x') });
    expect(() => loadApplications({ path: path.join(repo, 'm'), apps: ['nope'] })).toThrow(/no Application named 'nope'.*found: web/);
  });

  test('fails when a directory is given without --app', () => {
    const repo = tmpRepo({ 'm/apps/web.yaml': applicationYaml('web', 'm/web'), 'm/web/cm.yaml': CM('x') });
    expect(() => loadApplications({ path: path.join(repo, 'm') })).toThrow(/choose Applications with --app/);
  });

  test('fails an Application whose source.path does not exist', () => {
    const repo = tmpRepo({ 'apps/web.yaml': applicationYaml('web', 'missing') });
    const res = loadApplications({ path: path.join(repo, 'apps/web.yaml') });
    expect(res.applications[0].error).toMatch(/apps\/web\.yaml:1: .*source.path missing is not a folder/);
  });
});

describe('source paths stay inside the repository', () => {
  test('fails an Application whose source.path leaves the repository with ..', () => {
    const repo = tmpRepo({ 'apps/web.yaml': applicationYaml('web', '../outside') });
    fs.mkdirSync(path.join(repo, '..', 'outside'), { recursive: true });
    const res = loadApplications({ path: path.join(repo, 'apps/web.yaml') });
    expect(res.applications[0].error).toMatch(/^apps\/web\.yaml:1: Application web: source.path \.\.\/outside is outside the repository; Argo CD refuses paths outside the repository/);
    expect(res.applications[0].objects).toEqual([]);
  });

  test('fails an Application whose source.path is absolute', () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'outside-'));
    fs.writeFileSync(path.join(outside, 'cm.yaml'), CM('stolen'));
    const repo = tmpRepo({ 'apps/web.yaml': applicationYaml('web', outside) });
    const res = loadApplications({ path: path.join(repo, 'apps/web.yaml') });
    expect(res.applications[0].error).toMatch(/apps\/web\.yaml:1: Application web: source.path \/.* is absolute; .*write it relative/);
    expect(res.applications[0].objects).toEqual([]);
  });

  test('fails when source.path is a symlink to a folder outside the repository', () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'outside-'));
    fs.writeFileSync(path.join(outside, 'cm.yaml'), CM('stolen'));
    const repo = tmpRepo({ 'apps/web.yaml': applicationYaml('web', 'web') });
    fs.symlinkSync(outside, path.join(repo, 'web'));
    const res = loadApplications({ path: path.join(repo, 'apps/web.yaml') });
    expect(res.applications[0].error).toMatch(/source.path web is a symlink \(or goes through one\) to .*, outside the repository/);
  });

  test('fails when a manifest in the source folder is a symlink to a file outside the repository', () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'outside-'));
    fs.writeFileSync(path.join(outside, 'secret.yaml'), CM('stolen'));
    const repo = tmpRepo({ 'apps/web.yaml': applicationYaml('web', 'web'), 'web/cm.yaml': CM('ok') });
    fs.symlinkSync(path.join(outside, 'secret.yaml'), path.join(repo, 'web/link.yaml'));
    const res = loadApplications({ path: path.join(repo, 'apps/web.yaml') });
    expect(res.applications[0].error).toMatch(/^web\/link\.yaml:1: is a symlink .* outside the repository; Argo CD refuses files outside the repository/);
    expect(res.applications[0].objects).toEqual([]);
  });

  test('reads a symlink that stays inside the repository', () => {
    const repo = tmpRepo({ 'apps/web.yaml': applicationYaml('web', 'web'), 'shared/cm.yaml': CM('shared') });
    fs.mkdirSync(path.join(repo, 'web'));
    fs.symlinkSync(path.join(repo, 'shared/cm.yaml'), path.join(repo, 'web/cm.yaml'));
    const res = loadApplications({ path: path.join(repo, 'apps/web.yaml') });
    expect(res.applications[0].error).toBeUndefined();
    expect(res.applications[0].objects.map((o) => o.object.metadata.name)).toEqual(['shared']);
  });

  test('fails a Helm valueFiles entry outside the repository', () => {
    const repo = tmpRepo({
      'apps/h.yaml': applicationYaml('h', 'chart', '    helm:\n      valueFiles: [../../../etc/passwd]\n'),
      'chart/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n',
    });
    const res = loadApplications({ path: path.join(repo, 'apps/h.yaml') });
    expect(res.applications[0].error).toMatch(/helm.valueFiles \.\.\/\.\.\/\.\.\/etc\/passwd is outside the repository/);
  });
});

describe('Application specs of the wrong shape', () => {
  test('fails sources given as a map, with file:line and what to write', () => {
    const repo = tmpRepo({ 'apps/web.yaml': applicationYaml('web', 'web').replace('  source:\n', '  sources:\n') });
    const res = loadApplications({ path: path.join(repo, 'apps/web.yaml') });
    expect(res.applications[0].error).toBe('apps/web.yaml:1: Application web: spec.sources must be a list (`sources:` then `- repoURL: …` items); for one source write `source:`');
  });

  test('fails a numeric source.path', () => {
    const repo = tmpRepo({ 'apps/web.yaml': applicationYaml('web', '42') });
    const res = loadApplications({ path: path.join(repo, 'apps/web.yaml') });
    expect(res.applications[0].error).toBe('apps/web.yaml:1: Application web: spec.source.path is 42, not a string: quote it');
  });

  test('fails an Application with generateName instead of a name', () => {
    const repo = tmpRepo({ 'apps/web.yaml': applicationYaml('web', 'web').replace('  name: web\n', '  generateName: web-\n') });
    expect(() => loadApplications({ path: path.join(repo, 'apps/web.yaml') }))
      .toThrow('apps/web.yaml:1: an Application needs metadata.name (Argo CD does not create Applications from generateName): name it');
  });
});

describe('manifest files that are not manifests', () => {
  test('fails a binary .yaml file without echoing its bytes, naming the line of the binary data', () => {
    const repo = tmpRepo({ 'apps/web.yaml': applicationYaml('web', 'web'), 'web/cm.yaml': CM('ok') });
    fs.writeFileSync(path.join(repo, 'web/blob.yaml'), Buffer.concat([Buffer.from('a: 1\nb: 2\n'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0xfe])]));
    const res = loadApplications({ path: path.join(repo, 'apps/web.yaml') });
    expect(res.applications[0].error).toBe('web/blob.yaml:3: not a text manifest (binary data at byte 10); remove it, or rename it so it does not end in .yaml');
  });

  test('a binary file fails only the Application whose source holds it, not the search for Applications', () => {
    const repo = tmpRepo({ 'm/apps/web.yaml': applicationYaml('web', 'm/web'), 'm/apps/api.yaml': applicationYaml('api', 'm/api'), 'm/web/cm.yaml': CM('w'), 'm/api/cm.yaml': CM('a') });
    fs.writeFileSync(path.join(repo, 'm/web/blob.yaml'), Buffer.from([0x00, 0x01, 0x02]));
    const res = loadApplications({ path: path.join(repo, 'm'), apps: ['web', 'api'] });
    expect(res.applications.map((a) => a.error ?? a.objects.length)).toEqual(['m/web/blob.yaml:1: not a text manifest (binary data at byte 0); remove it, or rename it so it does not end in .yaml', 1]);
  });

  test('refuses a directory source above the documented size limit before parsing it', () => {
    const repo = tmpRepo({ 'apps/web.yaml': applicationYaml('web', 'web'), 'web/cm.yaml': CM('ok') });
    const big = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  a: "${'x'.repeat(MAX_MANIFEST_BYTES)}"\n`;
    fs.writeFileSync(path.join(repo, 'web/big.yaml'), big);
    const started = Date.now();
    const res = loadApplications({ path: path.join(repo, 'apps/web.yaml') });
    expect(res.applications[0].error).toMatch(/^web: the manifests add up to 10\.0 MB, more than the 10\.0 MB a directory source may hold \(Argo CD's limit; the largest is web\/big\.yaml, 10\.0 MB\); split the Application$/);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('Helm inline values', () => {
  function helmRepo(): string {
    return tmpRepo({
      'apps/h.yaml': applicationYaml('h', 'chart', '    helm:\n      values: |\n        password: inline-values-canary\n'),
      'chart/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n',
    });
  }

  /**
   * Loads `file` in a child process with a private TMPDIR and the given PATH (os.tmpdir() and
   * child processes read the real environment, which jest does not let a test change), returning
   * the Application's error or object names, and what was left in TMPDIR.
   */
  function loadInChild(file: string, pathEnv: string, helmBinary?: string): { result: unknown; left: string[] } {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-tmp-'));
    const script = `const { loadApplications } = require(${JSON.stringify(path.resolve(__dirname, '../../src/engine/load/applications'))});
      const app = loadApplications({ path: ${JSON.stringify(file)} }).applications[0];
      console.log(JSON.stringify(app.error ?? app.objects.map((o) => o.object.data)));`;
    const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
      encoding: 'utf8',
      cwd: path.resolve(__dirname, '../..'),
      env: { ...process.env, PATH: pathEnv, TMPDIR: tmp, TS_NODE_PROJECT: path.resolve(__dirname, '../tsconfig.json'), ...(helmBinary ? { CDK8S_ARGOCD_HELM_BINARY: helmBinary } : {}) },
    });
    return { result: JSON.parse(out), left: fs.readdirSync(tmp).filter((f) => f.startsWith('cdk8s-argocd-')) };
  }

  test('leaves no temporary values file behind when helm cannot run', () => {
    const { result, left } = loadInChild(path.join(helmRepo(), 'apps/h.yaml'), path.dirname(process.execPath), '/nonexistent/helm');
    expect(result).toMatch(/CDK8S_ARGOCD_HELM_BINARY=\/nonexistent\/helm cannot be run/);
    expect(left).toEqual([]);
  });

  test('leaves no temporary values file behind when helm renders', () => {
    // The user's own helm (CDK8S_ARGOCD_HELM_BINARY): prints a ConfigMap holding the inline values it was given.
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-helm-'));
    fs.writeFileSync(path.join(bin, 'helm'), '#!/bin/sh\nlast=""\nfor a in "$@"; do if [ "$prev" = "--values" ]; then last="$a"; fi; prev="$a"; done\n'
      + 'printf "apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: rendered\\ndata:\\n  values: \\"%s\\"\\n" "$(cat "$last")"\n', { mode: 0o755 });
    const { result, left } = loadInChild(path.join(helmRepo(), 'apps/h.yaml'), `${path.dirname(process.execPath)}:/usr/bin:/bin`, path.join(bin, 'helm'));
    expect(result).toEqual([{ values: 'password: inline-values-canary' }]);
    expect(left).toEqual([]);
  });
});

describe('YAML 1.1 scalars', () => {
  test('a name that YAML 1.1 reads as a boolean fails with the line of the name', () => {
    expect(() => parseManifests(`${CM('a')}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {a: b}\n  name: n\n`, 'cms.yaml'))
      .toThrow(/^cms\.yaml:12: ConfigMap metadata\.name is the boolean false \(YAML 1\.1, as kubectl and Argo CD read it, makes y\/n\/yes\/no\/on\/off booleans\), not a string, so Argo CD rejects it: quote the value$/);
  });

  test('values are read as kubectl reads them', () => {
    const [cm] = parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  debug: off\n  mode: 0755\n', 'c.yaml');
    expect(cm.object.data).toEqual({ debug: false, mode: 493 });
  });
});
