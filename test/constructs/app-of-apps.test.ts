import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, Chart } from 'cdk8s';
import { AppOfApps, AppProject, Application, ApplicationSet, ApplicationSetGenerator, DeletionFinalizer, GitOpsApp, SyncWave } from '../../src';
import { APPLICATION_HEALTH_LUA } from '../../src/constructs/app-of-apps';
import { crdErrorsInFiles } from '../util/crd-validator';
import { manifest, REPO, testApp } from '../util/synth';

describe('AppOfApps', () => {
  test('root manifest at root.yaml syncs apps/, which holds one manifest per child', () => {
    const app = testApp();
    const root = new AppOfApps(app, 'root');
    const api = new Application(root, 'api', { destination: { namespace: 'api' } });
    new ApiObject(api, 'cm', { apiVersion: 'v1', kind: 'ConfigMap' });
    new Application(root, 'web', { destination: { namespace: 'web' } });
    const files = app.synthFiles();
    expect(Object.keys(files)).toEqual(['api/configmap-api-cm.yaml', 'apps/api.yaml', 'apps/web.yaml', 'root.yaml']);
    const rootManifest = manifest(files, 'root.yaml');
    expect(rootManifest.metadata).toEqual({ name: 'root', namespace: 'argocd', finalizers: ['resources-finalizer.argocd.argoproj.io'] });
    expect(rootManifest.spec.source).toEqual({ repoURL: REPO, targetRevision: 'HEAD', path: 'manifests/apps' });
    expect(manifest(files, 'apps/api.yaml').spec.source.path).toBe('manifests/api');
    expect(manifest(files, 'apps/api.yaml').metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io']);
    expect(crdErrorsInFiles(files).errors).toEqual([]);
  });

  test('children built from a plain list', () => {
    const app = testApp();
    const root = new AppOfApps(app, 'root');
    for (const name of ['billing', 'catalog', 'checkout']) new Application(root, name, { destination: { namespace: name } });
    expect(root.children.map(c => c.name)).toEqual(['billing', 'catalog', 'checkout']);
    expect(Object.keys(app.synthFiles())).toEqual(['apps/billing.yaml', 'apps/catalog.yaml', 'apps/checkout.yaml', 'root.yaml']);
  });

  test('folder and manifestFile are configurable', () => {
    const app = testApp();
    const root = new AppOfApps(app, 'platform', { folder: 'platform-apps', manifestFile: 'bootstrap/platform.yaml' });
    new Application(root, 'a');
    const files = app.synthFiles();
    expect(Object.keys(files)).toEqual(['bootstrap/platform.yaml', 'platform-apps/a.yaml']);
    expect(manifest(files, 'bootstrap/platform.yaml').spec.source.path).toBe('manifests/platform-apps');
  });

  test('nested app-of-apps: each level has its own folder and its own cascade finalizer', () => {
    const app = testApp();
    const root = new AppOfApps(app, 'root');
    const team = new AppOfApps(root, 'team-a');
    const svc = new Application(team, 'svc');
    new ApiObject(svc, 'cm', { apiVersion: 'v1', kind: 'ConfigMap' });
    expect(team.isRoot).toBe(false);
    const files = app.synthFiles();
    expect(Object.keys(files)).toEqual(['apps/team-a.yaml', 'root.yaml', 'svc/configmap-svc-cm.yaml', 'team-a/svc.yaml']);
    expect(manifest(files, 'apps/team-a.yaml').spec.source.path).toBe('manifests/team-a');
    for (const f of ['root.yaml', 'apps/team-a.yaml', 'team-a/svc.yaml']) {
      expect(manifest(files, f).metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io']);
    }
  });

  test('children keep the Argo CD namespace inside a cdk8s Chart that has a namespace', () => {
    const app = testApp();
    const root = new AppOfApps(app, 'root');
    const team = new Chart(root, 'team', { namespace: 'team-a' });
    const child = new Application(team, 'child', { destination: { namespace: 'team-a' } });
    expect(child.argocdNamespace).toBe('argocd');
    expect(manifest(app.synthFiles(), 'apps/child.yaml').metadata.namespace).toBe('argocd');
  });

  test('a child can opt out of the finalizer', () => {
    const app = testApp();
    const root = new AppOfApps(app, 'root');
    new Application(root, 'keep', { deletionFinalizer: DeletionFinalizer.NONE });
    expect(manifest(app.synthFiles(), 'apps/keep.yaml').metadata.finalizers).toBeUndefined();
  });

  test('waved children with applicationHealthCheck: true emit the argocd-cm patch beside root.yaml', () => {
    const app = testApp();
    const root = new AppOfApps(app, 'root', { applicationHealthCheck: true });
    const [infra, apps] = SyncWave.sequence(root, ['infra', 'apps']);
    new Application(infra, 'cert-manager');
    new Application(apps, 'shop');
    const files = app.synthFiles();
    expect(Object.keys(files)).toEqual(['apps/cert-manager.yaml', 'apps/shop.yaml', 'argocd-cm-application-health.yaml', 'root.yaml']);
    const cm = manifest(files, 'argocd-cm-application-health.yaml');
    expect(cm.metadata).toEqual({ name: 'argocd-cm', namespace: 'argocd', labels: { 'app.kubernetes.io/name': 'argocd-cm', 'app.kubernetes.io/part-of': 'argocd' } });
    expect(cm.data['resource.customizations.health.argoproj.io_Application']).toBe(APPLICATION_HEALTH_LUA);
    expect(manifest(files, 'apps/shop.yaml').metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('10');
  });

  test('applicationHealthCheck: false accepts waves without emitting the patch', () => {
    const app = testApp();
    const root = new AppOfApps(app, 'root', { applicationHealthCheck: false });
    SyncWave.set(new Application(root, 'a'), 1);
    expect(Object.keys(app.synthFiles())).toEqual(['apps/a.yaml', 'root.yaml']);
  });

  test('an ApplicationSet child is written to the root folder and can carry a wave', () => {
    const app = testApp();
    const root = new AppOfApps(app, 'root', { applicationHealthCheck: false });
    const envs = new ApplicationSet(root, 'api-envs', {
      generators: [ApplicationSetGenerator.list({ elements: [{ env: 'staging' }, { env: 'production' }] })],
      template: { name: '{{env}}-api', source: { path: 'envs/{{env}}' }, destination: { namespace: 'api-{{env}}' } },
    });
    SyncWave.set(envs, 5);
    const files = app.synthFiles();
    expect(manifest(files, 'apps/applicationset-api-envs.yaml').metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('5');
    expect(crdErrorsInFiles(files).errors).toEqual([]);
  });

  test('top-level AppProjects beside a root AppOfApps land in apps/ and are synced by the root', () => {
    const app = testApp();
    const root = new AppOfApps(app, 'root');
    const team = new AppProject(app, 'team-a', { destinations: [{ server: '*', namespace: 'team-a' }] });
    new Application(root, 'svc', { project: team.name, destination: { namespace: 'team-a' } });
    expect(Object.keys(app.synthFiles())).toEqual(['apps/appproject-team-a.yaml', 'apps/svc.yaml', 'root.yaml']);
  });
});

describe('AppOfApps bad input', () => {
  test('fails when a top-level Application would write into the root folder', () => {
    const app = testApp();
    new AppOfApps(app, 'root');
    new Application(app, 'stray');
    expect(() => app.synthFiles()).toThrow(/Application 'stray' \('stray'\) is declared beside AppOfApps 'root', but its manifest would be written to apps\/, the folder 'root' syncs; declare it inside the AppOfApps/);
  });

  test('a top-level Application is fine when the root uses another folder', () => {
    const app = testApp();
    new AppOfApps(app, 'root', { folder: 'root-apps' });
    new Application(app, 'standalone');
    expect(Object.keys(app.synthFiles())).toEqual(['apps/standalone.yaml', 'root.yaml']);
  });

  test('fails when two root AppOfApps share the apps folder', () => {
    const app = testApp();
    new AppOfApps(app, 'one');
    new AppOfApps(app, 'two', { manifestFile: 'two.yaml' });
    expect(() => app.synthFiles()).toThrow(/both write to folder 'apps'/);
  });

  test('fails when children have waves and nobody decided about the Application health check', () => {
    const app = testApp();
    const root = new AppOfApps(app, 'root');
    new Application(new SyncWave(root, 'first', { wave: 1 }), 'a');
    new Application(root, 'b', { annotations: { 'argocd.argoproj.io/sync-wave': '2' } });
    expect(() => app.synthFiles()).toThrow(/children of AppOfApps 'root' have sync waves \(a, b\), but Argo CD \(since 1.8\) only waits .* Set applicationHealthCheck: true/);
  });

  test('fails when a child uses a project that is not declared while others are', () => {
    const app = testApp();
    const root = new AppOfApps(app, 'root');
    new AppProject(root, 'platform', { destinations: [{ server: '*', namespace: '*' }] });
    new Application(root, 'svc', { project: 'platfrom' });
    expect(() => app.synthFiles()).toThrow(/Application 'svc' \('root\/svc'\) uses project 'platfrom', which is not declared in this app \(declared: platform\)/);
  });

  test('fails when folder or manifestFile leave the output directory, or manifestFile is set on a nested AppOfApps', () => {
    const app = testApp();
    expect(() => new AppOfApps(app, 'a', { folder: '../outside' })).toThrow(/AppOfApps 'a' \('a'\): folder '..\/outside' must stay inside the output directory: remove the '..' segments/);
    expect(() => new AppOfApps(app, 'b', { manifestFile: '/etc/root.yaml' })).toThrow(/manifestFile '\/etc\/root.yaml' must be relative to the output directory, not absolute/);
    expect(() => new AppOfApps(app, 'c', { manifestFile: 'root.json' })).toThrow(/must end in .yaml or .yml/);
    const root = new AppOfApps(app, 'root');
    expect(() => new AppOfApps(root, 'nested', { manifestFile: 'x.yaml' })).toThrow(/manifestFile only applies to a root AppOfApps/);
  });
});

describe('AppOfApps folder values', () => {
  const synthInto = (dir: string, folder: string) => {
    const app = new GitOpsApp({ repoURL: REPO, outdir: dir, outdirPathInRepo: 'manifests' });
    const root = new AppOfApps(app, 'root', { folder });
    new Application(root, 'orders', { destination: { namespace: 'orders' } });
    new Application(root, 'payments', { destination: { namespace: 'payments' } });
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      app.synth();
    } finally {
      log.mockRestore();
    }
    return app;
  };

  test.each(['children/', './children', 'children//', './children/.'])('folder %j is normalized: every synth keeps the child manifests and --check passes', (folder) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-argocd-aoa-'));
    for (let run = 1; run <= 3; run++) {
      const app = synthInto(dir, folder);
      expect(fs.readdirSync(path.join(dir, 'children')).sort()).toEqual(['orders.yaml', 'payments.yaml']);
      expect(app.check()).toEqual({ upToDate: true, changedFiles: [], diff: '' });
    }
    const app = testApp();
    new AppOfApps(app, 'root', { folder });
    expect(manifest(app.synthFiles(), 'root.yaml').spec.source.path).toBe('manifests/children');
  });

  test.each([
    ['a/../children', /folder 'a\/..\/children' must stay inside the output directory: remove the '..' segments/],
    ['.hidden', /folder '.hidden' has a segment starting with '.' \('.hidden'\), which synth skips when it reads the directory back/],
    ['team/.apps', /folder 'team\/.apps' has a segment starting with '.'/],
    ['.', /folder '.' must name a folder or file below the output directory, not the output directory itself/],
    ['', /folder '' must name a folder/],
    ['/abs', /folder '\/abs' must be relative to the output directory, not absolute/],
    ['_preview', /'_preview\/' is reserved for ApplicationSet previews/],
    ['a\\b', /folder 'a\\b' has a backslash or control character/],
  ])('folder %j is refused with a clear error', (folder, message) => {
    const app = testApp();
    expect(() => new AppOfApps(app, 'root', { folder })).toThrow(message);
  });

  test('manifestFile is normalized the same way', () => {
    const app = testApp();
    new AppOfApps(app, 'root', { manifestFile: './bootstrap//root.yaml' });
    expect(Object.keys(app.synthFiles())).toEqual(['bootstrap/root.yaml']);
    expect(() => new AppOfApps(testApp(), 'r', { manifestFile: '.root.yaml' })).toThrow(/manifestFile '.root.yaml' has a segment starting with '.'/);
  });
});
