/**
 * CHILD_APPLICATION_REMOVED and CASCADE_DELETE: head drops an Application from its parent (app of
 * apps). When the parent prunes it, Argo CD deletes the Application object; with the resources
 * finalizer (`resources-finalizer.argocd.argoproj.io`, or `/background`) the controller first
 * deletes every resource the child tracks, otherwise they stay in the cluster, orphaned — no
 * longer managed by anything.
 */

import { RESOURCES_FINALIZER, RESOURCES_FINALIZER_BACKGROUND } from '../../argo/annotations';
import { KubeObject } from '../../engine/model';
import { FindingKind, FindingSeverity, RehearsalFinding } from '../report';
import { ChangeContext, describe, isApplication, pruneFate, resourceOf } from './context';

function cascadeFinalizer(app: KubeObject | undefined): string | undefined {
  const finalizers: string[] = app?.metadata.finalizers ?? [];
  return finalizers.find((f) => f === RESOURCES_FINALIZER || f === RESOURCES_FINALIZER_BACKGROUND);
}

function sameApp(ctx: ChangeContext, app: KubeObject): boolean {
  const name = app.metadata.name ?? '';
  return ctx.name === name || ctx.name === `${app.metadata.namespace ?? ''}/${name}`;
}

/** "3 resources (a PersistentVolumeClaim, …)": what a cascade takes with it. */
function countResources(child: ChangeContext | undefined): string {
  if (!child) {
    return 'all its resources';
  }
  const live = [...child.kept.map((m) => m.live), ...child.removed];
  const kinds = [...new Set(live.map((o) => o.kind))].sort();
  return `all ${live.length} of its resources${kinds.length ? ` (${kinds.join(', ')})` : ''}`;
}

function findingsForRemoval(owner: string, parent: ChangeContext | undefined, app: KubeObject, child: ChangeContext | undefined): RehearsalFinding[] {
  const resource = resourceOf(app);
  const fate = parent ? pruneFate(parent, app) : 'pruned';
  const finalizer = cascadeFinalizer(app) ?? cascadeFinalizer(child?.change.base);
  const where = parent ? `is no longer in ${parent.name}'s source` : 'is removed at head';
  if (fate !== 'pruned') {
    const why = fate === 'prune-off' ? `${parent!.name} does not prune` : fate === 'prune-false' ? 'it is annotated Prune=false' : 'it is annotated Prune=confirm and waits for a confirmation';
    return [{
      kind: FindingKind.CHILD_APPLICATION_REMOVED,
      severity: FindingSeverity.DANGER,
      application: owner,
      resource,
      message: `${describe(app)} ${where}; ${why}, so it stays, managed by no Git source any more (it is deleted, ${finalizer ? 'with' : 'without'} its resources, whenever it is pruned).`,
    }];
  }
  const when = !parent || parent.automated ? 'Argo CD deletes it' : `the next sync of ${parent.name} with prune deletes it`;
  if (!finalizer) {
    return [{
      kind: FindingKind.CHILD_APPLICATION_REMOVED,
      severity: FindingSeverity.DANGER,
      application: owner,
      resource,
      message: `${describe(app)} ${where}: ${when} without a resources finalizer, so ${countResources(child)} stay in the cluster, orphaned (no longer synced, pruned or watched). Keep it in Git, or add ${RESOURCES_FINALIZER} if they should go.`,
    }];
  }
  return [
    {
      kind: FindingKind.CHILD_APPLICATION_REMOVED,
      severity: FindingSeverity.DANGER,
      application: owner,
      resource,
      message: `${describe(app)} ${where}: ${when}.`,
    },
    {
      kind: FindingKind.CASCADE_DELETE,
      severity: FindingSeverity.DANGER,
      application: owner,
      resource,
      message: `${describe(app)} has the finalizer ${finalizer}: deleting it deletes ${countResources(child)} from the cluster${finalizer === RESOURCES_FINALIZER_BACKGROUND ? ' (in the background)' : ''}. Remove the finalizer first (and the resources stay), or annotate the Application Prune=false.`,
    },
  ];
}

export function childApplicationFindings(contexts: readonly ChangeContext[]): RehearsalFinding[] {
  const out: RehearsalFinding[] = [];
  const reported = new Set<ChangeContext>();
  for (const parent of contexts) {
    for (const app of parent.removed.filter(isApplication)) {
      const child = contexts.find((c) => c !== parent && sameApp(c, app));
      if (child) {
        reported.add(child);
      }
      out.push(...findingsForRemoval(parent.name, parent, app, child));
    }
  }
  // Removed Applications no parent tracked (a root the rehearsal applied itself).
  for (const c of contexts) {
    if (!reported.has(c) && c.change.base && !c.change.head) {
      out.push(...findingsForRemoval(c.name, undefined, c.change.base, c));
    }
  }
  return out;
}
