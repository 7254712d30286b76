/**
 * Before it changes anything, every command that writes to a cluster says on stderr which context
 * and API server it is about to change and where that choice came from, in one format; machine
 * output on stdout stays parseable. The "cluster" is a TCP listener that drops every connection,
 * so each command fails right after it announced its target.
 */
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { runInProcess } from './run-in-process';
import { targetLine } from '../../src/cli/current-cluster';

let server: net.Server;
let root: string;
let kubeconfig: string;
let serverURL: string;
const saved = { KUBECONFIG: process.env.KUBECONFIG, CDK8S_ARGOCD_CLUSTER_DIR: process.env.CDK8S_ARGOCD_CLUSTER_DIR };

beforeAll(async () => {
  server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serverURL = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'target-line-'));
  kubeconfig = path.join(root, 'kubeconfig');
  fs.writeFileSync(kubeconfig, stringify({
    'apiVersion': 'v1',
    'kind': 'Config',
    'clusters': [{ name: 'dropping', cluster: { 'server': serverURL, 'insecure-skip-tls-verify': true } }],
    'users': [{ name: 'u', user: { token: 't' } }],
    'contexts': [{ name: 'kind-foo', context: { cluster: 'dropping', user: 'u' } }],
    'current-context': 'kind-foo',
  }));
  fs.mkdirSync(path.join(root, 'apps'));
  fs.mkdirSync(path.join(root, 'web'));
  fs.writeFileSync(path.join(root, 'apps', 'web.yaml'), stringify({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'web', namespace: 'argocd' },
    spec: { project: 'default', destination: { server: 'https://kubernetes.default.svc', namespace: 'web' }, source: { repoURL: 'https://example.com/repo.git', path: 'web' } },
  }));
  fs.writeFileSync(path.join(root, 'apps', 'set.yaml'), stringify({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: { name: 'set', namespace: 'argocd' },
    spec: { generators: [{ list: { elements: [{ n: 'a' }] } }], template: { metadata: { name: '{{n}}' }, spec: { project: 'default', destination: { server: 'https://kubernetes.default.svc', namespace: 'a' }, source: { repoURL: 'https://example.com/repo.git', path: 'web' } } } },
  }));
  fs.writeFileSync(path.join(root, 'web', 'cm.yaml'), stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web' }, data: { a: '1' } }));
  // No running local cluster may be found from here.
  process.env.CDK8S_ARGOCD_CLUSTER_DIR = path.join(root, 'no-cluster');
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  fs.rmSync(root, { recursive: true, force: true });
});

afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  process.env.CDK8S_ARGOCD_CLUSTER_DIR = path.join(root, 'no-cluster');
});

test('the line names the context, the server and where they came from', () => {
  expect(targetLine({ context: 'kind-foo', server: 'https://127.0.0.1:6443', source: 'KUBECONFIG=/k' }, 'sync web'))
    .toBe('Target: context kind-foo, server https://127.0.0.1:6443 (from KUBECONFIG=/k) for sync web');
});

describe('each command that changes a cluster says which one first, on stderr', () => {
  const expected = (what: string, source = `--kubeconfig ${kubeconfig}`) => `Target: context kind-foo, server ${serverURL} (from ${source}) for ${what}`;
  const cases: Array<[string, () => string[], () => string]> = [
    ['sync', () => ['sync', path.join(root, 'apps', 'web.yaml'), '--repo-root', root, '--kubeconfig', kubeconfig], () => expected('sync web')],
    ['sync --dry-run', () => ['sync', path.join(root, 'apps', 'web.yaml'), '--repo-root', root, '--kubeconfig', kubeconfig, '--dry-run'], () => expected('sync --dry-run web')],
    ['delete', () => ['delete', 'web', '--kubeconfig', kubeconfig, '--timeout', '1'], () => expected('delete web')],
    ['install-crds', () => ['install-crds', '--kubeconfig', kubeconfig], () => expected('install-crds')],
    ['appset sync', () => ['appset', 'sync', path.join(root, 'apps', 'set.yaml'), '--repo-root', root, '--kubeconfig', kubeconfig], () => expected('appset sync set')],
  ];
  test.each(cases)('%s', async (_name, args, line) => {
    const res = await runInProcess(...args());
    expect(res.stderr.split('\n')[0]).toBe(line());
    expect(res.stdout).not.toContain('Target:');
  });

  test('from the running local cluster, named as such; diff (read only) says it too, as the cluster was not chosen', async () => {
    const dir = path.join(root, 'local-cluster');
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(kubeconfig, path.join(dir, 'kubeconfig'));
    fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify({
      version: 1,
      dir,
      binary: 'k8s-local',
      server: serverURL,
      kubeconfig: path.join(dir, 'kubeconfig'),
      startedAt: '',
      components: [{ name: 'kube-apiserver', pid: process.pid, port: 1, log: '', args: [] }],
    }));
    process.env.CDK8S_ARGOCD_CLUSTER_DIR = dir;
    const source = `the local cluster in ${dir} (no --kubeconfig or KUBECONFIG given)`;
    for (const verb of ['sync', 'diff']) {
      const res = await runInProcess(verb, path.join(root, 'apps', 'web.yaml'), '--repo-root', root);
      expect(res.stderr.split('\n')[0]).toBe(expected(`${verb} web`, source));
    }
  });

  test('-o json: the line goes to stderr and stdout stays one JSON document', async () => {
    const res = await runInProcess('sync', path.join(root, 'apps', 'web.yaml'), '--repo-root', root, '--kubeconfig', kubeconfig, '-o', 'json');
    expect(res.stderr.split('\n')[0]).toBe(expected('sync web'));
    expect(() => JSON.parse(res.stdout)).not.toThrow();
  });

  test('diff (read only) says it only when the cluster was a default, not --kubeconfig', async () => {
    const chosen = await runInProcess('diff', path.join(root, 'apps', 'web.yaml'), '--repo-root', root, '--kubeconfig', kubeconfig);
    expect(chosen.stderr).not.toContain('Target:');
  });
});
