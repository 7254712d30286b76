import { workloadImages } from './app-status/summary';
import { Comparison, compareObjects } from './diff/compare';
import { hasHealthCheck, resourceHealth } from './health';
import { aggregateHealth } from './health/aggregate';
import { trackedHooks } from './hooks';
import { KubeApi } from './kube/kube-api';
import { LoadedApplication } from './load/applications';
import {
  describeKey, HealthStatus, HealthStatusCode, keyOf, KubeObject, SourcePosition, SyncStatusCode, SyncTask, TaskAction,
} from './model';
import { mapLimit } from './poll';
import { applicationConditions, formatConditions, readAppProject, applicationDestination, resourceViolations, ProjectCondition } from './project';
import { predict, predictionScope, reconcile } from './reconcile';
import { ResourceWriter } from './resource-writer';
import { SyncObservation } from './sync';

/** One resource in `status`/`diff`, like a row of `argocd app get`. */
export interface ResourceStatus {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly status: SyncStatusCode;
  readonly health?: HealthStatus;
  /** Tracked live object that is no longer desired (a prune would delete it). */
  readonly requiresPruning?: boolean;
  readonly source?: SourcePosition;
  /** Container images the live workload runs (for `status.summary.images`). */
  readonly images?: string[];
  /** Set when the prediction could not be made (the diff then uses the desired object as is). */
  readonly message?: string;
  /** Normalized, masked objects for rendering a diff (only when asked for). */
  readonly comparison?: Comparison;
}

/**
 * A resource Argo CD lists in `status.resources` without comparing it: a live hook object
 * (`hook`, and `requiresPruning` as it is not in the target state) or a `hook: Skip` object.
 * Neither has a sync status or a health, nor counts toward the Application's.
 */
export interface UncomparedResource {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly hook?: boolean;
  readonly requiresPruning?: boolean;
}

export interface ApplicationStatus {
  readonly application: string;
  readonly revision: string;
  readonly sync: SyncStatusCode;
  readonly health: HealthStatus;
  readonly resources: ResourceStatus[];
  /** Live hooks and Skip objects (see {@link UncomparedResource}); only for `status.resources`. */
  readonly uncompared?: UncomparedResource[];
  /** Set when the Application could not be compared at all. */
  readonly error?: string;
  /**
   * Set when its project refuses it (or is missing): Argo CD records these conditions as they are
   * (InvalidSpecError, UnknownError), not as a ComparisonError.
   */
  readonly projectConditions?: readonly ProjectCondition[];
}

export interface CompareOptions {
  /** Keep normalized objects for diff output. */
  readonly withObjects?: boolean;
  readonly concurrency?: number;
  /** Where the AppProject is read (Argo CD's own cluster); default: `client`. See SyncRequest.controlPlane. */
  readonly controlPlane?: KubeApi;
}

/**
 * Compares desired with live for every resource: unchanged objects (same applied hash and
 * contained in live) are Synced without an API call; the rest are predicted with a dry run of the
 * very write `sync` sends (server-side apply, Replace, Validate=false; see resource-writer.ts) and
 * compared after Argo CD's normalization and ignoreDifferences. Hooks are not compared, as in
 * Argo CD.
 */
export async function compareApplication(client: KubeApi, app: LoadedApplication, options: CompareOptions = {}): Promise<ApplicationStatus> {
  const base = { application: app.name, revision: app.revision };
  if (app.error) {
    return { ...base, sync: SyncStatusCode.UNKNOWN, health: { status: HealthStatusCode.UNKNOWN }, resources: [], error: app.error };
  }
  // [project] an Application its project refuses is not compared (Argo CD: Unknown/Unknown with the condition).
  const project = await readAppProject(options.controlPlane ?? client, app.manifest.spec.project);
  const conditions = applicationConditions(app, project);
  if (conditions.length > 0 || !project.found) {
    const unknown = { sync: SyncStatusCode.UNKNOWN, health: { status: HealthStatusCode.UNKNOWN }, resources: [] };
    return { ...base, ...unknown, error: formatConditions(conditions), projectConditions: conditions };
  }
  const r = await reconcile(client, app, { prune: true, startedAt: new Date() });
  if (!r.ok) {
    return { ...base, sync: SyncStatusCode.UNKNOWN, health: { status: HealthStatusCode.UNKNOWN }, resources: [], error: `invalid manifests:\n  ${r.errors.join('\n  ')}` };
  }
  const writer = new ResourceWriter(client);
  const scope = predictionScope(r.plan.tasks);
  const tasks = comparedTasks(r.plan.tasks);
  const violations = resourceViolations(tasks, project.name, project.spec, applicationDestination(app.manifest.spec));
  const forbidden = new Map(violations.map((v) => [v.task, v.message]));
  const out = await mapLimit(tasks, options.concurrency ?? 16, async (t): Promise<ResourceStatus> => {
    const row = resourceRow(t, t.live);
    if (forbidden.has(t)) {
      // Argo CD marks a resource its project does not permit Unknown; a sync would refuse it.
      return { ...row, status: SyncStatusCode.UNKNOWN, message: forbidden.get(t) };
    }
    if (t.action === TaskAction.PRUNE) {
      const comparison = await compareObjects(undefined, t.live, r.rules);
      return { ...row, status: SyncStatusCode.OUT_OF_SYNC, requiresPruning: true, comparison: options.withObjects ? comparison : undefined };
    }
    if (!t.live && !options.withObjects) {
      // Missing is OutOfSync whatever a dry run would predict: the prediction only feeds a diff.
      return { ...row, status: SyncStatusCode.OUT_OF_SYNC };
    }
    const obj = r.prepared.get(t)!;
    const prediction = await predict(client, writer, t, obj, r.unchanged.has(t), scope);
    if (prediction.kind === 'unchanged') {
      return { ...row, status: SyncStatusCode.SYNCED };
    }
    let predicted: KubeObject = obj;
    let message: string | undefined;
    if (prediction.kind === 'failed') {
      message = `cannot predict the live state: ${prediction.message}`;
    } else if (prediction.kind === 'skipped') {
      message = `not predicted: ${prediction.reason}`;
    } else {
      predicted = prediction.object;
    }
    const comparison = await compareObjects(predicted, t.live, r.rules);
    return {
      ...row,
      status: comparison.modified ? SyncStatusCode.OUT_OF_SYNC : SyncStatusCode.SYNCED,
      message,
      comparison: options.withObjects && comparison.modified ? comparison : undefined,
    };
  });
  const error = forbidden.size > 0 ? `one or more synchronization tasks are not valid: ${[...forbidden].map(([t, m]) => `${describeKey(t.key)}: ${m}`).join('; ')}` : undefined;
  const uncompared = uncomparedRows(r.plan.skipped, trackedHooks(r.live.values(), r.instance));
  return { ...applicationStatus(app, tasks, out), uncompared, ...(error ? { error } : {}) };
}

