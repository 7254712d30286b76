/**
 * What `status`/`get` report for one Application: the live comparison (the same pipeline `diff`
 * and `sync` use) together with what the Application object records — the last operation, the
 * last synced revision, conditions — and the tree's own revision, dirty or not.
 */
import { ApplicationStatus } from '../compare-app';
import { ApplicationObject } from './application-objects';
import { ArgoApplicationCondition, ArgoOperationState } from './argo-status';

export interface ApplicationDetails extends ApplicationStatus {
  readonly project: string;
  /** False when the cluster holds no Application object for it (never synced by the tree, or no CRD). */
  readonly recorded: boolean;
  /** The working tree has uncommitted changes under the manifests (so `revision` is not all of it). */
  readonly dirty: boolean;
  /** The revision of the newest deployment in `status.history`. */
  readonly syncedRevision?: string;
  readonly syncedAt?: string;
  /** `status.operationState`: the last operation, failed ones included. */
  readonly operationState?: ArgoOperationState;
  readonly conditions?: ArgoApplicationCondition[];
}

export function applicationDetails(
  comparison: ApplicationStatus, project: string | undefined, object: ApplicationObject | undefined, dirty: boolean,
): ApplicationDetails {
  const history = object?.status?.history ?? [];
  const last = history[history.length - 1];
  const conditions = object?.status?.conditions ?? [];
  return {
    ...comparison,
    project: project ?? 'default',
    recorded: !!object,
    dirty,
    ...(last ? { syncedRevision: last.revision ?? (last.revisions ?? []).join(','), syncedAt: last.deployedAt } : {}),
    ...(object?.status?.operationState ? { operationState: object.status.operationState } : {}),
    ...(conditions.length > 0 ? { conditions } : {}),
  };
}
