import { appObject, loaded } from './tree-apps';
import { OperationPhase } from '../../../src/engine/model';
import { plainEventLine } from '../../../src/engine/output/events';
import { renderTreeSummary, treeRunDocument } from '../../../src/engine/output/tree-summary';
import { applyTreeEvent, renderTree, treeOutline } from '../../../src/engine/output/tree-view';
import { discoverTree } from '../../../src/engine/tree/application-tree';
import { ReconcileAction } from '../../../src/engine/tree/child-policy';
import { selectTree } from '../../../src/engine/tree/tree-selection';
import { ApplicationRun } from '../../../src/engine/tree/tree-sync';

const tree = discoverTree([
  loaded('root', [appObject('db', { wave: 0 }), appObject('web', { wave: 10 })]),
  loaded('db', []),
  loaded('web', []),
]);

const run = (application: string, extra: Partial<ApplicationRun>): ApplicationRun => ({
  application, namespace: 'argocd', parent: application === 'root' ? undefined : 'root', wave: application === 'web' ? 10 : 0, action: ReconcileAction.SYNC, message: '', ...extra,
});

describe('tree view', () => {
  test('children under their parent, with wave, phase, health and the current step or wait', () => {
    const rows = treeOutline(tree, selectTree(tree, [], false));
    applyTreeEvent(rows, { type: 'started', application: 'root', wave: 0, action: ReconcileAction.SYNC });
    applyTreeEvent(rows, { type: 'started', application: 'db', parent: 'root', wave: 0, action: ReconcileAction.SYNC });
    applyTreeEvent(rows, { type: 'waiting', application: 'root', message: 'waiting for healthy state of argoproj.io/Application/db (Progressing)' });
    applyTreeEvent(rows, { type: 'reconciled', application: 'db', run: run('db', { phase: OperationPhase.SUCCEEDED, sync: 'Synced' as any, health: 'Healthy' as any, message: 'successfully synced (all tasks run)' }) });
    expect(renderTree(rows, false, 200)).toEqual([
      'root   wave  0  Syncing                waiting for healthy state of argoproj.io/Application/db (Progressing)',
      '  db   wave  0  Succeeded  Healthy     successfully synced (all tasks run)',
      '  web  wave 10  Pending',
    ]);
  });

  test('a narrow terminal cuts the detail, never the columns before it', () => {
    const rows = treeOutline(tree, selectTree(tree, [], false));
    applyTreeEvent(rows, { type: 'waiting', application: 'root', message: 'x'.repeat(100) });
    const lines = renderTree(rows, false, 50);
    expect(lines[0]).toMatch(/^root   wave  0  Pending {16}x+$/);
    expect(lines[0].length).toBe(49);
  });
});

describe('tree results', () => {
  const runs = [
    run('root', { phase: OperationPhase.FAILED, sync: 'Synced' as any, health: 'Degraded' as any, message: 'one or more synchronization tasks completed unsuccessfully' }),
    run('db', { phase: OperationPhase.SUCCEEDED, sync: 'Synced' as any, health: 'Degraded' as any, message: 'successfully synced (all tasks run)' }),
    run('web', { action: 'skipped', message: 'not reached: root did not apply its Application object' }),
  ];

  test('the text summary lists every Application with its parent, wave and outcome', () => {
    expect(renderTreeSummary(runs, false).split('\n')).toEqual([
      'NAME  PARENT  WAVE  ACTION   OPERATION  SYNC    HEALTH    MESSAGE',
      'root          0     sync     Failed     Synced  Degraded  one or more synchronization tasks completed unsuccessfully',
      'db    root    0     sync     Succeeded  Synced  Degraded  successfully synced (all tasks run)',
      'web   root    10    skipped                               not reached: root did not apply its Application object',
    ]);
  });

  test('the json document of an Application has the operation\'s fields and its parent', () => {
    const operation = { application: 'db', revision: 'abc', phase: OperationPhase.SUCCEEDED, message: 'ok', dryRun: false, startedAt: 't0', resources: [], attempts: 1 };
    expect(treeRunDocument(run('db', { phase: OperationPhase.SUCCEEDED, message: 'ok', operation }))).toEqual({
      application: 'db', namespace: 'argocd', parent: 'root', wave: 0, action: 'sync', revision: 'abc', phase: 'Succeeded', message: 'ok', dryRun: false, startedAt: 't0', resources: [], attempts: 1,
    });
  });

  test('plain lines say when an Application starts and how it finished, prefixed with it', () => {
    expect(plainEventLine({ type: 'started', application: 'web', parent: 'root', wave: 10, action: ReconcileAction.COMPARE })).toMatch(/^\S+Z app=web started action=compare parent=root wave=10$/);
    expect(plainEventLine({ type: 'reconciled', application: 'db', run: runs[1] })).toMatch(/^\S+Z app=db finished action=sync operation=Succeeded sync=Synced health=Degraded message="successfully synced \(all tasks run\)"$/);
  });
});
