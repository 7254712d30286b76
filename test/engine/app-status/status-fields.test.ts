import { ArgoOperationState } from '../../../src/engine/app-status/argo-status';
import { ConditionType, setConditions, syncErrorCondition } from '../../../src/engine/app-status/conditions';
import { comparisonStatus, operationState, recordComparison, recordSync, statusResources } from '../../../src/engine/app-status/status-record';
import { applicationSummary, workloadImages } from '../../../src/engine/app-status/summary';
import { ApplicationManifest, ApplicationSpec } from '../../../src/engine/application-spec';
import { ApplicationStatus } from '../../../src/engine/compare-app';
import { HealthStatusCode, OperationPhase, ResultCode, SyncOperationResult, SyncPhase, SyncStatusCode } from '../../../src/engine/model';
import { FakeKube } from '../../util/fake-kube';

const T0 = new Date('2026-01-01T00:00:00Z');
const T1 = new Date('2026-01-01T00:01:00Z');

function app(spec: Partial<ApplicationSpec> = {}, annotations?: Record<string, string>) {
  const manifest: ApplicationManifest = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'web', namespace: 'argocd', ...(annotations ? { annotations } : {}) },
    spec: { destination: { namespace: 'web' }, source: { repoURL: 'https://example.com/r.git', path: 'manifests/web' }, ...spec },
  };
  return { manifest, name: 'web', namespace: 'argocd', revision: 'rev2', sourceTypes: ['Directory'] };
}

const AUTOMATED = { syncPolicy: { automated: { prune: true } } };

function comparison(sync: SyncStatusCode, health: HealthStatusCode, extra: Partial<ApplicationStatus> = {}): ApplicationStatus {
  return { application: 'web', revision: 'rev2', sync, health: { status: health }, resources: [], ...extra };
}

function op(phase: OperationPhase, revision = 'rev2', message = 'one or more objects failed to apply'): ArgoOperationState {
  return { operation: { sync: { revision }, initiatedBy: {} }, phase, message, startedAt: T0.toISOString() };
}

function result(phase: OperationPhase, message: string, attempts = 1): SyncOperationResult {
  return { application: 'web', revision: 'rev2', phase, message, dryRun: false, startedAt: T0.toISOString(), finishedAt: T1.toISOString(), resources: [], attempts };
}

describe('SyncError', () => {
  test('an automated, OutOfSync Application whose last sync of this revision failed gets Argo CD\'s message', () => {
    expect(syncErrorCondition(AUTOMATED, SyncStatusCode.OUT_OF_SYNC, 'rev2', op(OperationPhase.FAILED))).toEqual({
      type: 'SyncError', message: 'Failed last sync attempt to [rev2]: one or more objects failed to apply',
    });
    expect(syncErrorCondition(AUTOMATED, SyncStatusCode.OUT_OF_SYNC, 'rev2', op(OperationPhase.ERROR, 'rev2', 'boom'))?.message).toBe('Failed last sync attempt to [rev2]: boom');
  });

  test('none for a manual Application, a newer revision, a success, a Synced Application or automation switched off', () => {
    expect(syncErrorCondition({}, SyncStatusCode.OUT_OF_SYNC, 'rev2', op(OperationPhase.FAILED))).toBeUndefined();
    expect(syncErrorCondition(AUTOMATED, SyncStatusCode.OUT_OF_SYNC, 'rev3', op(OperationPhase.FAILED))).toBeUndefined();
    expect(syncErrorCondition(AUTOMATED, SyncStatusCode.OUT_OF_SYNC, 'rev2', op(OperationPhase.SUCCEEDED))).toBeUndefined();
    expect(syncErrorCondition(AUTOMATED, SyncStatusCode.SYNCED, 'rev2', op(OperationPhase.FAILED))).toBeUndefined();
    expect(syncErrorCondition({ syncPolicy: { automated: { enabled: false } } }, SyncStatusCode.OUT_OF_SYNC, 'rev2', op(OperationPhase.FAILED))).toBeUndefined();
  });
});

