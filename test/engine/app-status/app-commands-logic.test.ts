import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { applicationDetails } from '../../../src/engine/app-status/application-details';
import { ApplicationObject, listApplicationObjects, readApplicationObjects } from '../../../src/engine/app-status/application-objects';
import { rollbackTarget } from '../../../src/engine/app-status/rollback-target';
import { unmetWaitConditions } from '../../../src/engine/app-status/wait-state';
import { ApplicationSpec } from '../../../src/engine/application-spec';
import { HealthStatusCode, OperationPhase, SyncStatusCode } from '../../../src/engine/model';
import { renderApplicationDetails } from '../../../src/engine/output/app-details';
import { renderHistory } from '../../../src/engine/output/app-history-table';
import { conditionsSummary, renderApplicationList, syncPolicyLabel } from '../../../src/engine/output/app-list-table';
import { hasUncommittedChanges } from '../../../src/git/work-tree-changes';
import { FakeKube } from '../../util/fake-kube';

function object(name: string, spec: Partial<ApplicationSpec> = {}, status: ApplicationObject['status'] = {}): ApplicationObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'argocd' },
    spec: { project: 'default', destination: { server: 'https://kubernetes.default.svc', namespace: name }, source: { repoURL: 'https://e.com/r.git', path: `manifests/${name}`, targetRevision: 'HEAD' }, ...spec },
    status,
  };
}

const history = [0, 1, 2].map((id) => ({ id, revision: `rev${id}`, deployedAt: `2026-01-01T00:0${id}:00Z` }));

describe('rollbackTarget', () => {
  test('defaults to the previous deployment, or takes the given id', () => {
    expect(rollbackTarget(object('web', {}, { history }))).toMatchObject({ id: 1, revision: 'rev1' });
    expect(rollbackTarget(object('web', {}, { history }), 0)).toMatchObject({ id: 0, revision: 'rev0' });
  });

  test('fails as argocd app rollback does: automated sync, too little history, unknown id', () => {
    expect(() => rollbackTarget(object('web', { syncPolicy: { automated: {} } }, { history }))).toThrow(/rollback cannot be initiated when auto-sync is enabled/);
    expect(() => rollbackTarget(object('web', {}, { history: history.slice(0, 1) }))).toThrow("Application 'web' should have at least two successful deployments");
    expect(() => rollbackTarget(object('web', {}, { history }), 7)).toThrow(/Application 'web' does not have deployment id '7' in history \(ids: 0, 1, 2\)/);
  });
});

describe('unmetWaitConditions', () => {
  const all = { sync: true, health: true, operation: true };
  test('names what is not reached yet', () => {
    const app = object('web', {}, { sync: { status: SyncStatusCode.OUT_OF_SYNC }, health: { status: HealthStatusCode.PROGRESSING } });
    expect(unmetWaitConditions(app, all)).toEqual(['sync status OutOfSync (waiting for Synced)', 'health Progressing (waiting for Healthy)']);
    expect(unmetWaitConditions(app, { sync: false, health: true, operation: false })).toEqual(['health Progressing (waiting for Healthy)']);
    expect(unmetWaitConditions(object('new'), all)).toEqual(['sync status not reported (waiting for Synced)', 'health not reported (waiting for Healthy)']);
  });

  test('a running operation is waited for; a finished one is not', () => {
    const op = (phase: OperationPhase) => ({ operation: { sync: {}, initiatedBy: {} }, phase, startedAt: 'x' });
    const done = { sync: { status: SyncStatusCode.SYNCED }, health: { status: HealthStatusCode.HEALTHY } };
    expect(unmetWaitConditions(object('web', {}, { ...done, operationState: op(OperationPhase.RUNNING) }), all)).toEqual(['operation Running (waiting for it to finish)']);
    expect(unmetWaitConditions(object('web', {}, { ...done, operationState: op(OperationPhase.FAILED) }), all)).toEqual([]);
  });
});

describe('list', () => {
  test('sync policy and conditions read as in argocd app list', () => {
    expect(syncPolicyLabel({ destination: {} })).toBe('Manual');
    expect(syncPolicyLabel({ destination: {}, syncPolicy: { automated: {} } })).toBe('Auto');
    expect(syncPolicyLabel({ destination: {}, syncPolicy: { automated: { prune: true } } })).toBe('Auto-Prune');
    expect(syncPolicyLabel({ destination: {}, syncPolicy: { automated: { prune: true, enabled: false } } })).toBe('Manual');
    expect(conditionsSummary(undefined)).toBe('<none>');
    expect(conditionsSummary([{ type: 'SyncError', message: 'a' }, { type: 'OrphanedResourceWarning', message: 'b' }, { type: 'OrphanedResourceWarning', message: 'c' }]))
      .toBe('OrphanedResourceWarning(2),SyncError');
  });

  test('one row per Application with its status; wide adds the destination, repo and target', () => {
    const apps = [
      object('api', { syncPolicy: { automated: { prune: true } } }, {
        sync: { status: SyncStatusCode.OUT_OF_SYNC }, health: { status: HealthStatusCode.DEGRADED }, conditions: [{ type: 'SyncError', message: 'x' }],
      }),
      object('web', {}, { sync: { status: SyncStatusCode.SYNCED }, health: { status: HealthStatusCode.HEALTHY } }),
    ];
    expect(renderApplicationList(apps, false).split('\n')).toEqual([
      'NAME  PROJECT  SYNC       HEALTH    SYNC POLICY  CONDITIONS  PATH',
      'api   default  OutOfSync  Degraded  Auto-Prune   SyncError   manifests/api',
      'web   default  Synced     Healthy   Manual       <none>      manifests/web',
    ]);
    const wide = renderApplicationList(apps, false, true).split('\n');
    expect(wide[0]).toMatch(/^NAME\s+CLUSTER\s+NAMESPACE\s+PROJECT\s+SYNC\s+HEALTH\s+SYNC POLICY\s+CONDITIONS\s+PATH\s+REPO\s+TARGET$/);
    expect(wide[1]).toMatch(/^api\s+https:\/\/kubernetes\.default\.svc\s+api\s+default\s+OutOfSync\s+Degraded\s+Auto-Prune\s+SyncError\s+manifests\/api\s+https:\/\/e\.com\/r\.git\s+HEAD$/);
  });
});

