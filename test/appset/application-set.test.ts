import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import {
  Application, ApplicationSet, ApplicationSetGenerator, ApplicationsSyncPolicy, DeletionFinalizer, DeletionOrder, GitOpsApp,
  LabelSelectorOperator, MaxUpdate, RollingSyncOperator, SyncOption,
} from '../../src';
import { findApplications } from '../../src/engine/load/applications';
import { crdErrors } from '../util/crd-validator';
import { manifest, REPO, testApp } from '../util/synth';

const list = (...envs: string[]): ApplicationSetGenerator => ApplicationSetGenerator.list({ elements: envs.map(env => ({ env })) });
const template = { name: '{{env}}-api', source: { path: 'envs/{{env}}' }, destination: { namespace: 'api-{{env}}' } };
/** A template whose source folder exists in the repository the tests run in: previews check that it does. */
const previewable = { ...template, source: { path: 'src' } };

describe('ApplicationSet', () => {
  test('top-level set: manifest in apps/, sources default to the GitOpsApp repo, strict CRD-valid', () => {
    const app = testApp();
    new ApplicationSet(app, 'api', {
      generators: [list('staging', 'production')],
      template: { ...template, syncPolicy: { automated: { prune: true }, syncOptions: [SyncOption.CREATE_NAMESPACE] }, labels: { env: '{{env}}' } },
      syncPolicy: { preserveResourcesOnDeletion: true, applicationsSync: ApplicationsSyncPolicy.CREATE_UPDATE },
    });
    const files = app.synthFiles();
    const set = manifest(files, 'apps/applicationset-api.yaml');
    expect(crdErrors(set)).toEqual([]);
    expect(set.metadata).toEqual({ name: 'api', namespace: 'argocd' });
    expect(set.spec.generators).toEqual([{ list: { elements: [{ env: 'staging' }, { env: 'production' }] } }]);
    expect(set.spec.template).toEqual({
      metadata: { name: '{{env}}-api', labels: { env: '{{env}}' } },
      spec: {
        project: 'default',
        destination: { server: 'https://kubernetes.default.svc', namespace: 'api-{{env}}' },
        source: { repoURL: REPO, path: 'envs/{{env}}', targetRevision: 'HEAD' },
        syncPolicy: { automated: { prune: true }, syncOptions: ['CreateNamespace=true'] },
      },
    });
    expect(set.spec.syncPolicy).toEqual({ preserveResourcesOnDeletion: true, applicationsSync: 'create-update' });
    expect(Object.keys(files).some(f => f.startsWith('_preview/'))).toBe(false);
  });

  test('inside an Application the manifest goes to that Application\'s folder', () => {
    const app = testApp();
    const parent = new Application(app, 'platform');
    new ApplicationSet(parent, 'api', { generators: [list('a')], template });
    expect(manifest(app.synthFiles(), 'platform/applicationset-api.yaml').kind).toBe('ApplicationSet');
  });

  test('every generator kind renders CRD-valid, with selector and template overrides', () => {
    const app = testApp();
    const secret = { secretName: 'scm', key: 'token' };
    new ApplicationSet(app, 'all', {
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: [
        ApplicationSetGenerator.clusters({ clusterSelector: { matchLabels: { env: 'prod' } }, values: { rev: 'stable' }, template: { project: 'special' } }),
        ApplicationSetGenerator.gitDirectories({ directories: [{ path: 'apps/*' }, { path: 'apps/legacy', exclude: true }], pathParamPrefix: 'app' }),
        ApplicationSetGenerator.gitFiles({ repoURL: 'https://github.com/acme/config.git', revision: 'main', files: [{ path: 'clusters/*.json' }] }),
        ApplicationSetGenerator.matrix({
          generators: [
            ApplicationSetGenerator.merge({ mergeKeys: ['server'], generators: [ApplicationSetGenerator.clusters(), list('x')] }),
            ApplicationSetGenerator.list({ elementsYaml: '{{ .extra | toYaml }}' }),
          ],
          selector: { matchExpressions: [{ key: 'env', operator: LabelSelectorOperator.NOT_IN, values: ['dev'] }] },
        }),
        ApplicationSetGenerator.scmProvider({ github: { organization: 'acme', tokenRef: secret }, filters: [{ repositoryMatch: '^svc-' }] }),
        ApplicationSetGenerator.pullRequest({ azureDevOps: { organization: 'o', project: 'p', repo: 'r' }, filters: [{ branchMatch: 'feature-.*' }] }),
        ApplicationSetGenerator.clusterDecisionResource({ configMapRef: 'ocm-placement', labelSelector: { matchLabels: { app: 'x' } } }),
        ApplicationSetGenerator.plugin({ configMapRef: 'my-plugin', parameters: { key: ['a', 1] } }),
      ],
      template: { name: '{{ .name }}', source: { path: 'x' } },
      rollingSync: {
        steps: [
          { matchExpressions: [{ key: 'env', operator: RollingSyncOperator.IN, values: ['staging'] }] },
          { matchExpressions: [{ key: 'env', operator: RollingSyncOperator.IN, values: ['prod'] }], maxUpdate: MaxUpdate.percent(25) },
          { matchExpressions: [{ key: 'env', operator: RollingSyncOperator.NOT_IN, values: ['staging', 'prod'] }], maxUpdate: MaxUpdate.count(1) },
        ],
        deletionOrder: DeletionOrder.REVERSE,
      },
      ignoreApplicationDifferences: [{ jsonPointers: ['/spec/source/targetRevision'] }],
      preservedFields: { labels: ['team'] },
      templatePatch: 'spec:\n  revisionHistoryLimit: 3\n',
    });
    const set = manifest(app.synthFiles(), 'apps/applicationset-all.yaml');
    expect(crdErrors(set)).toEqual([]);
    const g = set.spec.generators;
    expect(g[0].clusters.template).toEqual({ metadata: {}, spec: { project: 'special', destination: {} } });
    expect(g[1].git).toMatchObject({ repoURL: REPO, revision: 'HEAD', pathParamPrefix: 'app' });
    expect(g[3].selector).toEqual({ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] });
    expect(g[3].matrix.generators[0].merge.mergeKeys).toEqual(['server']);
    expect(g[5].pullRequest.azuredevops).toEqual({ organization: 'o', project: 'p', repo: 'r' });
    expect(g[7].plugin.configMapRef).toEqual({ name: 'my-plugin' });
    expect(set.spec.strategy.rollingSync.steps.map((s: any) => s.maxUpdate)).toEqual([undefined, '25%', 1]);
    expect(set.spec.strategy.deletionOrder).toBe('Reverse');
  });

  test('a generator template override with only a destination namespace keeps the set\'s destination name', () => {
    const app = testApp();
    const set = new ApplicationSet(app, 'o', {
      generators: [ApplicationSetGenerator.list({ elements: [{ env: 'a' }], template: { destination: { namespace: 'override' } } })],
      template: { ...template, destination: { name: '{{env}}-cluster', namespace: 'api-{{env}}' } },
    });
    expect(set.expand()[0].manifest.spec.destination).toEqual({ name: 'a-cluster', namespace: 'override' });
    expect(crdErrors(manifest(app.synthFiles(), 'apps/applicationset-o.yaml'))).toEqual([]);
  });

  test('expand() renders Go templates with Go itself: toYaml quoting and RE2 are Argo CD\'s, synchronously', () => {
    const app = testApp();
    const set = new ApplicationSet(app, 'go', {
      goTemplate: true,
      generators: [ApplicationSetGenerator.list({ elements: [{ env: 'Prod', note: 'a: b' }] })],
      template: {
        name: '{{ regexReplaceAll "(?i)^P" .env "p" }}-api',
        source: { path: 'envs/{{ .env | lower }}', helm: { values: '{{ dict "note" .note | toYaml }}' } },
        destination: { namespace: 'api' },
      },
    });
    const [expanded] = set.expand();
    expect([expanded.name, expanded.namespace]).toEqual(['prod-api', 'argocd']);
    const generated = expanded.manifest;
    expect(generated.metadata.name).toBe('prod-api');
    // go-yaml v2 single-quotes a string with ': ' (the old TypeScript imitation wrote "a: b").
    expect(generated.spec.source.helm.values).toBe("note: 'a: b'");
  });

  test('expand() renders the Applications; a preview is written to _preview/ only when asked for', () => {
    const app = testApp();
    const set = new ApplicationSet(app, 'api', { generators: [list('staging', 'production')], template: previewable, preview: {} });
    expect(set.expand().map(a => [a.name, a.manifest.spec.destination.namespace])).toEqual([['production-api', 'api-production'], ['staging-api', 'api-staging']]);
    const text = app.synthFiles()['_preview/applicationset-api.yaml'];
    expect(text.split('\n')[0]).toBe('# Generated by cdk8s-argocd. Do not edit: change the code and run synth.');
    const preview = parse(text);
    expect(preview).toMatchObject({ apiVersion: 'preview.cdk8s-argocd.io/v1', kind: 'ApplicationSetPreview', metadata: { name: 'api', namespace: 'argocd' } });
    const docs = preview.applications;
    expect(docs.map((d: any) => d.metadata)).toEqual([
      { name: 'production-api', namespace: 'argocd', finalizers: ['resources-finalizer.argocd.argoproj.io'] },
      { name: 'staging-api', namespace: 'argocd', finalizers: ['resources-finalizer.argocd.argoproj.io'] },
    ]);
    for (const d of docs) expect(crdErrors(d)).toEqual([]);
  });

  test('preview files are removed by synth when the preview is turned off', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'appset-out-'));
    const build = (preview: boolean): GitOpsApp => {
      const app = new GitOpsApp({ repoURL: REPO, outdir, outdirPathInRepo: 'manifests' });
      new ApplicationSet(app, 'api', { generators: [list('a')], template: previewable, preview: preview ? {} : undefined });
      return app;
    };
    process.env.CDK8S_ARGOCD_QUIET = '1';
    build(true).synth();
    expect(fs.existsSync(path.join(outdir, '_preview/applicationset-api.yaml'))).toBe(true);
    // The sync engine finds Applications anywhere below the outdir: the preview must not be one.
    expect(findApplications(path.join(outdir, '_preview'), outdir)).toEqual([]);
    expect(build(false).check().changedFiles).toEqual(['_preview/applicationset-api.yaml']);
    build(false).synth();
    expect(fs.existsSync(path.join(outdir, '_preview'))).toBe(false);
    delete process.env.CDK8S_ARGOCD_QUIET;
    fs.rmSync(outdir, { recursive: true, force: true });
  });

  test('a git directories preview reads the working tree of the local repository', () => {
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'appset-'));
    execFileSync('git', ['init', '-q'], { cwd: repo });
    for (const dir of ['apps/web', 'apps/worker']) {
      fs.mkdirSync(path.join(repo, dir), { recursive: true });
      fs.writeFileSync(path.join(repo, dir, 'kustomization.yaml'), 'resources: []\n');
    }
    const app = new GitOpsApp({ repoURL: REPO, outdir: path.join(repo, 'manifests') });
    const set = new ApplicationSet(app, 'apps', {
      generators: [ApplicationSetGenerator.gitDirectories({ directories: [{ path: 'apps/*' }] })],
      template: { name: '{{path.basename}}', source: { path: '{{path}}' } },
    });
    expect(set.expand().map(a => [a.name, a.manifest.spec.source.path])).toEqual([['web', 'apps/web'], ['worker', 'apps/worker']]);
    fs.rmSync(repo, { recursive: true, force: true });
  });

  test('fails when a preview needs a generator that cannot be expanded offline', () => {
    const app = testApp();
    new ApplicationSet(app, 'prs', {
      generators: [ApplicationSetGenerator.pullRequest({ github: { owner: 'acme', repo: 'api' } })],
      template: { name: 'pr-{{number}}', source: { path: 'x' } },
      preview: {},
    });
    expect(() => app.synthFiles()).toThrow(/the pullRequest generator cannot be expanded offline/);
  });

  test('fails when the template has no name', () => {
    expect(() => new ApplicationSet(testApp(), 'x', { generators: [list('a')], template: { source: { path: 'x' } } })).toThrow(/template\.name is required/);
  });

  test('fails when a name without placeholders is not a DNS name, and accepts placeholders', () => {
    expect(() => new ApplicationSet(testApp(), 'x', { generators: [list('a')], template: { ...template, name: 'My_App' } })).toThrow(/template\.name 'My_App' is not a valid DNS-1123 name/);
    expect(() => new ApplicationSet(testApp(), 'y', { generators: [list('a')], template: { ...template, name: '{{ .Env | lower }}' } })).not.toThrow();
  });

  test('fails when the template has no source', () => {
    expect(() => new ApplicationSet(testApp(), 'x', { generators: [list('a')], template: { name: '{{env}}' } })).toThrow(/template needs a source, sources or sourceHydrator/);
  });

  test('fails when Go-template placeholders are used without goTemplate', () => {
    expect(() => new ApplicationSet(testApp(), 'x', { generators: [list('a')], template: { ...template, name: '{{ .env }}-api' } }))
      .toThrow(/uses the Go-template placeholder '\{\{ \.env \}\}' but goTemplate is not set: set goTemplate: true, or write '\{\{env\}\}'/);
  });

  test('fails when a fasttemplate list element (even inside a matrix) has a non-string value', () => {
    const numbers = ApplicationSetGenerator.list({ elements: [{ env: 'a', replicas: 3 }] });
    expect(() => new ApplicationSet(testApp(), 'x', { generators: [ApplicationSetGenerator.matrix({ generators: [list('b'), numbers] })], template }))
      .toThrow(/generators\[0\]\.matrix\.generators\[1\]\.list: elements\[0\]\.replicas: error parsing value as string/);
    expect(() => new ApplicationSet(testApp(), 'y', { goTemplate: true, generators: [numbers], template: { ...template, name: '{{ .env }}' } })).not.toThrow();
  });

  test('fails when there are no generators', () => {
    expect(() => new ApplicationSet(testApp(), 'x', { generators: [], template })).toThrow(/generators must not be empty/);
  });

  test('fails when goTemplateOptions are unknown or used without goTemplate', () => {
    expect(() => new ApplicationSet(testApp(), 'x', { goTemplate: true, goTemplateOptions: ['strict'], generators: [list('a')], template })).toThrow(/unrecognized goTemplateOptions entry 'strict'/);
    expect(() => new ApplicationSet(testApp(), 'y', { goTemplateOptions: ['missingkey=error'], generators: [list('a')], template })).toThrow(/only take effect with goTemplate: true/);
  });

  test('fails when deletionFinalizer NONE is asked for without preserveResourcesOnDeletion', () => {
    expect(() => new ApplicationSet(testApp(), 'x', { generators: [list('a')], template: { ...template, deletionFinalizer: DeletionFinalizer.NONE } }))
      .toThrow(/needs syncPolicy\.preserveResourcesOnDeletion: true/);
  });

  test('fails when a rollingSync step has no expressions or empty values, or maxUpdate is out of range', () => {
    expect(() => new ApplicationSet(testApp(), 'x', { generators: [list('a')], template, rollingSync: { steps: [{ matchExpressions: [] }] } })).toThrow(/selects no Application/);
    expect(() => new ApplicationSet(testApp(), 'y', { generators: [list('a')], template, rollingSync: { steps: [{ matchExpressions: [{ key: 'env', operator: RollingSyncOperator.IN, values: [] }] }] } }))
      .toThrow(/expression on 'env' needs at least one value/);
    expect(() => MaxUpdate.percent(150)).toThrow(/maxUpdate percent 150 must be an integer from 0 to 100/);
    expect(() => MaxUpdate.count(-1)).toThrow(/maxUpdate count -1/);
  });

  test('MaxUpdate says which kind it is with typed fields (no `any` in the API)', () => {
    expect([MaxUpdate.count(2).value, MaxUpdate.count(2).isPercent]).toEqual([2, false]);
    expect([MaxUpdate.percent(0).value, MaxUpdate.percent(0).isPercent]).toEqual([0, true]);
  });
});

