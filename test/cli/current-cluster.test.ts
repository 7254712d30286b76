import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { currentCluster, runningLocalCluster } from '../../src/cli/current-cluster';
import { writeFakeClusterState } from '../util/fake-cluster-state';

/** A state dir as `cluster up` writes it, with the API server's pid. */
function stateDir(apiPid: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'current-cluster-'));
  writeFakeClusterState(dir, apiPid);
  return dir;
}

describe('which cluster the CLI gives the engine', () => {
  const saved = { KUBECONFIG: process.env.KUBECONFIG, CDK8S_ARGOCD_CLUSTER_DIR: process.env.CDK8S_ARGOCD_CLUSTER_DIR };
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  test('a local cluster whose API server runs is found; a stopped one or none is not', () => {
    const running = stateDir(process.pid);
    expect(runningLocalCluster(running)).toEqual({ dir: running, kubeconfig: path.join(running, 'kubeconfig') });
    expect(runningLocalCluster(stateDir(2 ** 22 + 12345))).toBeUndefined();
    expect(runningLocalCluster(path.join(running, 'missing'))).toBeUndefined();
  });

  test('--kubeconfig, then KUBECONFIG, then the running local cluster, then ~/.kube/config', () => {
    const running = stateDir(process.pid);
    process.env.CDK8S_ARGOCD_CLUSTER_DIR = running;
    process.env.KUBECONFIG = '/etc/kube.yaml';
    expect(currentCluster({ kubeconfig: 'k.yaml', context: 'c' })).toEqual({ kube: { kubeconfig: 'k.yaml', context: 'c' }, source: '--kubeconfig k.yaml', chosen: true });
    expect(currentCluster({})).toEqual({ kube: { context: undefined }, source: 'KUBECONFIG=/etc/kube.yaml', chosen: false });
    delete process.env.KUBECONFIG;
    expect(currentCluster({ context: 'c' })).toEqual({
      kube: { kubeconfig: path.join(running, 'kubeconfig'), context: 'c' },
      source: `the local cluster in ${running} (no --kubeconfig or KUBECONFIG given)`,
      chosen: false,
    });
    process.env.CDK8S_ARGOCD_CLUSTER_DIR = path.join(running, 'missing');
    expect(currentCluster({}).source).toMatch(/^~\/\.kube\/config/);
    expect(currentCluster({}).kube.kubeconfig).toBeUndefined();
  });
});