test('history table: ID, DATE, REVISION', () => {
  expect(renderHistory(history.slice(0, 2)).split('\n')).toEqual(['ID  DATE                  REVISION', '0   2026-01-01T00:00:00Z  rev0', '1   2026-01-01T00:01:00Z  rev1']);
});

describe('get/status details', () => {
  const comparison = { application: 'web', revision: 'a'.repeat(40), sync: SyncStatusCode.SYNCED, health: { status: HealthStatusCode.HEALTHY }, resources: [] };

  test('a failed last operation shows next to a Synced/Healthy comparison, with the last synced revision against the tree\'s', () => {
    const failed = {
      operation: { sync: { revision: 'a'.repeat(40) }, initiatedBy: { username: 'me' } },
      phase: OperationPhase.FAILED,
      message: 'one or more objects failed to apply',
      startedAt: '2026-01-01T00:00:00Z',
      finishedAt: '2026-01-01T00:00:05Z',
    };
    const d = applicationDetails(comparison, 'default', object('web', {}, { operationState: failed, history: [{ id: 0, revision: 'b'.repeat(40), deployedAt: '2025-12-31T00:00:00Z' }] }), true);
    expect(d).toMatchObject({ sync: 'Synced', recorded: true, dirty: true, syncedRevision: 'b'.repeat(40), operationState: { phase: 'Failed' } });
    const text = renderApplicationDetails(d, false);
    expect(text).toContain('Revision:       aaaaaaa (dirty: uncommitted changes under the manifests are compared too)\n');
    expect(text).toContain('Last Synced:    bbbbbbb at 2025-12-31T00:00:00Z (not the tree\'s revision)\n');
    expect(text).toContain('Sync Status:    Synced\n');
    expect(text).toMatch(/Last Operation: Sync to aaaaaaa\n {2}Phase: {8}Failed\n {2}Message: {6}one or more objects failed to apply\n {2}Started: {6}2026-01-01T00:00:00Z\n {2}Finished: {5}2026-01-01T00:00:05Z/);
  });

  test('without an Application object in the cluster it says nothing was recorded', () => {
    const text = renderApplicationDetails(applicationDetails(comparison, undefined, undefined, false), false);
    expect(text).toContain('Last Synced:    never\n');
    expect(text).toContain('Last Operation: none recorded (no Application object in the cluster yet)');
  });
});

test('hasUncommittedChanges sees modified and untracked files below the path only', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dirty-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q');
  fs.mkdirSync(path.join(dir, 'manifests'));
  fs.writeFileSync(path.join(dir, 'manifests', 'a.yaml'), 'a: 1\n');
  git('add', '.');
  git('-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-q', '-m', 'init');
  expect(hasUncommittedChanges(path.join(dir, 'manifests'))).toBe(false);
  fs.writeFileSync(path.join(dir, 'README'), 'outside\n');
  expect(hasUncommittedChanges(path.join(dir, 'manifests'))).toBe(false);
  fs.writeFileSync(path.join(dir, 'manifests', 'b.yaml'), 'b: 1\n');
  expect(hasUncommittedChanges(path.join(dir, 'manifests'))).toBe(true);
  fs.rmSync(path.join(dir, 'manifests', 'b.yaml'));
  fs.writeFileSync(path.join(dir, 'manifests', 'a.yaml'), 'a: 2\n');
  expect(hasUncommittedChanges(path.join(dir, 'manifests'))).toBe(true);
  expect(hasUncommittedChanges(os.tmpdir())).toBe(false);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('reading Application objects', () => {
  test('a cluster without the Argo CD CRDs gets a message saying what to install', async () => {
    await expect(listApplicationObjects(new FakeKube(), 'argocd')).rejects.toThrow(/no Argo CD Application CRD .* `cdk8s-argocd install-crds`/);
  });

  test('unknown names are refused, listing the known ones', async () => {
    const kube = new FakeKube().addKind('argoproj.io/v1alpha1', 'Application', true, 'applications');
    kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } }, object('web') as any, object('api') as any);
    expect((await readApplicationObjects(kube, 'argocd', ['web'])).map((a) => a.metadata.name)).toEqual(['web']);
    await expect(readApplicationObjects(kube, 'argocd', ['nope', 'web'])).rejects.toThrow("no Application named 'nope' in namespace argocd of this cluster (found: api, web)");
  });
});
