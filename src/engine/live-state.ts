import { ApiError } from './kube/api-error';
import { ApiResource, KubeApi } from './kube/kube-api';
import { KubeObject, keyOf, keyString } from './model';
import { mapLimit } from './poll';
import { trackingInstance } from './tracking';

/** Kinds Argo CD excludes from its cache by default: high churn, never part of an app. */
const EXCLUDED = new Set(['/Event', 'events.k8s.io/Event', '/Endpoints', 'discovery.k8s.io/EndpointSlice', 'coordination.k8s.io/Lease',
  '/ComponentStatus', '/Binding']);

export interface LiveStateOptions {
  /** Also find every live object tracked for `instance` (prune candidates, status). */
  readonly tracked: boolean;
  readonly instance: string;
  /**
   * Told once per client about API groups that could not be listed (their objects were not
   * seen, so none of them is pruned or reported). Default: a line on stderr.
   */
  readonly onWarning?: (message: string) => void;
}

/**
 * Reads the live objects a sync needs, keyed by keyString: every desired object (by listing its
 * kind per namespace — a few lists instead of one GET per object) and, with `tracked`, every
 * object in the cluster whose tracking id names this instance (metadata-only lists over all
 * listable kinds, as Argo CD's cluster cache would hold them).
 */
export async function loadLiveState(client: KubeApi, desired: readonly KubeObject[], options: LiveStateOptions): Promise<Map<string, KubeObject>> {
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
    const all = await client.allResources();
    const unseen = all.unavailable.map((u) => `${u.groupVersion} (${u.reason})`);
    const resources = all.resources.filter((r) => r.verbs.includes('list') && r.verbs.includes('delete') && !EXCLUDED.has(`${r.group}/${r.kind}`));
    // Tracked objects no longer desired, found only as metadata: read again in full below.
    const extra = new Map<string, { r: ApiResource; ns?: string; keys: Set<string> }>();
    await mapLimit(resources, 8, async (r) => {
      let items: KubeObject[];
      try {
        items = await client.list(r, undefined, true);
      } catch (e) {
        if (!(e instanceof ApiError) || e.code === 401 || e.code === 403) {
          throw e;
        }
        // Served by a backend that is down: what we cannot see we never prune.
        unseen.push(`${r.group ? `${r.group}/` : ''}${r.version} ${r.kind} (${e.code} ${e.message})`);
        return;
      }
      for (const item of items) {
        if (trackingInstance(item) === options.instance) {
          const k = keyString(keyOf(item));
          if (!live.has(k)) {
            live.set(k, item);
            const ns = r.namespaced ? item.metadata.namespace : undefined;
            const group = `${r.group}/${r.version}/${r.name}/${ns ?? ''}`;
            const entry = extra.get(group) ?? { r, ns, keys: new Set<string>() };
            entry.keys.add(k);
            extra.set(group, entry);
          }
        }
      }
    });
    // A metadata-only object has no status, so its health would be a guess (a Deployment would
    // look Progressing forever): the objects to prune are read in full, one list per kind and namespace.
    await mapLimit([...extra.values()], 8, async ({ r, ns, keys }) => {
      for (const item of await client.list(r, ns)) {
        const k = keyString(keyOf(item));
        if (keys.has(k)) {
          live.set(k, item);
        }
      }
    });
    warnUnseen(client, unseen, options.onWarning);
  }
  return live;
}

function warnUnseen(client: KubeApi, unseen: string[], onWarning?: (message: string) => void): void {
  const fresh = unseen.filter((u) => !client.warnedUnavailable.has(u.split(' ')[0]));
  if (fresh.length === 0) {
    return;
  }
  fresh.forEach((u) => client.warnedUnavailable.add(u.split(' ')[0]));
  const message = `skipped API groups the server cannot serve right now: ${fresh.join('; ')}. Objects of these kinds were not read, so none of them is pruned or shown`;
  (onWarning ?? ((m: string) => process.stderr.write(`warning: ${m}\n`)))(message);
}
