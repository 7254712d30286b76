import { ApplicationSpec } from './application-spec';
import { hookDeletePolicies, hookPhases, isHook, isSkipped, generatedHookName, syncWave } from './hooks';
import { kindRank } from './kind-order';
import {
  DesiredObject, groupOf, KubeObject, keyOf, keyString, PHASE_ORDER, ResourceKey, SourcePosition, SyncPhase, SyncTask, TaskAction,
} from './model';
import { objectSyncOptions, optionIs, optionTrue, parseSyncOptions } from './sync-options';
import { trackingInstance } from './tracking';

/** Whether a kind is namespaced: true/false from discovery, undefined when the cluster does not know it. */
export type ScopeLookup = (apiVersion: string, kind: string) => boolean | undefined;

export interface PlanInput {
  /** Tracking instance name of the Application (see tracking.ts). */
  readonly instance: string;
  readonly spec: ApplicationSpec;
  readonly desired: readonly DesiredObject[];
  /** Live objects by keyString: those matching desired keys and every live object tracked for this instance. */
  readonly live: ReadonlyMap<string, KubeObject>;
  readonly isNamespaced: ScopeLookup;
  /** Create prune tasks (`--prune` on a manual sync, `automated.prune` on an automated one). */
  readonly prune: boolean;
  /** Revision being synced (names `generateName` hooks). */
  readonly revision: string;
  readonly startedAt: Date;
  /** Only these resources (selective sync: no hooks, no prune of anything else). */
  readonly resources?: readonly ResourceFilter[];
}

/** `--resource GROUP:KIND:NAME` or `GROUP:KIND:NAMESPACE/NAME` as in `argocd app sync`. */
export interface ResourceFilter {
  readonly group: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

export function parseResourceFilter(text: string): ResourceFilter {
  const parts = text.split(':');
  if (parts.length !== 3 || !parts[1] || !parts[2]) {
    throw new Error(`--resource ${text}: expected GROUP:KIND:NAME or GROUP:KIND:NAMESPACE/NAME (use an empty group for core kinds, e.g. :ConfigMap:web)`);
  }
  const [group, kind, rest] = parts;
  const slash = rest.indexOf('/');
  return slash < 0 ? { group, kind, name: rest } : { group, kind, namespace: rest.slice(0, slash), name: rest.slice(slash + 1) };
}

function selected(filters: readonly ResourceFilter[] | undefined, key: ResourceKey): boolean {
  if (!filters || filters.length === 0) {
    return true;
  }
  return filters.some((f) => f.group === key.group && f.kind === key.kind && f.name === key.name
    && (f.namespace === undefined || f.namespace === key.namespace));
}

export interface Plan {
  /** Tasks in execution order. */
  readonly tasks: SyncTask[];
  /** Problems that stop the operation before anything is applied (file:line and resource). */
  readonly errors: string[];
  /** Desired objects with their final identity (namespace defaulted, hook names generated). */
  readonly targets: ReadonlyMap<string, DesiredObject>;
  /**
   * Objects annotated `hook: Skip` (never applied), with their final identity: Argo CD still
   * lists them in `status.resources`, with no sync status and no health.
   */
  readonly skipped: readonly KubeObject[];
}

interface DraftTask {
  key: ResourceKey;
  phase: SyncPhase;
  wave: number;
  action: TaskAction;
  desired?: KubeObject;
  live?: KubeObject;
  source?: SourcePosition;
  options: Map<string, string>;
  hookDeletePolicies?: ReturnType<typeof hookDeletePolicies>;
  autoNamespace?: boolean;
}

function at(src: SourcePosition | undefined): string {
  return src ? `${src.file}:${src.line}: ` : '';
}

/** CRD-defined kinds in this sync: `group/kind` → namespaced? */
function crdScopes(desired: readonly DesiredObject[]): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const d of desired) {
    const o = d.object;
    if (o.kind === 'CustomResourceDefinition' && groupOf(o.apiVersion) === 'apiextensions.k8s.io' && o.spec?.group && o.spec?.names?.kind) {
      out.set(`${o.spec.group}/${o.spec.names.kind}`, o.spec.scope !== 'Cluster');
    }
  }
  return out;
}

/** Namespace of an object as it will be applied (defaulted to the destination; cleared when cluster-scoped). */
function withNamespace(obj: KubeObject, namespaced: boolean, destNamespace: string | undefined): KubeObject {
  if (!namespaced) {
    if (obj.metadata.namespace === undefined) {
      return obj;
    }
    const { namespace: _dropped, ...metadata } = obj.metadata;
    return { ...obj, metadata };
  }
  if (obj.metadata.namespace || !destNamespace) {
    return obj;
  }
  return { ...obj, metadata: { ...obj.metadata, namespace: destNamespace } };
}

