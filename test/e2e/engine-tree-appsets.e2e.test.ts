/**
 * ApplicationSets go through the one `sync` command on the real control plane, as Argo CD's
 * ApplicationSet controller picks them up: a set a root Application's sync applies is run (its
 * Applications created and synced) before `sync` returns, and a top-level set (in no
 * Application's source) is applied with its AppProject and run. The Argo CD CRDs and the argocd
 * namespace come from the global setup, as `cluster up` installs them.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { getJson, kubeconfigPath, kubectl, testNamespaces } from './cluster-fixture';
import { CliResult, runInProcess } from '../cli/run-in-process';
import { configMap } from '../engine/e2e-app';

jest.setTimeout(300_000);

const newNamespace = testNamespaces().create;

/** Runs the CLI in this process, capturing its output and exit code. */
async function cli(...args: string[]): Promise<CliResult> {
  return runInProcess(...args, '--kubeconfig', kubeconfigPath());
}

const write = (file: string, ...objects: object[]) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, objects.map((o) => stringify(o)).join('---\n'));
};

/** A list-generator set whose Applications (automated) sync the folder `workloads/<env>` into `ns`. */
function listSet(name: string, ns: string, envs: string[]): object {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: { name, namespace: 'argocd' },
    spec: {
      generators: [{ list: { elements: envs.map((env) => ({ env })) } }],
      template: {
        metadata: { name: `${name}-{{env}}` },
        spec: {
          project: name,
          source: { repoURL: 'https://example.com/repo.git', path: 'workloads/{{env}}' },
          destination: { server: 'https://kubernetes.default.svc', namespace: ns },
          syncPolicy: { automated: { prune: true } },
        },
      },
    },
  };
}

const project = (name: string) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AppProject',
  metadata: { name, namespace: 'argocd' },
  spec: { sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }], clusterResourceWhitelist: [{ group: '*', kind: '*' }] },
});

/** A throwaway repository with one folder of plain YAML per generated Application. */
function repository(envs: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tree-appsets-e2e-'));
  for (const env of envs) {
    write(path.join(dir, 'workloads', env, 'objects.yaml'), configMap(`settings-${env}`, { env }));
  }
  return dir;
}

async function applicationStatus(name: string): Promise<string> {
  const app = await getJson<any>(['application', name, '-n', 'argocd']);
  return `${name} ${app?.status?.sync?.status}/${app?.status?.health?.status} owner=${app?.metadata?.ownerReferences?.[0]?.kind}`;
}

test('a root Application whose folder holds an ApplicationSet: sync runs the set, creating and syncing its Applications', async () => {
  const ns = await newNamespace('tree-appsets');
  const name = `nested-${randomBytes(3).toString('hex')}`;
  const dir = repository(['a', 'b']);
  write(path.join(dir, 'manifests', 'root.yaml'), {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: `${name}-root`, namespace: 'argocd' },
    spec: {
      project: name,
      source: { repoURL: 'https://example.com/repo.git', path: 'sets' },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'argocd' },
    },
  });
  write(path.join(dir, 'manifests', 'project.yaml'), project(name));
  write(path.join(dir, 'sets', 'set.yaml'), listSet(name, ns, ['a', 'b']));

  const res = await cli('sync', path.join(dir, 'manifests'), '--repo-root', dir, '-o', 'json', '--timeout', '150');
  expect(res.code).toBe(0);
  const doc = JSON.parse(res.stdout);
  // The generated Applications are in the list too, right after the root that applied their set, with the set as parent.
  const listed = doc.applications.map((r: any) => `${r.application}<${r.parentKind ? `${r.parentKind}/` : ''}${r.parent ?? ''}> ${r.action} ${r.phase} ${r.sync}/${r.health}`);
  expect([listed[0], ...listed.slice(1).sort()]).toEqual([
    `${name}-root<> sync Succeeded Synced/Healthy`,
    `${name}-a<ApplicationSet/${name}> sync Succeeded Synced/Healthy`,
    `${name}-b<ApplicationSet/${name}> sync Succeeded Synced/Healthy`,
  ]);
  expect(doc.applicationSets.map((r: any) => `${r.applicationSet} ${r.ok} parent=${r.parent}`)).toEqual([`argocd/${name} true parent=${name}-root`]);
  expect(doc.applicationSets[0].applications.map((a: any) => `${a.name} ${a.outcome?.phase}`).sort()).toEqual([`${name}-a Succeeded`, `${name}-b Succeeded`]);
  // Done before sync returned: the generated Applications exist, owned by the set, Synced and Healthy; their objects are there.
  expect(await applicationStatus(`${name}-a`)).toBe(`${name}-a Synced/Healthy owner=ApplicationSet`);
  expect(await applicationStatus(`${name}-b`)).toBe(`${name}-b Synced/Healthy owner=ApplicationSet`);
  expect((await getJson<any>(['configmap', 'settings-b', '-n', ns]))?.data).toEqual({ env: 'b' });
});

