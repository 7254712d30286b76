/**
 * ApplicationSet previews (`preview` on synth, `appset expand`) report what a sync of each
 * generated Application would refuse because a path is not in the repository: a missing
 * `source.path`, a missing Helm value file (unless `helm.ignoreMissingValueFiles`).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { ApplicationSet, ApplicationSetGenerator, GitOpsApp } from '../../src';
import { checkGeneratedSources, InMemoryGitSource } from '../../src/engine/appset';
import { runInProcess } from '../cli/run-in-process';
import { REPO } from '../util/synth';

const app = (name: string, source: any, multi = false) => ({ metadata: { name }, spec: multi ? { sources: source } : { source } });
const git = new InMemoryGitSource({
  'chart/Chart.yaml': 'name: web\n',
  'chart/values.yaml': '',
  'chart/values-production.yaml': '',
  'shared/values-common.yaml': '',
});

describe('checkGeneratedSources', () => {
  test('a missing value file names the ApplicationSet, the Application and the repository path', () => {
    const apps = ['staging', 'production'].map((env) => app(`web-${env}`, { repoURL: REPO, path: 'chart', helm: { valueFiles: ['values.yaml', `values-${env}.yaml`] } }));
    expect(checkGeneratedSources('web', apps, git)).toEqual([
      "ApplicationSet 'web': Application 'web-staging': spec.source.helm.valueFiles values-staging.yaml: chart/values-staging.yaml does not exist in the repository, "
      + 'so a sync fails (create it, fix the name, or set helm.ignoreMissingValueFiles: true to skip missing value files as Argo CD does)',
    ]);
  });

  test('helm.ignoreMissingValueFiles skips missing value files, as Argo CD does', () => {
    const apps = [app('web-staging', { repoURL: REPO, path: 'chart', helm: { valueFiles: ['values-staging.yaml'], ignoreMissingValueFiles: true } })];
    expect(checkGeneratedSources('web', apps, git)).toEqual([]);
  });

  test('a missing source path (or one that is a file)', () => {
    const apps = [app('a', { repoURL: REPO, path: 'apps/a' }), app('b', { repoURL: REPO, path: 'chart/values.yaml' }), app('c', { repoURL: REPO, path: 'chart/' })];
    expect(checkGeneratedSources('set', apps, git)).toEqual([
      "ApplicationSet 'set': Application 'a': spec.source.path apps/a does not exist in the repository, so a sync fails (Argo CD: app path does not exist)",
      "ApplicationSet 'set': Application 'b': spec.source.path chart/values.yaml does not exist in the repository, so a sync fails (Argo CD: app path does not exist)",
    ]);
  });

  test('multi-source: $ref value files, relative paths; charts and remote files are not checked', () => {
    const apps = [app('m', [
      { repoURL: 'https://charts.example.com', chart: 'web', targetRevision: '1.0.0', helm: { valueFiles: ['$values/shared/values-common.yaml', '$values/shared/values-missing.yaml', 'https://example.com/v.yaml'] } },
      { repoURL: REPO, ref: 'values' },
      { repoURL: REPO, path: 'chart', helm: { valueFiles: ['../shared/values-common.yaml', '../shared/nope.yaml'] } },
    ], true)];
    expect(checkGeneratedSources('set', apps, git)).toEqual([
      "ApplicationSet 'set': Application 'm': spec.sources[2].helm.valueFiles ../shared/nope.yaml: shared/nope.yaml does not exist in the repository, so a sync fails (create it, fix the name, or set helm.ignoreMissingValueFiles: true to skip missing value files as Argo CD does)",
    ]);
  });

  test('files the running synth writes count as present; repositories that cannot be read are not checked', () => {
    const apps = [app('a', { repoURL: REPO, path: 'manifests/a' })];
    expect(checkGeneratedSources('set', apps, git)).toHaveLength(1);
    expect(checkGeneratedSources('set', apps, git, { extraFiles: ['manifests/a/configmap-x.yaml'] })).toEqual([]);
    const unreadable = { listFiles: () => { throw new Error('not available offline'); }, readFile: () => '' };
    expect(checkGeneratedSources('set', apps, unreadable)).toEqual([]);
  });
});

describe('previews report missing paths', () => {
  let repo: string;
  beforeEach(() => {
    repo = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'preview-paths-')));
    execFileSync('git', ['init', '-q'], { cwd: repo });
    fs.mkdirSync(path.join(repo, 'chart'));
    for (const f of ['Chart.yaml', 'values.yaml', 'values-production.yaml']) fs.writeFileSync(path.join(repo, 'chart', f), '');
  });
  afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

  const build = (helm: any, sourcePath = 'chart') => {
    const gitops = new GitOpsApp({ repoURL: REPO, outdir: path.join(repo, 'manifests') });
    new ApplicationSet(gitops, 'web', {
      generators: [ApplicationSetGenerator.list({ elements: [{ env: 'staging' }, { env: 'production' }] })],
      template: { name: 'web-{{env}}', source: { path: sourcePath, helm }, destination: { namespace: 'web' } },
      preview: {},
    });
    return gitops;
  };

  test('synth with a preview fails on a value file a generated Application names but the repository lacks', () => {
    expect(() => build({ valueFiles: ['values.yaml', 'values-{{env}}.yaml'] }).synthFiles())
      .toThrow("ApplicationSet 'web': Application 'web-staging': spec.source.helm.valueFiles values-staging.yaml: chart/values-staging.yaml does not exist in the repository");
    expect(() => build({ valueFiles: ['values.yaml', 'values-{{env}}.yaml'], ignoreMissingValueFiles: true }).synthFiles()).not.toThrow();
  });

  test('synth with a preview fails on a missing source path', () => {
    expect(() => build(undefined, 'charts/{{env}}').synthFiles())
      .toThrow("ApplicationSet 'web': Application 'web-production': spec.source.path charts/production does not exist in the repository");
  });

  test('appset expand reports it on stderr and exits 1', async () => {
    const manifests = path.join(repo, 'manifests', 'apps');
    fs.mkdirSync(manifests, { recursive: true });
    fs.writeFileSync(path.join(manifests, 'set.yaml'), stringify({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: { name: 'web', namespace: 'argocd' },
      spec: {
        generators: [{ list: { elements: [{ env: 'staging' }, { env: 'production' }] } }],
        template: {
          metadata: { name: 'web-{{env}}' },
          spec: { project: 'default', destination: { server: 'https://kubernetes.default.svc', namespace: 'web' }, source: { repoURL: REPO, path: 'chart', helm: { valueFiles: ['values-{{env}}.yaml'] } } },
        },
      },
    }));
    const res = await runInProcess('appset', 'expand', manifests, '-o', 'names');
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('argocd/web\tweb-production\nargocd/web\tweb-staging\n');
    expect(res.stderr).toContain("ApplicationSet 'web': Application 'web-staging': spec.source.helm.valueFiles values-staging.yaml: chart/values-staging.yaml does not exist in the repository");
    const json = await runInProcess('appset', 'expand', manifests, '-o', 'json');
    expect(JSON.parse(json.stdout)[0].errors).toEqual([expect.stringContaining("Application 'web-staging'")]);
  });
});