describe('setConditions', () => {
  test('replaces evaluated types, keeps the others, keeps the time of an unchanged condition, null when none', () => {
    const previous = [
      { type: 'SyncError', message: 'old', lastTransitionTime: T0.toISOString() },
      { type: 'OrphanedResourceWarning', message: 'Application has 1 orphaned resources', lastTransitionTime: T0.toISOString() },
    ];
    const next = setConditions(previous, [{ type: 'SyncError', message: 'new' }], [ConditionType.SYNC_ERROR], T1);
    expect(next).toEqual([
      { type: 'OrphanedResourceWarning', message: 'Application has 1 orphaned resources', lastTransitionTime: T0.toISOString() },
      { type: 'SyncError', message: 'new', lastTransitionTime: T1.toISOString() },
    ]);
    expect(setConditions(next, [{ type: 'SyncError', message: 'new' }], [ConditionType.SYNC_ERROR], new Date())).toEqual(next);
    expect(setConditions([previous[0]], [undefined], [ConditionType.SYNC_ERROR], T1)).toBeNull();
  });
});

describe('comparisonStatus', () => {
  test('health carries lastTransitionTime, moved only when the code changes; no deprecated message', () => {
    const first = comparisonStatus(app(), comparison(SyncStatusCode.SYNCED, HealthStatusCode.PROGRESSING), T0);
    expect(first.health).toEqual({ status: 'Progressing', lastTransitionTime: T0.toISOString() });
    const same = comparisonStatus(app(), comparison(SyncStatusCode.SYNCED, HealthStatusCode.PROGRESSING), T1, first);
    expect(same.health?.lastTransitionTime).toBe(T0.toISOString());
    const changed = comparisonStatus(app(), comparison(SyncStatusCode.SYNCED, HealthStatusCode.HEALTHY), T1, first);
    expect(changed.health).toEqual({ status: 'Healthy', lastTransitionTime: T1.toISOString() });
  });

  test('sync.comparedTo echoes source, destination and ignoreDifferences; sourceType from the loader', () => {
    const ignore = [{ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] }];
    const s = comparisonStatus(app({ ignoreDifferences: ignore }), comparison(SyncStatusCode.SYNCED, HealthStatusCode.HEALTHY), T0);
    expect(s.sync).toEqual({
      status: 'Synced',
      revision: 'rev2',
      comparedTo: { source: { repoURL: 'https://example.com/r.git', path: 'manifests/web' }, destination: { namespace: 'web' }, ignoreDifferences: ignore },
    });
    expect(s.sourceType).toBe('Directory');
    expect(s.reconciledAt).toBe(T0.toISOString());
  });

  test('a missing project is recorded as Argo CD\'s InvalidSpecError (not a ComparisonError), cleared once it exists', () => {
    const message = 'Application referencing project shop which does not exist';
    const refused = comparison(SyncStatusCode.UNKNOWN, HealthStatusCode.UNKNOWN, {
      error: `InvalidSpecError: ${message}`, projectConditions: [{ type: 'InvalidSpecError', message }],
    });
    const failed = comparisonStatus(app(), refused, T0, { conditions: [{ type: 'SyncError', message: 'kept', lastTransitionTime: T0.toISOString() }] });
    // Argo CD's refresh stops at the project's conditions: the SyncError is left as it was.
    expect(failed.conditions).toEqual([
      { type: 'InvalidSpecError', message, lastTransitionTime: T0.toISOString() },
      { type: 'SyncError', message: 'kept', lastTransitionTime: T0.toISOString() },
    ]);
    expect(comparisonStatus(app(), comparison(SyncStatusCode.SYNCED, HealthStatusCode.HEALTHY), T1, failed).conditions).toBeNull();
  });

  test('status.resources lists live hooks (hook, requiresPruning) and Skip objects with no status or health, sorted as Argo CD sorts', () => {
    const resources = [
      { group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'web', name: 'web', status: SyncStatusCode.SYNCED, health: { status: HealthStatusCode.HEALTHY } },
      { group: '', version: 'v1', kind: 'ConfigMap', namespace: 'web', name: 'b', status: SyncStatusCode.OUT_OF_SYNC, health: { status: HealthStatusCode.MISSING } },
    ];
    const uncompared = [
      { group: '', version: 'v1', kind: 'ConfigMap', namespace: 'web', name: 'a-skipped' },
      { group: 'batch', version: 'v1', kind: 'Job', namespace: 'web', name: 'migrate', hook: true, requiresPruning: true },
    ];
    expect(statusResources(comparison(SyncStatusCode.OUT_OF_SYNC, HealthStatusCode.MISSING, { resources, uncompared }))).toEqual([
      { version: 'v1', kind: 'ConfigMap', namespace: 'web', name: 'a-skipped' },
      { version: 'v1', kind: 'ConfigMap', namespace: 'web', name: 'b', status: 'OutOfSync', health: { status: 'Missing' } },
      { group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'web', name: 'web', status: 'Synced', health: { status: 'Healthy' } },
      { group: 'batch', version: 'v1', kind: 'Job', namespace: 'web', name: 'migrate', hook: true, requiresPruning: true },
    ]);
  });

  test('resource health stays inline, and resourceHealthSource says so (Argo CD\'s --persist-resource-health form)', () => {
    const resources = [{ group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'web', name: 'web', status: SyncStatusCode.SYNCED, health: { status: HealthStatusCode.HEALTHY } }];
    const s = comparisonStatus(app(), comparison(SyncStatusCode.SYNCED, HealthStatusCode.HEALTHY, { resources }), T0);
    expect(s.resourceHealthSource).toBe('inline');
    expect(s.resources).toEqual([{ group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'web', name: 'web', status: 'Synced', health: { status: 'Healthy' } }]);
  });

  test('an Application that cannot be loaded gets a ComparisonError, cleared once it loads', () => {
    const failed = comparisonStatus(app(), comparison(SyncStatusCode.UNKNOWN, HealthStatusCode.UNKNOWN, { error: 'web/a.yaml:3: bad' }), T0);
    expect(failed.conditions).toEqual([{ type: 'ComparisonError', message: 'Failed to load target state: web/a.yaml:3: bad', lastTransitionTime: T0.toISOString() }]);
    expect(comparisonStatus(app(), comparison(SyncStatusCode.SYNCED, HealthStatusCode.HEALTHY), T1, failed).conditions).toBeNull();
  });

  test('summary: images of the live workloads, links from the Application\'s annotations, isAppOfApps', () => {
    const resources = [
      { group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'web', name: 'a', status: SyncStatusCode.SYNCED, images: ['nginx:1.27', 'busybox:1'] },
      { group: 'batch', version: 'v1', kind: 'Job', namespace: 'web', name: 'b', status: SyncStatusCode.SYNCED, images: ['busybox:1'] },
      { group: 'argoproj.io', version: 'v1alpha1', kind: 'Application', namespace: 'argocd', name: 'child', status: SyncStatusCode.SYNCED },
    ];
    const s = comparisonStatus(app({}, { 'link.argocd.argoproj.io/docs': 'https://docs.example.com' }), comparison(SyncStatusCode.SYNCED, HealthStatusCode.HEALTHY, { resources }), T0);
    expect(s.summary).toEqual({ images: ['busybox:1', 'nginx:1.27'], externalURLs: ['https://docs.example.com'], isAppOfApps: true });
    // Emptied fields are written as null so the merge patch removes them.
    expect(applicationSummary(app().manifest, [])).toEqual({ images: null, externalURLs: null, isAppOfApps: null });
  });
});

