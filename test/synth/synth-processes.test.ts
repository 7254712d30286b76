import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { directoryTree } from './directory-tree';
import { buildLoadApp } from './fixtures/synth-child';
import { fileSystemErrorMessage } from '../../src/synth/file-system-error';
import { quietly } from '../util/synth';

// Real separate synth processes: kill -9 in the middle of writing, two at once, another user.
jest.setTimeout(180_000);

const CHILD = path.join(__dirname, 'fixtures', 'synth-child.ts');
const LOCK = '.cdk8s-argocd-synth.lock';

interface Child {
  readonly process: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

function startSynth(args: Array<string | number>, options: { withoutPrivileges?: boolean } = {}): Child {
  const command = [process.execPath, '-r', 'ts-node/register', CHILD, ...args.map(String)];
  // Root bypasses file permissions. Without its capabilities (setpriv) it is bound by the owner
  // bits like any user, and can still read the checkout wherever it is.
  const unprivileged = options.withoutPrivileges && process.getuid?.() === 0;
  const [program, ...programArgs] = unprivileged ? ['setpriv', '--inh-caps=-all', '--bounding-set=-all', '--', ...command] : command;
  const child = spawn(program, programArgs, {
    cwd: path.join(__dirname, '..', '..'),
    env: { ...process.env, TS_NODE_PROJECT: 'test/tsconfig.json', TS_NODE_TRANSPILE_ONLY: '1', CDK8S_ARGOCD_CHECK: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', d => output += d);
  child.stderr!.on('data', d => output += d);
  const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)));
  return { process: child, output: () => output, exited };
}

async function until(what: string, condition: () => boolean, child?: Child): Promise<void> {
  const deadline = Date.now() + 120_000;
  let exited = false;
  void child?.exited.then(() => exited = true);
  while (!condition()) {
    if (exited) throw new Error(`synth exited before ${what}; output:\n${child!.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output:\n${child?.output()}`);
    await new Promise(r => setTimeout(r, 5));
  }
}

const tmpdirs: string[] = [];
function tmpdir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-argocd-procs-'));
  tmpdirs.push(dir);
  return dir;
}
afterAll(() => tmpdirs.forEach(dir => fs.rmSync(dir, { recursive: true, force: true })));


function filesUnder(dir: string): string[] {
  return Object.keys(directoryTree(dir)).filter(k => k.endsWith('.yaml'));
}

test('a synth killed with SIGKILL while writing leaves no 0-byte file in the way: the next synth finishes the job', async () => {
  const dir = path.join(tmpdir(), 'manifests');
  // A previous version of every file, so the killed synth is overwriting as well as creating.
  quietly(() => buildLoadApp(dir, 20, 25, 1).synth());
  const child = startSynth([dir, 20, 25, 16000]);
  // Kill once it holds the lock and has rewritten some files (app-0 comes first), but not all of them.
  const size = (file: string) => {
    try {
      return fs.statSync(file).size;
    } catch {
      return 0; // a temporary file renamed away meanwhile
    }
  };
  await until('the synth to start writing', () => fs.existsSync(path.join(dir, LOCK))
    && fs.readdirSync(path.join(dir, 'app-0')).some(f => size(path.join(dir, 'app-0', f)) > 16000), child);
  child.process.kill('SIGKILL');
  await child.exited;
  expect(fs.existsSync(path.join(dir, LOCK))).toBe(true); // the dead synth's lock is still there
  const sizes = filesUnder(dir).map(f => fs.statSync(path.join(dir, f)).size);
  expect(sizes.some(bytes => bytes < 16000)).toBe(true); // killed halfway: some files are still old

  const next = buildLoadApp(dir, 20, 25, 16000);
  quietly(() => next.synth());

  expect(next.check()).toEqual({ upToDate: true, changedFiles: [], diff: '' });
  const tree = directoryTree(dir);
  expect(Object.keys(tree).filter(k => /\.cdk8s-argocd-(tmp|synth)/.test(k))).toEqual([]);
  expect(filesUnder(dir)).toHaveLength(20 * 26);
});

