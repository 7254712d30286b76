/**
 * Normalization of what each side leaves in its cluster, so that only what the sync decided is
 * compared: fields the API server or controllers assign per cluster go, Argo CD's tracking
 * annotation and labels stay (they must match: they are what makes a hand-over churn-free).
 */

/** Annotation kubectl's (and Argo CD's) client-side apply writes. */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Annotations dropped before comparing, each with the reason.
 * `LAST_APPLIED` is counted separately ({@link NormalizedObject.lastApplied}): Argo CD v3.2 applies
 * client-side unless `ServerSideApply=true` and so writes it on every object, while the engine
 * always applies server-side (README "Sync engine": "ServerSideApply is always on") and never does.
 * Comparing it object by object would report that one known, deliberate difference on every
 * object of every scenario and hide the rest.
 */
export const DROPPED_ANNOTATIONS: Record<string, string> = {
  [LAST_APPLIED]: 'client-side apply bookkeeping (counted per scenario instead)',
  'cdk8s-argocd.io/applied-hash': "the engine's own record of what it applied (its no-op detection); Argo CD has none",
  'argocd.argoproj.io/refresh': 'a refresh request the harness makes; Argo CD removes it once done',
};

/** Labels a controller sets from an object's uid (a Job's pods and selector). */
const UID_LABELS = ['controller-uid', 'batch.kubernetes.io/controller-uid'];

const DROPPED_METADATA = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'deletionGracePeriodSeconds'];

export interface NormalizedObject {
  readonly object: Record<string, any>;
  /** The object carried {@link LAST_APPLIED}. */
  readonly lastApplied: boolean;
}

function dropUidLabels(labels: Record<string, string> | undefined): void {
  if (!labels) {
    return;
  }
  for (const l of UID_LABELS) {
    delete labels[l];
  }
}

function pruneEmpty(obj: Record<string, any>, key: string): void {
  const v = obj[key];
  if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) {
    delete obj[key];
  }
}

/**
 * A live object without what differs between two clusters by construction: uid, resourceVersion,
 * generation, creationTimestamp, managedFields, `status` (workloads' status is the simulated
 * kubelet's and controllers'; Applications' status is compared through sync/health/phase),
 * an Application's pending `operation`, a Service's allocated cluster IPs and node ports, owner
 * references' uids, the uid labels a Job controller sets, and {@link DROPPED_ANNOTATIONS}.
 */
export function normalizeLive(live: Record<string, any>): NormalizedObject {
  const o = structuredClone(live);
  const md = (o.metadata ??= {});
  for (const k of DROPPED_METADATA) {
    delete md[k];
  }
  const lastApplied = md.annotations?.[LAST_APPLIED] !== undefined;
  if (md.annotations) {
    for (const a of Object.keys(DROPPED_ANNOTATIONS)) {
      delete md.annotations[a];
    }
    pruneEmpty(md, 'annotations');
  }
  dropUidLabels(md.labels);
  pruneEmpty(md, 'labels');
  for (const ref of md.ownerReferences ?? []) {
    delete ref.uid;
  }
  delete o.status;
  if (o.kind === 'Application' && String(o.apiVersion ?? '').startsWith('argoproj.io/')) {
    delete o.operation;
  }
  if (o.kind === 'Service' && o.spec) {
    delete o.spec.clusterIP;
    delete o.spec.clusterIPs;
    // Allocated at random when the manifest leaves them out (which live alone cannot tell).
    for (const p of o.spec.ports ?? []) {
      delete p.nodePort;
    }
    delete o.spec.healthCheckNodePort;
  }
  if (o.kind === 'Job' && o.spec) {
    dropUidLabels(o.spec.selector?.matchLabels);
    if (o.spec.selector?.matchLabels) {
      pruneEmpty(o.spec.selector, 'matchLabels');
      pruneEmpty(o.spec, 'selector');
    }
    dropUidLabels(o.spec.template?.metadata?.labels);
  }
  return { object: o, lastApplied };
}

/** Generated hook names end in `-<unix seconds>` (Argo CD's and the engine's naming): made comparable. */
export function normalizeHookName(name: string): string {
  return name.replace(/-\d{9,11}$/, '-<time>');
}

/** One leaf that differs between two JSON values: its dotted path and both values (undefined: absent). */
export interface LeafDifference {
  readonly path: string;
  readonly a: unknown;
  readonly b: unknown;
}

function pathKey(parent: string, key: string | number): string {
  if (typeof key === 'number') {
    return `${parent}[${key}]`;
  }
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? (parent ? `${parent}.${key}` : key) : `${parent}[${JSON.stringify(key)}]`;
}

/** Every leaf where `a` and `b` differ (arrays element by element; a length change at the end). */
export function leafDifferences(a: unknown, b: unknown, at = ''): LeafDifference[] {
  if (a === b) {
    return [];
  }
  const bothObjects = a && b && typeof a === 'object' && typeof b === 'object';
  if (bothObjects && Array.isArray(a) && Array.isArray(b)) {
    const out: LeafDifference[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      out.push(...leafDifferences(a[i], b[i], pathKey(at, i)));
    }
    return out;
  }
  if (bothObjects && !Array.isArray(a) && !Array.isArray(b)) {
    const out: LeafDifference[] = [];
    const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])].sort();
    for (const k of keys) {
      out.push(...leafDifferences((a as any)[k], (b as any)[k], pathKey(at, k)));
    }
    return out;
  }
  return [{ path: at || '(value)', a, b }];
}
