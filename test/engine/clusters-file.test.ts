import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { clusterForDestination, readClustersFile } from '../../src/engine/clusters-file';

function file(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clusters-'));
  fs.writeFileSync(path.join(dir, 'clusters.yaml'), text);
  return path.join(dir, 'clusters.yaml');
}

describe('clusters file', () => {
  const f = file('clusters:\n  - name: staging\n    server: https://staging:6443\n    kubeconfig: kc/staging.yaml\n    context: admin\n');
  const clusters = readClustersFile(f);

  test('resolves kubeconfig paths relative to the file', () => {
    expect(clusters[0]).toEqual({ name: 'staging', server: 'https://staging:6443', kubeconfig: path.join(path.dirname(f), 'kc/staging.yaml'), context: 'admin' });
  });

  test('the in-cluster destinations mean the current cluster', () => {
    expect(clusterForDestination({ server: 'https://kubernetes.default.svc' }, clusters)).toBeUndefined();
    expect(clusterForDestination({ name: 'in-cluster' }, clusters)).toBeUndefined();
  });

  test('other destinations match by name or server', () => {
    expect(clusterForDestination({ name: 'staging' }, clusters)?.context).toBe('admin');
    expect(clusterForDestination({ server: 'https://staging:6443' }, clusters)?.name).toBe('staging');
  });

  test('fails when a destination is not in the clusters file', () => {
    expect(() => clusterForDestination({ server: 'https://prod:6443' }, clusters)).toThrow(/destination server https:\/\/prod:6443 is not the current cluster.*--clusters/);
  });

  test('the error names the clusters file, or says that none was given', () => {
    expect(() => clusterForDestination({ name: 'prod' }, clusters, f))
      .toThrow(`destination name prod is not the current cluster and is not in the clusters file ${f}; add it there`);
    expect(() => clusterForDestination({ name: 'prod' }, []))
      .toThrow('destination name prod is not the current cluster and no clusters file was given (--clusters); pass one that maps it to a kubeconfig');
  });

  test('fails when the file has no clusters list', () => {
    expect(() => readClustersFile(file('items: []\n'))).toThrow(/expected a top-level 'clusters:' list/);
  });

  test('fails when an entry has no kubeconfig', () => {
    expect(() => readClustersFile(file('clusters:\n  - name: x\n'))).toThrow(/clusters\[0\] needs kubeconfig and a name or server/);
  });
});
