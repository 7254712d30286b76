import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resolveSynthCommand } from '../../src/images/set-image';
import { runInProcess } from '../cli/run-in-process';

// set-image in real processes: a tiny project whose synth (cdk8s.yaml `app`) is a node script
// that writes manifests/images.txt from images.yaml and logs when it starts and ends.
jest.setTimeout(180_000);

const REPO = path.join(__dirname, '..', '..');
const SYNTH = `
const fs = require('fs');
const { parse } = require(${JSON.stringify(require.resolve('yaml'))});
fs.appendFileSync('synth.log', 'start ' + process.ppid + '\\n');
if (process.env.HOLD_SYNTH) while (!fs.existsSync('go')) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
const images = parse(fs.readFileSync('images.yaml', 'utf8'));
fs.mkdirSync('manifests', { recursive: true });
fs.writeFileSync('manifests/images.txt', Object.entries(images).map(([k, v]) => k + '=' + v).join('\\n') + '\\n');
fs.appendFileSync('synth.log', 'end ' + process.ppid + '\\n');
if (process.env.FAIL_SYNTH) { console.error('synth: broken on purpose'); process.exit(3); }
`;
const IMAGES = '# Pinned by CI.\nhello-api: ghcr.io/acme/hello-api:1.4.2\nworker: ghcr.io/acme/worker:2.0.0 # queue\n';

let dir: string;
let cwd: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-argocd-set-image-'));
  fs.writeFileSync(path.join(dir, 'images.yaml'), IMAGES);
  fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), 'language: typescript\napp: node synth.js\n');
  fs.writeFileSync(path.join(dir, 'synth.js'), SYNTH);
  cwd = process.cwd();
  process.chdir(dir);
});
afterEach(() => {
  process.chdir(cwd);
  fs.rmSync(dir, { recursive: true, force: true });
});

const read = (file: string) => fs.readFileSync(path.join(dir, file), 'utf8');

interface Child {
  readonly process: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

function startSetImage(args: string[], env: NodeJS.ProcessEnv = {}): Child {
  const child = spawn(process.execPath, ['-r', require.resolve('ts-node/register'), path.join(REPO, 'src', 'cli', 'main.ts'), 'set-image', ...args], {
    cwd: dir,
    env: { ...process.env, TS_NODE_PROJECT: path.join(REPO, 'test', 'tsconfig.json'), TS_NODE_TRANSPILE_ONLY: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', d => output += d);
  child.stderr!.on('data', d => output += d);
  const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)));
  return { process: child, output: () => output, exited };
}

async function until(what: string, condition: () => boolean, child: Child): Promise<void> {
  const deadline = Date.now() + 120_000;
  let exited = false;
  void child.exited.then(() => exited = true);
  while (!condition()) {
    if (exited) throw new Error(`set-image exited before ${what}; output:\n${child.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output:\n${child.output()}`);
    await new Promise(r => setTimeout(r, 20));
  }
}

test('updates the file in place and re-synthesizes with cdk8s.yaml\'s app', async () => {
  fs.writeFileSync(path.join(dir, '.images.yaml.tmp-4194301'), 'hello-api: half-writ'); // left by a killed run
  const result = await runInProcess('set-image', 'hello-api=ghcr.io/acme/hello-api:1.5.0');
  expect(result.stderr).toContain('images.yaml: hello-api=ghcr.io/acme/hello-api:1.5.0 (was ghcr.io/acme/hello-api:1.4.2)');
  expect(result.stderr).toContain('synth: node synth.js');
  expect(result.code).toBe(0);
  expect(read('images.yaml')).toBe(IMAGES.replace('1.4.2', '1.5.0'));
  expect(read('manifests/images.txt')).toBe('hello-api=ghcr.io/acme/hello-api:1.5.0\nworker=ghcr.io/acme/worker:2.0.0\n');
  expect(fs.readdirSync(dir).filter(f => f.startsWith('.'))).toEqual([]); // no lock or temp file left
});

test('refuses invalid references, unknown names (unless --add) and files it cannot read, changing nothing', async () => {
  const bad = await runInProcess('set-image', 'hello-api=ghcr.io/acme/Hello-api:1.5.0', 'worker=ghcr.io/acme/worker');
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain("hello-api: 'ghcr.io/acme/Hello-api:1.5.0' is not an image reference: the repository must be lower case");
  expect(bad.stderr).toContain("worker: 'ghcr.io/acme/worker' has no tag or digest");
  const unknown = await runInProcess('set-image', 'helo-api=ghcr.io/acme/hello-api:1.5.0');
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain("images.yaml has no image 'helo-api' (known: hello-api, worker): fix the name, or pass --add to add it");
  expect(read('images.yaml')).toBe(IMAGES);
  expect(fs.existsSync(path.join(dir, 'synth.log'))).toBe(false);

  const added = await runInProcess('set-image', '--add', 'web=nginx:1.27');
  expect(added.code).toBe(0);
  expect(read('images.yaml')).toBe(`${IMAGES}web: nginx:1.27\n`);

  fs.writeFileSync(path.join(dir, 'images.yaml'), 'hello-api: [\n');
  const malformed = await runInProcess('set-image', 'hello-api=ghcr.io/acme/hello-api:1.5.0');
  expect(malformed.code).toBe(2);
  expect(malformed.stderr).toMatch(/error: images\.yaml:2:1: /);
});

test('a failed synth puts the images file back and exits 1', async () => {
  process.env.FAIL_SYNTH = '1';
  try {
    const result = await runInProcess('set-image', 'hello-api=ghcr.io/acme/hello-api:1.5.0');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('synth failed (exit 3); images.yaml is put back as it was');
  } finally {
    delete process.env.FAIL_SYNTH;
  }
  expect(read('images.yaml')).toBe(IMAGES);
});

test('the synth command: cdk8s.yaml app, else npm run synth, else a clear error', () => {
  expect(resolveSynthCommand(dir)).toBe('node synth.js');
  fs.rmSync(path.join(dir, 'cdk8s.yaml'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ scripts: { synth: 'tsx main.ts' } }));
  expect(resolveSynthCommand(dir)).toBe('npm run synth');
  fs.writeFileSync(path.join(dir, 'package.json'), '{}');
  expect(() => resolveSynthCommand(dir)).toThrow(/no synth command: .* has no cdk8s.yaml with an 'app' and no 'synth' script in package.json; pass --synth '<command>'/);
});