test('a synth waits while another live synth holds the outdir lock, saying which pid, then writes', async () => {
  const dir = path.join(tmpdir(), 'manifests');
  fs.mkdirSync(dir);
  // This jest worker plays the other synth.
  fs.writeFileSync(path.join(dir, LOCK), JSON.stringify({ pid: process.pid, host: os.hostname() }));
  const child = startSynth([dir, 2, 2]);
  await until('the waiting message', () => child.output().includes(`waiting for another synth (pid ${process.pid}) to finish writing it`), child);
  expect(filesUnder(dir)).toEqual([]);

  fs.rmSync(path.join(dir, LOCK));
  expect(await child.exited).toBe(0);
  expect(buildLoadApp(dir, 2, 2, 10).check().upToDate).toBe(true);
  expect(fs.existsSync(path.join(dir, LOCK))).toBe(false);
});

test('a lock left by a synth that died is taken over', () => {
  const dir = path.join(tmpdir(), 'manifests');
  fs.mkdirSync(dir);
  const dead = spawnSyncPid();
  fs.writeFileSync(path.join(dir, LOCK), JSON.stringify({ pid: dead, host: os.hostname() }));
  const lines: string[] = [];
  const error = jest.spyOn(console, 'error').mockImplementation(line => lines.push(String(line)));
  try {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    buildLoadApp(dir, 1, 1, 10).synth();
    log.mockRestore();
  } finally {
    error.mockRestore();
  }
  expect(lines.join('\n')).toContain(`removing the lock of a synth that is no longer running (pid ${dead})`);
  expect(fs.existsSync(path.join(dir, LOCK))).toBe(false);
  expect(filesUnder(dir)).toEqual(['app-0/configmap-app-0-cm-0.yaml', 'apps/app-0.yaml']);
});

test('two synths started at once on one outdir both succeed, one after the other', async () => {
  const base = tmpdir();
  const dir = path.join(base, 'manifests');
  // Existing output with stale files, so both synths plan the same removals and rewrites.
  quietly(() => buildLoadApp(dir, 60, 20, 1).synth());
  const go = path.join(base, 'go');
  const children = [startSynth([dir, 40, 20, 2000, go]), startSynth([dir, 40, 20, 2000, go])];
  await until('both synths to be ready', () => children.every(c => c.output().includes('ready')));
  fs.writeFileSync(go, '');
  const codes = await Promise.all(children.map(c => c.exited));
  if (codes.some(code => code !== 0)) throw new Error(`exit codes ${codes.join(', ')}; output:\n${children.map(c => c.output()).join('\n---\n')}`);
  expect(buildLoadApp(dir, 40, 20, 2000).check()).toEqual({ upToDate: true, changedFiles: [], diff: '' });
  expect(Object.keys(directoryTree(dir)).filter(k => /\.cdk8s-argocd-(tmp|synth)/.test(k))).toEqual([]);
});

test('a read-only outdir gives one clear line and nothing is written', async () => {
  const base = tmpdir();
  const dir = path.join(base, 'manifests');
  quietly(() => buildLoadApp(dir, 1, 1, 10).synth());
  fs.chmodSync(dir, 0o555);
  const before = directoryTree(base);
  const child = startSynth([dir, 2, 2], { withoutPrivileges: true });
  try {
    expect(await child.exited).toBe(1);
  } finally {
    fs.chmodSync(dir, 0o755);
  }
  fs.chmodSync(dir, 0o555);
  expect(child.output().trim()).toMatch(new RegExp(`^${dir}: permission denied: make it writable for this user \\(e.g. chmod u\\+w\\) or run synth as its owner. Nothing was written.$`));
  expect(directoryTree(base)).toEqual(before);
  fs.chmodSync(dir, 0o755);
});

test('file-system errors root cannot avoid (read-only file system, full disk) map to one line with what to do', () => {
  const error = (code: string) => Object.assign(new Error(`${code}: raw`), { code, path: '/srv/repo/manifests/x.yaml' });
  expect(fileSystemErrorMessage(error('EROFS'), 'fallback')).toBe('/srv/repo/manifests/x.yaml is on a read-only file system: synthesize into a writable directory');
  expect(fileSystemErrorMessage(error('ENOSPC'), 'fallback')).toBe('/srv/repo/manifests/x.yaml: no space left on the device: free some space and run synth again');
  expect(fileSystemErrorMessage(new Error('not a file-system error'), 'fallback')).toBeUndefined();
});

function spawnSyncPid(): number {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { spawnSync } = require('child_process') as typeof import('child_process');
  const result = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  return Number(result.stdout.trim());
}
