/**
 * The `status` of an Argo CD Application (argoproj.io/v1alpha1 `ApplicationStatus`), as the
 * engine writes it back to the Application object so that `kubectl get applications`, a parent's
 * Application health check and `argocd app get` read the same thing Argo CD's controller would
 * have written. Field names are Argo CD's; see its Application CRD.
 */
import { ApplicationSourceSpec, IgnoreDifferencesEntry } from '../application-spec';
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
    ignoreDifferences?: IgnoreDifferencesEntry[];
  };
}

/**
 * `status.health` (Argo CD v3 `AppHealthStatus`): the code and when it last changed; v3 no longer
 * writes the deprecated `message`.
 */
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
    sync: {
      revision?: string;
      revisions?: string[];
      prune?: boolean;
      dryRun?: boolean;
      /** Self-heal syncs in a row to this revision (Go `SelfHealAttemptsCount`, JSON `autoHealAttemptsCount`), which the self-heal backoff counts. */
      autoHealAttemptsCount?: number;
      /** A selective sync's resources (a self-heal syncs only what drifted). */
      resources?: Array<{ group?: string; kind: string; name: string; namespace?: string }>;
    };
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

/** One of `status.conditions` (`ApplicationCondition`); types are Argo CD's (`SyncError`, `ComparisonError`, …). */
export interface ArgoApplicationCondition {
  type: string;
  message: string;
  lastTransitionTime?: string;
}

/** `status.summary` (`ApplicationSummary`); `null` in a write removes a field the merge patch would otherwise keep. */
export interface ArgoApplicationSummary {
  images?: string[] | null;
  externalURLs?: string[] | null;
  isAppOfApps?: boolean | null;
}

/** `Application.status`; every field optional because a write may carry only some of them. */
export interface ArgoApplicationStatus {
  sync?: ArgoSyncStatus;
  health?: ArgoHealthStatus;
  operationState?: ArgoOperationState;
  history?: ArgoRevisionHistory[];
  resources?: ArgoResourceStatus[];
  summary?: ArgoApplicationSummary;
  reconciledAt?: string;
  /** `null` in a write removes every condition (a JSON merge patch deletes null fields). */
  conditions?: ArgoApplicationCondition[] | null;
  sourceType?: string;
  sourceTypes?: string[];
  controllerNamespace?: string;
  /**
   * Where each resource's health lives: `inline` (in `resources[].health`, Argo CD's
   * --persist-resource-health=true form, which the engine always writes) or `appTree`.
   */
  resourceHealthSource?: string;
}