test('top-level AppProject and ApplicationSet (in no Application\'s source): applied and run by sync; dry run applies nothing; a path with neither is refused', async () => {
  const ns = await newNamespace('tree-appsets-top');
  const name = `top-${randomBytes(3).toString('hex')}`;
  const dir = repository(['x']);
  write(path.join(dir, 'manifests', 'apps', 'appproject.yaml'), project(name));
  write(path.join(dir, 'manifests', 'apps', 'applicationset.yaml'), listSet(name, ns, ['x']));

  const dry = await cli('sync', path.join(dir, 'manifests'), '--repo-root', dir, '--dry-run');
  expect(dry.code).toBe(0);
  expect(dry.stderr).toContain(`AppProject argocd/${name}: dry run: would be applied from manifests/apps/appproject.yaml`);
  expect(dry.stdout).toContain(`ApplicationSet argocd/${name}: done: dry run: would be applied from manifests/apps/applicationset.yaml and its controller run`);
  expect((await kubectl(['get', 'applicationset', name, '-n', 'argocd'], { check: false })).code).not.toBe(0);

  const res = await cli('sync', path.join(dir, 'manifests'), '--repo-root', dir, '--timeout', '150');
  expect({ code: res.code, stderr: res.code === 0 ? '' : res.stderr }).toEqual({ code: 0, stderr: '' });
  expect(res.stdout).toMatch(new RegExp(`ApplicationSet argocd/${name}: done`));
  expect(await getJson<any>(['appproject', name, '-n', 'argocd'])).toBeDefined();
  expect(await applicationStatus(`${name}-x`)).toBe(`${name}-x Synced/Healthy owner=ApplicationSet`);
  expect((await getJson<any>(['configmap', 'settings-x', '-n', ns]))?.data).toEqual({ env: 'x' });

  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'tree-appsets-empty-'));
  write(path.join(empty, 'manifests', 'cm.yaml'), configMap('plain'));
  const none = await cli('sync', path.join(empty, 'manifests'), '--repo-root', empty);
  expect(none.code).toBe(2);
  expect(none.stderr).toContain(`no Application or ApplicationSet found in ${path.join(empty, 'manifests')}`);
});

test('a set whose Application fails to sync makes sync exit 1, with the set FAILED in the text output', async () => {
  const ns = await newNamespace('tree-appsets-fail');
  const name = `failing-${randomBytes(3).toString('hex')}`;
  const dir = repository(['ok']);
  write(path.join(dir, 'manifests', 'apps', 'appproject.yaml'), project(name));
  // `workloads/missing` does not exist: that Application cannot be synced.
  write(path.join(dir, 'manifests', 'apps', 'applicationset.yaml'), listSet(name, ns, ['ok', 'missing']));

  const res = await cli('sync', path.join(dir, 'manifests'), '--repo-root', dir, '--timeout', '60');
  expect(res.stdout).toMatch(new RegExp(`ApplicationSet argocd/${name}: FAILED`));
  expect(res.code).toBe(1);
});
