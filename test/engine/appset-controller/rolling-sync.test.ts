import {
  ApplicationRolloutStatus, assignSteps, deletionOrderReversed, maxUpdateValue, ObservedApplication, planRollout, rollingSyncSteps, RolloutStep,
} from '../../../src/engine/appset-controller/rolling-sync';

const env = (...values: string[]): RolloutStep => ({ matchExpressions: [{ key: 'env', operator: 'In', values }] });

interface Sim {
  sync?: string;
  health?: string;
  operation?: { phase: string; startedAt: string };
  reconciledAt?: string;
  /** Health the Application reports on the reconciles after its sync, one per reconcile (last one sticks). */
  healthAfterSync: string[];
  syncPhase: string;
}

/**
 * Drives the planner the way the controller loop does: each tick plans, then "syncs" what the plan
 * says. Returns one line per tick that synced something, e.g. `t1 sync dev-a`.
 */
interface SimApp { name: string; env?: string; healthAfterSync?: string[]; syncPhase?: string; sync?: string; health?: string }

interface SimResult { log: string[]; statuses: readonly ApplicationRolloutStatus[]; condition: string }

function simulate(steps: RolloutStep[], apps: SimApp[], ticks = 20): SimResult {
  const state = new Map<string, Sim>(apps.map((a) => [a.name, {
    sync: a.sync ?? 'OutOfSync', health: a.health ?? 'Missing', healthAfterSync: a.healthAfterSync ?? ['Healthy'], syncPhase: a.syncPhase ?? 'Succeeded',
  }]));
  const generated = apps.map((a) => ({ name: a.name, labels: a.env ? { env: a.env } : {} as Record<string, string> }));
  let previous: readonly ApplicationRolloutStatus[] = [];
  const log: string[] = [];
  let condition = '';
  for (let t = 1; t <= ticks; t++) {
    const now = new Date(Date.UTC(2026, 0, 1, 0, 0, t * 10)).toISOString();
    // Health progresses one scripted value per reconcile after a sync.
    for (const s of state.values()) {
      if (s.operation && s.healthAfterSync.length > 1) s.health = s.healthAfterSync.shift();
      else if (s.operation) s.health = s.healthAfterSync[0];
    }
    const current: ObservedApplication[] = apps.map((a) => {
      const s = state.get(a.name)!;
      return { name: a.name, sync: s.sync, health: s.health, revisions: ['r1'], specChanged: false, operation: s.operation, reconciledAt: s.reconciledAt };
    });
    const plan = planRollout({ steps, previous, generated, current, now });
    previous = plan.statuses;
    condition = `${plan.condition.status} ${plan.condition.reason}: ${plan.condition.message}`;
    const started: string[] = [];
    for (const name of plan.toSync) {
      const s = state.get(name)!;
      // A sync already run since the Application became Pending is not started again.
      const pendingSince = plan.statuses.find((x) => x.application === name)!.lastTransitionTime!;
      if (s.operation && Date.parse(s.operation.startedAt) > Date.parse(pendingSince)) continue;
      const startedAt = new Date(Date.parse(now) + 1000).toISOString();
      s.operation = { phase: s.syncPhase, startedAt };
      s.reconciledAt = new Date(Date.parse(now) + 2000).toISOString();
      s.sync = s.syncPhase === 'Succeeded' ? 'Synced' : 'OutOfSync';
      s.health = 'Progressing';
      started.push(name);
    }
    if (started.length > 0) log.push(`t${t} sync ${started.join(' ')}`);
  }
  return { log, statuses: previous, condition };
}

