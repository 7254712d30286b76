import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { currentCluster } from '../../src/cli/current-cluster';
import { defaultClusterDir, locateCluster } from '../../src/cluster/state-dir';
import { runInProcess } from '../cli/run-in-process';
import { writeFakeClusterState } from '../util/fake-cluster-state';


/** A Git repository (a `.git` folder is all the lookup needs) with a `src/deep` subdirectory. */
function repo(parent: string, name: string): string {
  const root = path.join(parent, name);
  fs.mkdirSync(path.join(root, '.git'), { recursive: true });
  fs.mkdirSync(path.join(root, 'src', 'deep'), { recursive: true });
  return fs.realpathSync(root);
}

describe('where the local cluster keeps its state', () => {
  const saved = { ...process.env };
  const cwd = process.cwd();
  let tmp: string;
  let stateHome: string;
  beforeEach(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'state-dir-')));
    stateHome = path.join(tmp, 'state-home');
    delete process.env.CDK8S_ARGOCD_CLUSTER_DIR;
    delete process.env.KUBECONFIG;
    process.env.XDG_STATE_HOME = stateHome;
  });
  afterEach(() => {
    process.chdir(cwd);
    // Key by key: a replaced process.env object no longer reaches os.homedir().
    for (const k of ['CDK8S_ARGOCD_CLUSTER_DIR', 'KUBECONFIG', 'XDG_STATE_HOME', 'HOME']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('outside the repository, in a per-user state directory keyed by the repository', () => {
    const root = repo(tmp, 'shop');
    const dir = defaultClusterDir(root);
    expect(dir.startsWith(path.join(stateHome, 'cdk8s-argocd', 'clusters', 'shop-'))).toBe(true);
    expect(path.relative(root, dir).startsWith('..')).toBe(true);
    expect(locateCluster({ cwd: root })).toMatchObject({ dir, repository: root });
  });

  test('found from any subdirectory of the repository', () => {
    const root = repo(tmp, 'shop');
    expect(defaultClusterDir(path.join(root, 'src'))).toBe(defaultClusterDir(root));
    expect(defaultClusterDir(path.join(root, 'src', 'deep'))).toBe(defaultClusterDir(root));
  });

  test('several repositories keep their clusters apart, also when they share a folder name', () => {
    const a = repo(path.join(tmp, 'a'), 'shop');
    const b = repo(path.join(tmp, 'b'), 'shop');
    const c = repo(tmp, 'billing');
    const dirs = [a, b, c].map((r) => defaultClusterDir(r));
    expect(new Set(dirs).size).toBe(3);
  });

  test('a symlinked path to the repository is the same repository', () => {
    const root = repo(tmp, 'shop');
    const link = path.join(tmp, 'link');
    fs.symlinkSync(root, link);
    expect(defaultClusterDir(path.join(link, 'src'))).toBe(defaultClusterDir(root));
  });

  test('without XDG_STATE_HOME: ~/.local/state', () => {
    delete process.env.XDG_STATE_HOME;
    process.env.HOME = path.join(tmp, 'home');
    const root = repo(tmp, 'shop');
    expect(defaultClusterDir(root).startsWith(path.join(tmp, 'home', '.local', 'state', 'cdk8s-argocd', 'clusters', 'shop-'))).toBe(true);
  });

  test('outside Git: keyed by the working directory', () => {
    const plain = path.join(tmp, 'plain');
    fs.mkdirSync(plain);
    expect(locateCluster({ cwd: plain })).toMatchObject({ repository: plain });
    expect(defaultClusterDir(plain)).not.toBe(defaultClusterDir(path.join(tmp)));
  });

  test('--dir and $CDK8S_ARGOCD_CLUSTER_DIR still choose the state directory', () => {
    const root = repo(tmp, 'shop');
    expect(locateCluster({ cwd: root, dir: 'x' })).toEqual({ dir: path.join(root, 'x'), chosenBy: '--dir' });
    process.env.CDK8S_ARGOCD_CLUSTER_DIR = '/tmp/elsewhere';
    expect(locateCluster({ cwd: root })).toEqual({ dir: '/tmp/elsewhere', chosenBy: '$CDK8S_ARGOCD_CLUSTER_DIR' });
  });

  test('an older version\'s state inside the repository is still found, gets a .gitignore, and a hint says how to move it', () => {
    const root = repo(tmp, 'shop');
    const legacy = path.join(root, '.cdk8s-argocd', 'cluster');
    writeFakeClusterState(legacy, 2 ** 22 + 12345);
    const found = locateCluster({ cwd: path.join(root, 'src') });
    expect(found).toMatchObject({ dir: legacy, repository: root, chosenBy: 'an older version\'s state in the repository' });
    expect(fs.readFileSync(path.join(root, '.cdk8s-argocd', '.gitignore'), 'utf8')).toBe('*\n');
    expect(found.hint).toContain('cdk8s-argocd cluster down --purge');
    expect(found.hint).toContain(path.join(stateHome, 'cdk8s-argocd', 'clusters', 'shop-'));
  });

  test('currentCluster finds the repository\'s running local cluster from a subdirectory', () => {
    const root = repo(tmp, 'shop');
    writeFakeClusterState(defaultClusterDir(root), process.pid);
    process.chdir(path.join(root, 'src', 'deep'));
    expect(currentCluster({}).kube.kubeconfig).toBe(path.join(defaultClusterDir(root), 'kubeconfig'));
  });

  test('cluster status from a subdirectory names where the state lives and which repository it belongs to', async () => {
    const root = repo(tmp, 'shop');
    process.chdir(path.join(root, 'src'));
    const res = await runInProcess('cluster', 'status');
    expect(res.code).toBe(1);
    expect(res.stdout).toBe(`no cluster for repository ${root} (state dir ${defaultClusterDir(root)}; start one with: cdk8s-argocd cluster up)\n`);
  });

  test('cluster kubeconfig prints the repository cluster\'s kubeconfig from a subdirectory', async () => {
    const root = repo(tmp, 'shop');
    process.chdir(path.join(root, 'src'));
    expect(await runInProcess('cluster', 'kubeconfig')).toMatchObject({ code: 1, stdout: '' });
    writeFakeClusterState(defaultClusterDir(root), process.pid);
    expect(await runInProcess('cluster', 'kubeconfig')).toEqual({ code: 0, stdout: `${path.join(defaultClusterDir(root), 'kubeconfig')}\n`, stderr: '' });
  });
});
