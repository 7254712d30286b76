/**
 * The data model of a rehearsal (`cdk8s-argocd rehearse`): what Argo CD will do to the cluster when
 * a change merges, predicted by syncing the base revision's tree on a throwaway local cluster and
 * then reconciling the head revision's tree as Argo CD would after the merge.
 *
 * One model, three renderings: `-o json` prints it as is, `-o markdown` and `-o html` are pure
 * functions of it. Field names follow Argo CD's where one exists (sync/health status, phases,
 * waves, hook types) so a reader of `argocd app get -o json` recognizes them.
 */

/** The revision a side of the rehearsal was taken from. */
export interface RehearsalRevision {
  /** What the user named: `origin/main`, `HEAD`, or `worktree` for uncommitted changes. */
  readonly ref: string;
  /** Full commit SHA (for `worktree`: the commit the working tree is based on). */
  readonly sha: string;
  /** True when the side is the working tree with uncommitted changes. */
  readonly dirty: boolean;
}

/** One object, named as Argo CD names a resource. */
export interface RehearsalResource {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** `file:line` of the head (or, for prunes, base) manifest the object comes from. */
  readonly source?: string;
}

/** An object the head sync changes, with a readable diff (Secret values masked). */
export interface RehearsalObjectChange extends RehearsalResource {
  /** Unified diff live (after base) → desired (head), normalized as `diff` normalizes it. */
  readonly diff: string;
}

/** Why the rehearsal flags something. */
export enum FindingKind {
  // Predicted failures: the head sync will fail (or would fail on a real cluster).
  IMMUTABLE_FIELD = 'ImmutableField',
  CRD_INVALIDATES_RESOURCES = 'CrdInvalidatesResources',
  PROJECT_VIOLATION = 'ProjectViolation',
  SYNC_FAILED = 'SyncFailed',
  // Danger signs: the sync may succeed but loses something.
  RECREATED_BY_RENAME = 'RecreatedByRename',
  STATEFUL_PRUNE = 'StatefulPrune',
  CASCADE_DELETE = 'CascadeDelete',
  EMPTIES_APPLICATION = 'EmptiesApplication',
  CHILD_APPLICATION_REMOVED = 'ChildApplicationRemoved',
  // Never settles: still OutOfSync when the head tree is reconciled a second time.
  NEVER_SETTLES = 'NeverSettles',
}

/** Whether a finding predicts a failure, is a danger sign, or an Application that never settles. */
export enum FindingSeverity {
  FAILURE = 'failure',
  DANGER = 'danger',
  NEVER_SETTLES = 'never-settles',
}

export interface RehearsalFinding {
  readonly kind: FindingKind;
  readonly severity: FindingSeverity;
  /** The Application it belongs to. */
  readonly application: string;
  /** The object concerned, when there is one. */
  readonly resource?: RehearsalResource;
  /** One sentence: what happens and what to do (e.g. "add Replace=true or keep the selector"). */
  readonly message: string;
  /** For field-level findings: the JSON path, e.g. `spec.selector.matchLabels.app`. */
  readonly path?: string;
}

/** What kind of step a timeline entry is. */
export enum TimelineStepKind {
  /** A sync wave of one phase applying its objects. */
  WAVE = 'wave',
  /** A hook running (Job, Pod, or any hook object). */
  HOOK = 'hook',
  /** Waiting for the wave's objects (or a child Application) to become healthy. */
  HEALTH_WAIT = 'health-wait',
  /** Pruning objects no longer in Git. */
  PRUNE = 'prune',
}

/** One step of the head sync, in the order it ran. Times are milliseconds since the head sync began. */
export interface RehearsalTimelineStep {
  readonly application: string;
  readonly kind: TimelineStepKind;
  /** Argo CD's sync phase: PreSync, Sync, PostSync, SyncFail. */
  readonly phase: string;
  readonly wave: number;
  /** Hook or object name for HOOK steps; otherwise a short label such as `3 objects`. */
  readonly name: string;
  readonly startMs: number;
  readonly endMs: number;
  /** Succeeded, Failed, Running (never finished), or the health reached. */
  readonly result: string;
  /**
   * Set when the local cluster only simulated the outcome (kwok runs no containers: hooks and pods
   * "succeed" without running), with the reason in words.
   */
  readonly simulated?: string;
}

/** What the head sync does to one Application. */
export interface ApplicationRehearsal {
  readonly name: string;
  readonly project: string;
  /** `added`/`removed` when the Application itself appears or disappears between base and head. */
  readonly change: 'added' | 'removed' | 'changed' | 'unchanged';
  /** True when `syncPolicy.automated` is on: Argo CD syncs it on merge; otherwise it turns OutOfSync. */
  readonly automated: boolean;
  /** Argo CD's operation phase of the predicted head sync (Succeeded, Failed, Error), or `None` when not synced. */
  readonly outcome: string;
  readonly message: string;
  /** Argo CD sync and health status after the head sync. */
  readonly syncStatus: string;
  readonly healthStatus: string;
  readonly created: readonly RehearsalResource[];
  readonly changed: readonly RehearsalObjectChange[];
  readonly pruned: readonly RehearsalResource[];
  /** Objects that need pruning but are not pruned (prune off, `Prune=false`, `Prune=confirm`). */
  readonly requirePruning: readonly RehearsalResource[];
  readonly findings: readonly RehearsalFinding[];
}

/** The Applications an ApplicationSet generates at base and head, and its RollingSync steps. */
export interface ApplicationSetRehearsal {
  readonly name: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** RollingSync steps in order, each with the Applications it syncs (empty when no RollingSync). */
  readonly rollingSteps: readonly (readonly string[])[];
}

/** The whole rehearsal: `-o json` prints exactly this. */
export interface RehearsalReport {
  readonly base: RehearsalRevision;
  readonly head: RehearsalRevision;
  /** Succeeded when every head sync is predicted to succeed and no danger sign was found. */
  readonly outcome: 'Succeeded' | 'Failed';
  /** Process exit code: 0 success without danger, 1 predicted failure or danger sign. */
  readonly exitCode: 0 | 1;
  readonly summary: {
    readonly applications: number;
    readonly created: number;
    readonly changed: number;
    readonly pruned: number;
    readonly requirePruning: number;
    readonly failures: number;
    readonly dangers: number;
    readonly neverSettling: number;
  };
  readonly applications: readonly ApplicationRehearsal[];
  readonly applicationSets: readonly ApplicationSetRehearsal[];
  readonly timeline: readonly RehearsalTimelineStep[];
  /** Total milliseconds the rehearsal took (clusters, base sync, head sync, second reconcile). */
  readonly durationMs: number;
}
