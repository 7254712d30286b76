/**
 * RECREATED_BY_RENAME: head removes an object that holds state or traffic under one name and adds
 * a near-identical one under another, in the same Application and namespace. Argo CD has no notion
 * of a rename: it creates the new object and prunes the old one (or, with prune off, keeps both).
 */

import { normalizeForDiff } from '../../engine/diff/normalize';
import { DesiredObject, KubeObject, groupOf } from '../../engine/model';
import { FindingKind, FindingSeverity, RehearsalFinding } from '../report';
import { ChangeContext, describe, pruneFate, resourceOf } from './context';

/** What a rename costs, per kind (`group/kind`). */
const CONSEQUENCES: Record<string, string> = {
  'apps/Deployment': 'all its pods are replaced at once instead of rolled',
  'apps/DaemonSet': 'all its pods are replaced at once instead of rolled',
  'apps/ReplicaSet': 'all its pods are replaced at once',
  'apps/StatefulSet': 'its pods restart under new names with new, empty volume claims',
  '/Service': 'it gets a new cluster IP and DNS name, and clients of the old name lose it',
  '/PersistentVolumeClaim': 'the new claim starts with an empty volume and the old claim\'s data goes with it',
  'networking.k8s.io/Ingress': 'the route is removed and added again (its load balancer may be re-provisioned)',
  '/Secret': 'pods that refer to the old name fail to start once it is gone',
  '/ConfigMap': 'pods that refer to the old name fail to start once it is gone',
  'gateway.networking.k8s.io/HTTPRoute': 'the route is removed and added again',
};

/** Below this share of equal leaf fields two objects are different objects, not a rename. */
const SIMILARITY = 0.8;

function kindKey(o: KubeObject): string {
  return `${groupOf(o.apiVersion)}/${o.kind}`;
}

/** The object without its identity: what makes it "the same object" under another name. */
function body(o: KubeObject): Record<string, unknown> {
  const n = normalizeForDiff(o) as Record<string, unknown>;
  delete n.metadata;
  delete n.apiVersion;
  delete n.kind;
  return n;
}

function leaves(v: unknown, path: string, out: Map<string, string>): void {
  if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      leaves(x, `${path}/${k}`, out);
    }
    return;
  }
  out.set(path, JSON.stringify(v));
}

/**
 * Share of the desired object's leaf fields the live one holds with the same value. One-sided on
 * purpose: live also carries what the server defaulted. Undefined when there is nothing to compare.
 */
// Computed once per object: a rename check compares every added object with every removed one.
const leafCache = new WeakMap<KubeObject, Map<string, string>>();

function leavesOf(o: KubeObject): Map<string, string> {
  let m = leafCache.get(o);
  if (!m) {
    m = new Map<string, string>();
    leaves(body(o), '', m);
    leafCache.set(o, m);
  }
  return m;
}

export function similarity(desired: KubeObject, live: KubeObject): number | undefined {
  const d = leavesOf(desired);
  const l = leavesOf(live);
  if (d.size === 0) {
    return undefined;
  }
  let same = 0;
  for (const [p, v] of d) {
    if (l.get(p) === v) {
      same++;
    }
  }
  return same / d.size;
}

export function renameFindings(ctx: ChangeContext): RehearsalFinding[] {
  const dest = ctx.spec?.destination?.namespace ?? '';
  const nsOf = (o: KubeObject) => o.metadata.namespace ?? dest;
  const candidates: Array<{ added: DesiredObject; removed: KubeObject; score: number }> = [];
  for (const a of ctx.added) {
    if (!(kindKey(a.object) in CONSEQUENCES)) {
      continue;
    }
    for (const r of ctx.removed) {
      if (kindKey(r) !== kindKey(a.object) || (r.metadata.namespace ?? '') !== nsOf(a.object)) {
        continue;
      }
      const score = similarity(a.object, r);
      if (score !== undefined && score >= SIMILARITY) {
        candidates.push({ added: a, removed: r, score });
      }
    }
  }
  // Best pairs first; each object takes part in one rename at most.
  candidates.sort((x, y) => y.score - x.score);
  const used = new Set<unknown>();
  const out: RehearsalFinding[] = [];
  for (const c of candidates) {
    if (used.has(c.added) || used.has(c.removed)) {
      continue;
    }
    used.add(c.added);
    used.add(c.removed);
    const fate = pruneFate(ctx, c.removed);
    // Named in the namespace it lands in (the manifest may leave it to the destination).
    const added = { ...c.added.object, metadata: { ...c.added.object.metadata, namespace: c.removed.metadata.namespace } };
    const after = fate === 'pruned'
      ? `Argo CD creates the new one and prunes the old one${ctx.automated ? '' : ' on its next sync with prune'}: ${CONSEQUENCES[kindKey(c.removed)]}`
      : `the old one is not pruned (${fate === 'prune-off' ? 'prune is off' : fate === 'prune-false' ? 'Prune=false' : 'Prune=confirm, until someone confirms'}), so both exist side by side`;
    out.push({
      kind: FindingKind.RECREATED_BY_RENAME,
      severity: FindingSeverity.DANGER,
      application: ctx.name,
      resource: resourceOf(added, c.added.source),
      message: `${describe(added)} is ${describe(c.removed)} under a new name (${Math.round(c.score * 100)}% of its fields equal): ${after}. Keep the old name to update it in place.`,
    });
  }
  return out;
}
