/**
 * Bad input corpus for the CLI's flags and arguments: every case exits 2 with one line naming
 * the culprit flag or value and what to do, and nothing reaches the cluster. The "cluster" is a
 * TCP listener that counts connections: a command that got past its input checks would connect
 * to it, so zero connections means nothing was read from or applied to a cluster.
 */
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { CliResult, runInProcess } from '../cli/run-in-process';

let server: net.Server;
let connections = 0;
let repo: string;
let kubeconfig: string;

beforeAll(async () => {
  server = net.createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;

  repo = fs.mkdtempSync(path.join(os.tmpdir(), 'bad-input-cli-'));
  kubeconfig = path.join(repo, 'kubeconfig');
  fs.writeFileSync(kubeconfig, stringify({
    'apiVersion': 'v1',
    'kind': 'Config',
    'clusters': [{ name: 'counting', cluster: { 'server': `http://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true } }],
    'users': [{ name: 'u', user: { token: 't' } }],
    'contexts': [{ name: 'counting', context: { cluster: 'counting', user: 'u' } }],
    'current-context': 'counting',
  }));
  fs.mkdirSync(path.join(repo, 'apps'));
  const destinations: Record<string, object> = {
    web: { server: 'https://kubernetes.default.svc', namespace: 'bad-input' },
    broken: { server: 'https://kubernetes.default.svc', namespace: 'bad-input' },
    elsewhere: { name: 'prod', namespace: 'bad-input' },
  };
  for (const [name, destination] of Object.entries(destinations)) {
    fs.mkdirSync(path.join(repo, name));
    fs.writeFileSync(path.join(repo, 'apps', `${name}.yaml`), stringify({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name, namespace: 'argocd' },
      spec: {
        project: 'default',
        destination,
        source: { repoURL: 'https://example.com/repo.git', path: name },
      },
    }));
  }
  fs.writeFileSync(path.join(repo, 'web', 'cm.yaml'), stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web' }, data: { a: '1' } }));
  fs.writeFileSync(path.join(repo, 'elsewhere', 'cm.yaml'), stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'elsewhere' } }));
  fs.writeFileSync(path.join(repo, 'broken', 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {}\n');
  fs.writeFileSync(path.join(repo, 'clusters.yaml'), 'clusters: nope\n');
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(repo, { recursive: true, force: true });
});

/** Runs the CLI in this process with the fixture repository, the counting kubeconfig and `args`. */
function cli(args: string[]): Promise<CliResult> {
  return runInProcess(...args.map((a) => a.replace('$REPO', repo).replace('$KUBECONFIG', kubeconfig)));
}

const app = ['$REPO', '--app', 'web', '--repo-root', '$REPO', '--kubeconfig', '$KUBECONFIG'];

/** [what, arguments, the error line must match]. */
const cases: Array<[string, string[], RegExp]> = [
  ['--concurrency 0', ['sync', ...app, '--concurrency', '0'], /--concurrency <n>' argument '0' is invalid\. Expected a whole number from 1 to 1000\. \(see: cdk8s-argocd sync --help\)/],
  ['--concurrency abc', ['sync', ...app, '--concurrency', 'abc'], /--concurrency <n>' argument 'abc' is invalid\. Expected a whole number from 1 to 1000/],
  ['--concurrency -3', ['sync', ...app, '--concurrency', '-3'], /--concurrency <n>' argument '-3' is invalid\. Expected a whole number from 1/],
  ['--concurrency 1001', ['sync', ...app, '--concurrency', '1001'], /--concurrency <n>' argument '1001' is invalid\. Expected a whole number from 1 to 1000/],
  ['--concurrency 2.5', ['sync', ...app, '--concurrency', '2.5'], /--concurrency <n>' argument '2\.5' is invalid/],
  ['--timeout abc', ['sync', ...app, '--timeout', 'abc'], /--timeout <seconds>' argument 'abc' is invalid\. Expected a whole number ≥ 1 \(seconds\)/],
  ['--timeout 0', ['sync', ...app, '--timeout', '0'], /--timeout <seconds>' argument '0' is invalid\. Expected a whole number ≥ 1 \(seconds\)/],
  ['--timeout 10s', ['sync', ...app, '--timeout', '10s'], /--timeout <seconds>' argument '10s' is invalid\. Expected a whole number ≥ 1 \(seconds\)/],
  ['--retry-limit abc', ['sync', ...app, '--retry-limit', 'abc'], /--retry-limit <n>' argument 'abc' is invalid\. Expected a whole number \(retries, negative = unlimited\)/],
  ['--resource without kind', ['sync', ...app, '--resource', 'web'], /--resource <GROUP:KIND:NAME>' argument 'web' is invalid\. Expected GROUP:KIND:NAME or GROUP:KIND:NAMESPACE\/NAME \(use an empty group for core kinds, e\.g\. :ConfigMap:web\)/],
  ['diff -o xml', ['diff', ...app, '-o', 'xml'], /-o, --output <format>' argument 'xml' is invalid\. Allowed choices are text, wide, json, yaml\. \(see: cdk8s-argocd diff --help\)/],
  ['status --output table', ['status', ...app, '--output', 'table'], /argument 'table' is invalid\. Allowed choices are text, wide, json, yaml\. \(see: cdk8s-argocd status --help\)/],
  ['diff unknown flag', ['diff', ...app, '--prune'], /unknown option '--prune' \(see: cdk8s-argocd diff --help\)/],
  ['sync misspelt flag', ['sync', ...app, '--dryrun'], /unknown option '--dryrun' \(Did you mean --dry-run\?\) \(see: cdk8s-argocd sync --help\)/],
  ['two paths', ['status', ...app, 'extra'], /too many arguments for 'status'\. Expected 1 argument but got 2\. \(see: cdk8s-argocd status --help\)/],
  ['unknown command', ['synch', ...app], /unknown command 'synch' \(Did you mean sync\?\) \(see: cdk8s-argocd --help\)/],
  ['missing --kubeconfig file', ['sync', '$REPO', '--app', 'web', '--repo-root', '$REPO', '--kubeconfig', '$REPO/nope'], /--kubeconfig \S+\/nope: no such file \(pass an existing kubeconfig/],
  ['unknown --context', ['sync', ...app, '--context', 'prod'], /--context prod: no such context in kubeconfig \S+ \(have: counting\)/],
  ['unknown --app', ['sync', '$REPO', '--app', 'api', '--repo-root', '$REPO', '--kubeconfig', '$KUBECONFIG'], /no Application named 'api' in \S+ \(found: broken, elsewhere, web\)/],
  ['no such path', ['status', '$REPO/nope', '--app', 'web', '--kubeconfig', '$KUBECONFIG'], /\S+\/nope: no such file or directory/],
  ['bad --clusters file', ['sync', ...app, '--clusters', '$REPO/clusters.yaml'], /--clusters \S+clusters\.yaml: expected a top-level 'clusters:' list/],
  ['invalid manifest', ['sync', '$REPO', '--app', 'web', '--app', 'broken', '--repo-root', '$REPO', '--kubeconfig', '$KUBECONFIG'], /broken\/cm\.yaml:1: ConfigMap has no metadata\.name/],
  ['unknown destination of a later Application', ['sync', '$REPO', '--app', 'web', '--app', 'elsewhere', '--repo-root', '$REPO', '--kubeconfig', '$KUBECONFIG'],
    /destination name prod is not the current cluster and no clusters file was given \(--clusters\)/],
  ['delete --cascade=maybe', ['delete', 'web', '--cascade=maybe', '--kubeconfig', '$KUBECONFIG'], /'--cascade <bool>' argument 'maybe' is invalid\. Expected true or false \(e\.g\. --cascade=false\)\. \(see: cdk8s-argocd delete --help\)/],
  ['install-crds with a missing --kubeconfig file', ['install-crds', '--kubeconfig', '$REPO/nope'], /--kubeconfig \S+\/nope: no such file/],
  ['cluster up --timeout 0', ['cluster', 'up', '--dir', '$REPO/cluster', '--timeout', '0'], /--timeout <seconds>' argument '0' is invalid\. Expected a whole number ≥ 1 \(seconds\)\. \(see: cdk8s-argocd cluster up --help\)/],
  ['cluster logs -n x', ['cluster', 'logs', '--dir', '$REPO/cluster', '-n', 'x'], /-n, --lines <n>' argument 'x' is invalid\. Expected a whole number ≥ 1\. \(see: cdk8s-argocd cluster logs --help\)/],
  ['cluster status -o xml', ['cluster', 'status', '--dir', '$REPO/cluster', '-o', 'xml'], /argument 'xml' is invalid\. Allowed choices are text, wide, json, yaml\. \(see: cdk8s-argocd cluster status --help\)/],
];

describe('bad CLI input exits 2, says what is wrong and what to do, and touches no cluster', () => {
  test.each(cases)('%s', async (_, args, message) => {
    connections = 0;
    const res = await cli(args);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
    expect(res.stderr.startsWith('error: ')).toBe(true);
    expect(res.stdout).toBe('');
    expect(connections).toBe(0);
    expect(fs.existsSync(path.join(repo, 'cluster'))).toBe(false);
  });

  test('usage errors are a single line', async () => {
    for (const args of [['diff', ...app, '--bogus'], ['sync', ...app, '--concurrency', 'abc'], ['sync', ...app, '--dryrun']]) {
      const res = await cli(args);
      expect(res.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });

  test('the fixture is good: without the bad flag the command reaches the cluster', async () => {
    connections = 0;
    const res = await cli(['sync', ...app]);
    expect(connections).toBeGreaterThan(0);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^Target: context counting, server http:\/\/127\.0\.0\.1:\d+ \(from --kubeconfig \S+\) for sync web\n/);
  });
});
