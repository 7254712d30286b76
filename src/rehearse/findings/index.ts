/**
 * Findings a rehearsal derives from what changes between base and head, before and beside the head
 * sync itself: predicted failures a real cluster would raise (immutable fields, CRD changes that
 * invalidate existing custom resources) and danger signs (stateful prunes, renames that recreate,
 * cascade deletes, an automated prune that empties an Application, a child removed from its root).
 *
 * Each concept is one file of this directory; this one digests every change once and runs them.
 * Pure: a function of the Applications at base and head, the live objects after the base sync and
 * the head's desired objects. Messages name objects and field paths, never Secret values.
 */

import { DesiredObject, KubeObject } from '../../engine/model';
import { RehearsalFinding } from '../report';
import { childApplicationFindings } from './child-applications';
import { ChangeContext, contextFor, pruneFate } from './context';
import { crdFindingsFor, CustomResources } from './crd-changes';
import { emptiesApplicationFindings } from './empties-application';
import { immutableFieldFindings } from './immutable-fields';
import { renameFindings } from './rename';
import { statefulPruneFindings } from './stateful-prune';

/** One Application as it is before the merge (base, synced on the throwaway cluster) and after (head). */
export interface ApplicationChange {
  /** The Application's name. */
  readonly name: string;
  /** The Application object at base; undefined when head adds it. */
  readonly base?: KubeObject;
  /** The Application object at head; undefined when head removes it. */
  readonly head?: KubeObject;
  /** The live objects the Application tracks on the cluster after the base sync (before the merge). */
  readonly live: readonly KubeObject[];
  /** The head revision's desired objects (with `file:line`); empty when head removes the Application. */
  readonly desired: readonly DesiredObject[];
}

function customResources(contexts: readonly ChangeContext[]): CustomResources {
  const heads = new Map<KubeObject, KubeObject>();
  for (const c of contexts) {
    for (const m of c.kept) {
      if (m.desired) {
        heads.set(m.live, m.desired.object);
      }
    }
  }
  return { live: contexts.flatMap((c) => c.change.live), headVersion: (l) => heads.get(l) };
}

/**
 * The static findings for every changed Application: IMMUTABLE_FIELD, CRD_INVALIDATES_RESOURCES,
 * RECREATED_BY_RENAME, STATEFUL_PRUNE, CASCADE_DELETE, EMPTIES_APPLICATION, CHILD_APPLICATION_REMOVED.
 * (SYNC_FAILED, PROJECT_VIOLATION and NEVER_SETTLES come from the rehearsal's own syncs.)
 */
export function findingsFor(changes: readonly ApplicationChange[]): RehearsalFinding[] {
  const contexts = changes.map(contextFor);
  const crs = customResources(contexts);
  const allLive = crs.live;
  const out: RehearsalFinding[] = [];
  for (const ctx of contexts) {
    // A removed Application's resources go (or stay) with it: child-applications reports that.
    if (!ctx.change.head) {
      continue;
    }
    out.push(
      ...immutableFieldFindings(ctx),
      ...crdFindingsFor(ctx, crs),
      ...renameFindings(ctx),
      ...statefulPruneFindings(ctx, allLive),
      ...emptiesApplicationFindings(ctx),
    );
  }
  out.push(...childApplicationFindings(contexts));
  return out;
}

/** A live object head no longer has that the head sync leaves in place, and why. */
export interface LeftInPlace {
  readonly object: KubeObject;
  /** `prune is off`, `Prune=false`, or `Prune=confirm (waits for a confirmation)`. */
  readonly reason: string;
}

const LEFT_REASONS: Record<string, string> = {
  'prune-off': 'prune is off',
  'prune-false': 'Prune=false',
  'prune-confirm': 'Prune=confirm (waits for a confirmation)',
};

/**
 * The objects of one Application that require pruning but that the merge does not prune, with the
 * reason, decided as the findings decide it: for an automated Application a stateful object is
 * either a STATEFUL_PRUNE danger or listed here, never both nor neither. A manual Application is
 * not synced by the merge, so all of them are listed — and a stateful one is also a danger, for
 * its next sync with prune. Hooks and objects owned by others are never pruned and are not
 * listed. Empty for an Application head removes.
 */
export function leftInPlace(change: ApplicationChange): LeftInPlace[] {
  if (!change.head) {
    return [];
  }
  const ctx = contextFor(change);
  return ctx.removed
    .map((object) => ({ object, fate: pruneFate(ctx, object) }))
    .filter((x) => x.fate !== 'pruned' || !ctx.automated)
    .map((x) => ({ object: x.object, reason: LEFT_REASONS[x.fate] ?? 'manual sync: the merge does not sync it' }));
}
