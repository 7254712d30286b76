import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Command } from 'commander';
import { parseAllDocuments, stringify } from 'yaml';
import { readClusters, registerAppsetCommand } from '../../src/cli/appset-command';

let dir: string;
let out: string;
let err: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'appset-cli-'));
  execFileSync('git', ['init', '-q'], { cwd: dir });
  out = '';
  err = '';
  jest.spyOn(process.stdout, 'write').mockImplementation((s: any) => { out += String(s); return true; });
  jest.spyOn(process.stderr, 'write').mockImplementation((s: any) => { err += String(s); return true; });
  process.exitCode = undefined;
});

afterEach(() => {
  jest.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
  process.exitCode = undefined;
});

function write(file: string, content: unknown): string {
  const full = path.join(dir, file);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, typeof content === 'string' ? content : stringify(content));
  return full;
}

function run(...args: string[]): number {
  const program = new Command('cdk8s-argocd').exitOverride();
  registerAppsetCommand(program);
  program.parse(['node', 'cdk8s-argocd', 'appset', 'expand', ...args]);
  return Number(process.exitCode ?? 0);
}

const appSet = (name: string, generators: any[], templateName = '{{name}}'): any => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'ApplicationSet',
  metadata: { name, namespace: 'argocd' },
  spec: {
    generators,
    template: { metadata: { name: templateName }, spec: { project: 'default', destination: { server: '{{server}}' }, source: { repoURL: 'https://x/repo.git', path: '{{path}}' } } },
  },
});

describe('cdk8s-argocd appset expand', () => {
  test('finds ApplicationSets below a directory and prints their Applications as YAML', () => {
    // Source folders a sync would find (expand reports missing ones): fasttemplate leaves an unknown {{path}} as written.
    write('{{path}}/k.yaml', 'x: 1\n');
    write('manifests/apps/a.yaml', appSet('a', [{ list: { elements: [{ name: 'one' }, { name: 'two' }] } }]));
    write('manifests/apps/app.yaml', { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'other' } });
    expect(run(path.join(dir, 'manifests'))).toBe(0);
    const docs = parseAllDocuments(out).map(d => d.toJSON());
    expect(docs.map(d => d.metadata.name)).toEqual(['one', 'two']);
    expect(out).toMatch(/^# ApplicationSet argocd\/a \(.*a\.yaml\): 2 Application\(s\)/);
  });

  test('a RollingSync set prints its Applications as the controller writes them: automated sync turned off', () => {
    write('p/k.yaml', 'x: 1\n');
    const set = appSet('r', [{ list: { elements: [{ name: 'one', server: 'https://x', path: 'p' }, { name: 'two', server: 'https://x', path: 'p' }] } }]);
    const automated = { ...set.spec.template.spec, syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true'] } };
    const steps = [{ matchExpressions: [{ key: 'stage', operator: 'In', values: ['x'] }] }];
    write('sets/rolling.yaml', { ...set, spec: { ...set.spec, template: { ...set.spec.template, spec: automated }, strategy: { type: 'RollingSync', rollingSync: { steps } } } });
    write('sets/plain.yaml', { ...set, metadata: { ...set.metadata, name: 'plain' }, spec: { ...set.spec, generators: [{ list: { elements: [{ name: 'three', server: 'https://x', path: 'p' }] } }], template: { ...set.spec.template, spec: automated } } });
    expect(run(path.join(dir, 'sets'), '-o', 'json')).toBe(0);
    const policies = Object.fromEntries(JSON.parse(out).flatMap((s: any) => s.applications.map((a: any) => [a.metadata.name, a.spec.syncPolicy])));
    expect(policies).toEqual({
      one: { automated: { prune: true, selfHeal: true, enabled: false }, syncOptions: ['CreateNamespace=true'] },
      two: { automated: { prune: true, selfHeal: true, enabled: false }, syncOptions: ['CreateNamespace=true'] },
      three: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true'] },
    });
  });

  test('Go templates render with Go (printf rounds half to even, as Argo CD does)', () => {
    write('p/k.yaml', 'x: 1\n');
    const set = appSet('g', [{ list: { elements: [{ name: 'one', server: 'https://x', path: 'p', ratio: 0.25 }] } }], '{{ .name }}-{{ printf "%.1f" .ratio }}');
    const file = write('set.yaml', { ...set, spec: { ...set.spec, goTemplate: true, template: { ...set.spec.template, spec: { ...set.spec.template.spec, destination: { server: '{{ .server }}' }, source: { repoURL: 'https://x/repo.git', path: '{{ .path }}' } } } } });
    expect(run(file, '-o', 'names')).toBe(0);
    expect(out.trim()).toBe('argocd/g\tone-0.2');
  });

  test('git generators read the working tree; clusters come from --clusters', () => {
    write('apps/web/k.yaml', 'x: 1\n');
    write('apps/api/k.yaml', 'x: 1\n');
    const clusters = write('clusters.yaml', { clusters: [{ name: 'prod', server: 'https://prod', labels: { env: 'prod' }, kubeconfig: 'ignored' }] });
    const file = write('set.yaml', appSet('s', [{
      matrix: {
        generators: [
          { git: { repoURL: 'https://x/repo.git', revision: 'HEAD', directories: [{ path: 'apps/*' }] } },
          { clusters: { selector: { matchLabels: { env: 'prod' } } } },
        ],
      },
    }], '{{path.basename}}-{{name}}'));
    expect(run(file, '--clusters', clusters, '-o', 'names')).toBe(0);
    expect(out).toBe('argocd/s\tapi-prod\nargocd/s\tweb-prod\n');
  });

  test('exits 1 and says why when a generator cannot be expanded offline, still expanding the other sets', () => {
    write('m/a.yaml', appSet('ok', [{ list: { elements: [{ name: 'one' }] } }]));
    write('m/b.yaml', appSet('prs', [{ pullRequest: { github: { owner: 'o', repo: 'r' } } }]));
    expect(run(path.join(dir, 'm'), '-o', 'names')).toBe(1);
    expect(out).toBe('argocd/ok\tone\n');
    expect(err).toMatch(/b\.yaml: ApplicationSet 'prs': .*the pullRequest generator cannot be expanded offline/);
  });

  test('exits 1 when a generated name is duplicated, printing the first', () => {
    const file = write('set.yaml', appSet('d', [{ list: { elements: [{ name: 'same', path: 'a' }, { name: 'same', path: 'b' }] } }]));
    expect(run(file, '-o', 'names')).toBe(1);
    expect(err).toMatch(/contains applications with duplicate name: same/);
  });

  test('exits 2 when there is no ApplicationSet', () => {
    write('m/app.yaml', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
    expect(run(path.join(dir, 'm'))).toBe(2);
    expect(err).toMatch(/no ApplicationSet found/);
  });
});

describe('readClusters', () => {
  test('adds Argo CD\'s local cluster unless the file lists it', () => {
    const a = write('a.yaml', { clusters: [{ name: 'prod', server: 'https://prod' }] });
    expect(readClusters(a).map(c => [c.name, c.local ?? false])).toEqual([['in-cluster', true], ['prod', false]]);
    const b = write('b.yaml', { clusters: [{ name: 'in-cluster', server: 'https://kubernetes.default.svc', labels: { env: 'dev' } }] });
    expect(readClusters(b).map(c => [c.name, c.local ?? false])).toEqual([['in-cluster', false]]);
  });

  test('fails when an entry has no server', () => {
    const f = write('c.yaml', { clusters: [{ name: 'prod' }] });
    expect(() => readClusters(f)).toThrow(/clusters\[0\] needs a name and a server/);
  });
});
