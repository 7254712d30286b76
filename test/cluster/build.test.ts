import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildKey, cachedBinaryPath, findClusterModuleDir, readComponentVersions } from '../../src/cluster/build';
import { ETCD_VERSION, KUBERNETES_VERSION, KWOK_VERSION, METRICS_SERVER_VERSION } from '../../src/cluster/constants';

const moduleDir = findClusterModuleDir();

function copyModule(): string {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-module-'));
  fs.cpSync(moduleDir, tmp, { recursive: true });
  return tmp;
}

describe('cluster build', () => {
  test('constants name the versions pinned in cluster/go.mod', () => {
    expect(readComponentVersions(moduleDir)).toEqual({
      kubernetes: KUBERNETES_VERSION, etcd: ETCD_VERSION, kwok: KWOK_VERSION, metricsServer: METRICS_SERVER_VERSION,
    });
  });

  test('every k8s.io staging module is replaced at the Kubernetes version', () => {
    const gomod = fs.readFileSync(path.join(moduleDir, 'go.mod'), 'utf8');
    const staging = KUBERNETES_VERSION.replace(/^v1\./, 'v0.');
    const replaces = [...gomod.matchAll(/^replace (k8s\.io\/\S+) => (\S+) (\S+)$/gm)];
    expect(replaces.length).toBeGreaterThan(20);
    for (const [, from, to, version] of replaces) {
      expect(to).toBe(from);
      expect(version).toBe(staging);
    }
  });

  test('the cache key is stable and depends on go.sum and the wrapper sources', () => {
    const tmp = copyModule();
    try {
      const key = buildKey(tmp);
      expect(key).toMatch(/^[0-9a-f]{16}$/);
      expect(buildKey(tmp)).toBe(key);
      expect(buildKey(moduleDir)).toBe(key); // the path does not matter

      fs.appendFileSync(path.join(tmp, 'go.sum'), 'example.com/x v1.0.0 h1:abc=\n');
      const afterSum = buildKey(tmp);
      expect(afterSum).not.toBe(key);

      fs.appendFileSync(path.join(tmp, 'cmd', 'k8s-local', 'main.go'), '\n// changed\n');
      expect(buildKey(tmp)).not.toBe(afterSum);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('cached binaries live outside the repository, keyed by the module hash', () => {
    const root = path.join(os.tmpdir(), 'bin-cache');
    expect(cachedBinaryPath({ moduleDir, cacheRoot: root })).toBe(path.join(root, buildKey(moduleDir), 'k8s-local'));
  });
});
