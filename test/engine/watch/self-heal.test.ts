import { ArgoOperationState } from '../../../src/engine/app-status/argo-status';
import { OperationPhase, SyncStatusCode } from '../../../src/engine/model';
import {
  DEFAULT_SELF_HEAL_BACKOFF, selfHealAttempts, selfHealCooldownElapsed, selfHealDelayMs, selfHealRemainingMs,
} from '../../../src/engine/tree/self-heal';

const NOW = Date.parse('2026-12-01T12:00:00Z');
function op(secondsAgo: number, attempts?: number): ArgoOperationState {
  const t = new Date(NOW - secondsAgo * 1000).toISOString();
  return {
    operation: { sync: { autoHealAttemptsCount: attempts }, initiatedBy: { automated: true } },
    phase: OperationPhase.SUCCEEDED,
    startedAt: t,
    finishedAt: t,
  };
}

describe('Argo CD v3 self-heal backoff (2 s × 3, cap 300 s, cooldown 330 s)', () => {
  test('the delay before each attempt: 0, 2, 6, 18, 54, 162, 300, 300 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((n) => selfHealDelayMs(DEFAULT_SELF_HEAL_BACKOFF, n) / 1000)).toEqual([0, 2, 6, 18, 54, 162, 300, 300]);
  });

  test('counted from the last operation\'s end', () => {
    expect(selfHealRemainingMs(DEFAULT_SELF_HEAL_BACKOFF, op(1, 2), 2, NOW)).toBe(5000);
    expect(selfHealRemainingMs(DEFAULT_SELF_HEAL_BACKOFF, op(10, 2), 2, NOW)).toBe(-4000);
    expect(selfHealRemainingMs(DEFAULT_SELF_HEAL_BACKOFF, undefined, 3, NOW)).toBe(0);
  });

  test('the count carries over until the Application was Synced for the cooldown after the last operation', () => {
    expect(selfHealAttempts(DEFAULT_SELF_HEAL_BACKOFF, op(100, 3), SyncStatusCode.SYNCED, NOW)).toBe(3);
    expect(selfHealAttempts(DEFAULT_SELF_HEAL_BACKOFF, op(400, 3), SyncStatusCode.SYNCED, NOW)).toBe(0);
    // Not Synced (still drifting): the cooldown has not elapsed, however long ago.
    expect(selfHealCooldownElapsed(DEFAULT_SELF_HEAL_BACKOFF, op(400, 3), SyncStatusCode.OUT_OF_SYNC, NOW)).toBe(false);
    expect(selfHealCooldownElapsed(DEFAULT_SELF_HEAL_BACKOFF, undefined, undefined, NOW)).toBe(true);
  });
});