describe('ApplicationSetGenerator', () => {
  test('fails when a matrix does not have exactly two children', () => {
    expect(() => ApplicationSetGenerator.matrix({ generators: [list('a'), list('b'), list('c')] })).toThrow(/a matrix combines exactly two generators, got 3/);
    expect(() => ApplicationSetGenerator.matrix({ generators: [list('a')] })).toThrow(/exactly two generators, got 1/);
  });

  test('fails when combination generators nest deeper than one level', () => {
    const inner = ApplicationSetGenerator.matrix({ generators: [list('a'), list('b')] });
    const middle = ApplicationSetGenerator.matrix({ generators: [inner, list('c')] });
    expect(() => ApplicationSetGenerator.merge({ mergeKeys: ['env'], generators: [middle, list('d')] })).toThrow(/nests matrix\/merge generators only one level deep/);
  });

  test('fails when a merge has no merge keys or fewer than two children', () => {
    expect(() => ApplicationSetGenerator.merge({ mergeKeys: [], generators: [list('a'), list('b')] })).toThrow(/mergeKeys must name at least one parameter/);
    expect(() => ApplicationSetGenerator.merge({ mergeKeys: ['env'], generators: [list('a')] })).toThrow(/at least two generators, got 1/);
  });

  test('fails when a matrix child has a template override', () => {
    const child = ApplicationSetGenerator.list({ elements: [{ a: 'b' }], template: { project: 'x' } });
    expect(() => ApplicationSetGenerator.matrix({ generators: [child, list('b')] })).toThrow(/has a template override, which Argo CD ignores inside a matrix/);
  });

  test('fails when an SCM provider or pull request generator names zero or two providers', () => {
    expect(() => ApplicationSetGenerator.scmProvider({})).toThrow(/set one provider/);
    expect(() => ApplicationSetGenerator.pullRequest({ github: { owner: 'a', repo: 'b' }, gitlab: { project: 'c' } })).toThrow(/set exactly one provider, got github and gitlab/);
  });

  test('fails when a selector expression is malformed', () => {
    expect(() => ApplicationSetGenerator.clusters({ clusterSelector: { matchExpressions: [{ key: 'env', operator: LabelSelectorOperator.IN }] } }))
      .toThrow(/expression on 'env' with In needs at least one value/);
    expect(() => ApplicationSetGenerator.list({ elements: [], selector: { matchExpressions: [{ key: 'env', operator: LabelSelectorOperator.EXISTS, values: ['x'] }] } }))
      .toThrow(/with Exists takes no values/);
  });

  test('fails when git generators have no include pattern', () => {
    expect(() => ApplicationSetGenerator.gitDirectories({ directories: [{ path: 'apps/x', exclude: true }] })).toThrow(/every directory pattern is an exclude/);
    expect(() => ApplicationSetGenerator.gitFiles({ files: [] })).toThrow(/files must not be empty/);
  });

  test('fails when a list generator has neither elements nor elementsYaml', () => {
    expect(() => ApplicationSetGenerator.list({})).toThrow(/set elements or elementsYaml/);
  });
});
