import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * `cdk8s-argocd init` as a user runs it (README Quickstart): this package compiled and packed,
 * `init` into an empty directory with `--package <tarball>`, then `npm install` from the npm
 * registry, `npm test`, `npm run synth:check` and `npm run typecheck` there. Needs no cluster; it is
 * here because it is slow (compile, pack, npm install). Prints the time from init to a green npm test.
 */

const REPO = path.join(__dirname, '..', '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

jest.setTimeout(20 * 60_000);

let work: string;

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    // A synth setting of the caller must not leak into the user's repository.
    env: { ...process.env, CDK8S_OUTDIR: '', CDK8S_ARGOCD_CHECK: '', ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) {
    process.stderr.write(`$ ${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status}\n${r.stdout}\n${r.stderr}\n`);
  }
  return r;
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-argocd-init-e2e-'));
});

afterAll(() => {
  if (process.env.CDK8S_ARGOCD_E2E_KEEP !== '1') fs.rmSync(work, { recursive: true, force: true });
});

test('init, npm install, npm test, synth:check and typecheck in the new repository', () => {
  const t0 = Date.now();
  expect(run('npx', ['projen', 'compile'], REPO).status).toBe(0);
  const packDir = path.join(work, 'cdk8s-argocd');
  fs.mkdirSync(packDir);
  const pack = run(NPM, ['pack', '--pack-destination', packDir], REPO);
  expect(pack.status).toBe(0);
  const tarball = path.join('cdk8s-argocd', pack.stdout.trim().split('\n').pop()!);
  expect(fs.existsSync(path.join(work, tarball))).toBe(true);
  const t1 = Date.now();

  // The Quickstart's command, from the folder holding the tarball.
  const init = run(process.execPath, [path.join(REPO, 'lib', 'cli', 'main.js'), 'init', 'my-gitops',
    '--repo-url', 'https://github.com/acme/my-gitops.git', '--package', tarball], work);
  expect(init.stderr).toBe('');
  expect(init.status).toBe(0);
  const dir = path.join(work, 'my-gitops');
  const snapshot = fs.readFileSync(path.join(dir, 'test/__snapshots__/main.test.ts.snap'), 'utf8');
  expect(JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).dependencies['cdk8s-argocd'])
    .toBe(`file:../${tarball}`);

  const install = run(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund'], dir);
  expect(install.status).toBe(0);
  const t2 = Date.now();
  // As in CI (CI=true): a missing or different snapshot fails rather than being written.
  const test = run(NPM, ['test'], dir, { CI: 'true' });
  expect(test.status).toBe(0);
  expect(test.stderr).toMatch(/Snapshots:\s+1 passed, 1 total/);
  const t3 = Date.now();
  process.stderr.write(`[init e2e] compile + pack ${((t1 - t0) / 1000).toFixed(1)}s; ` +
    `init → green npm test ${((t3 - t1) / 1000).toFixed(1)}s (npm install ${((t2 - t1) / 1000).toFixed(1)}s, npm test ${((t3 - t2) / 1000).toFixed(1)}s)\n`);

  const check = run(NPM, ['run', 'synth:check'], dir);
  expect(check.status).toBe(0);
  expect(check.stdout).toContain('manifests: up to date');
  expect(run(NPM, ['run', 'typecheck'], dir).status).toBe(0);
  // The package's CLI works from the user's repository.
  const version = run('npx', ['cdk8s-argocd', '--version'], dir);
  expect(version.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version);

  // Nothing the checks did changed the first commit; node_modules is ignored.
  expect(fs.readFileSync(path.join(dir, 'test/__snapshots__/main.test.ts.snap'), 'utf8')).toBe(snapshot);
  const status = run('git', ['status', '--porcelain', '--untracked-files=normal'], dir);
  expect(status.stdout.split('\n').filter(Boolean).map(l => l.slice(3)).sort()).toEqual([
    '.github/', '.gitignore', 'cdk8s.yaml', 'jest.config.js', 'main.ts', 'manifests/', 'package-lock.json', 'package.json', 'test/', 'tsconfig.json',
  ]);
});
