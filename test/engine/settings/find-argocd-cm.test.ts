import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { KubeApi } from '../../../src/engine/kube/kube-api';
import { loadApplications } from '../../../src/engine/load/applications';
import { findRepositoryArgoCdCm, resolveResourceSettings } from '../../../src/engine/settings/find-argocd-cm';
import { FakeKube } from '../../util/fake-kube';

const cm = (data: Record<string, string>, namespace?: string) => stringify({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cm', ...(namespace ? { namespace } : {}) }, data,
});
const HEALTH = 'resource.customizations.health.example.com_Widget';

function repo(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argocd-cm-'));
  fs.mkdirSync(path.join(dir, 'apps'));
  fs.mkdirSync(path.join(dir, 'argocd'));
  fs.mkdirSync(path.join(dir, 'web'));
  const app = (name: string, ns: string) => stringify({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'argocd' },
    spec: { project: 'default', destination: { server: 'https://kubernetes.default.svc', namespace: ns }, source: { repoURL: 'https://example.com/r.git', path: name } },
  });
  fs.writeFileSync(path.join(dir, 'apps', 'argocd.yaml'), app('argocd', 'argocd'));
  fs.writeFileSync(path.join(dir, 'apps', 'web.yaml'), app('web', 'web'));
  fs.writeFileSync(path.join(dir, 'web', 'cm.yaml'), stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web' }, data: { a: '1' } }));
  return dir;
}

function load(dir: string) {
  return loadApplications({ path: dir, all: true, repoRoot: dir }).applications;
}

const cluster = (data?: Record<string, string>) => {
  const kube = new FakeKube();
  if (data) kube.seed({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cm', namespace: 'argocd' }, data });
  return kube;
};

describe('which argocd-cm is used', () => {
  test("an Application's argocd-cm (synced to the argocd namespace) wins over the cluster's", async () => {
    const dir = repo();
    fs.writeFileSync(path.join(dir, 'argocd', 'argocd-cm.yaml'), cm({ [HEALTH]: 'return { status = "Healthy" }' }));
    const s = await resolveResourceSettings(load(dir), dir, dir, async () => cluster({ [HEALTH]: 'return { status = "Degraded" }' }));
    expect(s?.source).toBe('argocd/argocd-cm.yaml:1');
    expect(s?.overrides.get('example.com/Widget')?.healthLua).toBe('return { status = "Healthy" }');
  });

  test("a ConfigMap named argocd-cm for another namespace is not Argo CD's", () => {
    const dir = repo();
    fs.writeFileSync(path.join(dir, 'web', 'argocd-cm.yaml'), cm({ [HEALTH]: 'x' }, 'web'));
    expect(findRepositoryArgoCdCm(load(dir), dir, dir)).toBeUndefined();
  });

  test('a file at the root of the manifests directory counts too', () => {
    const dir = repo();
    fs.writeFileSync(path.join(dir, 'argocd-cm.yaml'), cm({ [HEALTH]: 'x' }, 'argocd'));
    expect(findRepositoryArgoCdCm(load(dir), dir, dir)?.source).toEqual({ file: 'argocd-cm.yaml', line: 1 });
  });

  test('two different argocd-cm manifests are an error naming both', () => {
    const dir = repo();
    fs.writeFileSync(path.join(dir, 'argocd', 'argocd-cm.yaml'), cm({ [HEALTH]: 'a' }));
    fs.writeFileSync(path.join(dir, 'argocd-cm.yaml'), cm({ [HEALTH]: 'b' }, 'argocd'));
    expect(() => findRepositoryArgoCdCm(load(dir), dir, dir)).toThrow(/2 different argocd-cm ConfigMaps \(argocd\/argocd-cm\.yaml:1, argocd-cm\.yaml:1\)/);
  });

  test("without one in the repository, the cluster's; without either, none", async () => {
    const dir = repo();
    const s = await resolveResourceSettings(load(dir), dir, dir, async () => cluster({ [HEALTH]: 'return { status = "Degraded" }' }));
    expect(s?.source).toBe('ConfigMap argocd/argocd-cm in the cluster');
    expect(await resolveResourceSettings(load(dir), dir, dir, async () => cluster())).toBeUndefined();
  });

  test('a cluster that cannot be read is a warning, not an error', async () => {
    const dir = repo();
    const warnings: string[] = [];
    const refusing = { get: async () => { throw new Error('configmaps "argocd-cm" is forbidden'); } } as unknown as KubeApi;
    expect(await resolveResourceSettings(load(dir), dir, dir, async () => refusing, undefined, (m) => warnings.push(m))).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(/could not read ConfigMap argocd\/argocd-cm from the cluster \(configmaps "argocd-cm" is forbidden\)/)]);
  });
});
