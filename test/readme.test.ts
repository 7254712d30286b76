import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';

/**
 * The README's Quickstart, snapshot test, jest config and cdk8s.yaml, taken from README.md as
 * written and run in a fresh repository the way a user would (with this checkout standing in for
 * the `cdk8s-argocd` package, and ts-node for tsx, which is not a dependency here).
 */

const REPO = path.join(__dirname, '..');
const README = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');

jest.setTimeout(240_000);

/** The first fenced block of `lang` after the line containing `marker`. */
function blockAfter(marker: string, lang: string): string {
  const at = README.indexOf(marker);
  if (at < 0) throw new Error(`README.md has no '${marker}'`);
  const fence = '```' + lang + '\n';
  const start = README.indexOf(fence, at);
  if (start < 0) throw new Error(`README.md has no ${lang} block after '${marker}'`);
  const end = README.indexOf('\n```', start + fence.length);
  return README.slice(start + fence.length, end + 1);
}

const mainTs = blockAfter('`main.ts` exports a builder', 'ts');
const resultTree = blockAfter('The result:', '');
const jestConfig = blockAfter('`jest.config.js`:', 'js');
const snapshotTest = blockAfter('`test/main.test.ts`:', 'ts');
const cdk8sYaml = parse(blockAfter('A standard `cdk8s.yaml` works', 'yaml'));

let dir: string;

function run(args: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, args, {
    cwd: dir,
    encoding: 'utf8',
    env: {
      ...process.env,
      TS_NODE_TRANSPILE_ONLY: 'true',
      TS_NODE_COMPILER_OPTIONS: JSON.stringify({ module: 'commonjs', target: 'es2022', esModuleInterop: true }),
      CDK8S_OUTDIR: '',
      CDK8S_ARGOCD_CHECK: '',
      ...env,
    },
  });
}

/** `npx tsx main.ts …`, with ts-node. */
function runMain(args: string[] = [], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return run(['-r', 'ts-node/register', 'main.ts', ...args], env);
}

function runJest(args: string[]): SpawnSyncReturns<string> {
  return run([path.join(dir, 'node_modules', 'jest', 'bin', 'jest.js'), '--no-watchman', '--rootDir', dir, ...args]);
}

function filesBelow(root: string): string[] {
  return fs.readdirSync(root, { withFileTypes: true })
    .filter(e => !e.name.startsWith('.'))
    .flatMap(e => (e.isDirectory() ? filesBelow(path.join(root, e.name)).map(f => `${e.name}/${f}`) : [e.name]))
    .sort();
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-argocd-readme-'));
  spawnSync('git', ['init', '-q'], { cwd: dir });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'my-gitops', version: '1.0.0', type: 'commonjs' }, null, 2));
  fs.writeFileSync(path.join(dir, 'main.ts'), mainTs);
  fs.writeFileSync(path.join(dir, 'jest.config.js'), jestConfig);
  fs.mkdirSync(path.join(dir, 'test'));
  fs.writeFileSync(path.join(dir, 'test', 'main.test.ts'), snapshotTest);
  // This repository's dependencies, and this checkout as the cdk8s-argocd package.
  const modules = path.join(dir, 'node_modules');
  fs.mkdirSync(modules);
  const repoModules = fs.realpathSync(path.join(REPO, 'node_modules'));
  for (const name of fs.readdirSync(repoModules)) fs.symlinkSync(path.join(repoModules, name), path.join(modules, name));
  const pkg = path.join(modules, 'cdk8s-argocd');
  fs.mkdirSync(pkg);
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'cdk8s-argocd', main: 'index.js' }));
  fs.writeFileSync(path.join(pkg, 'index.js'), `module.exports = require(${JSON.stringify(path.join(REPO, 'src', 'index.ts'))});\n`);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('README Quickstart, as written', () => {
  test('importing main.ts synthesizes nothing (a test can call buildApp)', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const app = require(path.join(dir, 'main.ts')).buildApp();
    expect(Object.keys(app.synthFiles())).toContain('apps/hello-api.yaml');
    expect(fs.existsSync(path.join(dir, 'manifests'))).toBe(false);
  });

  test('run by cdk8s synth with the documented cdk8s.yaml: writes the files the Quickstart shows and the stream the CLI prints; --check then passes', () => {
    expect(cdk8sYaml.app).toBe('npx tsx main.ts');
    // What `cdk8s synth --stdout` does: run `app` with CDK8S_OUTDIR set to a fresh folder, then print its .yaml files.
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-'));
    try {
      const synth = runMain([], { CDK8S_OUTDIR: outdir });
      expect(synth.stderr).toBe('');
      expect(synth.status).toBe(0);
      const shown = resultTree.split('\n').filter(l => l.startsWith('  ')).map(l => l.trim().split(/\s+/)[0]).sort();
      expect(shown.length).toBeGreaterThan(0);
      expect(filesBelow(path.join(dir, 'manifests'))).toEqual(shown);
      expect(filesBelow(outdir)).toEqual(['manifests.k8s.yaml']);
      const documents = parseAllDocuments(fs.readFileSync(path.join(outdir, 'manifests.k8s.yaml'), 'utf8')).map(d => d.toJS());
      const committed = shown.map(f => parse(fs.readFileSync(path.join(dir, 'manifests', f), 'utf8')));
      expect(documents).toEqual(committed);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
    const check = runMain(['--check']);
    expect(check.status).toBe(0);
    expect(check.stdout).toContain('manifests: up to date');
  });

  test('the snapshot test and jest config run as written: the first run writes the snapshot, a change fails --ci', () => {
    const first = runJest(['--ci=false']);
    expect(first.status).toBe(0);
    const snapshot = fs.readFileSync(path.join(dir, 'test', '__snapshots__', 'main.test.ts.snap'), 'utf8');
    expect(snapshot).toContain('"apps/hello-api.yaml"');
    expect(runJest(['--ci']).status).toBe(0);
    const original = fs.readFileSync(path.join(dir, 'main.ts'), 'utf8');
    fs.writeFileSync(path.join(dir, 'main.ts'), original.replace("'nginx:1.27'", "'nginx:1.28'"));
    try {
      const changed = runJest(['--ci']);
      expect(changed.status).not.toBe(0);
      expect(changed.stderr).toContain('nginx:1.28');
    } finally {
      fs.writeFileSync(path.join(dir, 'main.ts'), original);
    }
  });
});
