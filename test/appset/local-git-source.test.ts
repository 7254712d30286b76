import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { expandApplicationSet, LocalGitSource } from '../../src/engine/appset';

const REPO = 'https://github.com/acme/gitops.git';
let dir: string;

function git(...args: string[]): void {
  execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: dir, stdio: 'ignore' });
}

function write(file: string, content: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  fs.writeFileSync(path.join(dir, file), content);
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'appset-git-'));
  git('init', '-q');
  write('envs/staging/config.yaml', 'replicas: "1"\n');
  git('add', '.');
  git('commit', '-qm', 'staging');
  write('envs/production/config.yaml', 'replicas: "3"\n');
  write('envs/staging/config.yaml', 'replicas: "2"\n');
  write('.gitignore', 'envs/ignored/\n');
  write('envs/ignored/config.yaml', 'replicas: "9"\n');
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const appSet = {
  kind: 'ApplicationSet',
  metadata: { name: 'envs', namespace: 'argocd' },
  spec: {
    generators: [{ git: { repoURL: REPO, revision: 'HEAD', files: [{ path: 'envs/*/config.yaml' }] } }],
    template: { metadata: { name: '{{path.basename}}-{{replicas}}' }, spec: { project: 'default', destination: {} } },
  },
};

const names = (source: LocalGitSource): string[] => expandApplicationSet(appSet, { git: source }).applications.map(a => a.metadata.name);

describe('LocalGitSource', () => {
  test('the working tree: tracked and untracked files with their current content, ignored files left out', () => {
    expect(names(new LocalGitSource({ root: path.join(dir, 'envs') }))).toEqual(['production-3', 'staging-2']);
  });

  test('a revision: only what was committed, as it was committed', () => {
    expect(names(new LocalGitSource({ root: dir, revision: 'HEAD' }))).toEqual(['staging-1']);
  });

  test('fails when a generator names a repository the checkout does not stand for', () => {
    expect(() => names(new LocalGitSource({ root: dir, repoURLs: ['https://github.com/acme/other'] })))
      .toThrow(/git generator repository 'https:\/\/github\.com\/acme\/gitops\.git' is not available offline/);
  });

  test('repository URLs match regardless of .git and a trailing slash', () => {
    expect(names(new LocalGitSource({ root: dir, repoURLs: ['https://github.com/acme/gitops/'] }))).toHaveLength(2);
  });

  test('fails when the directory is not inside a Git repository', () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'appset-nogit-'));
    expect(() => names(new LocalGitSource({ root: outside }))).toThrow(/is not inside a Git repository/);
    fs.rmSync(outside, { recursive: true, force: true });
  });
});
