/**
 * The proof that the jsii language packages work: examples/basic written in Python and in Go, run
 * against the packages `npm run package:all` builds — installed the way a user installs them, into
 * a fresh virtualenv (dependencies from PyPI) and a fresh Go module (dependencies from the Go module
 * proxy) — synthesizes a committed directory byte-identical to the TypeScript example's
 * examples/basic/manifests.
 *
 * Run by `npm run test:languages` (part of `npm test`), which compiles lib/ first. A package is
 * rebuilt only when the npm package's content changed since it was built (see packageFingerprint).
 */
import { spawnSync, SpawnSyncOptions } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createTwoFilesPatch } from 'diff';

const root = path.join(__dirname, '..', '..');
const exampleDir = path.join(root, 'examples', 'basic');
const expectedDir = path.join(exampleDir, 'manifests');
const dist = path.join(root, 'dist');
// The jsii runtime's banner about Node 20's end of life would drown the output we show on failure.
const env = { ...process.env, JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '1' };

let scratch: string;
beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-argocd-languages-'));
  assertLibIsCurrent();
});
afterAll(() => {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

test('Python: examples/basic/python/main.py synthesizes examples/basic/manifests byte for byte', () => {
  const python = requireTool('python3', ['--version'], 'the Python proof needs python3 (3.10 or newer) with venv and pip');
  const timings: string[] = [];
  const timed = <T>(what: string, fn: () => T): T => {
    const start = Date.now();
    try { return fn(); } finally { timings.push(`${what} ${((Date.now() - start) / 1000).toFixed(1)}s`); }
  };
  expectPinsMatchNpm('python/requirements.txt', (name, version) => `${name}==${version}`);

  timed('package:python', () => ensurePackage('python'));
  const wheels = fs.readdirSync(path.join(dist, 'python')).filter(f => f.endsWith('.whl'));
  if (wheels.length !== 1) throw new Error(`expected one wheel in dist/python, found: ${wheels.join(', ') || 'none'}`);

  const venv = path.join(scratch, 'venv');
  timed('venv + pip install', () => {
    run(python, ['-m', 'venv', venv], {}, `${python} -m venv failed: the Python proof needs the venv module (on Debian: apt-get install python3-venv)`);
    run(path.join(venv, 'bin', 'pip'), [
      'install', '--disable-pip-version-check', '--quiet',
      '-r', path.join(exampleDir, 'python', 'requirements.txt'),
      path.join(dist, 'python', wheels[0]),
    ]);
  });

  const outdir = path.join(scratch, 'python-out');
  timed('python main.py', () => run(path.join(venv, 'bin', 'python'), [path.join(exampleDir, 'python', 'main.py'), outdir]));
  console.log(`Python proof: ${timings.join(', ')}`);
  expectSameTree(outdir, expectedDir);
});

test('Go: examples/basic/go synthesizes examples/basic/manifests byte for byte', () => {
  const go = requireTool('go', ['version'], 'the Go proof needs Go 1.25 or newer');
  const timings: string[] = [];
  const timed = <T>(what: string, fn: () => T): T => {
    const start = Date.now();
    try { return fn(); } finally { timings.push(`${what} ${((Date.now() - start) / 1000).toFixed(1)}s`); }
  };

  const goModules: Record<string, string> = {
    'cdk8s': 'github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2',
    'cdk8s-plus-28': 'github.com/cdk8s-team/cdk8s-plus-go/cdk8splus28/v2',
    'constructs': 'github.com/aws/constructs-go/constructs/v10',
  };
  expectPinsMatchNpm('go/go.mod', (name, version) => `${goModules[name]} v${version}`);

  timed('package:go', () => ensurePackage('go'));

  // A fresh module: the example's own go.mod and main.go, with our module replaced by the built one.
  // The other modules in dist/go are the dependencies package:go had to build from node_modules
  // because the Go module proxy does not serve them (scripts/package-go.js); the rest come from it.
  const moduleDir = path.join(scratch, 'go-example');
  fs.mkdirSync(moduleDir);
  for (const file of ['go.mod', 'main.go']) fs.copyFileSync(path.join(exampleDir, 'go', file), path.join(moduleDir, file));
  const replaces = fs.readdirSync(path.join(dist, 'go')).sort().map(name => {
    const dir = path.join(dist, 'go', name);
    const modulePath = /^module\s+(\S+)/m.exec(fs.readFileSync(path.join(dir, 'go.mod'), 'utf8'))?.[1];
    if (!modulePath) throw new Error(`dist/go/${name}/go.mod names no module`);
    return `-replace=${modulePath}=${dir}`;
  });
  expect(replaces.some(r => r.startsWith('-replace=github.com/cdk8s-argocd/cdk8s-argocd-go/cdk8sargocd='))).toBe(true);

  const outdir = path.join(scratch, 'go-out');
  timed('go mod tidy', () => {
    run(go, ['mod', 'edit', ...replaces], { cwd: moduleDir });
    run(go, ['mod', 'tidy'], { cwd: moduleDir });
  });
  timed('go run', () => run(go, ['run', '.', outdir], { cwd: moduleDir }));
  console.log(`Go proof: ${timings.join(', ')}`);
  expectSameTree(outdir, expectedDir);
});

/**
 * The examples pin cdk8s, cdk8s-plus-28 and constructs at the versions npm installed for the
 * TypeScript example (another cdk8s-plus could synthesize other defaults): say which pin is stale.
 */
function expectPinsMatchNpm(file: string, pinOf: (npmName: string, version: string) => string): void {
  const text = fs.readFileSync(path.join(exampleDir, file), 'utf8');
  for (const name of ['cdk8s', 'cdk8s-plus-28', 'constructs']) {
    const version = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')).version as string;
    const pin = pinOf(name, version);
    if (!text.split('\n').some(line => line.trim() === pin)) {
      throw new Error(`examples/basic/${file} must pin \`${pin}\` (npm installed ${name}@${version} for the TypeScript example)`);
    }
  }
}

/** Runs a command; a non-zero exit throws with its output, so the failure says what went wrong. */
function run(command: string, args: string[], options: SpawnSyncOptions = {}, failure?: string): string {
  const result = spawnSync(command, args, { cwd: root, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...options });
  if (result.error) throw new Error(`${command} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-60).join('\n');
    throw new Error(`${failure ?? `\`${command} ${args.join(' ')}\` failed`} (exit ${result.status}):\n${output}`);
  }
  return String(result.stdout);
}

/** The toolchain's command, or an error naming the missing toolchain (never a silent skip). */
function requireTool(command: string, versionArgs: string[], needs: string): string {
  const result = spawnSync(command, versionArgs, { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new Error(`\`${command} ${versionArgs.join(' ')}\` failed (${result.error?.message ?? `exit ${result.status}`}): ${needs} on PATH`);
  }
  return command;
}

/** The packages embed the npm package built from lib/: a lib/ older than src/ would prove old code. */
function assertLibIsCurrent(): void {
  const assembly = path.join(root, '.jsii');
  if (!fs.existsSync(assembly)) throw new Error('.jsii is missing: run `npx projen compile` first (`npm run test:languages` does)');
  const built = fs.statSync(assembly).mtimeMs;
  const newer = listFiles(path.join(root, 'src')).filter(f => fs.statSync(path.join(root, 'src', f)).mtimeMs > built);
  if (newer.length > 0) throw new Error(`src/${newer[0]} is newer than .jsii: run \`npx projen compile\` first (\`npm run test:languages\` does)`);
}

/**
 * Builds dist/<language> with `npx projen package:<language>` unless it was built from the same npm
 * package content: the files `npm pack` would ship (bundled dependencies through the lockfile), the
 * jsii-pacmak version and, for Go, the script that decides which dependencies are built locally.
 */
function ensurePackage(language: 'python' | 'go'): void {
  const stamp = path.join(dist, `.fingerprint-${language}`);
  const wanted = packageFingerprint(language);
  if (fs.existsSync(path.join(dist, language)) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === wanted) return;
  fs.rmSync(stamp, { force: true });
  run('npx', ['projen', `package:${language}`], {}, `\`npx projen package:${language}\` failed`);
  fs.writeFileSync(stamp, wanted);
}

let packedFiles: string[] | undefined;
function packageFingerprint(language: string): string {
  if (!packedFiles) {
    const packed = JSON.parse(run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts']))[0] as { files: Array<{ path: string }> };
    packedFiles = packed.files.map(f => f.path).filter(f => !f.startsWith('node_modules/')).sort();
  }
  const hash = createHash('sha256');
  const inputs = [...packedFiles, 'package-lock.json', 'node_modules/jsii-pacmak/package.json', ...(language === 'go' ? ['scripts/package-go.js'] : [])];
  for (const file of inputs) {
    hash.update(`${file}\0`);
    hash.update(fs.readFileSync(path.join(root, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

function listFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap(entry => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? listFiles(dir, relative) : [relative];
  }).sort();
}

/** Same file names (dotfiles included) and the same bytes; the first difference is shown as a diff. */
function expectSameTree(actualDir: string, wantedDir: string): void {
  const actual = listFiles(actualDir);
  const wanted = listFiles(wantedDir);
  expect(actual).toEqual(wanted);
  for (const file of wanted) {
    const got = fs.readFileSync(path.join(actualDir, file));
    const want = fs.readFileSync(path.join(wantedDir, file));
    if (!got.equals(want)) {
      throw new Error(`${file} differs from examples/basic/manifests/${file}:\n${createTwoFilesPatch(`manifests/${file}`, `synthesized/${file}`, want.toString('utf8'), got.toString('utf8'))}`);
    }
  }
}
