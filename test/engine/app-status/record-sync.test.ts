import { ApplicationStatus, compareApplication } from '../../../src/engine/compare-app';
import { ApiError } from '../../../src/engine/kube/api-error';
import { LoadedApplication } from '../../../src/engine/load/applications';
import { OperationPhase, SyncStatusCode } from '../../../src/engine/model';
import { syncAndRecord, syncAndRecordStatus } from '../../../src/engine/record-sync';
import { SyncEvent } from '../../../src/engine/sync';
import { deploymentAvailable, FakeKube } from '../../util/fake-kube';
import { desired, obj } from '../fixtures';

function application(): LoadedApplication {
  return {
    name: 'app',
    namespace: 'argocd',
    position: { file: 'm/apps/app.yaml', line: 1 },
    revision: 'abcdef0123456789',
    manifest: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'app', namespace: 'argocd' }, spec: { destination: { server: 'https://kubernetes.default.svc', namespace: 'dest' } } },
    objects: desired(obj('v1', 'ConfigMap', 'a', {}, { data: { k: 'v' } })),
    sourceTypes: ['Directory'],
  };
}

function cluster(withApplicationObject: boolean): FakeKube {
  const kube = new FakeKube().addKind('argoproj.io/v1alpha1', 'Application', true, 'applications')
    .seed(obj('v1', 'Namespace', 'dest'), obj('v1', 'Namespace', 'argocd'), obj('v1', 'Namespace', 'kube-system'));
  if (withApplicationObject) {
    kube.seed(obj('argoproj.io/v1alpha1', 'Application', 'app', {}, { metadata: { name: 'app', namespace: 'argocd' }, spec: {} }));
  }
  return kube;
}

test('the outcome and a fresh comparison are recorded on the Application object', async () => {
  const kube = cluster(true);
  const result = await syncAndRecord(kube, application(), { initiatedBy: { username: 'me' } });
  expect(result.phase).toBe(OperationPhase.SUCCEEDED);
  expect(kube.peek('argoproj.io/v1alpha1', 'Application', 'argocd', 'app')!.status).toMatchObject({
    sync: { status: 'Synced', revision: 'abcdef0123456789' },
    sourceType: 'Directory',
    operationState: { phase: 'Succeeded', operation: { initiatedBy: { username: 'me' } } },
    history: [{ id: 0, revision: 'abcdef0123456789' }],
  });
});

test('a failure to record is a warning and never changes the sync\'s result', async () => {
  const kube = cluster(true).refuse((w) => (w.verb === 'patch' && w.obj.kind === 'Application' ? new ApiError(500, 'InternalError', 'etcd is gone') : undefined));
  const events: SyncEvent[] = [];
  const result = await syncAndRecord(kube, application(), { initiatedBy: {}, onEvent: (e) => events.push(e) });
  expect(result.phase).toBe(OperationPhase.SUCCEEDED);
  expect(events.filter((e) => e.type === 'warning').map((e) => (e as { message: string }).message))
    .toEqual([expect.stringMatching(/^the sync's outcome was not recorded on Application argocd\/app: .*etcd is gone/)]);
});


describe('the comparison recorded after a sync comes from the sync\'s own reconcile', () => {
  const tracked = (name: string) => obj('v1', 'ConfigMap', name, {}, { data: { k: name } });
  const web = obj('apps/v1', 'Deployment', 'web', {}, {
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } } },
  });
  const withObjects = (...objects: ReturnType<typeof obj>[]): LoadedApplication => ({ ...application(), objects: desired(...objects) });
  const rows = (c: ApplicationStatus | undefined) => c!.resources.map((r) => `${r.kind}/${r.name} ${r.status} ${r.health?.status ?? '-'}${r.requiresPruning ? ' requiresPruning' : ''}${r.images ? ` ${r.images.join(',')}` : ''}`);

  test('it equals a fresh comparison: written, unchanged, pruned and prune-skipped objects, health and images', async () => {
    const kube = cluster(true).statusOnWrite('Deployment', deploymentAvailable);
    await syncAndRecordStatus(kube, withObjects(tracked('keep'), tracked('gone'), tracked('stays'), web), { initiatedBy: {} });
    const before = kube.requests.length;
    // `keep` unchanged, `web` changed, `new` created, `gone` pruned; `stays` requires pruning in the second sync.
    const changedWeb = { ...web, spec: { ...web.spec, template: { ...web.spec.template, spec: { containers: [{ name: 'c', image: 'nginx:2' }] } } } };
    const first = await syncAndRecordStatus(kube, withObjects(tracked('keep'), tracked('new'), changedWeb), { initiatedBy: {}, prune: false });
    const lists = (from: number, to = kube.requests.length) => kube.requests.slice(from, to).filter((r) => r.verb === 'list').length;
    const syncLists = lists(before);
    const compareStart = kube.requests.length;
    const fresh = await compareApplication(kube, withObjects(tracked('keep'), tracked('new'), changedWeb));
    // The sync and its recorded comparison read the cluster once: as many lists as one comparison makes.
    expect(syncLists).toBe(lists(compareStart));
    expect(rows(first.comparison)).toEqual(rows(fresh));
    expect(rows(first.comparison)).toContain('ConfigMap/gone OutOfSync - requiresPruning');
    expect(rows(first.comparison)).toContain('Deployment/web Synced Healthy nginx:2');
    expect(first.comparison!.sync).toBe(fresh.sync);
    expect(first.comparison!.health).toEqual(fresh.health);

    const pruned = await syncAndRecordStatus(kube, withObjects(tracked('keep'), tracked('new'), changedWeb), { initiatedBy: {}, prune: true });
    expect(rows(pruned.comparison)).toEqual(rows(await compareApplication(kube, withObjects(tracked('keep'), tracked('new'), changedWeb))));
    expect(rows(pruned.comparison).some((r) => r.includes('gone') || r.includes('stays'))).toBe(false);
    expect(pruned.comparison!.sync).toBe(SyncStatusCode.SYNCED);
  });

  test('a tracked object left to prune has the health of its full live object (metadata alone would look Progressing)', async () => {
    const kube = cluster(true).statusOnWrite('Deployment', deploymentAvailable);
    await syncAndRecordStatus(kube, withObjects(tracked('keep'), web), { initiatedBy: {} });
    const { comparison } = await syncAndRecordStatus(kube, withObjects(tracked('keep')), { initiatedBy: {} });
    expect(rows(comparison)).toEqual(['ConfigMap/keep Synced -', 'Deployment/web OutOfSync Healthy requiresPruning nginx:1']);
    expect(comparison!.health.status).toBe('Healthy');
    expect(rows(await compareApplication(kube, withObjects(tracked('keep'))))).toEqual(rows(comparison));
  });

  test('a failed sync is compared afresh, since it left the cluster partly unknown', async () => {
    const kube = cluster(true);
    const broken = withObjects(tracked('fine'), { ...tracked('bad'), metadata: { name: 'bad', namespace: 'nowhere' } });
    const { result, comparison } = await syncAndRecordStatus(kube, broken, { initiatedBy: {} });
    expect(result.phase).toBe(OperationPhase.FAILED);
    expect(rows(comparison)).toEqual(rows(await compareApplication(kube, broken)));
  });
});
