/**
 * The engine's data model: Kubernetes objects with their origin, the task list of one sync
 * operation and its results. Names follow Argo CD (gitops-engine `common` and the Application
 * status API) so `--output json` reads like `argocd app get -o json`.
 */

import { HookDeletePolicy, HookPhase as SyncPhase } from '../argo/hooks';

/** A Kubernetes object as plain JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name?: string;
    generateName?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: any;
  };
  [key: string]: any;
}

/** Where a desired object came from, for error messages (`file:line`). */
export interface SourcePosition {
  /** Path relative to the repository root (or absolute when outside it). */
  readonly file: string;
  /** 1-based line of the document start. */
  readonly line: number;
}

/** A desired object and where it was read from. */
export interface DesiredObject {
  readonly object: KubeObject;
  readonly source: SourcePosition;
}

/** Identity of a resource as Argo CD keys it: group, kind, namespace, name. */
export interface ResourceKey {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** Whether `obj` is a CustomResourceDefinition (Argo CD's `kube.IsCRD`). */
export function isCrd(obj: Pick<KubeObject, 'apiVersion' | 'kind'>): boolean {
  return obj.kind === 'CustomResourceDefinition' && groupOf(obj.apiVersion) === 'apiextensions.k8s.io';
}

export function keyOf(obj: KubeObject): ResourceKey {
  return {
    group: groupOf(obj.apiVersion),
    kind: obj.kind,
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name ?? obj.metadata.generateName ?? '',
  };
}

/** `group/kind/namespace/name`, unique per resource (the string form used for maps). */
export function keyString(k: ResourceKey): string {
  return `${k.group}/${k.kind}/${k.namespace}/${k.name}`;
}

/** Human form: `Kind namespace/name` (or `Kind name` when cluster-scoped). */
export function describeKey(k: ResourceKey): string {
  return `${k.kind} ${k.namespace ? `${k.namespace}/` : ''}${k.name}`;
}

// Argo CD's phases (its Go type is `SyncPhase`) and hook delete policies, defined once in src/argo.
export { SyncPhase, HookDeletePolicy };

/** Execution order of phases (SyncFail only runs when the operation failed). */
export const PHASE_ORDER: readonly SyncPhase[] = [SyncPhase.PRE_SYNC, SyncPhase.SYNC, SyncPhase.POST_SYNC, SyncPhase.SYNC_FAIL];

/** Per-resource result, as in Argo CD's `ResourceResult.status`. */
export enum ResultCode {
  SYNCED = 'Synced',
  SYNC_FAILED = 'SyncFailed',
  PRUNED = 'Pruned',
  PRUNE_SKIPPED = 'PruneSkipped',
}

/** Hook/operation progress, as in Argo CD's `OperationPhase`. */
export enum OperationPhase {
  RUNNING = 'Running',
  SUCCEEDED = 'Succeeded',
  FAILED = 'Failed',
  ERROR = 'Error',
  TERMINATING = 'Terminating',
}

export enum SyncStatusCode {
  SYNCED = 'Synced',
  OUT_OF_SYNC = 'OutOfSync',
  UNKNOWN = 'Unknown',
}

export enum HealthStatusCode {
  HEALTHY = 'Healthy',
  SUSPENDED = 'Suspended',
  PROGRESSING = 'Progressing',
  MISSING = 'Missing',
  DEGRADED = 'Degraded',
  UNKNOWN = 'Unknown',
}

/** Worst-of order used to aggregate health (gitops-engine `IsWorse`). */
const HEALTH_ORDER: readonly HealthStatusCode[] = [
  HealthStatusCode.HEALTHY, HealthStatusCode.SUSPENDED, HealthStatusCode.PROGRESSING,
  HealthStatusCode.MISSING, HealthStatusCode.DEGRADED, HealthStatusCode.UNKNOWN,
];

export function isWorse(current: HealthStatusCode, candidate: HealthStatusCode): boolean {
  return HEALTH_ORDER.indexOf(candidate) > HEALTH_ORDER.indexOf(current);
}

export interface HealthStatus {
  readonly status: HealthStatusCode;
  readonly message?: string;
}

/** What a task does to its resource. */
export enum TaskAction {
  APPLY = 'apply',
  PRUNE = 'prune',
  /** Hook object: created (after deleting a previous instance when BeforeHookCreation). */
  HOOK = 'hook',
}

/** One step of a sync operation: an object to apply, a hook to run or a live object to prune. */
export interface SyncTask {
  readonly key: ResourceKey;
  readonly phase: SyncPhase;
  readonly wave: number;
  readonly action: TaskAction;
  /** Desired object (undefined for prunes). */
  readonly desired?: KubeObject;
  /** Live object as read before the operation (undefined when it does not exist yet). */
  readonly live?: KubeObject;
  readonly source?: SourcePosition;
  /** Sync options of this task: the Application's merged with the object's annotation. */
  readonly options: ReadonlyMap<string, string>;
  /** Hook delete policies (hooks only). */
  readonly hookDeletePolicies?: readonly HookDeletePolicy[];
  /** The destination namespace created by `CreateNamespace=true` (not tracked, never pruned). */
  readonly autoNamespace?: boolean;
}

/** The outcome of one task, reported in execution order. */
export interface ResourceResult {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly syncPhase: SyncPhase;
  readonly syncWave: number;
  /** Set for hooks: the hook's own phase (Running, Succeeded, Failed). */
  hookPhase?: OperationPhase;
  /**
   * Not a hook: gitops-engine's state of its task, which Argo CD records as `hookPhase` in
   * `status.operationState.syncResult` (Running once applied, Succeeded once seen Healthy, or
   * without health, before the operation went on; Succeeded for a prune; Failed for a failed write).
   */
  taskPhase?: OperationPhase;
  hookType?: SyncPhase;
  status?: ResultCode;
  message: string;
  health?: HealthStatus;
  /** Where the object came from. */
  readonly source?: SourcePosition;
  /**
   * Set when the result was only simulated, with the reason: a Job or Pod whose pod ran on a
   * kwok node, where no container runs ("the local cluster runs no containers").
   */
  simulated?: string;
  /** Set when the hook was made to fail on purpose (`--fail-hook NAME`), naming the option. */
  forced?: string;
  /** A failed Job or Pod hook: the last lines of its pod's log (Secret values masked). */
  log?: HookLogTail;
}

/**
 * Whether a result row failed: a write that failed (SyncFailed), or a hook that ran and failed
 * (Argo CD leaves an observed hook's status empty and says Failed in its hookPhase).
 */
export function failedResult(r: Pick<ResourceResult, 'status' | 'hookPhase'>): boolean {
  return r.status === ResultCode.SYNC_FAILED || r.hookPhase === OperationPhase.FAILED;
}

/** The end of a failed hook pod's log, as put in its result. */
export interface HookLogTail {
  readonly pod: string;
  readonly container: string;
  /** How the container ended (`exited with 1 (Error)`), when it did. */
  readonly exit?: string;
  readonly lines: string[];
  /** Why the log could not be read (the lines are then empty). */
  readonly error?: string;
}

/** The whole outcome of one sync operation (`--output json`). */
export interface SyncOperationResult {
  readonly application: string;
  readonly revision: string;
  phase: OperationPhase;
  message: string;
  readonly dryRun: boolean;
  readonly startedAt: string;
  finishedAt?: string;
  /** Per-resource results in execution order. */
  readonly resources: ResourceResult[];
  /** Attempts made (more than one when retry is configured). */
  attempts: number;
}
