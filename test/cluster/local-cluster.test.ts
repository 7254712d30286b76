import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { formatStatus } from '../../src/cli/cluster-command';
import { defaultClusterDir, freePorts, LocalCluster } from '../../src/cluster/local-cluster';

describe('LocalCluster without a running cluster', () => {
  test('freePorts returns distinct bindable ports', async () => {
    const ports = await freePorts(6);
    expect(new Set(ports).size).toBe(6);
    for (const p of ports) {
      expect(p).toBeGreaterThan(1023);
    }
  });

  test('the default state dir honours $CDK8S_ARGOCD_CLUSTER_DIR', () => {
    const saved = process.env.CDK8S_ARGOCD_CLUSTER_DIR;
    try {
      delete process.env.CDK8S_ARGOCD_CLUSTER_DIR;
      expect(defaultClusterDir('/work/app')).not.toContain('/work/app/');
      process.env.CDK8S_ARGOCD_CLUSTER_DIR = '/tmp/elsewhere';
      expect(defaultClusterDir('/work/app')).toBe('/tmp/elsewhere');
    } finally {
      if (saved === undefined) {
        delete process.env.CDK8S_ARGOCD_CLUSTER_DIR;
      } else {
        process.env.CDK8S_ARGOCD_CLUSTER_DIR = saved;
      }
    }
  });

  test('open() finds nothing in an empty dir; status of recorded but dead components is "stopped"', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-state-'));
    try {
      expect(LocalCluster.open(dir)).toBeUndefined();
      fs.writeFileSync(
        path.join(dir, 'state.json'),
        JSON.stringify({
          version: 1,
          dir,
          binary: '/nonexistent/k8s-local',
          server: 'https://127.0.0.1:1',
          kubeconfig: path.join(dir, 'kubeconfig'),
          startedAt: new Date().toISOString(),
          // pid 2^22+1 is above Linux's pid_max default, so it is never alive
          components: [{ name: 'etcd', pid: 4194305, port: 1, log: path.join(dir, 'logs', 'etcd.log'), args: [] }],
        }),
      );
      const cluster = LocalCluster.open(dir)!;
      const st = await cluster.status();
      expect(st.running).toBe(false);
      expect(st.components.map((c) => [c.name, c.running])).toEqual([
        ['etcd', false],
        ['kube-apiserver', false],
        ['kube-controller-manager', false],
        ['kube-scheduler', false],
        ['kwok', false],
        ['metrics-server', false],
      ]);
      expect(formatStatus(st)).toMatch(/etcd\s+stopped/);
      await cluster.stop({ log: () => undefined }); // nothing to kill, must not throw
      await cluster.stop({ purge: true, log: () => undefined });
      expect(fs.existsSync(dir)).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
