/**
 * AppProject enforcement against the in-memory API with a virtual clock. The same rules run on the
 * real control plane in test/e2e/engine-projects.e2e.test.ts.
 */
import { desired, obj } from './fixtures';
import { AppProjectSpec } from '../../src/argo/app-project';
import { ApplicationSpec } from '../../src/engine/application-spec';
import { compareApplication } from '../../src/engine/compare-app';
import { LoadedApplication } from '../../src/engine/load/applications';
import { KubeObject, OperationPhase, ResultCode, SyncStatusCode } from '../../src/engine/model';
import { readAppProject } from '../../src/engine/project';
import { syncApplication, SyncRequest } from '../../src/engine/sync';
import { FakeKube } from '../util/fake-kube';
import { VirtualClock } from '../util/virtual-clock';

const REPO = 'https://github.com/acme/platform.git';

function application(objs: KubeObject[], spec: Partial<ApplicationSpec> = {}, namespace = 'argocd'): LoadedApplication {
  return {
    name: 'web',
    namespace,
    position: { file: 'm/apps/web.yaml', line: 1 },
    revision: 'abcdef0123456789',
    manifest: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'web', namespace },
      spec: { project: 'team', source: { repoURL: REPO, path: 'web' }, destination: { server: 'https://kubernetes.default.svc', namespace: 'shop' }, ...spec },
    },
    objects: desired(...objs),
  };
}

function appProject(name: string, spec: AppProjectSpec): KubeObject {
  return { apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name, namespace: 'argocd' }, spec };
}

const TEAM: AppProjectSpec = {
  sourceRepos: ['https://github.com/acme/*'],
  destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'shop' }],
};

function cluster(...projects: KubeObject[]): FakeKube {
  return new FakeKube()
    .addKind('argoproj.io/v1alpha1', 'AppProject', true, 'appprojects')
    .seed(obj('v1', 'Namespace', 'shop'), obj('v1', 'Namespace', 'argocd'), obj('v1', 'Namespace', 'kube-system'), ...projects);
}

const cm = (name: string, namespace?: string): KubeObject => ({ ...obj('v1', 'ConfigMap', name, {}, { data: { a: '1' } }), ...(namespace ? { metadata: { name, namespace } } : {}) });

// 2023-11-14T22:13:20Z: the virtual clock's start.
const clockAt = (iso?: string): VirtualClock => {
  const clock = new VirtualClock();
  if (iso) void clock.sleep(Date.parse(iso) - clock.now());
  return clock;
};

async function sync(fake: FakeKube, app: LoadedApplication, req: SyncRequest = {}) {
  return syncApplication(fake, app, { pollMs: 5, timeoutSeconds: 60, clock: clockAt(), ...req });
}

describe('the project of an Application', () => {
  test('default, when absent, is the permissive project Argo CD creates at start-up', async () => {
    const fake = cluster();
    const lookup = await readAppProject(fake, undefined);
    expect(lookup).toEqual({ found: true, name: 'default', spec: expect.objectContaining({ sourceRepos: ['*'] }) });
    const result = await sync(fake, application([cm('a'), obj('rbac.authorization.k8s.io/v1', 'ClusterRole', 'reader')], { project: 'default' }));
    expect(result.message).toBe('successfully synced (all tasks run)');
  });

  test('a default project in the cluster is the one that counts', async () => {
    const fake = cluster(appProject('default', { sourceRepos: ['https://other.example/*'], destinations: [{ server: '*', namespace: '*' }] }));
    const result = await sync(fake, application([cm('a')], { project: '' }));
    expect(result.phase).toBe(OperationPhase.ERROR);
    expect(result.message).toContain(`InvalidSpecError: application repo ${REPO} is not permitted in project 'default'`);
  });

  test('a missing project is an error with Argo CD\'s message, and nothing is written', async () => {
    const fake = cluster();
    const result = await sync(fake, application([cm('a')]));
    expect(result.phase).toBe(OperationPhase.ERROR);
    expect(result.message).toBe('InvalidSpecError: Application referencing project team which does not exist '
      + '(m/apps/web.yaml:1: apply AppProject team to namespace argocd first (a parent Application usually syncs it), or use another project)');
    expect(fake.writes()).toEqual([]);
  });

  test('a cluster without the AppProject CRD has no project but default', async () => {
    const fake = new FakeKube().seed(obj('v1', 'Namespace', 'shop'));
    expect(await readAppProject(fake, 'team')).toEqual({ found: false, name: 'team' });
    expect((await readAppProject(fake, 'default')).found).toBe(true);
  });
});

