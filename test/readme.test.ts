import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { runInProcess } from './cli/run-in-process';
import { filesBelow, linkDependencies, runJest, runMain } from './util/user-repository';

/**
 * The README's Quickstart as written: its `init` command run in a fresh directory, the files the
 * README shows compared with what init wrote, then the snapshot test, jest config and cdk8s.yaml
 * run the way a user would (with this checkout standing in for the `cdk8s-argocd` package, and
 * ts-node for tsx). test/e2e/init.e2e.test.ts does it with the packed package and npm install.
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

/** The paths a README tree block lists: indented lines, up to the first space. */
function treePaths(block: string): string[] {
  return block.split('\n').filter(l => l.startsWith('  ')).map(l => l.trim().split(/\s+/)[0]).sort();
}

const initBlock = blockAfter('create your GitOps repository with `init`', 'sh');
const writtenTree = blockAfter('`init` writes a complete first commit:', '');
const mainTs = blockAfter('`main.ts` exports a builder', 'ts');
const commandsBlock = blockAfter('`main.ts` exports a builder', 'sh');
const resultTree = blockAfter('The result:', '');
const jestConfig = blockAfter('`jest.config.js`:', 'js');
const snapshotTest = blockAfter('`test/main.test.ts`:', 'ts');
const cdk8sYaml = blockAfter('A standard `cdk8s.yaml` works', 'yaml');

let cwd: string;
let dir: string;
let initOutput: string;

beforeAll(async () => {
  cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-argocd-readme-'));
  // `node cdk8s-argocd/lib/cli/main.js init <dir> …`, with its paths taken from the README's working directory.
  const line = initBlock.split('\n').find(l => /\bmain\.js init\b/.test(l));
  if (!line) throw new Error('the Quickstart has no init command');
  const args = line.slice(line.indexOf(' init ') + 1).split(/\s+/).filter(Boolean);
  const pkg = args.indexOf('--package');
  fs.mkdirSync(path.join(cwd, path.dirname(args[pkg + 1])), { recursive: true });
  fs.writeFileSync(path.join(cwd, args[pkg + 1]), ''); // the tarball: npm install is the e2e test's
  args[pkg + 1] = path.join(cwd, args[pkg + 1]);
  dir = path.join(cwd, args[1]);
  args[1] = dir;
  const init = await runInProcess(...args);
  if (init.code !== 0) throw new Error(`init failed: ${init.stderr}`);
  initOutput = init.stdout;
  linkDependencies(dir);
});

afterAll(() => fs.rmSync(cwd, { recursive: true, force: true }));

describe('README Quickstart, as written', () => {
  test('init writes the files the README shows, and main.ts, the jest config, the snapshot test and cdk8s.yaml as the README prints them', () => {
    expect(initOutput).toContain('next:');
    const shown = treePaths(writtenTree);
    const written = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter(f => !f.startsWith('node_modules') && !f.startsWith('.git/') && f !== '.git')
      .map(f => f.split(path.sep).join('/'));
    // A listed folder (`manifests/`) stands for what is below it.
    for (const p of shown) expect(written.some(f => f === p || (p.endsWith('/') && f.startsWith(p)))).toBe(true);
    expect(written.filter(f => fs.statSync(path.join(dir, f)).isFile() && !f.startsWith('manifests/')).sort()).toEqual(shown.filter(p => !p.endsWith('/')));
    expect(fs.readFileSync(path.join(dir, 'main.ts'), 'utf8')).toBe(mainTs);
    expect(fs.readFileSync(path.join(dir, 'jest.config.js'), 'utf8')).toBe(jestConfig);
    expect(fs.readFileSync(path.join(dir, 'test', 'main.test.ts'), 'utf8')).toBe(snapshotTest);
    expect(fs.readFileSync(path.join(dir, 'cdk8s.yaml'), 'utf8')).toBe(cdk8sYaml);
  });

  test('every `npm run` script the Quickstart uses exists', () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).scripts;
    const used = [...(initBlock + commandsBlock).matchAll(/npm run ([\w:-]+)/g)].map(m => m[1]);
    expect(used.length).toBeGreaterThan(0);
    for (const script of used) expect(Object.keys(scripts)).toContain(script);
    expect(scripts.synth).toBe('tsx main.ts'); // what runMain stands in for
  });

  test('importing main.ts synthesizes nothing (a test can call buildApp)', () => {
    const manifests = path.join(dir, 'manifests');
    const written = filesBelow(manifests);
    fs.rmSync(manifests, { recursive: true });
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const app = require(path.join(dir, 'main.ts')).buildApp();
      expect(Object.keys(app.synthFiles())).toContain('apps/hello-api.yaml');
      expect(fs.existsSync(manifests)).toBe(false);
    } finally {
      expect(runMain(dir).status).toBe(0);
      expect(filesBelow(manifests)).toEqual(written);
    }
  });

  test('run by cdk8s synth with the documented cdk8s.yaml: writes the files the Quickstart shows and the stream the CLI prints; --check then passes', () => {
    expect(parse(cdk8sYaml).app).toBe('npx tsx main.ts');
    // What `cdk8s synth --stdout` does: run `app` with CDK8S_OUTDIR set to a fresh folder, then print its .yaml files.
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-'));
    try {
      const synth = runMain(dir, [], { CDK8S_OUTDIR: outdir });
      expect(synth.stderr).toBe('');
      expect(synth.status).toBe(0);
      const shown = treePaths(resultTree);
      expect(shown.length).toBeGreaterThan(0);
      expect(filesBelow(path.join(dir, 'manifests'))).toEqual(shown);
      expect(filesBelow(outdir)).toEqual(['manifests.k8s.yaml']);
      const documents = parseAllDocuments(fs.readFileSync(path.join(outdir, 'manifests.k8s.yaml'), 'utf8')).map(d => d.toJS());
      const committed = shown.map(f => parse(fs.readFileSync(path.join(dir, 'manifests', f), 'utf8')));
      expect(documents).toEqual(committed);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
    const check = runMain(dir, ['--check']);
    expect(check.status).toBe(0);
    expect(check.stdout).toContain('manifests: up to date');
  });

  test('the snapshot test and jest config run as written: init\'s snapshot passes in CI, a change fails it', () => {
    expect(runJest(dir, ['--ci']).status).toBe(0);
    const original = fs.readFileSync(path.join(dir, 'main.ts'), 'utf8');
    fs.writeFileSync(path.join(dir, 'main.ts'), original.replace("'nginx:1.27'", "'nginx:1.28'"));
    try {
      const changed = runJest(dir, ['--ci']);
      expect(changed.status).not.toBe(0);
      expect(changed.stderr).toContain('nginx:1.28');
    } finally {
      fs.writeFileSync(path.join(dir, 'main.ts'), original);
    }
  });

  test('without a snapshot, jest writes one locally and fails in CI', () => {
    const snapshots = path.join(dir, 'test', '__snapshots__');
    const initSnapshot = fs.readFileSync(path.join(snapshots, 'main.test.ts.snap'), 'utf8');
    fs.rmSync(snapshots, { recursive: true });
    expect(runJest(dir, ['--ci']).status).not.toBe(0);
    expect(runJest(dir, ['--ci=false']).status).toBe(0);
    // What jest writes is what init wrote.
    expect(fs.readFileSync(path.join(snapshots, 'main.test.ts.snap'), 'utf8')).toBe(initSnapshot);
  });
});
