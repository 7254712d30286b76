/**
 * RollingSync, as Argo CD v3.5's ApplicationSet controller plans it
 * (applicationset/progressivesync/progressive_sync.go): Applications are grouped into steps by
 * label expressions, each Application's rollout state (Waiting → Pending → Progressing → Healthy)
 * is kept in the set's `status.applicationStatus`, a step's Applications become Pending only when
 * every Application of the earlier steps is Healthy, and `maxUpdate` bounds how many are Pending or
 * Progressing at once within a step. Pure: one call is one reconcile's decisions.
 */

/** `status.applicationStatus[].status`. */
export type RolloutState = 'Waiting' | 'Pending' | 'Progressing' | 'Healthy';

/** One entry of the set's `status.applicationStatus` (Argo CD's `ApplicationSetApplicationStatus`). */
export interface ApplicationRolloutStatus {
  readonly application: string;
  readonly lastTransitionTime?: string;
  readonly message: string;
  readonly status: RolloutState;
  /** 1-based step, `-1` for an Application no step selects. */
  readonly step: string;
  readonly targetRevisions: readonly string[];
}

/** `spec.strategy.rollingSync.steps[].matchExpressions[]`. */
export interface RolloutMatchExpression {
  readonly key: string;
  readonly operator: string;
  readonly values?: readonly string[];
}

/** `spec.strategy.rollingSync.steps[]`. */
export interface RolloutStep {
  readonly matchExpressions?: readonly RolloutMatchExpression[];
  /** An int, or a percent string (`25%`) of the step's Applications, rounded down. */
  readonly maxUpdate?: number | string;
}

/** What the controller sees of one Application the set owns (from its object in the cluster). */
export interface ObservedApplication {
  readonly name: string;
  /** `status.sync.status` (Synced, OutOfSync, Unknown), undefined before the first comparison. */
  readonly sync?: string;
  /** `status.health.status`. */
  readonly health?: string;
  /** `status.sync.revision(s)`. */
  readonly revisions: readonly string[];
  /** The generated spec differs from the live one (the set changed since the last write). */
  readonly specChanged: boolean;
  /** `status.operationState`: the last sync's phase and when it started (ISO time). */
  readonly operation?: { readonly phase: string; readonly startedAt: string };
  /** `status.reconciledAt` (ISO time). */
  readonly reconciledAt?: string;
  /** `status.conditions` hold an InvalidSpecError or UnknownError: the Application cannot sync. */
  readonly hasError?: boolean;
}

/** The set's `RolloutProgressing` condition. */
export interface RolloutCondition {
  readonly status: 'True' | 'False';
  readonly reason: 'ApplicationSetModified' | 'ApplicationSetRolloutComplete';
  readonly message: string;
}

export interface RolloutInput {
  readonly steps: readonly RolloutStep[];
  /** The set's `status.applicationStatus` before this reconcile. */
  readonly previous: readonly ApplicationRolloutStatus[];
  /** Generated Applications (name and labels), in generation order: they are sorted into steps. */
  readonly generated: ReadonlyArray<{ readonly name: string; readonly labels?: { readonly [key: string]: string } }>;
  /** The Applications the set owns in the cluster now. */
  readonly current: readonly ObservedApplication[];
  /** ISO time of this reconcile. */
  readonly now: string;
}

export interface RolloutPlan {
  /** Application names per step (index 0 is step 1). */
  readonly steps: readonly (readonly string[])[];
  /** The new `status.applicationStatus`. */
  readonly statuses: readonly ApplicationRolloutStatus[];
  /** Applications to sync now: Pending and in a step that may run. */
  readonly toSync: readonly string[];
  readonly condition: RolloutCondition;
}

/** Argo CD's `RollingSyncStrategyEnabled`: type RollingSync with at least one step. */
export function rollingSyncSteps(appSet: any): RolloutStep[] | undefined {
  const strategy = appSet?.spec?.strategy;
  const steps = strategy?.type === 'RollingSync' ? strategy.rollingSync?.steps : undefined;
  return Array.isArray(steps) && steps.length > 0 ? steps : undefined;
}

/** Argo CD's `IsDeletionOrderReversed`: RollingSync with `deletionOrder: Reverse` (any case). */
export function deletionOrderReversed(appSet: any): boolean {
  const order = appSet?.spec?.strategy?.deletionOrder;
  return rollingSyncSteps(appSet) !== undefined && typeof order === 'string' && order.toLowerCase() === 'reverse';
}

