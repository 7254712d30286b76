import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { clusterForDestination, generatorClusters, readClustersFile } from '../../src/engine/clusters-file';

function file(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clusters-'));
  fs.writeFileSync(path.join(dir, 'clusters.yaml'), text);
  return path.join(dir, 'clusters.yaml');
}

describe('clusters file', () => {
  const f = file('clusters:\n  - name: staging\n    server: https://staging:6443\n    kubeconfig: kc/staging.yaml\n    context: admin\n');
  const clusters = readClustersFile(f);

  test('resolves kubeconfig paths relative to the file', () => {
    expect(clusters[0]).toMatchObject({ name: 'staging', server: 'https://staging:6443', kubeconfig: path.join(path.dirname(f), 'kc/staging.yaml'), context: 'admin', origin: `${f}:2` });
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
    expect(() => readClustersFile(file('items: []\n'))).toThrow(/^--clusters .*clusters\.yaml: expected a top-level 'clusters:' list \(one document listing/);
  });

  test('fails syncing to an entry that has no kubeconfig, naming the entry', () => {
    const f2 = file('clusters:\n  - name: a\n    kubeconfig: a.yaml\n  - name: x\n    server: https://x\n');
    const entries = readClustersFile(f2);
    expect(() => clusterForDestination({ name: 'x' }, entries, f2))
      .toThrow(`${f2}:4: the clusters file entry for destination name x has no kubeconfig; add \`kubeconfig: <file>\` to sync to it`);
  });

  test('fails an entry with neither name nor server, with its line', () => {
    const f2 = file('clusters:\n  - name: a\n    kubeconfig: a.yaml\n  - kubeconfig: b.yaml\n');
    expect(() => readClustersFile(f2)).toThrow(`${f2}:4: clusters[1] needs a name or a server`);
  });
});

describe('one clusters file for the engine and ApplicationSet generators', () => {
  const text = 'clusters:\n  - name: staging\n    server: https://staging:6443\n    kubeconfig: staging.yaml\n    labels:\n      env: staging\n';

  test('the same file gives the engine its kubeconfig and the generators their cluster', () => {
    const entries = readClustersFile(file(text));
    expect(clusterForDestination({ name: 'staging' }, entries)?.kubeconfig).toMatch(/staging\.yaml$/);
    expect(generatorClusters(entries)).toEqual([
      { name: 'in-cluster', server: 'https://kubernetes.default.svc', local: true },
      { name: 'staging', server: 'https://staging:6443', labels: { env: 'staging' }, project: undefined, annotations: undefined },
    ]);
  });

  test('generators need both name and server, and say which entry lacks one', () => {
    const f2 = file('clusters:\n  - name: only-name\n    kubeconfig: k.yaml\n');
    expect(() => generatorClusters(readClustersFile(f2))).toThrow(`${f2}:2: clusters[0] needs a name and a server to be a cluster for ApplicationSet generators; add the missing one`);
  });

  test('labels must be strings (YAML 1.1 would make `env: on` a boolean)', () => {
    const f2 = file('clusters:\n  - name: a\n    server: https://a\n    labels:\n      enabled: on\n');
    expect(() => readClustersFile(f2)).toThrow(`${f2}:5: clusters[0].labels must map names to strings: quote the values`);
  });
});

describe('clusters file errors never show its contents', () => {
  test('a YAML error names file:line, not the text around it', () => {
    const f2 = file('clusters:\n  - name: a\n    token: s3cr3t-canary-token\n   password: [hunter2-canary\n');
    let message = '';
    try {
      readClustersFile(f2);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(new RegExp(`^${f2.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: invalid YAML at column \\d+ \\([A-Z_]+\\); fix the file`));
    expect(message).not.toMatch(/s3cr3t|hunter2|password|token/);
  });
});