/** gitops-engine's task order: phase, wave, kind rank, name. */
export function compareTasks(a: Pick<SyncTask, 'phase' | 'wave' | 'key'>, b: Pick<SyncTask, 'phase' | 'wave' | 'key'>): number {
  return PHASE_ORDER.indexOf(a.phase) - PHASE_ORDER.indexOf(b.phase)
    || a.wave - b.wave
    || kindRank(a.key.kind) - kindRank(b.key.kind)
    || (a.key.name < b.key.name ? -1 : a.key.name > b.key.name ? 1 : 0);
}

/**
 * Moves each dependency (Namespace, CRD) before the first task that needs it and gives it that
 * task's phase and wave (gitops-engine `syncTasks.adjustDeps`).
 */
function adjustDeps(tasks: DraftTask[], isDep: (o: KubeObject) => string | undefined, findDep: (o: KubeObject) => string | undefined): void {
  const firstIndexByDep = new Map<string, number>();
  for (let i = 0; i < tasks.length; i++) {
    const t = tasks[i];
    if (!t.desired) {
      continue;
    }
    const depKey = isDep(t.desired);
    if (depKey !== undefined) {
      const index = firstIndexByDep.get(depKey);
      if (index !== undefined) {
        t.wave = tasks[index].wave;
        t.phase = tasks[index].phase;
        tasks.splice(i, 1);
        tasks.splice(index, 0, t);
        for (const [k, v] of firstIndexByDep) {
          if (v >= index) {
            firstIndexByDep.set(k, v + 1);
          }
        }
      }
    } else {
      const dep = findDep(t.desired);
      if (dep !== undefined && !firstIndexByDep.has(dep)) {
        firstIndexByDep.set(dep, i);
      }
    }
  }
}

/**
 * Builds the task list of one sync operation: pure, from desired and live objects. Mirrors
 * gitops-engine `getSyncTasks` + `syncTasks.Sort`: hooks per phase, prune waves mirrored,
 * PruneLast after the last Sync wave, Namespaces and CRDs hoisted before their first user.
 */
