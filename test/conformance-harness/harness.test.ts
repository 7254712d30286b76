/**
 * The conformance harness's pure parts (test/conformance/harness/): scenario loading and
 * validation, normalization, comparison, kept differences, expectations and the report.
 * Here, not under test/conformance/, so that `npx jest` (the unit config, which ignores
 * test/conformance/: those need clusters and real Argo CD) runs them.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { AppSnapshot, checkExpectations, compareSnapshots, judge, orderBlocks, ResultEntry, SideSnapshot, unusedKept } from '../conformance/harness/compare';
import { leafDifferences, normalizeHookName, normalizeLive } from '../conformance/harness/normalize';
import { failureMessage, passed, renderReport, ScenarioOutcome } from '../conformance/harness/report';
import { automatedRootNeedsSync, isRetrying, namespacePattern, notReadyReason, scenarioNames } from '../conformance/harness/runner';
import {
  CONFORMANCE_REPO_URL, exampleScenario, loadHarnessKept, loadScenario, parseScenarioConfig, scenarioFolders, secondCommitFiles,
} from '../conformance/harness/scenario';

const REPO_ROOT = path.resolve(__dirname, '../..');

function root(name: string, extra: Record<string, any> = {}): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
  namespace: argocd
spec:
  project: default
  source:
    repoURL: ${extra.repoURL ?? CONFORMANCE_REPO_URL}
    targetRevision: main
    path: manifests/web
  destination:
    server: https://kubernetes.default.svc
    namespace: cf-x-web
${extra.manual ? '' : '  syncPolicy:\n    automated:\n      prune: true\n'}`;
}

function writeScenario(files: Record<string, string>): string {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'conf-harness-')), 'x');
  for (const [p, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), text);
  }
  return dir;
}

describe('scenario.yaml', () => {
  test('defaults: timeout 180 s, automated, nothing expected or kept', () => {
    expect(parseScenarioConfig('description: d\n', 'f.yaml')).toEqual({
      description: 'd', timeoutSeconds: 180, automated: true, expect: {}, differences: [], deleteInCommit2: [], argocdStaysRunning: [], existingNamespaces: [],
    });
  });

  test('existingNamespaces are read, and must be the suite\'s cf- namespaces', () => {
    expect(parseScenarioConfig('description: d\nexistingNamespaces: [cf-x-shop]\n', 'f.yaml').existingNamespaces).toEqual(['cf-x-shop']);
    expect(() => parseScenarioConfig('description: d\nexistingNamespaces: [kube-system]\n', 'f.yaml')).toThrow(
      'f.yaml: existingNamespaces must be a list of namespace names starting with cf- (created on both clusters before the first commit)');
  });

  test.each([
    ['timeoutSeconds: 0\ndescription: d', 'f.yaml: timeoutSeconds must be a whole number'],
    ['description: d\ndifferences: [{ aspect: colour, reason: r }]', 'f.yaml: differences[0].aspect must be one of live, result, order, sync, health, phase, message, generated, not "colour"'],
    ['description: d\ndifferences: [{ aspect: live }]', 'f.yaml: differences[0].reason is required'],
    ['description: d\ndifferences: [{ aspect: live, reason: r, object: a/b/c/d }]', 'f.yaml: differences[0].object must be Kind/namespace/name or Kind/name'],
    ['description: d\nexpect: { web: { sync: Synced, colour: red } }', 'f.yaml: expect.web: unknown field(s) colour'],
    ['description: d\ntimeout: 3', 'f.yaml: unknown field(s) timeout'],
    ['timeoutSeconds: 3', 'f.yaml: `description` is required'],
    ['description: [', 'f.yaml: '],
  ])('%j is refused, naming the file', (text, message) => {
    expect(() => parseScenarioConfig(text, 'f.yaml')).toThrow(message);
  });
});

describe('scenario folders', () => {
  test('a valid folder: both commits, the root and its policy', () => {
    const dir = writeScenario({
      'scenario.yaml': 'description: d\ndeleteInCommit2: [manifests/web/b.yaml]\n',
      'repo/root.yaml': root('cf-x-web'),
      'repo/manifests/web/a.yaml': 'a: 1\n',
      'repo/manifests/web/b.yaml': 'b: 1\n',
      'repo-2/manifests/web/a.yaml': 'a: 2\n',
    });
    const s = loadScenario(dir);
    expect(s.name).toBe('x');
    expect(s.root).toEqual({ name: 'cf-x-web', automated: true, prune: true });
    expect([...s.commit1.keys()]).toEqual(['manifests/web/a.yaml', 'manifests/web/b.yaml', 'root.yaml']);
    const two = secondCommitFiles(s.commit1, s.commit2!, s.config.deleteInCommit2);
    expect(Object.fromEntries(two)).toEqual({ 'manifests/web/a.yaml': 'a: 2\n', 'root.yaml': root('cf-x-web') });
    expect(scenarioFolders(path.dirname(dir))).toEqual([dir]);
  });

  test('errors name the file', () => {
    expect(() => loadScenario(writeScenario({ 'repo/root.yaml': root('a') }))).toThrow(/x\/scenario.yaml: missing/);
    expect(() => loadScenario(writeScenario({ 'scenario.yaml': 'description: d' }))).toThrow(/x\/repo: missing/);
    expect(() => loadScenario(writeScenario({ 'scenario.yaml': 'description: d', 'repo/manifests/a.yaml': 'a: 1' }))).toThrow(/x\/repo\/root.yaml: missing/);
    expect(() => loadScenario(writeScenario({ 'scenario.yaml': 'description: d', 'repo/root.yaml': 'kind: ConfigMap' }))).toThrow(/root.yaml: must hold exactly one Application \(found ConfigMap\)/);
    expect(() => loadScenario(writeScenario({ 'scenario.yaml': 'description: d', 'repo/root.yaml': root('a', { repoURL: 'https://github.com/acme/x.git' }) })))
      .toThrow(`root.yaml: Application a: repoURL must be ${CONFORMANCE_REPO_URL} (found "https://github.com/acme/x.git")`);
    expect(() => loadScenario(writeScenario({ 'scenario.yaml': 'description: d\nautomated: false', 'repo/root.yaml': root('a') }))).toThrow(/scenario.yaml: automated: false but .*root.yaml's syncPolicy is automated/);
    expect(() => loadScenario(writeScenario({ 'scenario.yaml': 'description: d\ndeleteInCommit2: [nope.yaml]', 'repo/root.yaml': root('a') }))).toThrow(/scenario.yaml: deleteInCommit2: nope.yaml is not a file of repo\//);
  });

  test('a manual root', () => {
    const s = loadScenario(writeScenario({ 'scenario.yaml': 'description: d\nautomated: false', 'repo/root.yaml': root('a', { manual: true }) }));
    expect(s.root).toEqual({ name: 'a', automated: false, prune: false });
  });

  test('the names a reset may delete: Applications, sets, and only namespaces prefixed cf-', () => {
    const s = loadScenario(writeScenario({
      'scenario.yaml': 'description: d',
      'repo/root.yaml': root('cf-x-root'),
      'repo/manifests/web/ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: { name: kube-system }\n---\napiVersion: v1\nkind: Namespace\nmetadata: { name: cf-x-other }\n',
    }));
    expect(scenarioNames(s)).toEqual({ apps: ['cf-x-root'], sets: [], namespaces: ['cf-x-other', 'cf-x-web'], projects: [] });
  });
});

test("namespace templates (an ApplicationSet's) stand for any name part", () => {
  const p = namespacePattern('cf-x-{{.colour}}');
  expect(['cf-x-blue', 'cf-x-', 'cf-y-blue', 'cf-x-blue/x'].map((n) => p.test(n))).toEqual([true, false, false, false]);
  expect(namespacePattern('cf-x.y').test('cf-xzy')).toBe(false);
});

describe('examples as scenarios', () => {
  test('examples/basic: its only Application becomes root.yaml, renamed and pointed at the conformance repository', () => {
    const s = exampleScenario(REPO_ROOT, { example: 'basic', description: 'd' });
    expect(s.name).toBe('ex-basic');
    const rootApp = parse(s.commit1.get('root.yaml')!);
    expect(rootApp.metadata.name).toBe('cf-ex-basic-hello-api');
    expect(rootApp.spec.source).toEqual({ path: 'manifests/hello-api', repoURL: CONFORMANCE_REPO_URL, targetRevision: 'main' });
    expect(rootApp.spec.destination.namespace).toBe('cf-ex-basic-hello');
    expect([...s.commit1.keys()].sort()).toEqual([
      'manifests/hello-api/configmap-hello-api-config.yaml', 'manifests/hello-api/deployment-hello-api-web.yaml', 'manifests/hello-api/service-hello-api.yaml', 'root.yaml',
    ]);
    expect(s.root).toEqual({ name: 'cf-ex-basic-hello-api', automated: true, prune: true });
  });

  test('examples/app-of-apps: manifests/root.yaml is the root; children renamed too', () => {
    const s = exampleScenario(REPO_ROOT, { example: 'app-of-apps', description: 'd' });
    expect(parse(s.commit1.get('root.yaml')!).spec.source.path).toBe('manifests/apps');
    const child = parse(s.commit1.get('manifests/apps/orders-api.yaml')!);
    expect(child.metadata.name).toBe('cf-ex-app-of-apps-orders-api');
    expect(child.spec.source.path).toBe('manifests/orders-api');
  });
});

test('examples/microservices: a root of manifests/apps; the AppProject renamed, with its destinations and repositories', () => {
  const s = exampleScenario(REPO_ROOT, { example: 'microservices', description: 'd' });
  expect(parse(s.commit1.get('root.yaml')!)).toMatchObject({ metadata: { name: 'cf-ex-microservices-root' }, spec: { source: { path: 'manifests/apps' } } });
  const project = parse(s.commit1.get('manifests/apps/appproject-shop.yaml')!);
  expect(project.metadata.name).toBe('cf-ex-microservices-shop');
  expect(project.spec.destinations).toEqual([{ namespace: 'cf-ex-microservices-shop', server: 'https://kubernetes.default.svc' }]);
  expect(project.spec.sourceRepos).toEqual([CONFORMANCE_REPO_URL]);
  expect(parse(s.commit1.get('manifests/apps/cart.yaml')!).spec.project).toBe('cf-ex-microservices-shop');
});

describe('normalization', () => {
  test('drops what differs per cluster, keeps the tracking annotation, counts last-applied', () => {
    const n = normalizeLive({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 's',
        namespace: 'n',
        uid: 'u',
        resourceVersion: '1',
        generation: 2,
        creationTimestamp: 't',
        managedFields: [{}],
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'argocd.argoproj.io/tracking-id': 'app:/Service:n/s', 'cdk8s-argocd.io/applied-hash': 'h' },
        ownerReferences: [{ kind: 'X', name: 'x', uid: 'u2' }],
      },
      spec: { clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1'], ports: [{ port: 80, nodePort: 30000 }] },
      status: { loadBalancer: {} },
    });
    expect(n).toEqual({
      lastApplied: true,
      object: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 's', namespace: 'n', annotations: { 'argocd.argoproj.io/tracking-id': 'app:/Service:n/s' }, ownerReferences: [{ kind: 'X', name: 'x' }] },
        spec: { ports: [{ port: 80 }] },
      },
    });
  });

  test("a Job's uid labels and selector go; an Application's operation goes", () => {
    const job = normalizeLive({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'j', labels: { 'batch.kubernetes.io/controller-uid': 'u', 'app': 'a' } },
      spec: { selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u' } }, template: { metadata: { labels: { 'controller-uid': 'u', 'app': 'a' } } } },
    });
    expect(job.object).toEqual({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', labels: { app: 'a' } }, spec: { template: { metadata: { labels: { app: 'a' } } } } });
    expect(normalizeLive({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'a' }, operation: { sync: {} }, spec: {} }).object)
      .toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'a' }, spec: {} });
  });

  test('hook names: the time suffix only', () => {
    expect(normalizeHookName('migrate-abc1234-presync-1764600000')).toBe('migrate-abc1234-presync-<time>');
    expect(normalizeHookName('web-2')).toBe('web-2');
  });

  test('leaf differences name the path', () => {
    expect(leafDifferences({ a: { 'b': [1, 2], 'c.d': 1 } }, { a: { b: [1, 3, 4] } })).toEqual([
      { path: 'a.b[1]', a: 2, b: 3 },
      { path: 'a.b[2]', a: undefined, b: 4 },
      { path: 'a["c.d"]', a: 1, b: undefined },
    ]);
  });
});

function app(name: string, extra: Partial<AppSnapshot> = {}): AppSnapshot {
  return { name, sync: 'Synced', health: 'Healthy', phase: 'Succeeded', message: 'successfully synced (all tasks run)', results: [], resources: [], ...extra };
}

function side(apps: AppSnapshot[], live: Record<string, any> = {}, extra: Partial<SideSnapshot> = {}): SideSnapshot {
  return { apps: Object.fromEntries(apps.map((a) => [a.name, a])), live, generated: {}, lastApplied: 0, ...extra };
}

const r = (object: string, status = 'Synced', extra: Partial<ResultEntry> = {}): ResultEntry => ({ object, syncPhase: 'Sync', status, message: `${object} created`, ...extra });

describe('comparison', () => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' }, data: { a: '1' } };

  test('the same state: no difference', () => {
    const s = side([app('web', { results: [r('ConfigMap/n/c')] })], { 'ConfigMap/n/c': cm });
    expect(compareSnapshots('x', s, structuredClone(s))).toEqual([]);
  });

  test('every aspect', () => {
    const a = side([app('web', { results: [r('ConfigMap/n/c'), r('Deployment/n/d')], resources: [{ object: 'ConfigMap/n/c', status: 'Synced' }] })], { 'ConfigMap/n/c': cm, 'Secret/n/s': null });
    const b = side([app('web', {
      phase: 'Failed',
      message: 'boom',
      health: 'Degraded',
      results: [r('ConfigMap/n/c', 'SyncFailed', { message: 'no' })],
      resources: [{ object: 'ConfigMap/n/c', status: 'OutOfSync' }],
    })], { 'ConfigMap/n/c': { ...cm, data: { a: '2' } }, 'Secret/n/s': null });
    expect(compareSnapshots('x', a, b, 2).map((d) => [d.commit, d.aspect, d.object, d.path, d.argocd, d.engine])).toEqual([
      [2, 'health', undefined, undefined, 'Healthy', 'Degraded'],
      [2, 'phase', undefined, undefined, 'Succeeded', 'Failed'],
      [2, 'message', undefined, undefined, 'successfully synced (all tasks run)', 'boom'],
      [2, 'sync', 'ConfigMap/n/c', undefined, 'Synced', 'OutOfSync'],
      [2, 'result', 'ConfigMap/n/c', 'status', 'Synced', 'SyncFailed'],
      [2, 'message', 'ConfigMap/n/c', undefined, 'ConfigMap/n/c created', 'no'],
      [2, 'result', 'Deployment/n/d', 'Sync', 'Synced (Sync)', '(no result)'],
      [2, 'live', 'ConfigMap/n/c', 'data.a', '1', '2'],
    ]);
  });

  test('order: results of one concurrent kind group may come in any order; the groups may not', () => {
    const ab = [r('Service/n/a'), r('Service/n/b'), r('Deployment/n/d')];
    const ba = [r('Service/n/b'), r('Service/n/a'), r('Deployment/n/d')];
    expect(orderBlocks(ab)).toEqual(['Sync Service: Service/n/a, Service/n/b', 'Sync Deployment: Deployment/n/d']);
    expect(compareSnapshots('x', side([app('w', { results: ab })]), side([app('w', { results: ba })]))).toEqual([]);
    const da = [r('Deployment/n/d'), r('Service/n/a'), r('Service/n/b')];
    expect(compareSnapshots('x', side([app('w', { results: ab })]), side([app('w', { results: da })])).map((d) => d.aspect)).toEqual(['order']);
  });

  test('an Application on one side only; generated Applications', () => {
    const a = side([app('root'), app('child')], {}, { generated: { set: { one: { spec: { a: 1 } }, two: { spec: {} } } } });
    const b = side([app('root')], {}, { generated: { set: { one: { spec: { a: 2 } } } } });
    expect(compareSnapshots('x', a, b).map((d) => [d.aspect, d.app, d.object, d.path, d.argocd, d.engine])).toEqual([
      ['sync', 'child', 'Application/argocd/child', undefined, 'Synced', '(no Application)'],
      ['generated', 'set', 'Application/argocd/one', 'spec.a', 1, 2],
      ['generated', 'set', 'Application/argocd/two', undefined, 'generated', '(absent)'],
    ]);
  });

  test('kept differences match by aspect, and app and object when named (Kind/name for cluster-scoped objects)', () => {
    const diffs = [
      { scenario: 'x', aspect: 'live' as const, object: 'Namespace//cf-x', argocd: 1, engine: 2 },
      { scenario: 'x', aspect: 'message' as const, app: 'web', argocd: 1, engine: 2 },
      { scenario: 'x', aspect: 'message' as const, app: 'api', argocd: 1, engine: 2 },
    ];
    const kept = [
      { aspect: 'live' as const, object: 'Namespace/cf-x', reason: 'ns' },
      { aspect: 'message' as const, app: 'web', reason: 'msg' },
      { aspect: 'order' as const, reason: 'stale' },
    ];
    const judged = judge(diffs, kept);
    expect(judged.map((d) => d.kept?.reason)).toEqual(['ns', 'msg', undefined]);
    expect(unusedKept(judged, kept)).toEqual([kept[2]]);
  });

  test('harness-wide kept differences: only a resource row\'s health Argo CD left out (not the Application\'s, not a different value)', () => {
    const kept = loadHarnessKept();
    expect(kept).toEqual([expect.objectContaining({ aspect: 'health', object: '*/*/*', argocd: '(absent)' })]);
    expect(kept[0].reason).toMatch(/^The engine persists each resource's health in status.resources \(Argo CD's --persist-resource-health=true form, resourceHealthSource: inline\)/);
    const a = side([app('web', {
      resources: [
        { object: 'Deployment/cf-x/web', status: 'Synced' },
        { object: 'Namespace//cf-x', status: 'Synced' },
        { object: 'ConfigMap/cf-x/c', status: 'Synced', health: 'Healthy' },
      ],
    })]);
    const b = side([app('web', {
      health: 'Degraded',
      resources: [
        { object: 'Deployment/cf-x/web', status: 'Synced', health: 'Healthy' },
        { object: 'Namespace//cf-x', status: 'Synced', health: 'Healthy' },
        { object: 'ConfigMap/cf-x/c', status: 'Synced', health: 'Degraded' },
      ],
    })]);
    const judged = judge(compareSnapshots('x', a, b), kept);
    expect(judged.map((d) => [d.aspect, d.object, d.kept ? 'kept' : 'failed'])).toEqual([
      ['health', undefined, 'failed'],
      ['health', 'ConfigMap/cf-x/c', 'failed'],
      ['health', 'Deployment/cf-x/web', 'kept'],
      ['health', 'Namespace//cf-x', 'kept'],
    ]);
  });

  test('the harness-wide file is validated like scenario.yaml\'s differences', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kept-'));
    const file = path.join(dir, 'kept-differences.yaml');
    fs.writeFileSync(file, 'kept:\n  - aspect: health\n    object: "*/*/*"\n');
    expect(() => loadHarnessKept(file)).toThrow(/kept\[0\]\.reason is required/);
    fs.writeFileSync(file, 'differences: []\n');
    expect(() => loadHarnessKept(file)).toThrow(/one field, `kept`/);
  });

  test('expectations are checked on both sides', () => {
    const ok = side([app('web')]);
    const bad = side([app('web', { health: 'Degraded' })]);
    expect(checkExpectations({ web: { health: 'Healthy', phase: 'Succeeded' }, gone: { sync: 'Synced' } }, { argocd: ok, engine: bad })).toEqual([
      { side: 'engine', app: 'web', field: 'health', expected: 'Healthy', actual: 'Degraded' },
      { side: 'argocd', app: 'gone', field: 'sync', expected: 'Synced', actual: '(no Application)' },
      { side: 'engine', app: 'gone', field: 'sync', expected: 'Synced', actual: '(no Application)' },
    ]);
  });

  test("Argo CD's retrying phase", () => {
    expect(isRetrying({ phase: 'Running', message: 'one or more synchronization tasks are not valid. Retrying attempt #2 at 4:55PM.' })).toBe(true);
    expect(isRetrying({ phase: 'Running', message: 'one or more tasks are running' })).toBe(false);
    expect(isRetrying({ phase: 'Running', message: 'one or more tasks are running', retryCount: 2 })).toBe(true);
    expect(isRetrying({ phase: 'Failed', message: 'x. Retrying attempt #1 at 4:55PM.' })).toBe(false);
  });
});

describe('when Argo CD is done with an Application', () => {
  const rev = 'a'.repeat(40);
  const appAt = (name: string, phase: string, extra: Record<string, any> = {}) => ({
    metadata: { name },
    spec: { source: { repoURL: CONFORMANCE_REPO_URL, path: 'manifests/web', targetRevision: 'main' } },
    status: { sync: { status: 'OutOfSync', revision: rev }, operationState: { phase, message: 'Waiting for pruning confirmation of v1/ConfigMap/confirm-me' } },
    ...extra,
  });

  test('an operation Running is not done, unless the scenario says Argo CD holds it Running by design', () => {
    const running = appAt('web', 'Running', { operation: { sync: { revision: rev } } });
    expect(notReadyReason(running, rev)).toBe('web: operation Running');
    expect(notReadyReason(running, rev, ['other'])).toBe('web: operation Running');
    expect(notReadyReason(running, rev, ['web'])).toBeUndefined();
  });

  test('a sync Argo CD retries is waited for to its end (a retry may succeed), not compared mid-retry', () => {
    const retrying = appAt('web', 'Running', { operation: { sync: { revision: rev } } });
    retrying.status.operationState.message = 'InvalidSpecError: Application referencing project shop which does not exist. Retrying attempt #1 at 6:44PM.';
    expect(notReadyReason(retrying, rev)).toBe('web: operation Running (retrying)');
    expect(notReadyReason(appAt('web', 'Failed'), rev)).toBeUndefined();
  });

  test('held Running still waits for the comparison at the revision; a finished operation still waits for a pending one', () => {
    const running = appAt('web', 'Running', { operation: { sync: {} } });
    expect(notReadyReason(running, 'b'.repeat(40), ['web'])).toBe(`web: compared at ${rev.slice(0, 7)}, not bbbbbbb`);
    expect(notReadyReason(appAt('web', 'Succeeded', { operation: { sync: {} } }), rev, ['web'])).toBe('web: operation requested');
    expect(notReadyReason(appAt('web', 'Succeeded'), rev)).toBeUndefined();
    expect(notReadyReason({ metadata: { name: 'web' }, status: {} }, rev, ['web'])).toBe('web: not compared yet');
  });

  test('an automated root Argo CD leaves Synced at the second commit is synced on request, as the engine syncs its roots', () => {
    const rootApp = (status: Record<string, any>, extra: Record<string, any> = {}) => ({ metadata: { name: 'r' }, status, ...extra });
    const last = { phase: 'Succeeded', syncResult: { revision: 'old' } };
    expect(automatedRootNeedsSync(rootApp({ sync: { status: 'Synced', revision: rev }, operationState: last }), rev)).toBe(true);
    // Argo CD syncs it itself, already did, or has not compared at the revision yet.
    expect(automatedRootNeedsSync(rootApp({ sync: { status: 'OutOfSync', revision: rev }, operationState: last }), rev)).toBe(false);
    expect(automatedRootNeedsSync(rootApp({ sync: { status: 'Synced', revision: rev }, operationState: last }, { operation: { sync: {} } }), rev)).toBe(false);
    expect(automatedRootNeedsSync(rootApp({ sync: { status: 'Synced', revision: rev }, operationState: { phase: 'Running' } }), rev)).toBe(false);
    expect(automatedRootNeedsSync(rootApp({ sync: { status: 'Synced', revision: rev }, operationState: { phase: 'Succeeded', syncResult: { revision: rev } } }), rev)).toBe(false);
    expect(automatedRootNeedsSync(rootApp({ sync: { status: 'Synced', revision: 'old' }, operationState: last }), rev)).toBe(false);
  });

  test('argocdStaysRunning must name Applications of the scenario', () => {
    const files = { 'repo/root.yaml': root('cf-x-root') };
    expect(loadScenario(writeScenario({ ...files, 'scenario.yaml': 'description: d\nargocdStaysRunning: [cf-x-root]\n' })).config.argocdStaysRunning).toEqual(['cf-x-root']);
    expect(() => loadScenario(writeScenario({ ...files, 'scenario.yaml': 'description: d\nargocdStaysRunning: [nope]\n' }))).toThrow(/scenario.yaml: argocdStaysRunning: nope is not an Application of the scenario/);
    expect(() => parseScenarioConfig('description: d\nargocdStaysRunning: true\n', 'f.yaml')).toThrow(/f.yaml: argocdStaysRunning must be a list of Application names/);
  });
});

describe('report', () => {
  const base = { description: 'd', root: 'web', expectations: [], unusedKept: [] };
  const same: ScenarioOutcome = { ...base, scenario: 'same', argocd: side([app('web')]), engine: side([app('web')]), differences: [] };
  const kept: ScenarioOutcome = {
    ...base,
    scenario: 'kept',
    argocd: side([app('web')]),
    engine: side([app('web')]),
    differences: [{ scenario: 'kept', aspect: 'message', app: 'web', argocd: 'a', engine: 'b', kept: { aspect: 'message', reason: 'wording' } }],
  };
  const differs: ScenarioOutcome = {
    ...base,
    scenario: 'differs',
    argocd: side([app('web')]),
    engine: side([app('web', { phase: 'Failed' })]),
    differences: [{ scenario: 'differs', aspect: 'phase', app: 'web', argocd: 'Succeeded', engine: 'Failed' }],
  };
  const broken: ScenarioOutcome = { ...base, scenario: 'broken', differences: [], error: 'x/scenario.yaml: missing' };

  test('one row per scenario: Argo CD, engine, same?', () => {
    const text = renderReport([same, kept, differs, broken]);
    expect(text).toContain('| same | Synced Healthy Succeeded | Synced Healthy Succeeded | yes |');
    expect(text).toContain('| kept | Synced Healthy Succeeded | Synced Healthy Succeeded | yes (1 kept) |');
    expect(text).toContain('| differs | Synced Healthy Succeeded | Synced Healthy Failed | **NO**: 1 (phase 1) |');
    expect(text).toContain('| broken | — | — | **ERROR**: x/scenario.yaml: missing |');
    expect(text).toContain('2 of 4 scenario(s) pass.');
    expect(text).toContain('* **differs**: phase app web: argocd Succeeded | engine Failed');
    expect(text).toContain('* kept: message app web: argocd a | engine b (kept: wording)');
  });

  test('pass/fail and the failure message', () => {
    expect([same, kept, differs, broken].map(passed)).toEqual([true, true, false, false]);
    expect(failureMessage(differs)).toBe('scenario differs: d\n1 difference(s) not kept in scenario.yaml:\n  phase app web: argocd Succeeded | engine Failed');
  });
});
