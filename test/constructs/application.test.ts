import { ApiObject } from 'cdk8s';
import { Application, DeletionFinalizer, PrunePropagationPolicy, SyncOption } from '../../src';
import { crdErrorsInFiles } from '../util/crd-validator';
import { manifest, REPO, testApp } from '../util/synth';

describe('Application', () => {
  test('defaults: own folder as source, in-cluster destination, cascade-delete finalizer', () => {
    const app = testApp();
    const api = new Application(app, 'my-api', { destination: { namespace: 'prod' } });
    new ApiObject(api, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'b' } });
    const files = app.synthFiles();
    const application = manifest(files, 'apps/my-api.yaml');
    expect(application.metadata).toEqual({
      name: 'my-api', namespace: 'argocd', finalizers: ['resources-finalizer.argocd.argoproj.io'],
    });
    expect(application.spec).toEqual({
      project: 'default',
      destination: { server: 'https://kubernetes.default.svc', namespace: 'prod' },
      source: { repoURL: REPO, targetRevision: 'HEAD', path: 'manifests/my-api' },
    });
    expect(manifest(files, 'my-api/configmap-my-api-cm.yaml').metadata.name).toBe('my-api-cm');
  });

  test('the complete spec validates strictly against the v3.5 CRD', () => {
    const app = testApp();
    new Application(app, 'full', {
      project: 'team-a',
      destination: { name: 'prod-eu', namespace: 'shop' },
      sources: [
        {
          repoURL: 'https://charts.bitnami.com/bitnami',
          chart: 'redis',
          targetRevision: '19.6.0',
          helm: {
            releaseName: 'cache',
            valueFiles: ['$values/redis/values.yaml'],
            values: 'a: 1\n',
            valuesObject: { architecture: 'standalone', auth: { enabled: false } },
            parameters: [{ name: 'image.tag', value: '7.2', forceString: true }],
            fileParameters: [{ name: 'config', path: 'files/redis.conf' }],
            skipCrds: true,
            skipSchemaValidation: true,
            skipTests: true,
            ignoreMissingValueFiles: true,
            passCredentials: false,
            version: 'v3',
            kubeVersion: '1.34.0',
            apiVersions: ['v1'],
            namespace: 'shop',
          },
        },
        { ref: 'values' },
        {
          path: 'kustomize/overlays/prod',
          targetRevision: 'v1.2.3',
          kustomize: {
            namePrefix: 'p-',
            nameSuffix: '-s',
            images: ['nginx=nginx:1.27'],
            commonLabels: { team: 'a' },
            commonAnnotations: { owner: 'a' },
            commonAnnotationsEnvsubst: true,
            forceCommonLabels: true,
            forceCommonAnnotations: true,
            namespace: 'shop',
            replicas: [{ name: 'web', count: 3 }],
            patches: [{ patch: '- op: add', target: { kind: 'Deployment', name: 'web' }, options: { allowNameChange: true } }],
            components: ['../components/x'],
            ignoreMissingComponents: true,
            labelWithoutSelector: true,
            labelIncludeTemplates: true,
            kubeVersion: '1.34.0',
            apiVersions: ['v1'],
            version: 'v5',
          },
        },
        {
          path: 'jsonnet',
          name: 'jsonnet-src',
          tagPrefix: 'v',
          directory: { recurse: true, include: '*.jsonnet', exclude: 'vendor/*', jsonnet: { extVars: [{ name: 'e', value: '1', code: true }], tlas: [{ name: 't', value: 'x' }], libs: ['vendor'] } },
        },
        { path: 'cmp', plugin: { name: 'envsubst', env: [{ name: 'A', value: 'b' }], parameters: [{ name: 's', string: 'v' }, { name: 'a', array: ['x'] }, { name: 'm', map: { k: 'v' } }] } },
      ],
      syncPolicy: {
        automated: { prune: true, selfHeal: true, allowEmpty: false, enabled: true },
        syncOptions: [SyncOption.CREATE_NAMESPACE, SyncOption.SERVER_SIDE_APPLY, SyncOption.prunePropagationPolicy(PrunePropagationPolicy.BACKGROUND), SyncOption.custom('ClientSideApplyMigration=false')],
        retry: { limit: 5, refresh: true, backoff: { duration: '5s', factor: 2, maxDuration: '3m' } },
        managedNamespaceMetadata: { labels: { team: 'a' }, annotations: { note: 'x' } },
      },
      ignoreDifferences: [{ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'], jqPathExpressions: ['.spec.x'], managedFieldsManagers: ['kube-controller-manager'] }],
      info: [{ name: 'docs', value: 'https://example.com' }],
      revisionHistoryLimit: 3,
      deletionFinalizer: DeletionFinalizer.BACKGROUND,
      labels: { team: 'a' },
      annotations: { 'notifications.argoproj.io/subscribe.on-sync-failed.slack': 'alerts' },
    });
    new Application(app, 'hydrated', {
      sourceHydrator: { drySource: { path: 'dry' }, syncSource: { targetBranch: 'env/prod', path: 'hydrated' }, hydrateToBranch: 'env/prod-next' },
    });
    const files = app.synthFiles();
    const result = crdErrorsInFiles(files);
    expect(result.errors).toEqual([]);
    expect(result.checked).toBe(2);
    const spec = manifest(files, 'apps/full.yaml').spec;
    expect(spec.sources).toHaveLength(5);
    expect(spec.sources[1]).toEqual({ repoURL: REPO, targetRevision: 'HEAD', ref: 'values' });
    expect(spec.syncPolicy.syncOptions).toEqual(['CreateNamespace=true', 'ServerSideApply=true', 'PrunePropagationPolicy=background', 'ClientSideApplyMigration=false']);
    expect(manifest(files, 'apps/full.yaml').metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io/background']);
  });

  test('an explicit source plus own resources becomes multi-source with the own folder first', () => {
    const app = testApp();
    const web = new Application(app, 'web', { source: { repoURL: 'https://charts.example.com', chart: 'web', targetRevision: '1.0.0' } });
    new ApiObject(web, 'extra', { apiVersion: 'v1', kind: 'ConfigMap' });
    const spec = manifest(app.synthFiles(), 'apps/web.yaml').spec;
    expect(spec.source).toBeUndefined();
    expect(spec.sources.map((s: any) => s.path ?? s.chart)).toEqual(['manifests/web', 'web']);
  });

  test('an explicit source without own resources stays single-source', () => {
    const app = testApp();
    new Application(app, 'ext', { source: { repoURL: 'https://github.com/other/repo.git', path: 'deploy', targetRevision: 'main' } });
    expect(manifest(app.synthFiles(), 'apps/ext.yaml').spec.source).toEqual({ repoURL: 'https://github.com/other/repo.git', path: 'deploy', targetRevision: 'main' });
  });

  test('deletion finalizer can be turned off', () => {
    const app = testApp();
    new Application(app, 'keep', { deletionFinalizer: DeletionFinalizer.NONE });
    expect(manifest(app.synthFiles(), 'apps/keep.yaml').metadata.finalizers).toBeUndefined();
  });

  test('automated: {} is kept (automated sync without prune/selfHeal)', () => {
    const app = testApp();
    new Application(app, 'auto', { syncPolicy: { automated: {} } });
    expect(manifest(app.synthFiles(), 'apps/auto.yaml').spec.syncPolicy).toEqual({ automated: {} });
  });

  test('addSyncOption, addIgnoreDifferences and addInfo add to the spec without duplicates', () => {
    const app = testApp();
    const a = new Application(app, 'a', { syncPolicy: { syncOptions: [SyncOption.CREATE_NAMESPACE] } });
    a.addSyncOption(SyncOption.CREATE_NAMESPACE);
    a.addSyncOption(SyncOption.RESPECT_IGNORE_DIFFERENCES);
    a.addIgnoreDifferences({ group: 'apps', kind: 'Deployment', name: 'web', jsonPointers: ['/spec/replicas'] });
    a.addInfo('owner', 'team-a');
    const spec = manifest(app.synthFiles(), 'apps/a.yaml').spec;
    expect(spec.syncPolicy.syncOptions).toEqual(['CreateNamespace=true', 'RespectIgnoreDifferences=true']);
    expect(spec.ignoreDifferences).toEqual([{ group: 'apps', kind: 'Deployment', name: 'web', jsonPointers: ['/spec/replicas'] }]);
    expect(spec.info).toEqual([{ name: 'owner', value: 'team-a' }]);
    expect(a.syncOptions.map(o => o.value)).toEqual(['CreateNamespace=true', 'RespectIgnoreDifferences=true']);
  });

  test('nested Applications write their manifest into the parent folder', () => {
    const app = testApp();
    const parent = new Application(app, 'parent');
    new Application(parent, 'child');
    const files = app.synthFiles();
    expect(Object.keys(files)).toEqual(['apps/parent.yaml', 'parent/child.yaml']);
    expect(manifest(files, 'apps/parent.yaml').spec.source.path).toBe('manifests/parent');
  });
});

describe('Application bad input', () => {
  test('fails when the name is not DNS-1123', () => {
    expect(() => new Application(testApp(), 'My_API')).toThrow(/Application name 'My_API' is not a valid DNS-1123 name/);
  });

  test('fails when the destination sets both server and name', () => {
    expect(() => new Application(testApp(), 'x', { destination: { server: 'https://k', name: 'prod' } }))
      .toThrow(/destination sets both server \('https:\/\/k'\) and name \('prod'\); set exactly one/);
  });

  test('fails when the destination is given but names neither server nor name (nor a namespace)', () => {
    expect(() => new Application(testApp(), 'x', { destination: {} })).toThrow(/destination is empty; set server \(e.g. 'https:\/\/kubernetes.default.svc'\) or name/);
  });

  test('a destination with only a namespace means the in-cluster server', () => {
    const app = testApp();
    new Application(app, 'x', { destination: { namespace: 'prod' } });
    expect(manifest(app.synthFiles(), 'apps/x.yaml').spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'prod' });
  });

  test('fails when the destination server or name is empty', () => {
    expect(() => new Application(testApp(), 'x', { destination: { server: '' } })).toThrow(/destination server\/name is an empty string/);
  });

  test('fails when a source has no path, chart or ref', () => {
    const app = testApp();
    new Application(app, 'x', { source: { repoURL: 'https://github.com/a/b.git' } });
    expect(() => app.synthFiles()).toThrow(/source for 'https:\/\/github.com\/a\/b.git' has none of path, chart or ref/);
  });

  test('fails when a chart has no targetRevision', () => {
    const app = testApp();
    new Application(app, 'x', { source: { repoURL: 'https://charts.example.com', chart: 'redis' } });
    expect(() => app.synthFiles()).toThrow(/Helm chart 'redis' has no targetRevision; set it to the chart version/);
  });

  test('fails when both source and sources are set', () => {
    expect(() => new Application(testApp(), 'x', { source: { path: 'a' }, sources: [{ path: 'b' }] })).toThrow(/set either source or sources, not both/);
  });

  test('fails when the retry backoff is not a valid duration', () => {
    expect(() => new Application(testApp(), 'x', { syncPolicy: { retry: { backoff: { duration: '5 seconds' } } } }))
      .toThrow(/retry backoff duration '5 seconds' is not a valid duration: use a Go duration such as '5s'/);
    expect(() => new Application(testApp(), 'y', { syncPolicy: { retry: { backoff: { maxDuration: '3mins' } } } }))
      .toThrow(/retry backoff maxDuration '3mins' is not a valid duration/);
    expect(() => new Application(testApp(), 'z', { syncPolicy: { retry: { backoff: { duration: '30', maxDuration: '1h30m' } } } })).not.toThrow();
  });

  test('fails when an ignoreDifferences pointer is malformed', () => {
    expect(() => new Application(testApp(), 'x', { ignoreDifferences: [{ kind: 'Deployment', jsonPointers: ['spec/replicas'] }] }))
      .toThrow(/jsonPointer 'spec\/replicas' is not a JSON pointer: it must start with '\/'/);
  });

  test('fails when a sync option is not Key=value', () => {
    expect(() => SyncOption.custom('CreateNamespace')).toThrow(/not of the form 'Key=value'/);
  });

  test('fails when managedNamespaceMetadata is set without CreateNamespace', () => {
    expect(() => new Application(testApp(), 'x', { syncPolicy: { managedNamespaceMetadata: { labels: { a: 'b' } } } }))
      .toThrow(/managedNamespaceMetadata only takes effect with SyncOption.CREATE_NAMESPACE/);
  });
});
