/**
 * How a compared Application waits on the API server: its recorded status (on the control plane)
 * and its comparison (lists in its destination) are independent reads, asked at once, so a tree
 * of dozens of Applications does not wait one more round trip per Application.
 */
import { loaded } from './tree-apps';
import { ObjectRef } from '../../../src/engine/kube/kube-api';
import { ReconcileAction } from '../../../src/engine/tree/child-policy';
import { reconcileApplication } from '../../../src/engine/tree/reconcile-application';
import { FakeKube } from '../../util/fake-kube';
import { obj } from '../fixtures';

const APP = 'argoproj.io/v1alpha1';

function clusters() {
  const here = new FakeKube()
    .addKind(APP, 'Application', true, 'applications')
    .addKind(APP, 'AppProject', true, 'appprojects')
    .seed(obj('v1', 'Namespace', 'argocd'), obj('v1', 'Namespace', 'web'),
      obj(APP, 'AppProject', 'default', {}, { metadata: { name: 'default', namespace: 'argocd' }, spec: { sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }] } }),
      obj(APP, 'Application', 'web', {}, { metadata: { name: 'web', namespace: 'argocd' }, spec: {} }));
  return here;
}

test('the recorded status is read while the Application is compared, and the comparison is recorded', async () => {
  const here = clusters();
  let listed!: () => void;
  const listStarted = new Promise<string>((resolve) => (listed = () => resolve('compared meanwhile')));
  const list = here.list.bind(here);
  here.list = (...args: Parameters<FakeKube['list']>) => {
    listed();
    return list(...args);
  };
  // The status read answers only once the comparison has started listing (or, read first and
  // alone, after a second): what it saw says which.
  const seen: string[] = [];
  const get = here.get.bind(here);
  here.get = async (ref: ObjectRef) => {
    if (ref.kind === 'Application') {
      seen.push(await Promise.race([listStarted, new Promise<string>((r) => setTimeout(() => r('read alone first'), 1000))]));
    }
    return get(ref);
  };
  const app = loaded('web', [obj('v1', 'ConfigMap', 'settings', {}, { data: { k: 'v' } })]);
  const outcome = await reconcileApplication(here, app, { action: ReconcileAction.COMPARE, initiatedBy: {} });
  expect(seen).toEqual(['compared meanwhile']);
  expect(outcome.comparison?.sync).toBe('OutOfSync');
  expect(here.peek(APP, 'Application', 'argocd', 'web')?.status?.sync?.status).toBe('OutOfSync');
});

test('a status read that fails is reported, whatever the comparison does', async () => {
  const here = clusters();
  here.get = async (ref: ObjectRef) => {
    throw new Error(`cannot read ${ref.kind} ${ref.metadata.name}`);
  };
  const app = loaded('web', [obj('v1', 'ConfigMap', 'settings', {}, { data: { k: 'v' } })]);
  await expect(reconcileApplication(here, app, { action: ReconcileAction.COMPARE, initiatedBy: {} })).rejects.toThrow('cannot read Application web');
});
