/**
 * The local cluster belongs to a repository and is found from any of its subdirectories: with no
 * --kubeconfig or KUBECONFIG, `sync` run from `src/` of a repository uses that repository's
 * running local cluster, says so before changing anything, and `cluster status` from there names
 * the state dir (outside the repository) and the repository. The e2e cluster stands in for the
 * repository's cluster: its per-user state dir is a symlink to the e2e cluster's dir.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { clusterDir, getJson, testCluster, testNamespaces } from './cluster-fixture';
import { repositoryClusterDir } from '../../src/cluster/state-dir';
import { runCliArgs } from '../engine/e2e-app';

jest.setTimeout(120_000);
const namespaces = testNamespaces();

test('sync and cluster status from a subdirectory find the repository\'s local cluster', async () => {
  const ns = await namespaces.create('state-dir');
  const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'state-dir-e2e-')));
  const repo = path.join(tmp, 'shop');
  fs.mkdirSync(path.join(repo, 'src'), { recursive: true });
  fs.mkdirSync(path.join(repo, 'manifests', 'apps'), { recursive: true });
  fs.mkdirSync(path.join(repo, 'manifests', 'web'));
  execFileSync('git', ['init', '-q'], { cwd: repo });
  fs.writeFileSync(path.join(repo, 'manifests', 'apps', 'web.yaml'), stringify({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'web', namespace: 'argocd' },
    spec: { project: 'default', destination: { server: 'https://kubernetes.default.svc', namespace: ns }, source: { repoURL: 'https://example.com/shop.git', path: 'manifests/web' } },
  }));
  fs.writeFileSync(path.join(repo, 'manifests', 'web', 'cm.yaml'), stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } }));

  const saved = {
    cwd: process.cwd(),
    KUBECONFIG: process.env.KUBECONFIG,
    XDG_STATE_HOME: process.env.XDG_STATE_HOME,
    CLUSTER_DIR: process.env.CDK8S_ARGOCD_CLUSTER_DIR,
  };
  try {
    process.env.XDG_STATE_HOME = path.join(tmp, 'state');
    delete process.env.KUBECONFIG;
    delete process.env.CDK8S_ARGOCD_CLUSTER_DIR;
    const stateDir = repositoryClusterDir(repo);
    fs.mkdirSync(path.dirname(stateDir), { recursive: true });
    fs.symlinkSync(clusterDir(), stateDir);
    process.chdir(path.join(repo, 'src'));

    const sync = await runCliArgs(['sync', '../manifests/apps/web.yaml']);
    expect(sync.code).toBe(0);
    expect(sync.stderr.split('\n')[0]).toBe(
      `Target: context cdk8s-argocd-local, server ${testCluster().server} (from the local cluster in ${stateDir} (no --kubeconfig or KUBECONFIG given)) for sync web`);
    expect((await getJson(['configmap', 'settings'], { namespace: ns })).data).toEqual({ a: '1' });

    const status = await runCliArgs(['cluster', 'status']);
    expect(status.code).toBe(0);
    // The recorded dir is the e2e cluster's (the symlink's target).
    expect(status.stdout.split('\n').slice(0, 2)).toEqual([`cluster: ${clusterDir()}`, `  repository: ${repo}`]);
    // Nothing of the cluster is inside the repository.
    expect(fs.readdirSync(repo).sort()).toEqual(['.git', 'manifests', 'src']);
  } finally {
    process.chdir(saved.cwd);
    for (const [k, v] of [['KUBECONFIG', saved.KUBECONFIG], ['XDG_STATE_HOME', saved.XDG_STATE_HOME], ['CDK8S_ARGOCD_CLUSTER_DIR', saved.CLUSTER_DIR]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
