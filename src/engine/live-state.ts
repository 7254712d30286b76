import { ApiResource, KubeClient } from './kube/client';
import { KubeObject, keyOf, keyString } from './model';
import { trackingInstance } from './tracking';

/** Kinds Argo CD excludes from its cache by default: high churn, never part of an app. */
const EXCLUDED = new Set(['/Event', 'events.k8s.io/Event', '/Endpoints', 'discovery.k8s.io/EndpointSlice', 'coordination.k8s.io/Lease',
  '/ComponentStatus', '/Binding']);

export interface LiveStateOptions {
  /** Also find every live object tracked for `instance` (prune candidates, status). */
  readonly tracked: boolean;
  readonly instance: string;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return out;
}

export { mapLimit };

/**
 * Reads the live objects a sync needs, keyed by keyString: every desired object (by listing its
 * kind per namespace — a few lists instead of one GET per object) and, with `tracked`, every
 * object in the cluster whose tracking id names this instance (metadata-only lists over all
 * listable kinds, as Argo CD's cluster cache would hold them).
 */
export async function loadLiveState(client: KubeClient, desired: readonly KubeObject[], options: LiveStateOptions): Promise<Map<string, KubeObject>> {
  const live = new Map<string, KubeObject>();
  const wanted = new Set(desired.map((o) => keyString(keyOf(o))));
  const lists = new Map<string, { r: ApiResource; ns?: string }>();
  for (const o of desired) {
    const r = await client.resourceFor(o.apiVersion, o.kind);
    if (!r) {
      continue;
    }
    const ns = r.namespaced ? o.metadata.namespace : undefined;
    lists.set(`${r.group}/${r.version}/${r.name}/${ns ?? ''}`, { r, ns });
  }
  await mapLimit([...lists.values()], 8, async ({ r, ns }) => {
    for (const item of await client.list(r, ns)) {
      const k = keyString(keyOf(item));
      if (wanted.has(k)) {
        live.set(k, item);
      }
    }
  });
  if (options.tracked) {
    const resources: ApiResource[] = [];
    for (const gv of await client.serverGroupVersions()) {
      for (const r of (await client.resources(gv)) ?? []) {
        if (r.verbs.includes('list') && r.verbs.includes('delete') && !EXCLUDED.has(`${r.group}/${r.kind}`)) {
          resources.push(r);
        }
      }
    }
    await mapLimit(resources, 8, async (r) => {
      for (const item of await client.list(r, undefined, true)) {
        if (trackingInstance(item) === options.instance) {
          const k = keyString(keyOf(item));
          if (!live.has(k)) {
            live.set(k, item);
          }
        }
      }
    });
  }
  return live;
}
