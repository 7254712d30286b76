import { CONTROL_PLANE_NAMESPACE, IgnoreDifferencesEntry } from './application-spec';
import { withClientSideRemovals } from './client-side-apply';
import { isArgoCdKind, missingArgoCdCrdMessage } from './crds/argocd-crds';
import { redactSecretValues } from './diff/mask-secrets';
import { unchangedSinceApply } from './in-sync';
import { KubeApi } from './kube/kube-api';
import { loadLiveState } from './live-state';
import { LoadedApplication } from './load/applications';
import { KubeObject, SyncTask, TaskAction } from './model';
import { Plan, planSync, ResourceFilter } from './plan';
import { preparedObject, scopeLookup } from './prepare';
import { forceFallback, ResourceWriter } from './resource-writer';
import { activeResourceSettings, destinationServer, excludedWarning, isExcluded, settingsIgnoreDifferences } from './settings/resource-settings';
import { optionTrue } from './sync-options';
import { instanceName } from './tracking';

/**
 * The pipeline `sync`, `diff` and `status` share: scope lookup → plan → live state → prepared
 * objects, then a per-object prediction through the {@link ResourceWriter}.
 */

export interface ReconcileOptions {
  /** Plan prune tasks, and so read every live object tracked for the Application. */
  readonly prune: boolean;
  /** Selective sync: only these resources. */
  readonly resources?: readonly ResourceFilter[];
  /** Operation start (names `generateName` hooks). */
  readonly startedAt: Date;
  /** Told about API groups that could not be listed (see live-state.ts). */
  readonly onWarning?: (message: string) => void;
}

export type Reconciliation =
  | { readonly ok: false; readonly errors: readonly string[] }
  | {
    readonly ok: true;
    /** Tracking instance name of the Application. */
    readonly instance: string;
    readonly plan: Plan;
    readonly live: ReadonlyMap<string, KubeObject>;
    /** What each apply/hook task writes (tracking id, applied hash, hook finalizer, …). */
    readonly prepared: ReadonlyMap<SyncTask, KubeObject>;
    /** Apply tasks whose live object already holds what would be written (no API call needed). */
    readonly unchanged: ReadonlySet<SyncTask>;
    readonly rules: readonly IgnoreDifferencesEntry[];
  };

export function applicationInstance(app: LoadedApplication): string {
  return instanceName(app.name, app.namespace, CONTROL_PLANE_NAMESPACE);
}

/** Plans one Application against the live cluster; manifest errors come back instead of a plan. */
export async function reconcile(api: KubeApi, app: LoadedApplication, options: ReconcileOptions): Promise<Reconciliation> {
  const instance = applicationInstance(app);
  const spec = app.manifest.spec;
  // argocd-cm's ignoreDifferences apply to every Application, next to the Application's own.
  const rules = [...spec.ignoreDifferences ?? [], ...settingsIgnoreDifferences()];
  const desired = withoutExcluded(app, options.onWarning);
  const isNamespaced = await scopeLookup(api, desired.map((d) => d.object));
  const base = {
    instance, spec, desired, isNamespaced, revision: app.revision, startedAt: options.startedAt, resources: options.resources,
  };
  // A first plan without live state gives the final identities (namespaces, hook names) to look up.
  const draft = planSync({ ...base, live: new Map(), prune: false });
  if (draft.errors.length > 0) {
    return { ok: false, errors: draft.errors };
  }
  const lookups = draft.tasks.filter((t) => t.desired).map((t) => t.desired!);
  const live = withoutExcludedLive(await loadLiveState(api, lookups, { tracked: options.prune, instance, onWarning: options.onWarning }), app);
  const plan = planSync({ ...base, live, prune: options.prune });
  const prepared = new Map<SyncTask, KubeObject>();
  const unchanged = new Set<SyncTask>();
  for (const t of plan.tasks) {
    if (t.desired) {
      const obj = await preparedObject(t, instance, rules, spec.destination.namespace);
      prepared.set(t, obj);
      if (t.action === TaskAction.APPLY && unchangedSinceApply(obj, t.live)) {
        unchanged.add(t);
      }
    }
  }
  return { ok: true, instance, plan, live, prepared, unchanged, rules };
}

/**
 * The Application's manifests without those of kinds argocd-cm excludes (`resource.exclusions`,
 * `resource.inclusions`): Argo CD drops them from the target state with an ExcludedResourceWarning
 * (controller/state.go), so they are neither compared nor applied.
 */
