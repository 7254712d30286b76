import { ApiError } from '../../../src/engine/kube/api-error';
import { LoadedApplication } from '../../../src/engine/load/applications';
import { OperationPhase } from '../../../src/engine/model';
import { syncAndRecord } from '../../../src/engine/record-sync';
import { SyncEvent } from '../../../src/engine/sync';
import { FakeKube } from '../../util/fake-kube';
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