describe('RollingSync planner', () => {
  test('the strategy is RollingSync only with steps; deletionOrder Reverse in any case', () => {
    expect(rollingSyncSteps({ spec: { strategy: { type: 'RollingSync', rollingSync: { steps: [env('dev')] } } } })).toHaveLength(1);
    expect(rollingSyncSteps({ spec: { strategy: { type: 'RollingSync', rollingSync: { steps: [] } } } })).toBeUndefined();
    expect(rollingSyncSteps({ spec: { strategy: { type: 'AllAtOnce' } } })).toBeUndefined();
    expect(deletionOrderReversed({ spec: { strategy: { type: 'RollingSync', deletionOrder: 'reverse', rollingSync: { steps: [env('dev')] } } } })).toBe(true);
    expect(deletionOrderReversed({ spec: { strategy: { type: 'RollingSync', deletionOrder: 'AllAtOnce', rollingSync: { steps: [env('dev')] } } } })).toBe(false);
  });

  test('steps select by label expressions: first match wins, a missing label fails In and passes NotIn', () => {
    const steps: RolloutStep[] = [
      env('dev'),
      { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev', 'prod'] }] },
      { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }, { key: 'region', operator: 'NotIn', values: ['eu'] }] },
      { matchExpressions: [{ key: 'env', operator: 'Exists' }] },
    ];
    const { byStep, stepOf } = assignSteps(steps, [
      { name: 'a', labels: { env: 'dev' } },
      { name: 'b', labels: { env: 'qa' } },
      { name: 'c', labels: {} },
      { name: 'd', labels: { env: 'prod' } },
      { name: 'e', labels: { env: 'prod', region: 'eu' } },
    ]);
    // As in Argo CD, an absent label passes every operator but In, even Exists.
    expect(byStep.map((s) => s.join(',')).join(' | ')).toBe('a | b,c | d | c');
    expect([...stepOf].map(([n, i]) => `${n}:${i + 1}`).join(' ')).toBe('a:1 b:2 c:2 d:3');
  });

  test('maxUpdate: ints as given, percentages rounded down with at least one unless 0%', () => {
    const cases: Array<[number | string, number]> = [[1, 3], [0, 3], ['50%', 3], ['10%', 3], ['0%', 3], ['67%', 3], ['100%', 3], ['25%', 8], ['abc', 3]];
    expect(cases.map(([m, total]) => `${m} of ${total} -> ${maxUpdateValue(m, total)}`)).toEqual([
      '1 of 3 -> 1', '0 of 3 -> 0', '50% of 3 -> 1', '10% of 3 -> 1', '0% of 3 -> 0', '67% of 3 -> 2', '100% of 3 -> 3', '25% of 8 -> 2', 'abc of 3 -> 1',
    ]);
  });

  test('three steps run in order; a step starts only when the previous one is Healthy; maxUpdate bounds a step', () => {
    const steps = [env('dev'), env('qa'), { ...env('prod'), maxUpdate: 1 }];
    const { log, statuses, condition } = simulate(steps, [
      { name: 'dev-a', env: 'dev', healthAfterSync: ['Progressing', 'Healthy'] },
      { name: 'qa-a', env: 'qa' },
      { name: 'qa-b', env: 'qa', healthAfterSync: ['Progressing', 'Progressing', 'Healthy'] },
      { name: 'prod-a', env: 'prod' },
      { name: 'prod-b', env: 'prod' },
    ]);
    // t1 dev-a Pending and synced; t2 Progressing; t3 Healthy, so step 2 starts in the same reconcile;
    // qa-b turns Healthy at t6, then prod one at a time (each takes two reconciles to turn Healthy).
    expect(log).toEqual([
      't1 sync dev-a',
      't3 sync qa-a qa-b',
      't6 sync prod-a',
      't8 sync prod-b',
    ]);
    expect(statuses.map((s) => `${s.application} step ${s.step} ${s.status}`)).toEqual([
      'dev-a step 1 Healthy', 'qa-a step 2 Healthy', 'qa-b step 2 Healthy', 'prod-a step 3 Healthy', 'prod-b step 3 Healthy',
    ]);
    expect(statuses[0].message).toBe('Application resource became Healthy, updating status from Progressing to Healthy');
    expect(condition).toBe('False ApplicationSetRolloutComplete: ApplicationSet Rollout has completed');
  });

  test('a Degraded Application holds every later step; the condition names its step', () => {
    const { log, statuses, condition } = simulate([env('dev'), env('prod')], [
      { name: 'dev-a', env: 'dev', healthAfterSync: ['Degraded'] },
      { name: 'prod-a', env: 'prod' },
    ], 6);
    expect(log).toEqual(['t1 sync dev-a']);
    expect(statuses.map((s) => `${s.application} ${s.status}`)).toEqual(['dev-a Progressing', 'prod-a Waiting']);
    expect(condition).toBe('True ApplicationSetModified: ApplicationSet is performing rollout of step 1');
  });

  test('a failed sync moves the Application to Progressing with Argo CD\'s message and holds the rollout', () => {
    const { statuses } = simulate([env('dev'), env('prod')], [
      { name: 'dev-a', env: 'dev', syncPhase: 'Failed' },
      { name: 'prod-a', env: 'prod' },
    ], 4);
    expect(statuses[0]).toMatchObject({ status: 'Progressing', message: 'Application resource completed a sync, updating status from Pending to Progressing' });
    expect(statuses[1].status).toBe('Waiting');
  });

  test('an Application no step selects is never synced and has step -1', () => {
    const { log, statuses } = simulate([env('dev')], [
      { name: 'dev-a', env: 'dev' },
      { name: 'other', env: 'test' },
    ]);
    expect(log).toEqual(['t1 sync dev-a']);
    expect(statuses.find((s) => s.application === 'other')).toMatchObject({ step: '-1', status: 'Waiting', message: 'No Application status found, defaulting status to Waiting' });
  });

  test('an Application already Synced and Healthy is Healthy without a sync, and the next step starts at once', () => {
    const { log, statuses } = simulate([env('dev'), env('prod')], [
      { name: 'dev-a', env: 'dev', sync: 'Synced', health: 'Healthy' },
      { name: 'prod-a', env: 'prod' },
    ]);
    expect(log).toEqual(['t1 sync prod-a']);
    expect(statuses[0].message).toBe('Application resource has synced, updating status to Healthy');
  });

  test('maxUpdate 0 syncs nothing in its step (Argo CD leaves those Applications to manual syncs)', () => {
    const { log, condition } = simulate([env('dev'), { ...env('prod'), maxUpdate: 0 }], [
      { name: 'dev-a', env: 'dev' },
      { name: 'prod-a', env: 'prod' },
    ]);
    expect(log).toEqual(['t1 sync dev-a']);
    expect(condition).toBe('True ApplicationSetModified: ApplicationSet is performing rollout of step 2');
  });

  test('a changed spec sends a Healthy Application back to Waiting with Argo CD\'s message', () => {
    const previous: ApplicationRolloutStatus[] = [{ application: 'a', status: 'Healthy', step: '1', message: 'x', targetRevisions: ['r1'], lastTransitionTime: '2026-01-01T00:00:00.000Z' }];
    const plan = planRollout({
      steps: [env('dev')],
      previous,
      generated: [{ name: 'a', labels: { env: 'dev' } }],
      current: [{ name: 'a', sync: 'OutOfSync', health: 'Healthy', revisions: ['r1'], specChanged: true }],
      now: '2026-01-01T00:01:00.000Z',
    });
    // Waiting (spec differs), then promoted to Pending in the same reconcile.
    expect(plan.statuses[0]).toMatchObject({ status: 'Pending', step: '1' });
    expect(plan.toSync).toEqual(['a']);
    const observedOnly = planRollout({
      steps: [{ ...env('dev'), maxUpdate: 0 }],
      previous,
      generated: [{ name: 'a', labels: { env: 'dev' } }],
      current: [{ name: 'a', sync: 'OutOfSync', health: 'Healthy', revisions: ['r2'], specChanged: true }],
      now: '2026-01-01T00:01:00.000Z',
    });
    expect(observedOnly.statuses[0]).toMatchObject({
      status: 'Waiting', targetRevisions: ['r2'], message: 'Application has pending changes (revision and spec differ), setting status to Waiting',
    });
  });
});
