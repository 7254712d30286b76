/**
 * What `argocd up` checks before it builds or starts anything: the repository it serves and the
 * URLs it stands for, and a running local cluster. (Argo CD itself runs in
 * test/conformance/argocd-real.test.ts.)
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ArgoCdError } from '../../src/argocd/build';
import { LocalArgoCd, resolveRepository } from '../../src/argocd/local-argocd';
import { runInProcess } from '../cli/run-in-process';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'argocd-up-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function git(...args: string[]): void {
  execFileSync('git', ['-c', 'user.email=t@example.test', '-c', 'user.name=t', ...args], { cwd: tmp, stdio: 'ignore' });
}

function committedRepo(): void {
  git('init', '-q', '-b', 'main');
  fs.writeFileSync(path.join(tmp, 'root.yaml'), 'kind: Application\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'root');
}

test('serves the work tree under its http(s) remotes, from any subdirectory', () => {
  committedRepo();
  git('remote', 'add', 'origin', 'https://git.example.test/acme/deploy.git');
  git('remote', 'add', 'mirror', 'git@git.example.test:acme/deploy.git');
  fs.mkdirSync(path.join(tmp, 'manifests'));
  expect(resolveRepository(path.join(tmp, 'manifests'))).toEqual({
    repository: fs.realpathSync(tmp),
    repoURLs: ['https://git.example.test/acme/deploy.git'],
  });
});

test('--repo-url replaces the remotes', () => {
  committedRepo();
  git('remote', 'add', 'origin', 'https://git.example.test/acme/deploy.git');
  expect(resolveRepository(tmp, ['http://other.example.test/x']).repoURLs).toEqual(['http://other.example.test/x']);
});

test('refuses a folder outside Git, a repository without a commit, and one with only SSH remotes', () => {
  expect(() => resolveRepository(tmp)).toThrow(/is not inside a Git repository: Argo CD reads committed manifests from Git/);
  git('init', '-q', '-b', 'main');
  expect(() => resolveRepository(tmp)).toThrow(/has no commit yet/);
  fs.writeFileSync(path.join(tmp, 'root.yaml'), 'kind: Application\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'root');
  expect(() => resolveRepository(tmp)).toThrow(/has no remote; pass --repo-url/);
  git('remote', 'add', 'origin', 'git@git.example.test:acme/deploy.git');
  expect(() => resolveRepository(tmp)).toThrow(ArgoCdError);
  expect(() => resolveRepository(tmp)).toThrow(/\(git@git.example.test:acme\/deploy.git\) are not http\(s\) URLs; pass --repo-url/);
});

test('argocd up without a running cluster says how to start one, and builds nothing', async () => {
  const res = await runInProcess('argocd', 'up', '--dir', path.join(tmp, 'no-cluster'), '--repo-root', tmp);
  expect(res.code).toBe(1);
  expect(res.stderr).toContain(`error: no running local cluster in ${path.join(tmp, 'no-cluster')}; start one first with: cdk8s-argocd cluster up`);
  expect(LocalArgoCd.open(path.join(tmp, 'no-cluster'))).toBeUndefined();
});

test('argocd status and down without an Argo CD say so', async () => {
  const st = await runInProcess('argocd', 'status', '--dir', tmp);
  expect(st.code).toBe(1);
  expect(st.stdout).toContain(`no Argo CD in ${path.join(tmp, 'argocd')} (start it with: cdk8s-argocd argocd up)`);
  const down = await runInProcess('argocd', 'down', '--dir', tmp);
  expect(down.code).toBe(0);
  expect(down.stdout).toContain(`no Argo CD in ${path.join(tmp, 'argocd')}`);
});