/**
 * `buildAppDependencyList`: each Application goes to the first step whose expressions all match
 * its labels. A missing label fails `In` but passes `NotIn`; operators other than In/NotIn match
 * nothing. An Application selected by no step is in none (and is never synced by the rollout).
 */
export function assignSteps(steps: readonly RolloutStep[], apps: RolloutInput['generated']): { byStep: string[][]; stepOf: Map<string, number> } {
  const byStep: string[][] = steps.map(() => []);
  const stepOf = new Map<string, number>();
  for (const app of apps) {
    steps.forEach((step, i) => {
      const selected = (step.matchExpressions ?? []).every((e) => expressionMatches(e, app.labels ?? {}));
      if (!selected) return;
      byStep[i].push(app.name);
      // Argo CD lists it in every matching step but keeps the first as its step.
      if (!stepOf.has(app.name)) stepOf.set(app.name, i);
    });
  }
  return { byStep, stepOf };
}

function expressionMatches(e: RolloutMatchExpression, labels: { readonly [key: string]: string }): boolean {
  if (!Object.prototype.hasOwnProperty.call(labels, e.key)) return e.operator !== 'In';
  if (e.operator !== 'In' && e.operator !== 'NotIn') return false;
  const listed = (e.values ?? []).includes(labels[e.key]);
  return e.operator === 'In' ? listed : !listed;
}

/**
 * `intstr.GetScaledValueFromIntOrPercent(maxUpdate, total, roundUp=false)` plus Argo CD's rule that
 * a percentage other than `0%` allows at least one. An unparsable value counts as 0 (Argo CD logs
 * it and goes on), so an unparsable string still allows one.
 */
export function maxUpdateValue(maxUpdate: number | string, total: number): number {
  let value = 0;
  if (typeof maxUpdate === 'number') {
    value = maxUpdate;
  } else if (/^-?\d+%$/.test(maxUpdate)) {
    value = Math.floor((parseInt(maxUpdate, 10) * total) / 100);
  }
  if (typeof maxUpdate === 'string' && maxUpdate !== '0%' && value < 1) value = 1;
  return value;
}