test('workloadImages reads init and app containers of pod templates, CronJobs and Pods', () => {
  const template = { spec: { initContainers: [{ name: 'i', image: 'init:1' }], containers: [{ name: 'm', image: 'main:2' }] } };
  expect(workloadImages({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: {}, spec: { template } })).toEqual(['init:1', 'main:2']);
  expect(workloadImages({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: {}, spec: { jobTemplate: { spec: { template } } } })).toEqual(['init:1', 'main:2']);
  expect(workloadImages({ apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: template.spec })).toEqual(['init:1', 'main:2']);
  expect(workloadImages({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {}, data: {} })).toEqual([]);
});

test('a failed operation after retries says so, in Argo CD\'s words', () => {
  expect(operationState(app(), result(OperationPhase.FAILED, 'one or more objects failed to apply', 3), {}, false)).toMatchObject({
    phase: 'Failed', message: 'one or more objects failed to apply (retried 2 times).', retryCount: 2,
  });
  expect(operationState(app(), result(OperationPhase.SUCCEEDED, 'successfully synced (all tasks run)', 2), {}, false).message).toBe('successfully synced (all tasks run)');
});

test('a result row records the hook\'s phase, or for any other object gitops-engine\'s task state, as hookPhase (as Argo CD does)', () => {
  const row = { group: '', version: 'v1', kind: 'ConfigMap', namespace: 'web', name: 'c', syncPhase: SyncPhase.SYNC, syncWave: 0, message: 'm' };
  const r = {
    ...result(OperationPhase.SUCCEEDED, 'ok'),
    resources: [
      { ...row, status: ResultCode.SYNCED, taskPhase: OperationPhase.SUCCEEDED },
      { ...row, name: 'h', hookType: SyncPhase.PRE_SYNC, hookPhase: OperationPhase.FAILED },
    ],
  };
  expect(operationState(app(), r, {}, false).syncResult!.resources!.map((x) => `${x.name} ${x.status} ${x.hookPhase}`)).toEqual(['c Synced Succeeded', 'h undefined Failed']);
});