export function planSync(input: PlanInput): Plan {
  const errors: string[] = [];
  const appOptions = parseSyncOptions(input.spec.syncPolicy?.syncOptions);
  const destNamespace = input.spec.destination.namespace || undefined;
  const crds = crdScopes(input.desired);
  const scope = (o: KubeObject): boolean | undefined => {
    const known = input.isNamespaced(o.apiVersion, o.kind);
    return known ?? crds.get(`${groupOf(o.apiVersion)}/${o.kind}`);
  };
  const selective = input.resources !== undefined && input.resources.length > 0;

  const drafts: DraftTask[] = [];
  const targets = new Map<string, DesiredObject>();
  const skipped: KubeObject[] = [];
  for (const d of input.desired) {
    const raw = d.object;
    let namespaced = scope(raw);
    if (namespaced === undefined) {
      // Unknown kind and no CRD for it in this sync: keep the namespace as written; the dry run decides.
      namespaced = raw.metadata.namespace !== undefined || destNamespace !== undefined;
    }
    const obj = withNamespace(raw, namespaced, destNamespace);
    if (isSkipped(raw)) {
      // Never applied, but part of the target state (gitops-engine's splitHooks keeps it there):
      // a live object of the same key is not pruned.
      if (obj.metadata.name) {
        skipped.push(obj);
        targets.set(keyString(keyOf(obj)), { object: obj, source: d.source });
      }
      continue;
    }
    let wave: number;
    try {
      wave = syncWave(obj);
    } catch (e) {
      errors.push(`${at(d.source)}${raw.kind} ${raw.metadata.name ?? raw.metadata.generateName}: ${(e as Error).message}`);
      continue;
    }
    const options = objectSyncOptions(appOptions, obj);
    if (isHook(obj)) {
      if (selective) {
        continue;
      }
      for (const phase of hookPhases(obj)) {
        let hookObj = obj;
        if (!obj.metadata.name) {
          hookObj = { ...obj, metadata: { ...obj.metadata, name: generatedHookName(obj.metadata.generateName ?? '', input.revision, phase, input.startedAt) } };
          delete hookObj.metadata.generateName;
        }
        const key = keyOf(hookObj);
        drafts.push({
          key,
          phase,
          wave,
          action: TaskAction.HOOK,
          desired: hookObj,
          live: input.live.get(keyString(key)),
          source: d.source,
          options,
          hookDeletePolicies: hookDeletePolicies(obj),
        });
      }
      continue;
    }
    if (!obj.metadata.name) {
      errors.push(`${at(d.source)}${raw.kind} uses metadata.generateName, which only hooks may use (Argo CD cannot track a generated name)`);
      continue;
    }
    const key = keyOf(obj);
    const ks = keyString(key);
    const dup = targets.get(ks);
    if (dup) {
      errors.push(`${at(d.source)}${raw.kind} ${key.namespace ? `${key.namespace}/` : ''}${key.name} is also defined at ${dup.source.file}:${dup.source.line}`);
      continue;
    }
    targets.set(ks, { object: obj, source: d.source });
    if (!selected(input.resources, key)) {
      continue;
    }
    drafts.push({ key, phase: SyncPhase.SYNC, wave, action: TaskAction.APPLY, desired: obj, live: input.live.get(ks), source: d.source, options });
  }

  if (input.prune && !selective) {
    for (const [ks, live] of input.live) {
      if (targets.has(ks) || trackingInstance(live) !== input.instance) {
        continue;
      }
      // Objects owned by another object (e.g. ReplicaSets of a Deployment) and hooks are never pruned.
      if ((live.metadata.ownerReferences ?? []).length > 0 || isHook(live)) {
        continue;
      }
      let wave = 0;
      try {
        wave = syncWave(live);
      } catch {
        wave = 0;
      }
      drafts.push({ key: keyOf(live), phase: SyncPhase.SYNC, wave, action: TaskAction.PRUNE, live, options: objectSyncOptions(appOptions, live) });
    }
  }

  // Prune in reverse creation order: mirror the prune waves (gitops-engine "symmetric swap").
  const pruneWaves = [...new Set(drafts.filter((t) => t.action === TaskAction.PRUNE).map((t) => t.wave))].sort((a, b) => a - b);
  const mirrored = new Map(pruneWaves.map((w, i) => [w, pruneWaves[pruneWaves.length - 1 - i]]));
  for (const t of drafts) {
    if (t.action === TaskAction.PRUNE) {
      t.wave = mirrored.get(t.wave) ?? t.wave;
    }
  }
  // The last Sync-phase wave counts prune tasks too (their mirrored wave), as gitops-engine's
  // syncPhaseLastWave does: a PruneLast object goes after every other prune, not beside one.
  const lastSyncWave = Math.max(0, ...drafts.filter((t) => t.phase === SyncPhase.SYNC).map((t) => t.wave)) + 1;
  for (const t of drafts) {
    if (t.action === TaskAction.PRUNE && (optionTrue(appOptions, 'PruneLast') || optionTrue(t.options, 'PruneLast'))) {
      t.wave = lastSyncWave;
    }
  }

  if (optionTrue(appOptions, 'CreateNamespace') && destNamespace && !selective) {
    const nsKey: ResourceKey = { group: '', kind: 'Namespace', namespace: '', name: destNamespace };
    const meta = input.spec.syncPolicy?.managedNamespaceMetadata;
    const live = input.live.get(keyString(nsKey));
    if (!targets.has(keyString(nsKey)) && (!live || meta)) {
      const desired: KubeObject = {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: destNamespace,
          ...(meta?.labels ? { labels: meta.labels } : {}),
          ...(meta?.annotations ? { annotations: meta.annotations } : {}),
        },
      };
      drafts.push({
        key: nsKey, phase: SyncPhase.PRE_SYNC, wave: 0, action: TaskAction.APPLY, desired, live, options: new Map(appOptions), autoNamespace: true,
      });
    }
  }

  drafts.sort(compareTasks);
  adjustDeps(drafts,
    (o) => (o.kind === 'Namespace' && groupOf(o.apiVersion) === '' ? o.metadata.name : undefined),
    (o) => o.metadata.namespace || undefined);
  adjustDeps(drafts,
    (o) => (o.kind === 'CustomResourceDefinition' && groupOf(o.apiVersion) === 'apiextensions.k8s.io' ? `${o.spec?.group}/${o.spec?.names?.kind}` : undefined),
    (o) => `${groupOf(o.apiVersion)}/${o.kind}`);

  return { tasks: drafts, errors, targets, skipped };
}

/** A sync without prune reports each object that requires pruning so (gitops-engine `pruneObject`). */
export const REQUIRES_PRUNING_MESSAGE = 'ignored (requires pruning)';
/** A prune that `Prune=false` keeps is reported so (gitops-engine `pruneObject`). */
export const NO_PRUNE_MESSAGE = 'ignored (no prune)';

/** True when a prune task may delete: not `Prune=false`, and confirmed when it asks for `Prune=confirm`. */
export function pruneDecision(options: ReadonlyMap<string, string>, confirmed: boolean): 'prune' | 'skip' | 'confirm' {
  // Delete=false|confirm are about deleting the Application (cascade), not about prune.
  if (optionIs(options, 'Prune', 'false')) {
    return 'skip';
  }
  if (optionIs(options, 'Prune', 'confirm') && !confirmed) {
    return 'confirm';
  }
  return 'prune';
}
