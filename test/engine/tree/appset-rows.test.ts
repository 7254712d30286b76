/**
 * ApplicationSets' generated Applications in the tree's views: the live terminal tree, the
 * summary table and the `-o json` list, each with its parent = the set that owns it, and the set
 * under the Application whose sync applied it. test/e2e/engine-tree-appsets.e2e.test.ts checks
 * the `sync -o json` document on the real control plane.
 */
import { appObject, loaded } from './tree-apps';
import { ApplicationSetRunResult } from '../../../src/engine/appset-controller';
import { OperationPhase } from '../../../src/engine/model';
import { applyApplicationSetEvent, applyApplicationSetResult, withGeneratedApplications } from '../../../src/engine/output/appset-rows';
import { renderTreeSummary, treeRunDocument } from '../../../src/engine/output/tree-summary';
import { applyTreeEvent, renderTree, treeOutline } from '../../../src/engine/output/tree-view';
import { discoverTree } from '../../../src/engine/tree/application-tree';
import { ReconcileAction } from '../../../src/engine/tree/child-policy';
import { selectTree } from '../../../src/engine/tree/tree-selection';
import { ApplicationRun } from '../../../src/engine/tree/tree-sync';

const tree = discoverTree([
  loaded('root', [appObject('db')]),
  loaded('db', []),
]);

const rootRun: ApplicationRun = { application: 'root', namespace: 'argocd', wave: 0, action: ReconcileAction.SYNC, phase: OperationPhase.SUCCEEDED, sync: 'Synced' as any, health: 'Healthy' as any, message: 'successfully synced (all tasks run)' };
const dbRun: ApplicationRun = { ...rootRun, application: 'db', parent: 'root' };

/** The set `web` (applied by root's sync): staging synced, production manual (compared only). */
const nested: ApplicationSetRunResult = {
  applicationSet: 'argocd/web',
  ok: true,
  message: 'synced',
  changes: [{ action: 'create', application: 'web-production' }, { action: 'create', application: 'web-staging' }],
  applications: [
    { name: 'web-production', compared: { sync: 'OutOfSync', health: 'Missing' } },
    { name: 'web-staging', outcome: { phase: 'Succeeded', sync: 'Synced', health: 'Healthy', message: 'successfully synced (all tasks run)' } },
  ],
  conditions: [],
};
/** A top-level set (in no Application's source) whose Application waits for its RollingSync step. */
const topLevel: ApplicationSetRunResult = {
  applicationSet: 'argocd/jobs', ok: false, message: 'stuck', changes: [], applications: [{ name: 'jobs-eu', step: '2' }], conditions: [],
};

describe('generated Applications in the results', () => {
  const runs = withGeneratedApplications([rootRun, dbRun], [{ result: topLevel }, { result: nested, parent: 'root' }]);

  test('each right after the Application that applied its set (top-level sets at the end), parent = the set', () => {
    expect(runs.map((r) => `${r.application}<${r.parentKind ? `${r.parentKind}/` : ''}${r.parent ?? ''}>: ${r.action} ${r.phase ?? ''} ${r.sync ?? ''}/${r.health ?? ''}`)).toEqual([
      'root<>: sync Succeeded Synced/Healthy',
      'web-production<ApplicationSet/web>: compare  OutOfSync/Missing',
      'web-staging<ApplicationSet/web>: sync Succeeded Synced/Healthy',
      'db<root>: sync Succeeded Synced/Healthy',
      'jobs-eu<ApplicationSet/jobs>: skipped  /',
    ]);
    expect(runs[4].message).toBe('not synced by the ApplicationSet in this run (RollingSync step 2)');
  });

  test('the summary table names the set as PARENT', () => {
    expect(renderTreeSummary(runs, false).split('\n').slice(0, 3)).toEqual([
      'NAME            PARENT               WAVE  ACTION   OPERATION  SYNC       HEALTH   MESSAGE',
      'root                                 0     sync     Succeeded  Synced     Healthy  successfully synced (all tasks run)',
      'web-production  ApplicationSet/web   0     compare             OutOfSync  Missing  OutOfSync: manual sync policy, not synced (--include-manual syncs it)',
    ]);
  });

  test('the json document of a generated Application has its set as parent', () => {
    expect(treeRunDocument(runs[2])).toEqual({
      application: 'web-staging',
      namespace: 'argocd',
      parent: 'web',
      parentKind: 'ApplicationSet',
      wave: 0,
      action: 'sync',
      phase: 'Succeeded',
      sync: 'Synced',
      health: 'Healthy',
      message: 'successfully synced (all tasks run)',
    });
  });
});

describe('generated Applications in the live tree', () => {
  test('the set under the Application that applied it, its Applications under the set, updated by the controller\'s events', () => {
    const rows = treeOutline(tree, selectTree(tree, [], false));
    applyTreeEvent(rows, { type: 'started', application: 'root', wave: 0, action: ReconcileAction.SYNC });
    applyApplicationSetEvent(rows, { type: 'changed', applicationSet: 'argocd/web', action: 'create', application: 'web-staging' }, 'root');
    applyApplicationSetEvent(rows, { type: 'changed', applicationSet: 'argocd/web', action: 'create', application: 'web-production' }, 'root');
    applyApplicationSetEvent(rows, { type: 'sync-started', applicationSet: 'argocd/web', application: 'web-staging' }, 'root');
    applyApplicationSetEvent(rows, { type: 'compared', applicationSet: 'argocd/web', application: 'web-production', sync: 'OutOfSync', health: 'Missing' }, 'root');
    applyApplicationSetEvent(rows, { type: 'changed', applicationSet: 'argocd/jobs', action: 'create', application: 'jobs-eu' });
    expect(renderTree(rows, false, 200)).toEqual([
      'root                  wave 0  Syncing',
      '  db                  wave 0  Pending',
      '  ApplicationSet web  wave 0  Running',
      '    web-staging       wave 0  Syncing',
      '    web-production    wave 0  OutOfSync  Missing     manual sync policy: not synced (--include-manual syncs it)',
      'ApplicationSet jobs   wave 0  Running',
      '  jobs-eu             wave 0  Pending                created by the ApplicationSet',
    ]);
    applyApplicationSetEvent(rows, { type: 'sync-finished', applicationSet: 'argocd/web', application: 'web-staging', outcome: { phase: 'Succeeded', sync: 'Synced', health: 'Healthy', message: 'ok' } }, 'root');
    applyApplicationSetResult(rows, nested, 'root');
    expect(renderTree(rows, false, 200).slice(2, 4)).toEqual([
      '  ApplicationSet web  wave 0  Done                   synced',
      '    web-staging       wave 0  Succeeded  Healthy     ok',
    ]);
  });
});