function withoutExcluded(app: LoadedApplication, onWarning?: (message: string) => void) {
  if (!activeResourceSettings()) {
    return app.objects;
  }
  const server = destinationServer(app.manifest.spec);
  return app.objects.filter((d) => {
    if (!isExcluded(d.object, server)) {
      return true;
    }
    // Without a listener (diff, status) on stderr, as live-state.ts reports unlistable kinds.
    (onWarning ?? ((m: string) => process.stderr.write(`warning: ${m}\n`)))(`${excludedWarning(d.object)} (${d.source.file}:${d.source.line})`);
    return false;
  });
}

/**
 * Live objects of excluded kinds are invisible to Argo CD (its cluster cache never watches them),
 * so they are never compared and never pruned, even when they carry this Application's tracking id.
 */
function withoutExcludedLive(live: Map<string, KubeObject>, app: LoadedApplication): Map<string, KubeObject> {
  if (!activeResourceSettings()) {
    return live;
  }
  const server = destinationServer(app.manifest.spec);
  return new Map([...live].filter(([, obj]) => !isExcluded(obj, server)));
}

/** What a task's object will look like after the sync, as far as a dry run can tell. */
export type Prediction =
  /** The live object already holds the desired state: it is the prediction (no API call). */
  | { readonly kind: 'unchanged'; readonly object: KubeObject }
  /** The server's answer to a dry-run write of exactly what the sync sends. */
  | { readonly kind: 'predicted'; readonly object: KubeObject }
  /** Not dry-runnable before the sync creates what it needs; `object` is the desired object as is. */
  | { readonly kind: 'skipped'; readonly object: KubeObject; readonly reason: string }
  /**
   * `byServer`: the API server refused the dry-run write itself (an invalid value, an immutable
   * field): a client-side dry run (Argo CD's) would not have seen it; otherwise the kind is unknown.
   */
  | { readonly kind: 'failed'; readonly message: string; readonly byServer?: boolean };

/** What the rest of the task list will create first: namespaces and CRD kinds. */
export interface PredictionScope {
  readonly newNamespaces: ReadonlySet<string>;
  readonly crdKinds: ReadonlySet<string>;
  /** `--force`: Force=true for every task. */
  readonly forceAll: boolean;
}

export function predictionScope(tasks: readonly SyncTask[], forceAll = false): PredictionScope {
  return {
    newNamespaces: new Set(tasks.filter((t) => t.key.kind === 'Namespace' && t.key.group === '' && !t.live && t.desired).map((t) => t.key.name)),
    crdKinds: new Set(tasks.filter((t) => t.key.kind === 'CustomResourceDefinition' && t.desired).map((t) => `${t.desired!.spec?.group}/${t.desired!.spec?.names?.kind}`)),
    forceAll,
  };
}

/**
 * Predicts one apply or hook task with a dry-run write through `writer`: the very request the
 * sync will send. Objects whose kind or namespace this sync creates first cannot be dry-run yet.
 */
export async function predict(
  api: KubeApi, writer: ResourceWriter, task: SyncTask, obj: KubeObject, unchanged: boolean, scope: PredictionScope,
): Promise<Prediction> {
  if (unchanged) {
    return { kind: 'unchanged', object: task.live! };
  }
  try {
    const known = await api.resourceFor(obj.apiVersion, obj.kind);
    if (!known) {
      if (scope.crdKinds.has(`${task.key.group}/${task.key.kind}`)) {
        return { kind: 'skipped', object: obj, reason: 'its CustomResourceDefinition is created by this sync first' };
      }
      if (optionTrue(task.options, 'SkipDryRunOnMissingResource')) {
        return { kind: 'skipped', object: obj, reason: 'SkipDryRunOnMissingResource=true and the server does not know the kind yet' };
      }
      if (isArgoCdKind(obj)) {
        return { kind: 'failed', message: missingArgoCdCrdMessage(obj.kind) };
      }
      return { kind: 'failed', message: `the server does not know ${obj.kind} in ${obj.apiVersion}: install its CRD first, or add the CRD to this Application (or set SkipDryRunOnMissingResource=true)` };
    }
    if (task.key.namespace && scope.newNamespaces.has(task.key.namespace)) {
      return { kind: 'skipped', object: obj, reason: `namespace ${task.key.namespace} is created by this sync first` };
    }
    try {
      return { kind: 'predicted', object: withClientSideRemovals(await writer.write(task, obj, task.live, true), obj, task.live) };
    } catch (e) {
      if (forceFallback(task, scope.forceAll, e)) {
        return { kind: 'skipped', object: obj, reason: `the server refuses the update (${(e as Error).message}); Force=true deletes and re-creates it` };
      }
      return { kind: 'failed', message: redactSecretValues((e as Error).message, task.desired, obj), byServer: true };
    }
  } catch (e) {
    return { kind: 'failed', message: redactSecretValues((e as Error).message, task.desired, obj) };
  }
}