/**
 * The comparison right after a successful sync, from the sync's own reconcile instead of a second
 * one (which would list and hash every object again): what the sync wrote is the server's answer
 * to the very write a prediction would dry-run, so it is Synced, with the health of the object
 * the server returned; unchanged objects are Synced as they were; pruned objects are gone; prune
 * tasks the sync skipped (no --prune, Prune=false, Prune=confirm) still require pruning.
 */
export function comparisonAfterSync(app: LoadedApplication, observed: SyncObservation): ApplicationStatus {
  const { reconciliation: r, written } = observed;
  const tasks = comparedTasks(r.plan.tasks).filter((t) => !(t.action === TaskAction.PRUNE && written.has(t)));
  const out = tasks.map((t): ResourceStatus => {
    if (t.action === TaskAction.PRUNE) {
      return { ...resourceRow(t, t.live), status: SyncStatusCode.OUT_OF_SYNC, requiresPruning: true };
    }
    return { ...resourceRow(t, written.get(t) ?? t.live), status: SyncStatusCode.SYNCED };
  });
  return { ...applicationStatus(app, tasks, out), uncompared: uncomparedRows(r.plan.skipped, [...observed.hooksLeft.values()]) };
}

/** The rows of Skip objects and live hooks, as Argo CD's CompareAppState makes them. */
function uncomparedRows(skipped: readonly KubeObject[], hooks: readonly KubeObject[]): UncomparedResource[] {
  const row = (o: KubeObject) => {
    const k = keyOf(o);
    return { group: k.group, version: o.apiVersion.includes('/') ? o.apiVersion.split('/')[1] : o.apiVersion, kind: k.kind, namespace: k.namespace, name: k.name };
  };
  return [...skipped.map(row), ...hooks.map((o) => ({ ...row(o), hook: true, requiresPruning: true }))];
}

/** The tasks a comparison reports: hooks are not compared (as in Argo CD), nor a CreateNamespace namespace. */
function comparedTasks(tasks: readonly SyncTask[]): SyncTask[] {
  return tasks.filter((t) => t.action !== TaskAction.HOOK && !t.autoNamespace);
}

/** A resource's row without its sync status: identity, source, the live object's health and images. */
function resourceRow(t: SyncTask, live: KubeObject | undefined): Omit<ResourceStatus, 'status'> {
  const apiVersion = t.desired?.apiVersion ?? t.live!.apiVersion;
  const images = workloadImages(live);
  return {
    group: t.key.group,
    version: apiVersion.includes('/') ? apiVersion.split('/')[1] : apiVersion,
    kind: t.key.kind,
    namespace: t.key.namespace,
    name: t.key.name,
    source: t.source,
    ...(images.length > 0 ? { images } : {}),
    health: live ? resourceHealth(live) : (t.desired ? { status: HealthStatusCode.MISSING } : undefined),
  };
}

/** The Application's sync status and aggregated health from its resources' rows (`rows[i]` is `tasks[i]`'s). */
function applicationStatus(app: LoadedApplication, tasks: readonly SyncTask[], rows: ResourceStatus[]): ApplicationStatus {
  const health = aggregateHealth(rows.map((row, i) => ({
    group: row.group, kind: row.kind, health: row.health, hasHealthRule: hasHealthCheck(tasks[i].desired ?? tasks[i].live!),
  })));
  const sync = rows.some((row) => row.status === SyncStatusCode.OUT_OF_SYNC) ? SyncStatusCode.OUT_OF_SYNC : SyncStatusCode.SYNCED;
  return { application: app.name, revision: app.revision, sync, health: { status: health }, resources: rows };
}
