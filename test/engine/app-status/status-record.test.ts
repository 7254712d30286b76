import { historyAfter, operationState } from '../../../src/engine/app-status/status-record';
import { ApplicationManifest } from '../../../src/engine/application-spec';
import { OperationPhase, SyncOperationResult, SyncPhase } from '../../../src/engine/model';

function app(revisionHistoryLimit?: number) {
  const manifest: ApplicationManifest = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'web', namespace: 'argocd' },
    spec: { destination: { namespace: 'web' }, source: { repoURL: 'https://example.com/r.git', path: 'manifests/web' }, revisionHistoryLimit },
  };
  return { manifest, name: 'web', namespace: 'argocd', revision: 'abc' };
}

function result(phase: OperationPhase, revision: string, dryRun = false): SyncOperationResult {
  return {
    application: 'web',
    revision,
    phase,
    message: '',
    dryRun,
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:00:05Z',
    attempts: 1,
    resources: [{ group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'web', name: 'web', syncPhase: SyncPhase.SYNC, syncWave: 0, message: 'created' }],
  };
}

describe('status.history', () => {
  test('a successful sync appends an entry numbered after the last one', () => {
    const h = historyAfter(app(), [{ id: 4, revision: 'old', deployedAt: 'x' }], result(OperationPhase.SUCCEEDED, 'new'), { username: 'me' });
    expect(h.map((e) => [e.id, e.revision])).toEqual([[4, 'old'], [5, 'new']]);
    expect(h[1]).toMatchObject({ source: { path: 'manifests/web' }, deployStartedAt: '2026-01-01T00:00:00Z', deployedAt: '2026-01-01T00:00:05Z', initiatedBy: { username: 'me' } });
  });

  test('failed syncs and dry runs add no entry', () => {
    expect(historyAfter(app(), [], result(OperationPhase.FAILED, 'r'), {})).toEqual([]);
    expect(historyAfter(app(), [], result(OperationPhase.SUCCEEDED, 'r', true), {})).toEqual([]);
  });

  test('keeps the newest revisionHistoryLimit entries (10 by default, none for 0)', () => {
    let h = historyAfter(app(), [], result(OperationPhase.SUCCEEDED, 'r0'), {});
    for (let i = 1; i < 12; i++) h = historyAfter(app(), h, result(OperationPhase.SUCCEEDED, `r${i}`), {});
    expect(h.map((e) => e.id)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(historyAfter(app(2), h, result(OperationPhase.SUCCEEDED, 'x'), {}).map((e) => e.id)).toEqual([11, 12]);
    expect(historyAfter(app(0), h, result(OperationPhase.SUCCEEDED, 'x'), {})).toEqual([]);
  });
});

test('operationState carries the per-resource results of a failed operation too', () => {
  const failed = { ...result(OperationPhase.FAILED, 'r'), message: 'one or more objects failed to apply' };
  const s = operationState(app(), failed, { automated: true }, true);
  expect(s).toMatchObject({
    phase: 'Failed',
    message: 'one or more objects failed to apply',
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:00:05Z',
    operation: { sync: { revision: 'r', prune: true }, initiatedBy: { automated: true } },
    syncResult: { revision: 'r', source: { path: 'manifests/web' }, resources: [{ kind: 'Deployment', name: 'web', syncPhase: 'Sync', message: 'created' }] },
  });
});

test('a cluster-scoped result carries the destination namespace, as gitops-engine records it; the Namespace CreateNamespace adds keeps none', () => {
  const crd = { group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', namespace: '', name: 'widgets.example.com', syncPhase: SyncPhase.SYNC, syncWave: 0, message: 'created' };
  const created = { group: '', version: 'v1', kind: 'Namespace', namespace: '', name: 'web', syncPhase: SyncPhase.PRE_SYNC, syncWave: 0, message: 'namespace/web created' };
  const done = { ...result(OperationPhase.SUCCEEDED, 'r'), resources: [created, crd] };
  const rows = operationState(app(), done, { automated: true }, true).syncResult!.resources!;
  expect(rows.map((r) => `${r.kind}/${r.namespace}/${r.name}`)).toEqual(['Namespace//web', 'CustomResourceDefinition/web/widgets.example.com']);
});
