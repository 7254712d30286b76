/**
 * The choice of Argo CD's operation the engine's result is compared against
 * (test/conformance/harness/operations.ts): the first finished sync at the commit, not a
 * redundant second one.
 */
import { chooseOperation, describeExtraSyncs, OperationLog } from '../conformance/harness/operations';

function app(name: string, operationState: Record<string, any> | undefined): any {
  return { metadata: { name }, status: operationState ? { operationState } : {} };
}

function op(startedAt: string, revision: string, phase = 'Succeeded', rows = ['created']): Record<string, any> {
  return {
    phase,
    startedAt,
    finishedAt: phase === 'Running' ? undefined : `${startedAt}+1`,
    syncResult: { revision, resources: rows.map((status, i) => ({ kind: 'ConfigMap', name: `c${i}`, status })) },
  };
}

describe('OperationLog', () => {
  test('records each finished operation once, per Application, in order', () => {
    const log = new OperationLog();
    log.record(app('a', op('t1', 'r1', 'Running')));
    log.record(app('a', op('t1', 'r1')));
    log.record(app('a', op('t1', 'r1'))); // the same operation seen again (another status write)
    log.record(app('b', op('t1', 'r1')));
    log.record(app('a', op('t2', 'r1', 'Succeeded', ['unchanged'])));
    log.record(app('a', undefined));
    expect(log.operations('a').map((o) => o.startedAt)).toEqual(['t1', 't2']);
    expect(log.operations('b')).toHaveLength(1);
    expect(log.operations('c')).toEqual([]);
  });

  test('ignores Running and Terminating operations', () => {
    const log = new OperationLog();
    log.record(app('a', { ...op('t1', 'r1'), phase: 'Terminating' }));
    log.record(app('a', op('t2', 'r1', 'Running')));
    expect(log.operations('a')).toEqual([]);
  });

  test('keeps a copy: a later change of the object does not change what was recorded', () => {
    const log = new OperationLog();
    const a = app('a', op('t1', 'r1'));
    log.record(a);
    a.status.operationState.phase = 'Failed';
    expect(log.operations('a')[0].phase).toBe('Succeeded');
  });
});

describe('chooseOperation', () => {
  const first = op('t1', 'r1', 'Succeeded', ['created', 'created']);
  const redundant = op('t2', 'r1', 'Succeeded', ['unchanged']);

  test('the first finished sync at the revision, counting the redundant ones', () => {
    expect(chooseOperation([first, redundant], 'r1', redundant)).toEqual({ operationState: first, extra: 1 });
  });

  test('operations at another revision (the first commit) neither count nor are chosen', () => {
    const second = op('t3', 'r2');
    expect(chooseOperation([first, redundant, second], 'r2', second)).toEqual({ operationState: second, extra: 0 });
  });

  test('falls back to the last operation when none was seen at the revision', () => {
    const last = op('t9', 'r0');
    expect(chooseOperation([first], 'r2', last)).toEqual({ operationState: last, extra: 0 });
    expect(chooseOperation([], 'r1', undefined)).toEqual({ operationState: undefined, extra: 0 });
  });
});

test('describeExtraSyncs names each Application Argo CD synced more than once', () => {
  expect(describeExtraSyncs({ b: 2, a: 1, c: 0 })).toEqual([
    'Argo CD synced a 2 times at this revision (compared: the first)',
    'Argo CD synced b 3 times at this revision (compared: the first)',
  ]);
});
