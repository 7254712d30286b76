/**
 * What every finding rule needs from one Application's change: its sync policy as Argo CD reads
 * it, its live objects matched to the head's desired ones, and what the head sync would prune.
 * Pure: built from the `ApplicationChange` alone.
 */

import { ApplicationSpec } from '../../engine/application-spec';
import { isHook, isSkipped } from '../../engine/hooks';
import { DesiredObject, KubeObject, describeKey, groupOf, keyOf, keyString } from '../../engine/model';
import { pruneDecision } from '../../engine/plan';
import { objectSyncOptions, optionTrue, parseSyncOptions } from '../../engine/sync-options';
import { RehearsalResource } from '../report';
import type { ApplicationChange } from './index';

/** A live object and the head's desired object for it (undefined when head no longer has it). */
export interface MatchedObject {
  readonly live: KubeObject;
  readonly desired?: DesiredObject;
}

/** One Application's change, digested once for all rules. */
export interface ChangeContext {
  readonly change: ApplicationChange;
  readonly name: string;
  /** The spec that governs the head sync (head's; base's when head removes the Application). */
  readonly spec?: ApplicationSpec;
  /** `syncPolicy.automated` is on (and not `enabled: false`). */
  readonly automated: boolean;
  /**
   * True when the head sync deletes what head no longer has. Automated Applications prune only
   * with `automated.prune`. A manual Application is not synced by the merge, but its next sync is
   * the one a reviewer approves: the rehearsal treats it as Argo CD's UI offers it with Prune
   * checked, so a PR that would delete a PVC on that sync is flagged now (messages say "on its
   * next sync with prune").
   */
  readonly prunes: boolean;
  /** `automated.allowEmpty`. */
  readonly allowEmpty: boolean;
  readonly appOptions: ReadonlyMap<string, string>;
  /** Live objects the head still wants, matched to their desired object. */
  readonly kept: readonly MatchedObject[];
  /** Live objects head no longer has (not hooks, not owned by another object): the prune candidates. */
  readonly removed: readonly KubeObject[];
  /** Desired objects with no live counterpart: the head sync creates them. */
  readonly added: readonly DesiredObject[];
}

export function specOf(app: KubeObject | undefined): ApplicationSpec | undefined {
  return app?.spec as ApplicationSpec | undefined;
}

export function isAutomated(spec: ApplicationSpec | undefined): boolean {
  const a = spec?.syncPolicy?.automated;
  return !!a && a.enabled !== false;
}

/** Objects Argo CD never applies or prunes as resources of the Application. */
function tracked(obj: KubeObject): boolean {
  return !isHook(obj) && !isSkipped(obj) && (obj.metadata.ownerReferences ?? []).length === 0;
}

/**
 * Matches desired to live by group/kind/namespace/name. A desired object written without a
 * namespace gets the destination namespace when the live one is there (namespaced kinds), or
 * matches a cluster-scoped live object of the same name.
 */
function matchLive(desired: KubeObject, byKey: Map<string, KubeObject>, destNamespace: string): KubeObject | undefined {
  const key = keyOf(desired);
  const exact = byKey.get(keyString(key));
  if (exact || key.namespace) {
    return exact;
  }
  return byKey.get(keyString({ ...key, namespace: destNamespace })) ?? undefined;
}

export function contextFor(change: ApplicationChange): ChangeContext {
  const spec = specOf(change.head) ?? specOf(change.base);
  const automated = isAutomated(spec);
  const destNamespace = spec?.destination?.namespace ?? '';
  const byKey = new Map<string, KubeObject>();
  for (const l of change.live) {
    if (tracked(l)) {
      byKey.set(keyString(keyOf(l)), l);
    }
  }
  const kept: MatchedObject[] = [];
  const added: DesiredObject[] = [];
  const matched = new Set<KubeObject>();
  for (const d of change.desired) {
    if (!tracked(d.object) || !d.object.metadata.name) {
      continue;
    }
    const live = matchLive(d.object, byKey, destNamespace);
    if (live) {
      matched.add(live);
      kept.push({ live, desired: d });
    } else {
      added.push(d);
    }
  }
  return {
    change,
    name: change.name,
    spec,
    automated,
    prunes: automated ? !!spec?.syncPolicy?.automated?.prune : true,
    allowEmpty: !!spec?.syncPolicy?.automated?.allowEmpty,
    appOptions: parseSyncOptions(spec?.syncPolicy?.syncOptions),
    kept,
    removed: [...byKey.values()].filter((l) => !matched.has(l)),
    added,
  };
}

/** Whether a removed object is really deleted by the head sync, or left (prune off, Prune=false, Prune=confirm). */
export type PruneFate = 'pruned' | 'prune-off' | 'prune-false' | 'prune-confirm';

/** The same decision the engine's sync makes (`pruneDecision`), before anyone confirms. */
export function pruneFate(ctx: ChangeContext, live: KubeObject): PruneFate {
  const decision = pruneDecision(objectSyncOptions(ctx.appOptions, live), false);
  if (decision === 'skip') {
    return 'prune-false';
  }
  if (decision === 'confirm') {
    return 'prune-confirm';
  }
  return ctx.prunes ? 'pruned' : 'prune-off';
}

/** The options that apply to writing one object (Application's, overridden by its annotation). */
export function writeOptions(ctx: ChangeContext, obj: KubeObject): Map<string, string> {
  return objectSyncOptions(ctx.appOptions, obj);
}

/** `Force=true` turns a rejected update into delete and re-create, in Argo CD and in our engine. */
export function forced(ctx: ChangeContext, desired: KubeObject): boolean {
  return optionTrue(writeOptions(ctx, desired), 'Force');
}

export function resourceOf(obj: KubeObject, source?: { file: string; line: number }): RehearsalResource {
  const k = keyOf(obj);
  return { group: k.group, kind: k.kind, namespace: k.namespace, name: k.name, ...(source ? { source: `${source.file}:${source.line}` } : {}) };
}

export function describe(obj: KubeObject): string {
  return describeKey(keyOf(obj));
}

export function isKind(obj: KubeObject, group: string, ...kinds: string[]): boolean {
  return groupOf(obj.apiVersion) === group && kinds.includes(obj.kind);
}

export const APPLICATION_GROUP = 'argoproj.io';

export function isApplication(obj: KubeObject): boolean {
  return isKind(obj, APPLICATION_GROUP, 'Application');
}

export { isCrd } from '../../engine/model';
