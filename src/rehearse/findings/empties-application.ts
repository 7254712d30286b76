/**
 * EMPTIES_APPLICATION: an automated sync with prune that would delete every resource the
 * Application tracks (a path typo, a generator that renders nothing, everything renamed).
 *
 * Argo CD guards one case: when head renders no resources at all, every managed resource requires
 * pruning, and without `automated.allowEmpty` the controller skips the automated sync with the
 * SyncError condition "Skipping sync attempt to <revision>: auto-sync will wipe out all resources"
 * (controller/appcontroller.go, autoSync) — a predicted failure, nothing is deleted. With
 * `allowEmpty`, or when head still renders something but none of what is live (so the guard does
 * not apply), the prune goes ahead: a danger.
 *
 * Manual Applications are left out: their sync is someone's explicit decision, and a prune of
 * stateful objects in it is reported by STATEFUL_PRUNE.
 */

import { FindingKind, FindingSeverity, RehearsalFinding } from '../report';
import { ChangeContext, pruneFate } from './context';

/** Argo CD's own words when it refuses (the revision is prepended by the controller). */
export const AUTO_SYNC_WIPES_OUT = 'auto-sync will wipe out all resources';

export function emptiesApplicationFindings(ctx: ChangeContext): RehearsalFinding[] {
  if (!ctx.change.head || !ctx.automated || !ctx.prunes || ctx.removed.length === 0 || ctx.kept.length > 0) {
    return [];
  }
  const n = ctx.removed.length;
  if (ctx.added.length === 0 && !ctx.allowEmpty) {
    return [{
      kind: FindingKind.EMPTIES_APPLICATION,
      severity: FindingSeverity.FAILURE,
      application: ctx.name,
      message: `head renders no resources for ${ctx.name}, so Argo CD skips its automated sync ("Skipping sync attempt to <revision>: ${AUTO_SYNC_WIPES_OUT}") and it stays OutOfSync with all ${n} resources in place. Check the source path; set syncPolicy.automated.allowEmpty only if emptying it is intended.`,
    }];
  }
  const deleted = ctx.removed.filter((r) => pruneFate(ctx, r) === 'pruned').length;
  if (deleted === 0) {
    return [];
  }
  const why = ctx.added.length === 0 ? 'head renders no resources and allowEmpty is on' : `head renders ${ctx.added.length} resource(s), none of them one that exists now`;
  return [{
    kind: FindingKind.EMPTIES_APPLICATION,
    severity: FindingSeverity.DANGER,
    application: ctx.name,
    message: `the automated sync of ${ctx.name} prunes ${deleted === n ? 'every one' : `${deleted}`} of its ${n} resources: ${why}. Check the source path and the resource names.`,
  }];
}
