import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
// jest-snapshot comes with jest: the test checks init's snapshot file against jest's own reading of it.
// eslint-disable-next-line import/no-extraneous-dependencies
import { SnapshotState } from 'jest-snapshot';
import { parse } from 'yaml';
import { runInProcess } from './run-in-process';
import {
  defaultPackageSpec, jestSnapshotFile, missingGitignoreEntries, packageNameFor, packageSpec, scaffoldFiles, scaffoldVersions,
} from '../../src/cli/init/scaffold-files';
import { filesBelow, linkDependencies, runJest, runMain } from '../util/user-repository';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ownPackageJson = require('../../package.json');

jest.setTimeout(240_000);

const tmpDirs: string[] = [];
function tmpDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-argocd-init-'));
  tmpDirs.push(dir);
  return dir;
}
afterAll(() => tmpDirs.forEach(d => fs.rmSync(d, { recursive: true, force: true })));

describe('the scaffold files (pure)', () => {
  const versions = scaffoldVersions(ownPackageJson);
  const files = scaffoldFiles({ name: 'my-gitops', repoURL: 'https://github.com/acme/my-gitops.git', cdk8sArgocd: '^1.2.3', versions });

  test('the file set', () => {
    expect(Object.keys(files).sort()).toEqual([
      '.github/workflows/ci.yml', '.gitignore', 'cdk8s.yaml', 'jest.config.js', 'main.ts', 'package.json', 'test/main.test.ts', 'tsconfig.json',
    ]);
  });

  test('package.json: the scripts, cdk8s-argocd as given, every other version exactly as this repository builds with', () => {
    const pkg = JSON.parse(files['package.json']);
    expect(pkg.name).toBe('my-gitops');
    expect(pkg.private).toBe(true);
    expect(pkg.scripts).toEqual({
      'synth': 'tsx main.ts',
      'synth:check': 'tsx main.ts --check',
      'test': 'jest',
      'test:update': 'jest --ci=false --updateSnapshot',
      'typecheck': 'tsc --noEmit',
    });
    expect(pkg.dependencies).toEqual({
      'cdk8s-argocd': '^1.2.3',
      'cdk8s': ownPackageJson.devDependencies.cdk8s,
      'cdk8s-plus-28': ownPackageJson.devDependencies['cdk8s-plus-28'],
      'constructs': ownPackageJson.devDependencies.constructs,
    });
    for (const dev of ['jest', 'ts-jest', 'typescript', '@types/jest', '@types/node', 'tsx']) {
      expect(pkg.devDependencies[dev]).toBe(ownPackageJson.devDependencies[dev]);
    }
    expect(Object.keys(pkg.devDependencies)).toHaveLength(6);
    // The synthesized manifests and snapshot depend on these: they are pinned, not ranges.
    for (const exact of ['cdk8s', 'cdk8s-plus-28', 'constructs']) expect(pkg.dependencies[exact]).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test('scaffoldVersions fails clearly on a package.json without a version it needs', () => {
    expect(() => scaffoldVersions({ devDependencies: { cdk8s: '2.70.0' } })).toThrow(/names no version of cdk8s-plus-28/);
  });

  test('main.ts exports buildApp and synthesizes only when run', () => {
    expect(files['main.ts']).toContain('export function buildApp(): GitOpsApp {');
    expect(files['main.ts']).toContain("repoURL: 'https://github.com/acme/my-gitops.git'");
    expect(files['main.ts']).toMatch(/if \(require\.main === module\) \{\n {2}buildApp\(\)\.synth\(\);\n\}\n$/);
    expect(files['test/main.test.ts']).toContain("import { buildApp } from '../main';");
  });

  test('.gitignore: node_modules, the cdk8s CLI output and the local cluster state', () => {
    const lines = files['.gitignore'].split('\n').filter(l => l && !l.startsWith('#'));
    expect(lines).toEqual(['node_modules/', 'dist/', '.cdk8s-argocd/']);
  });

  test('the entries a user\'s .gitignore lacks', () => {
    expect(missingGitignoreEntries('/node_modules\n.cdk8s-argocd\n')).toEqual(['dist/']);
    expect(missingGitignoreEntries(files['.gitignore'])).toEqual([]);
    expect(missingGitignoreEntries('')).toEqual(['node_modules/', 'dist/', '.cdk8s-argocd/']);
  });

  test('cdk8s.yaml runs main.ts', () => {
    expect(parse(files['cdk8s.yaml'])).toEqual({ language: 'typescript', app: 'npx tsx main.ts', imports: ['k8s'] });
  });

  test('the CI workflow: npm ci, synth:check, typecheck, test; in the scaffold folder when that is not the repository root', () => {
    const steps = (wf: string) => parse(wf).jobs.check.steps.filter((s: { run?: string }) => s.run).map((s: { run: string }) => s.run);
    expect(steps(files['.github/workflows/ci.yml'])).toEqual(['npm ci', 'npm run synth:check', 'npm run typecheck', 'npm test']);
    expect(parse(files['.github/workflows/ci.yml']).jobs.check.defaults).toBeUndefined();
    const nested = parse(scaffoldFiles({ name: 'x', repoURL: 'u', cdk8sArgocd: '1', versions, pathInRepo: 'infra/gitops' })['.github/workflows/ci.yml']);
    expect(nested.jobs.check.defaults.run['working-directory']).toBe('infra/gitops');
    expect(nested.jobs.check.steps[1].with['cache-dependency-path']).toBe('infra/gitops/package-lock.json');
  });

  test('the CI workflow rehearses a pull request against its base branch and posts the Markdown as a comment', () => {
    const wf = parse(files['.github/workflows/ci.yml']);
    const job = wf.jobs.rehearse;
    expect(job.if).toBe("github.event_name == 'pull_request'");
    expect(job.permissions['pull-requests']).toBe('write');
    expect(job.steps[0].with['fetch-depth']).toBe(0);
    const runs = job.steps.filter((s: { run?: string }) => s.run).map((s: { run: string }) => s.run);
    expect(runs).toEqual([
      'npm ci',
      'npx cdk8s-argocd rehearse --base origin/${{ github.base_ref }} -o markdown > rehearsal.md',
      'gh pr comment ${{ github.event.pull_request.number }} --body-file rehearsal.md',
      'exit 1',
    ]);
    expect(job.steps.find((s: { id?: string }) => s.id === 'rehearse')['continue-on-error']).toBe(true);
    const nested = parse(scaffoldFiles({ name: 'x', repoURL: 'u', cdk8sArgocd: '1', versions, pathInRepo: 'infra/gitops' })['.github/workflows/ci.yml']);
    expect(nested.jobs.rehearse.defaults.run['working-directory']).toBe('infra/gitops');
  });

  test('package names from folder names', () => {
    expect(packageNameFor('My GitOps')).toBe('my-gitops');
    expect(packageNameFor('.hidden')).toBe('hidden');
    expect(packageNameFor('___')).toBe('gitops');
  });

  test('--package: paths become file: specs relative to the scaffold; versions, tags and URLs pass unchanged', () => {
    const cwd = '/home/me';
    const scaffold = '/home/me/repos/my-gitops';
    expect(packageSpec('cdk8s-argocd/cdk8s-argocd-0.0.0.tgz', cwd, scaffold))
      .toEqual({ spec: 'file:../../cdk8s-argocd/cdk8s-argocd-0.0.0.tgz', localPath: '/home/me/cdk8s-argocd/cdk8s-argocd-0.0.0.tgz' });
    expect(packageSpec('./x.tgz', cwd, scaffold).spec).toBe('file:../../x.tgz');
    expect(packageSpec('/opt/cdk8s-argocd', cwd, scaffold)).toEqual({ spec: 'file:../../../../opt/cdk8s-argocd', localPath: '/opt/cdk8s-argocd' });
    expect(packageSpec('file:../checkout', cwd, scaffold)).toEqual({ spec: 'file:../../../checkout', localPath: '/home/checkout' });
    expect(packageSpec('repos/my-gitops/vendor/c.tgz', cwd, scaffold).spec).toBe('file:vendor/c.tgz');
    for (const spec of ['1.2.3', '^1.2.0', 'latest', 'github:cdk8s-argocd/cdk8s-argocd', 'https://example.com/c.tgz', 'npm:other@1']) {
      expect(packageSpec(spec, cwd, scaffold)).toEqual({ spec });
    }
  });

  test('cdk8s-argocd defaults to ^ this version; the unpublished 0.0.0 says what to pass instead', () => {
    expect(defaultPackageSpec('1.4.0', 'tip')).toBe('^1.4.0');
    expect(() => defaultPackageSpec('0.0.0', 'pass --package x.tgz')).toThrow(/unpublished development build \(version 0\.0\.0\).*pass --package x\.tgz/);
  });

  test('the snapshot file is what jest reads as the snapshot of the same value, for any text', () => {
    const value = {
      'b.yaml': 'quote " backslash \\ backtick ` template ${x} $y\nwindows\r\nline\n',
      'a.yaml': 'plain\n',
      'c.yaml': '',
    };
    const dir = tmpDir();
    const file = path.join(dir, 'main.test.ts.snap');
    fs.writeFileSync(file, jestSnapshotFile('manifests', value));
    // The format jest 29+ uses by default (the scaffold's jest config sets none).
    const state = new SnapshotState(file, { updateSnapshot: 'none', snapshotFormat: { escapeString: false, printBasicPrototype: false }, rootDir: dir, prettierPath: null });
    expect(state.match({ testName: 'manifests', received: value, isInline: false }).pass).toBe(true);
    expect(state.match({ testName: 'manifests', received: { ...value, 'a.yaml': 'changed\n' }, isInline: false }).pass).toBe(false);
  });
});

describe('cdk8s-argocd init', () => {
  test('writes a repository whose main.ts synthesizes exactly the manifests/ and the snapshot init wrote', async () => {
    const dir = path.join(tmpDir(), 'my-gitops');
    const r = await runInProcess('init', dir, '--package', '1.2.3', '--repo-url', 'https://github.com/acme/my-gitops.git');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('initialized a Git repository (nothing committed)');
    expect(r.stdout).toMatch(/next:\n {2}cd .*my-gitops\n {2}npm install\n {2}npm test/);
    expect(filesBelow(dir)).toEqual([
      'cdk8s.yaml', 'jest.config.js', 'main.ts',
      'manifests/apps/hello-api.yaml', 'manifests/hello-api/deployment-hello-api-web.yaml', 'manifests/hello-api/service-hello-api.yaml',
      'package.json', 'test/__snapshots__/main.test.ts.snap', 'test/main.test.ts', 'tsconfig.json',
    ]);
    expect(fs.existsSync(path.join(dir, '.github/workflows/ci.yml'))).toBe(true);
    expect(fs.existsSync(path.join(dir, '.gitignore'))).toBe(true);
    expect(fs.existsSync(path.join(dir, '.git'))).toBe(true);
    expect(spawnSync('git', ['log'], { cwd: dir }).status).not.toBe(0); // nothing committed
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).dependencies['cdk8s-argocd']).toBe('1.2.3');
    expect(fs.readFileSync(path.join(dir, 'manifests/apps/hello-api.yaml'), 'utf8')).toContain('path: manifests/hello-api\n');

    // The scaffold's own main.ts (not init's compiled twin of it) agrees with what init wrote.
    linkDependencies(dir);
    const check = runMain(dir, ['--check']);
    expect(check.stderr).toBe('');
    expect(check.stdout).toBe('manifests: up to date\n');
    const test = runJest(dir, ['--ci']);
    expect(test.stderr).toContain('1 passed');
    expect(test.status).toBe(0);
  });

  test('refuses a non-empty directory without --force, naming what is there, and writes nothing', async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'notes.md'), 'mine\n');
    const r = await runInProcess('init', dir, '--package', '1.2.3');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error: .* is not empty \(notes\.md\): init writes into an empty directory; pass --force/);
    expect(fs.readdirSync(dir)).toEqual(['notes.md']);
  });

  test('an empty clone (only .git) is empty: its origin becomes repoURL, and no second git init', async () => {
    const dir = tmpDir();
    spawnSync('git', ['init', '-q'], { cwd: dir });
    spawnSync('git', ['remote', 'add', 'origin', 'git@github.com:acme/clone.git'], { cwd: dir });
    const r = await runInProcess('init', dir, '--package', '1.2.3');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('initialized a Git repository');
    expect(r.stdout).not.toContain('placeholder');
    expect(fs.readFileSync(path.join(dir, 'main.ts'), 'utf8')).toContain("repoURL: 'git@github.com:acme/clone.git'");
  });

  test('--force adds the missing files and never overwrites one', async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"mine"}\n');
    fs.writeFileSync(path.join(dir, 'README.md'), 'mine\n');
    fs.writeFileSync(path.join(dir, '.gitignore'), 'node_modules\n');
    const r = await runInProcess('init', dir, '--package', '1.2.3', '--force', '--no-git');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('kept your package.json, .gitignore (not overwritten)');
    expect(r.stdout).toContain('your .gitignore does not ignore dist/, .cdk8s-argocd/: add them');
    expect(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8')).toBe('node_modules\n');
    expect(r.stdout).toContain('repoURL is a placeholder');
    expect(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).toBe('{"name":"mine"}\n');
    expect(fs.readFileSync(path.join(dir, 'README.md'), 'utf8')).toBe('mine\n');
    expect(fs.existsSync(path.join(dir, 'main.ts'))).toBe(true);
    expect(fs.existsSync(path.join(dir, '.git'))).toBe(false);
  });

  test('inside an existing repository: source.path includes the folder, CI steps run there, no git init', async () => {
    const repo = tmpDir();
    spawnSync('git', ['init', '-q'], { cwd: repo });
    const dir = path.join(repo, 'infra', 'gitops');
    const r = await runInProcess('init', dir, '--package', '1.2.3', '--repo-url', 'https://github.com/acme/mono.git');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('source.path is infra/gitops/manifests/');
    expect(r.stdout).toContain('move .github/workflows/ci.yml');
    expect(fs.existsSync(path.join(dir, '.git'))).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'manifests/apps/hello-api.yaml'), 'utf8')).toContain('path: infra/gitops/manifests/hello-api\n');
    expect(parse(fs.readFileSync(path.join(dir, '.github/workflows/ci.yml'), 'utf8')).jobs.check.defaults.run['working-directory']).toBe('infra/gitops');
  });

  test('a --package path that does not exist or is a folder, the dev version without --package, a bad --repo-url: refused, nothing written', async () => {
    const parent = tmpDir();
    const dir = path.join(parent, 'x');
    const missing = await runInProcess('init', dir, '--package', path.join(parent, 'nope.tgz'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`--package ${path.join(parent, 'nope.tgz')}: ${path.join(parent, 'nope.tgz')} does not exist`);
    if (ownPackageJson.version === '0.0.0') {
      const dev = await runInProcess('init', dir);
      expect(dev.code).toBe(2);
      expect(dev.stderr).toMatch(/unpublished development build \(version 0\.0\.0\).*--package .*cdk8s-argocd-0\.0\.0\.tgz/);
    }
    const folder = await runInProcess('init', dir, '--package', parent);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toMatch(/is a folder, which npm would link with its own copy of cdk8s: pass a tarball instead \(`npm pack` in .* makes one\)/);
    const url = await runInProcess('init', dir, '--package', '1.2.3', '--repo-url', "https://x/a'b");
    expect(url.code).toBe(2);
    expect(url.stderr).toContain('contains a quote');
    expect(fs.readdirSync(parent)).toEqual([]);
  });
});