describe('Application-level rules stop the sync before it starts', () => {
  test.each([
    ['a source repository outside sourceRepos', { source: { repoURL: 'https://gitlab.com/acme/web.git', path: 'web' } }, 'argocd',
      "InvalidSpecError: application repo https://gitlab.com/acme/web.git is not permitted in project 'team'"],
    ['a destination namespace outside destinations', { destination: { server: 'https://kubernetes.default.svc', namespace: 'data' } }, 'argocd',
      "InvalidSpecError: application destination server 'https://kubernetes.default.svc' and namespace 'data' do not match any of the allowed destinations in project 'team'"],
    ['an Application outside Argo CD\'s namespace without sourceNamespaces', {}, 'team-a',
      "UnknownError: application 'web' in namespace 'team-a' is not permitted to use project 'team'"],
  ])('%s', async (_what, spec, namespace, message) => {
    const fake = cluster(appProject('team', TEAM));
    const result = await sync(fake, application([cm('a')], spec, namespace));
    expect(result.phase).toBe(OperationPhase.ERROR);
    expect(result.message.startsWith(message)).toBe(true);
    expect(fake.writes()).toEqual([]);
  });

  test('sourceNamespaces lets an Application in another namespace use the project', async () => {
    const fake = cluster(appProject('team', { ...TEAM, sourceNamespaces: ['team-*'] }));
    const result = await sync(fake, application([cm('a')], {}, 'team-a'));
    expect(result.message).toBe('successfully synced (all tasks run)');
  });

  test('a ! destination denies a namespace another entry allows', async () => {
    const fake = cluster(appProject('team', { ...TEAM, destinations: [{ server: '*', namespace: '*' }, { server: '*', namespace: '!shop' }] }));
    const result = await sync(fake, application([cm('a')]));
    expect(result.message).toContain("namespace 'shop' do not match any of the allowed destinations in project 'team'");
  });
});

describe('forbidden resources fail the sync before anything is applied', () => {
  test('a cluster-scoped kind missing from clusterResourceWhitelist', async () => {
    const fake = cluster(appProject('team', TEAM));
    const result = await sync(fake, application([cm('a'), obj('rbac.authorization.k8s.io/v1', 'ClusterRole', 'reader')]));
    expect(result.phase).toBe(OperationPhase.FAILED);
    expect(result.message).toMatch(/^one or more synchronization tasks are not valid, nothing was applied:\n {2}m\/app\/f\.yaml:11: ClusterRole reader: resource rbac\.authorization\.k8s\.io:ClusterRole is not permitted in project team$/);
    expect(result.resources.map((r) => `${r.kind}/${r.name}: ${r.status} ${r.message}`)).toEqual([
      'ClusterRole/reader: SyncFailed resource rbac.authorization.k8s.io:ClusterRole is not permitted in project team',
    ]);
    expect(fake.writes()).toEqual([]);
    expect(fake.log(['apply']).filter((l) => l.includes('dry run'))).toEqual([]);
  });

  test('a namespaced kind on the deny list, or outside a set allow list', async () => {
    const denied = cluster(appProject('team', { ...TEAM, namespaceResourceBlacklist: [{ group: '', kind: 'ConfigMap' }] }));
    expect((await sync(denied, application([cm('a')]))).resources[0].message).toBe('resource :ConfigMap is not permitted in project team');
    const allowList = cluster(appProject('team', { ...TEAM, namespaceResourceWhitelist: [{ group: 'apps', kind: '*' }] }));
    expect((await sync(allowList, application([cm('a')]))).phase).toBe(OperationPhase.FAILED);
    expect(denied.writes()).toEqual([]);
    expect(allowList.writes()).toEqual([]);
  });

  test('an object in a namespace the project does not allow', async () => {
    const fake = cluster(appProject('team', TEAM));
    const result = await sync(fake, application([cm('a'), cm('b', 'kube-system')]));
    expect(result.resources.map((r) => r.message)).toEqual(["namespace kube-system is not permitted in project 'team'"]);
    expect(fake.writes()).toEqual([]);
  });

  test('CreateNamespace needs Namespace in clusterResourceWhitelist, as in Argo CD', async () => {
    const fake = cluster(appProject('team', { ...TEAM, destinations: [{ server: '*', namespace: 'new' }] }));
    const app = application([cm('a')], { destination: { server: 'https://kubernetes.default.svc', namespace: 'new' }, syncPolicy: { syncOptions: ['CreateNamespace=true'] } });
    expect((await sync(fake, app)).resources.map((r) => r.message)).toEqual(['resource :Namespace is not permitted in project team']);
    const allowed = cluster(appProject('team', { ...TEAM, destinations: [{ server: '*', namespace: 'new' }], clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }] }));
    expect((await sync(allowed, app)).message).toBe('successfully synced (all tasks run)');
  });

  test('diff and status report the violation: the resource Unknown, the Application in error', async () => {
    const fake = cluster(appProject('team', TEAM));
    const status = await compareApplication(fake, application([cm('a'), obj('rbac.authorization.k8s.io/v1', 'ClusterRole', 'reader')]));
    expect(status.resources.map((r) => `${r.kind}/${r.name}: ${r.status}`)).toEqual(['ConfigMap/a: OutOfSync', 'ClusterRole/reader: Unknown']);
    expect(status.error).toBe('one or more synchronization tasks are not valid: ClusterRole reader: resource rbac.authorization.k8s.io:ClusterRole is not permitted in project team');
    const invalid = await compareApplication(fake, application([cm('a')], { project: 'nope' }));
    expect(invalid).toMatchObject({ sync: SyncStatusCode.UNKNOWN, error: 'InvalidSpecError: Application referencing project nope which does not exist' });
  });
});