test('a second set-image waits for the first (file and synth), then applies its change on top', async () => {
  const first = startSetImage(['hello-api=ghcr.io/acme/hello-api:1.5.0'], { HOLD_SYNTH: '1' });
  await until('the first synth to start', () => fs.existsSync(path.join(dir, 'synth.log')), first);
  const second = startSetImage(['worker=ghcr.io/acme/worker:2.1.0']);
  await until('the second to wait', () => second.output().includes(`images.yaml: waiting for another set-image (pid ${first.process.pid}) to finish`), second);
  // The second has not touched the file while the first holds the lock.
  expect(read('images.yaml')).toBe(IMAGES.replace('1.4.2', '1.5.0'));
  fs.writeFileSync(path.join(dir, 'go'), '');
  expect(await first.exited).toBe(0);
  expect(await second.exited).toBe(0);

  expect(read('images.yaml')).toBe(IMAGES.replace('1.4.2', '1.5.0').replace('2.0.0', '2.1.0'));
  expect(read('manifests/images.txt')).toBe('hello-api=ghcr.io/acme/hello-api:1.5.0\nworker=ghcr.io/acme/worker:2.1.0\n');
  // The synths ran one after the other (the shell is the synth's parent: the pids differ per run).
  expect(read('synth.log').split('\n').filter(Boolean).map(l => l.split(' ')[0])).toEqual(['start', 'end', 'start', 'end']);
});

test('two set-image runs started at once both keep their change', async () => {
  const a = startSetImage(['hello-api=ghcr.io/acme/hello-api:1.6.0']);
  const b = startSetImage(['worker=ghcr.io/acme/worker:2.2.0']);
  expect(await a.exited).toBe(0);
  expect(await b.exited).toBe(0);
  expect(read('images.yaml')).toBe(IMAGES.replace('1.4.2', '1.6.0').replace('2.0.0', '2.2.0'));
  expect(read('manifests/images.txt')).toBe('hello-api=ghcr.io/acme/hello-api:1.6.0\nworker=ghcr.io/acme/worker:2.2.0\n');
  const log = read('synth.log').split('\n').filter(Boolean);
  expect(log).toHaveLength(4);
  expect(log[0].split(' ')[1]).toBe(log[1].split(' ')[1]); // never interleaved
});

test('gives up after --lock-timeout, naming the holder and the lock file', async () => {
  // This jest worker plays a set-image that never finishes.
  fs.writeFileSync(path.join(dir, '.images.yaml.lock'), JSON.stringify({ pid: process.pid, host: os.hostname() }));
  const started = Date.now();
  const result = await runInProcess('set-image', '--lock-timeout', '1', 'hello-api=ghcr.io/acme/hello-api:1.5.0');
  expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(`images.yaml: waiting for another set-image (pid ${process.pid}) to finish`);
  expect(result.stderr).toContain(`error: another set-image (pid ${process.pid}) has held .images.yaml.lock for more than 1 s: wait for it to finish, or, if none is running, delete .images.yaml.lock`);
  expect(read('images.yaml')).toBe(IMAGES);
});
