/** Test fixture, not a test file. */
import * as fs from 'fs';
import * as path from 'path';

/** Writes a state dir as `cluster up` writes it, with the API server's pid (no process is started). */
export function writeFakeClusterState(dir: string, apiPid: number): void {
  fs.mkdirSync(dir, { recursive: true });
  const kubeconfig = path.join(dir, 'kubeconfig');
  fs.writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\n');
  fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify({
    version: 1,
    dir,
    binary: 'k8s-local',
    server: 'https://127.0.0.1:1',
    kubeconfig,
    startedAt: '',
    components: [{ name: 'kube-apiserver', pid: apiPid, port: 1, log: '', args: [] }],
  }));
}
