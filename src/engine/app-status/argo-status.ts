/**
 * The `status` of an Argo CD Application (argoproj.io/v1alpha1 `ApplicationStatus`), as the
 * engine writes it back to the Application object so that `kubectl get applications`, a parent's
 * Application health check and `argocd app get` read the same thing Argo CD's controller would
 * have written. Field names are Argo CD's; see its Application CRD.
 */
import { ApplicationSourceSpec } from '../application-spec';
import { HealthStatusCode, OperationPhase, SyncStatusCode } from '../model';

export interface ArgoSyncStatus {
  status: SyncStatusCode;
  revision?: string;
  /** Multi-source Applications report one revision per source. */
  revisions?: string[];
  comparedTo?: {
    source?: ApplicationSourceSpec;
    sources?: ApplicationSourceSpec[];
    destination: { server?: string; name?: string; namespace?: string };
  };
}

export interface ArgoHealthStatus {
  status: HealthStatusCode;
  message?: string;
  lastTransitionTime?: string;
}

/** One row of `status.operationState.syncResult.resources` (gitops-engine `ResourceResult`). */
export interface ArgoResourceResult {
  group: string;
  version: string;
  kind: string;
  namespace: string;
  name: string;
  status?: string;
  message?: string;
  hookType?: string;
  hookPhase?: string;
  syncPhase?: string;
}

export interface ArgoOperationState {
  operation: {
    sync: { revision?: string; revisions?: string[]; prune?: boolean; dryRun?: boolean };
    initiatedBy: { username?: string; automated?: boolean };
    retry?: unknown;
  };
  phase: OperationPhase;
  message?: string;
  syncResult?: {
    resources?: ArgoResourceResult[];
    revision?: string;
    revisions?: string[];
    source?: ApplicationSourceSpec;
    sources?: ApplicationSourceSpec[];
  };
  startedAt: string;
  finishedAt?: string;
  retryCount?: number;
}

/** One entry of `status.history` (`RevisionHistory`). */
export interface ArgoRevisionHistory {
  id: number;
  revision?: string;
  revisions?: string[];
  source?: ApplicationSourceSpec;
  sources?: ApplicationSourceSpec[];
  deployedAt: string;
  deployStartedAt?: string;
  initiatedBy?: { username?: string; automated?: boolean };
}

/** One row of `status.resources` (`ResourceStatus`). */
export interface ArgoResourceStatus {
  group?: string;
  version: string;
  kind: string;
  namespace?: string;
  name: string;
  status?: SyncStatusCode;
  health?: { status: HealthStatusCode; message?: string };
  hook?: boolean;
  requiresPruning?: boolean;
  syncWave?: number;
}

export interface ArgoApplicationCondition {
  type: string;
  message: string;
  lastTransitionTime?: string;
}

/** `Application.status`; every field optional because a write may carry only some of them. */
export interface ArgoApplicationStatus {
  sync?: ArgoSyncStatus;
  health?: ArgoHealthStatus;
  operationState?: ArgoOperationState;
  history?: ArgoRevisionHistory[];
  resources?: ArgoResourceStatus[];
  summary?: { images?: string[]; externalURLs?: string[] };
  reconciledAt?: string;
  conditions?: ArgoApplicationCondition[];
  sourceType?: string;
  sourceTypes?: string[];
  controllerNamespace?: string;
}