describe('sync windows', () => {
  const deny = { kind: 'deny', schedule: '0 22 * * *', duration: '8h', applications: ['web'] };
  const night = '2026-03-02T23:00:00Z';
  const day = '2026-03-02T12:00:00Z';

  test('a deny window blocks an automated sync and nothing is written', async () => {
    const fake = cluster(appProject('team', { ...TEAM, syncWindows: [{ ...deny, manualSync: true }] }));
    const result = await sync(fake, application([cm('a')]), { automated: true, clock: clockAt(night) });
    expect(result.phase).toBe(OperationPhase.FAILED);
    expect(result.message).toBe('Sync operation blocked by sync window (deny:0 22 * * *:8h)');
    expect(fake.writes()).toEqual([]);
  });

  test('a manual sync passes a deny window only with manualSync', async () => {
    const without = cluster(appProject('team', { ...TEAM, syncWindows: [deny] }));
    expect((await sync(without, application([cm('a')]), { clock: clockAt(night) })).message).toBe('cannot sync: blocked by sync window (deny:0 22 * * *:8h)');
    expect(without.writes()).toEqual([]);
    const withManual = cluster(appProject('team', { ...TEAM, syncWindows: [{ ...deny, manualSync: true }] }));
    const result = await sync(withManual, application([cm('a')]), { clock: clockAt(night) });
    expect(result.phase).toBe(OperationPhase.SUCCEEDED);
    expect(result.resources.map((r) => r.status)).toEqual([ResultCode.SYNCED]);
  });

  test('outside the deny window, and inside an allow window, automated syncs run', async () => {
    const fake = cluster(appProject('team', { ...TEAM, syncWindows: [deny, { kind: 'allow', schedule: '0 8 * * *', duration: '10h', namespaces: ['shop'] }] }));
    expect((await sync(fake, application([cm('a')]), { automated: true, clock: clockAt(day) })).phase).toBe(OperationPhase.SUCCEEDED);
  });

  test('outside every allow window an automated sync is blocked', async () => {
    const fake = cluster(appProject('team', { ...TEAM, syncWindows: [{ kind: 'allow', schedule: '0 8 * * *', duration: '10h', namespaces: ['shop'] }] }));
    const result = await sync(fake, application([cm('a')]), { automated: true, clock: clockAt(night) });
    expect(result.message).toBe('Sync operation blocked by sync window (outside every allow window: allow:0 8 * * *:10h)');
  });
});
