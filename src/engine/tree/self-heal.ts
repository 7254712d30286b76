import { ArgoOperationState } from '../app-status/argo-status';
import { SyncStatusCode } from '../model';

/**
 * The application controller's self-heal throttle, with Argo CD v3's defaults
 * (cmd/argocd-application-controller/commands/argocd_application_controller.go, and the
 * operator manual's argocd-application-controller reference for v3.5):
 *   --self-heal-timeout-seconds            0   (the older fixed delay; 0 = use the backoff)
 *   --self-heal-backoff-timeout-seconds    2   (first step of the exponential backoff)
 *   --self-heal-backoff-factor             3
 *   --self-heal-backoff-cap-seconds      300
 *   --self-heal-backoff-cooldown-seconds 330   (synced this long after the last operation: count reset)
 * The delay is a k8s wait.Backoff stepped `autoHealAttemptsCount` times, so the first heal after a
 * sync to a new revision (count 0) is immediate, then 2 s, 6 s, 18 s, 54 s, 162 s, 300 s, each
 * counted from the previous operation's `finishedAt` (controller/appcontroller.go
 * `selfHealRemainingBackoff`, `selfHealBackoffCooldownElapsed`); the count is the last operation's `operation.sync.autoHealAttemptsCount` (Go `SelfHealAttemptsCount`).
 */
export interface SelfHealBackoff {
  readonly durationMs: number;
  readonly factor: number;
  readonly capMs: number;
  readonly cooldownMs: number;
}

export const DEFAULT_SELF_HEAL_BACKOFF: SelfHealBackoff = { durationMs: 2_000, factor: 3, capMs: 300_000, cooldownMs: 330_000 };

/** The delay before self-heal attempt number `attempts` + 1 (wait.Backoff.Step() called `attempts` times). */
export function selfHealDelayMs(backoff: SelfHealBackoff, attempts: number): number {
  let delay = 0;
  let step = backoff.durationMs;
  for (let i = 0; i < attempts; i++) {
    delay = step;
    step = Math.min(step * backoff.factor, backoff.capMs);
  }
  return Math.min(delay, backoff.capMs);
}

/**
 * `selfHealBackoffCooldownElapsed`: the Application has been Synced for the cooldown since the
 * last operation finished, so the attempt count starts again from 0 (no operation: elapsed).
 */
export function selfHealCooldownElapsed(
  backoff: SelfHealBackoff, op: ArgoOperationState | undefined, sync: SyncStatusCode | undefined, nowMs: number,
): boolean {
  const finished = op?.finishedAt ? Date.parse(op.finishedAt) : NaN;
  if (!op || Number.isNaN(finished)) {
    return true;
  }
  return nowMs - finished >= backoff.cooldownMs && sync === SyncStatusCode.SYNCED;
}

/** The self-heal attempts counted so far: the last operation's, unless the cooldown elapsed. */
export function selfHealAttempts(
  backoff: SelfHealBackoff, op: ArgoOperationState | undefined, sync: SyncStatusCode | undefined, nowMs: number,
): number {
  if (selfHealCooldownElapsed(backoff, op, sync, nowMs)) {
    return 0;
  }
  return op?.operation?.sync?.autoHealAttemptsCount ?? 0;
}

/** `selfHealRemainingBackoff`: how long until the next self-heal may start (≤ 0: now). */
export function selfHealRemainingMs(backoff: SelfHealBackoff, op: ArgoOperationState | undefined, attempts: number, nowMs: number): number {
  if (!op) {
    return 0;
  }
  const delay = selfHealDelayMs(backoff, attempts);
  const finished = op.finishedAt ? Date.parse(op.finishedAt) : NaN;
  return Number.isNaN(finished) ? delay : delay - (nowMs - finished);
}