function stepLabel(name: string, stepOf: ReadonlyMap<string, number>): string {
  const i = stepOf.get(name);
  return i === undefined ? '-1' : String(i + 1);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const after = (a: string, b: string | undefined): boolean => b === undefined || Date.parse(a) > Date.parse(b);
const COMPLETED = new Set(['Succeeded', 'Failed', 'Error']);

/** `UpdateApplicationSetApplicationStatus`: each owned Application's state from what it shows now. */
function observe(input: RolloutInput, stepOf: ReadonlyMap<string, number>): ApplicationRolloutStatus[] {
  const previous = new Map(input.previous.map((s) => [s.application, s]));
  const generated = new Set(input.generated.map((g) => g.name));
  const now = input.now;
  return input.current.map((app): ApplicationRolloutStatus => {
    const current: ApplicationRolloutStatus = previous.get(app.name) ?? {
      application: app.name,
      targetRevisions: [...app.revisions],
      lastTransitionTime: now,
      message: 'No Application status found, defaulting status to Waiting',
      status: 'Waiting',
      step: stepLabel(app.name, stepOf),
    };
    let next: ApplicationRolloutStatus = { ...current, step: stepLabel(app.name, stepOf) };
    const set = (status: RolloutState, message: string): void => {
      next = { ...next, status, message, lastTransitionTime: now };
    };
    const revisionsChanged = !sameList(current.targetRevisions, app.revisions);
    const specChanged = generated.has(app.name) && app.specChanged;
    if (revisionsChanged || specChanged) {
      next = { ...next, targetRevisions: [...app.revisions] };
      set('Waiting', revisionsChanged && specChanged
        ? 'Application has pending changes (revision and spec differ), setting status to Waiting'
        : revisionsChanged ? 'Application has pending changes, setting status to Waiting'
          : 'Application has pending changes (spec differs), setting status to Waiting');
    }
    if (next.status === 'Waiting') {
      // A Waiting Application that needs no sync is done already.
      if (app.sync === 'Synced') {
        if (app.health === 'Healthy') set('Healthy', 'Application resource has synced, updating status to Healthy');
        else set('Progressing', 'Application resource has synced, updating status to Progressing');
      }
      return next;
    }
    if (current.status === 'Pending' && (app.reconciledAt === undefined || after(app.reconciledAt, next.lastTransitionTime))) {
      // Only a sync started after the Application became Pending moves it on.
      if (app.operation && after(app.operation.startedAt, current.lastTransitionTime)) {
        set('Progressing', app.operation.phase === 'Succeeded'
          ? 'Application resource completed a sync successfully, updating status from Pending to Progressing'
          : COMPLETED.has(app.operation.phase)
            ? 'Application resource completed a sync, updating status from Pending to Progressing'
            : 'Application resource became Progressing, updating status from Pending to Progressing');
      } else if (app.hasError) {
        set('Progressing', 'Application resource has error and cannot sync, updating status to Progressing');
      }
    }
    if (current.status === 'Progressing' && app.health === 'Healthy' && app.sync === 'Synced') {
      set('Healthy', 'Application resource became Healthy, updating status from Progressing to Healthy');
    }
    return next;
  });
}

/** `getAppsToSync`: every step up to and including the first one not wholly Healthy. */
function syncableApplications(
  byStep: readonly (readonly string[])[], statuses: readonly ApplicationRolloutStatus[], current: readonly ObservedApplication[],
): Set<string> {
  const exists = new Set(current.map((a) => a.name));
  const stateOf = new Map(statuses.map((s) => [s.application, s.status]));
  const allowed = new Set<string>();
  for (const names of byStep) {
    names.forEach((n) => allowed.add(n));
    if (!names.every((n) => exists.has(n) && stateOf.get(n) === 'Healthy')) break;
  }
  return allowed;
}

/** `UpdateApplicationSetApplicationStatusProgress`: Waiting → Pending within each step's maxUpdate. */
function promote(
  steps: readonly RolloutStep[], statuses: readonly ApplicationRolloutStatus[], allowed: ReadonlySet<string>,
  stepOf: ReadonlyMap<string, number>, now: string,
): ApplicationRolloutStatus[] {
  // Argo CD indexes its per-step counters with the step map's zero value for an Application no step
  // selects, so such Applications count towards step 1's total (and its percentage).
  const indexOf = (name: string): number => stepOf.get(name) ?? 0;
  const updating = steps.map(() => 0);
  const total = steps.map(() => 0);
  for (const s of statuses) {
    total[indexOf(s.application)]++;
    if (s.status === 'Pending' || s.status === 'Progressing') updating[indexOf(s.application)]++;
  }
  return statuses.map((s) => {
    const i = indexOf(s.application);
    const maxUpdate = steps[i].maxUpdate;
    const withinMax = maxUpdate === undefined || updating[i] < maxUpdateValue(maxUpdate, total[i]);
    if (s.status === 'Waiting' && allowed.has(s.application) && withinMax) {
      updating[i]++;
      return {
        ...s,
        status: 'Pending',
        lastTransitionTime: now,
        message: 'Application moved to Pending status, watching for the Application resource to start Progressing',
      };
    }
    return s;
  });
}

/** `updateApplicationSetApplicationStatusConditions`: the first step not wholly Healthy is rolling out. */
export function rolloutCondition(stepCount: number, statuses: readonly ApplicationRolloutStatus[]): RolloutCondition {
  for (let i = 1; i <= stepCount; i++) {
    const inStep = statuses.filter((s) => s.step === String(i));
    // A step without Applications is complete.
    if (inStep.length > 0 && !inStep.every((s) => s.status === 'Healthy')) {
      return { status: 'True', reason: 'ApplicationSetModified', message: `ApplicationSet is performing rollout of step ${i}` };
    }
  }
  return { status: 'False', reason: 'ApplicationSetRolloutComplete', message: 'ApplicationSet Rollout has completed' };
}

/** One reconcile of a RollingSync set: new rollout states, and which Applications to sync now. */
export function planRollout(input: RolloutInput): RolloutPlan {
  const { byStep, stepOf } = assignSteps(input.steps, input.generated);
  const observed = observe(input, stepOf);
  const allowed = syncableApplications(byStep, observed, input.current);
  const statuses = promote(input.steps, observed, allowed, stepOf, input.now);
  const generated = new Set(input.generated.map((g) => g.name));
  const toSync = statuses
    .filter((s) => s.status === 'Pending' && allowed.has(s.application) && generated.has(s.application))
    .map((s) => s.application);
  return { steps: byStep, statuses, toSync, condition: rolloutCondition(input.steps.length, statuses) };
}
