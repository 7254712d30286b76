/**
 * STATEFUL_PRUNE: head removes an object whose deletion loses data, and the head sync prunes it:
 * a PersistentVolumeClaim or PersistentVolume (the volume), a StatefulSet (its pods' identity), a
 * Namespace (everything in it), a CustomResourceDefinition (every custom resource of it). A CRD is
 * only pruned when it still carries the Application's tracking id from an older engine or Argo CD
 * (neither writes one on a CRD any more: tracking.ts `carriesTrackingId`); the rehearsal's live
 * objects (rehearse.ts `applicationChanges`) hold only such CRDs among the removed ones.
 *
 * Objects protected by `Prune=false` are only reported as requiring pruning; `Prune=confirm` ones
 * wait for a confirmation, so the rehearsal does not count them as dangers either (the rehearsal's
 * require-pruning list shows both, with the reason).
 */

import { groupOf, KubeObject } from '../../engine/model';
import { FindingKind, FindingSeverity, RehearsalFinding } from '../report';
import { ChangeContext, describe, isCrd, isKind, pruneFate, resourceOf } from './context';

/** The custom resources of a CRD among the live objects of every Application. */
function customResourcesOf(crd: KubeObject, allLive: readonly KubeObject[]): KubeObject[] {
  return allLive.filter((o) => groupOf(o.apiVersion) === crd.spec?.group && o.kind === crd.spec?.names?.kind);
}

function loss(obj: KubeObject, allLive: readonly KubeObject[]): string | undefined {
  if (isKind(obj, '', 'PersistentVolumeClaim')) {
    return 'its volume is released and, with the usual reclaimPolicy Delete, its data deleted';
  }
  if (isKind(obj, '', 'PersistentVolume')) {
    const policy = obj.spec?.persistentVolumeReclaimPolicy ?? 'Delete';
    return policy === 'Retain' ? 'the volume is kept (reclaimPolicy Retain) but no longer bound to anything' : `the volume is deleted with its data (reclaimPolicy ${policy})`;
  }
  if (isKind(obj, 'apps', 'StatefulSet')) {
    return 'its pods are deleted; their volume claims stay, unless persistentVolumeClaimRetentionPolicy deletes them';
  }
  if (isKind(obj, '', 'Namespace')) {
    return 'everything in the namespace is deleted with it, tracked by Argo CD or not';
  }
  if (isCrd(obj)) {
    const n = customResourcesOf(obj, allLive).length;
    return `every ${obj.spec?.names?.kind ?? 'custom'} resource in the cluster is deleted with it${n > 0 ? ` (${n} tracked by the rehearsed Applications)` : ''}`;
  }
  return undefined;
}

export function statefulPruneFindings(ctx: ChangeContext, allLive: readonly KubeObject[]): RehearsalFinding[] {
  const out: RehearsalFinding[] = [];
  for (const r of ctx.removed) {
    const what = loss(r, allLive);
    if (!what || pruneFate(ctx, r) !== 'pruned') {
      continue;
    }
    const when = ctx.automated ? 'the automated sync prunes it' : 'its next sync with prune deletes it';
    out.push({
      kind: FindingKind.STATEFUL_PRUNE,
      severity: FindingSeverity.DANGER,
      application: ctx.name,
      resource: resourceOf(r),
      message: `${describe(r)} is no longer in Git and ${when}: ${what}. If that is not intended, keep it in Git, or annotate it argocd.argoproj.io/sync-options: Prune=false (or Prune=confirm to require a confirmation).`,
    });
  }
  return out;
}