describe('recording on the Application object', () => {
  function cluster() {
    const kube = new FakeKube().addKind('argoproj.io/v1alpha1', 'Application', true, 'applications');
    kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } });
    kube.seed({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'web', namespace: 'argocd' }, spec: AUTOMATED });
    return kube;
  }
  const live = (kube: FakeKube) => kube.peek('argoproj.io/v1alpha1', 'Application', 'argocd', 'web')!.status;

  test('a failed automated sync leaves a SyncError; the next successful sync clears it and adds history', async () => {
    const kube = cluster();
    const a = app(AUTOMATED);
    await recordSync(kube, a, result(OperationPhase.FAILED, 'one or more objects failed to apply'), {
      initiatedBy: { automated: true }, prune: true, comparison: comparison(SyncStatusCode.OUT_OF_SYNC, HealthStatusCode.MISSING), now: T0,
    });
    expect(live(kube)).toMatchObject({
      sync: { status: 'OutOfSync', revision: 'rev2' },
      health: { status: 'Missing', lastTransitionTime: T0.toISOString() },
      operationState: { phase: 'Failed', message: 'one or more objects failed to apply', finishedAt: T1.toISOString() },
      conditions: [{ type: 'SyncError', message: 'Failed last sync attempt to [rev2]: one or more objects failed to apply' }],
    });
    expect(live(kube).history ?? []).toEqual([]);
    // A later refresh (comparison only) keeps judging by the recorded operation.
    await recordComparison(kube, a, comparison(SyncStatusCode.OUT_OF_SYNC, HealthStatusCode.MISSING), T1);
    expect(live(kube).conditions).toHaveLength(1);
    await recordSync(kube, a, result(OperationPhase.SUCCEEDED, 'successfully synced (all tasks run)'), {
      initiatedBy: { automated: true }, prune: true, comparison: comparison(SyncStatusCode.SYNCED, HealthStatusCode.HEALTHY), now: T1,
    });
    const after = live(kube);
    expect(after.conditions).toBeUndefined();
    expect(after.health).toEqual({ status: 'Healthy', lastTransitionTime: T1.toISOString() });
    expect(after.history.map((h: any) => [h.id, h.revision])).toEqual([[0, 'rev2']]);
  });

  test('nothing is written, and false returned, when the Application object does not exist', async () => {
    const kube = new FakeKube().addKind('argoproj.io/v1alpha1', 'Application', true, 'applications');
    expect(await recordComparison(kube, app(), comparison(SyncStatusCode.SYNCED, HealthStatusCode.HEALTHY))).toBe(false);
    expect(kube.writes()).toEqual([]);
  });

  test('a cluster without the Argo CD CRDs is left alone: the sync\'s outcome is not lost to a recording error', async () => {
    const kube = new FakeKube();
    await expect(recordSync(kube, app(), result(OperationPhase.SUCCEEDED, 'ok'), { initiatedBy: {}, prune: false })).resolves.toBe(false);
    await expect(recordComparison(kube, app(), comparison(SyncStatusCode.SYNCED, HealthStatusCode.HEALTHY))).resolves.toBe(false);
  });
});
