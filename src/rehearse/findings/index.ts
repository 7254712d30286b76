/**
 * Findings a rehearsal derives from what changes between base and head, before and beside the head
 * sync itself: predicted failures a real cluster would raise (immutable fields, CRD changes that
 * invalidate existing custom resources) and danger signs (stateful prunes, renames that recreate,
 * cascade deletes, an automated prune that empties an Application, a child removed from its root).
 *
 * CONTRACT (the rehearsal calls this; the implementation lands on branch rehearse-findings).
 */

import { DesiredObject, KubeObject } from '../../engine/model';
import { RehearsalFinding } from '../report';

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

/**
 * The static findings for every changed Application: IMMUTABLE_FIELD, CRD_INVALIDATES_RESOURCES,
 * RECREATED_BY_RENAME, STATEFUL_PRUNE, CASCADE_DELETE, EMPTIES_APPLICATION, CHILD_APPLICATION_REMOVED.
 * (SYNC_FAILED, PROJECT_VIOLATION and NEVER_SETTLES come from the rehearsal's own syncs.)
 */
export function findingsFor(changes: readonly ApplicationChange[]): RehearsalFinding[] {
  void changes;
  throw new Error('findingsFor: not implemented yet (branch rehearse-findings)');
}
