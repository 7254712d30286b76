/**
 * What `wait` waits for, judged from an Application object's status (as `argocd app wait`):
 * sync status Synced, health Healthy, and no operation still running.
 */
import { HealthStatusCode, OperationPhase, SyncStatusCode } from '../model';
import { ApplicationObject } from './application-objects';

export interface WaitFor {
  readonly sync: boolean;
  readonly health: boolean;
  /** No operation in progress (the default together with sync and health). */
  readonly operation: boolean;
}

/** What the Application has not reached yet, one phrase each; empty when it is done. */
export function unmetWaitConditions(app: ApplicationObject, want: WaitFor): string[] {
  const status = app.status ?? {};
  const unmet: string[] = [];
  if (want.sync && status.sync?.status !== SyncStatusCode.SYNCED) {
    unmet.push(`sync status ${status.sync?.status ?? 'not reported'} (waiting for ${SyncStatusCode.SYNCED})`);
  }
  if (want.health && status.health?.status !== HealthStatusCode.HEALTHY) {
    unmet.push(`health ${status.health?.status ?? 'not reported'} (waiting for ${HealthStatusCode.HEALTHY})`);
  }
  const running = (app as { operation?: unknown }).operation !== undefined || status.operationState?.phase === OperationPhase.RUNNING
    || status.operationState?.phase === OperationPhase.TERMINATING;
  if (want.operation && running) {
    unmet.push(`operation ${status.operationState?.phase ?? 'requested'} (waiting for it to finish)`);
  }
  return unmet;
}
