/**
 * Kubernetes watches on the kinds the Applications track, as Argo CD's cluster cache keeps them:
 * one list, then a watch per kind (all namespaces), re-watched from the last resourceVersion when
 * the server ends the stream and listed again when it is too old (410 Gone). A change of a tracked
 * object's desired-state fields (not its status or bookkeeping metadata) is reported with the
 * tracking instance it belongs to, so the watcher refreshes only that Application.
 */
import { createHash } from 'crypto';
import { ApiError } from '../kube/api-error';
import { ApiResource, KubeClient, resourcePath } from '../kube/client';
import { KubeObject } from '../model';
import { trackingInstance } from '../tracking';

export interface LiveChange {
  readonly instance: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly type: 'changed' | 'deleted';
}

/**
 * Annotations controllers write on objects we apply, which no manifest sets: the Deployment
 * controller's revision bookkeeping. A change of one is not drift (the comparison, which looks at
 * what the manifests set, would find nothing), so it does not cost a refresh.
 */
const CONTROLLER_ANNOTATION = /^deployment\.kubernetes\.io\//;

/** The object without the fields that change without anyone changing its desired state. */
function fingerprint(obj: KubeObject): string {
  const { status: _status, metadata, ...rest } = obj;
  const { resourceVersion: _rv, managedFields: _mf, generation: _g, annotations, ...meta } = metadata ?? {};
  const kept = Object.entries(annotations ?? {}).filter(([k]) => !CONTROLLER_ANNOTATION.test(k));
  return createHash('sha1').update(JSON.stringify([meta, kept, rest])).digest('base64');
}

const RETRY_MS = 2_000;
/** Server-side end of one watch request (the client re-watches from its resourceVersion). */
const WATCH_TIMEOUT_SECONDS = 300;

/** One watched kind: its list-then-watch loop and what it last saw of each tracked object. */
class KindWatch {
  private readonly controller = new AbortController();
  private readonly seen = new Map<string, { fp: string; instance: string; name: string; namespace?: string }>();
  private resourceVersion?: string;
  readonly done: Promise<void>;

  constructor(
    private readonly client: KubeClient, private readonly r: ApiResource,
    private readonly onChange: (c: LiveChange) => void, private readonly onError: (message: string) => void,
    private readonly onEvent?: (group: string, kind: string) => void,
  ) {
    this.done = this.loop();
  }

  stop(): void {
    this.controller.abort();
  }

  private get stopped(): boolean {
    return this.controller.signal.aborted;
  }

  private key(obj: KubeObject): string {
    return obj.metadata?.uid ?? `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name}`;
  }

  /** Records `obj`; reports it when it is tracked and its desired state changed (never on the first list). */
  private observe(obj: KubeObject, report: boolean): void {
    const instance = trackingInstance(obj);
    const key = this.key(obj);
    const before = this.seen.get(key);
    if (!instance) {
      if (before) {
        // No longer tracked (someone removed the annotation): its Application sees it as missing.
        this.seen.delete(key);
        this.report(before.instance, obj, 'changed', report);
      }
      return;
    }
    const fp = fingerprint(obj);
    this.seen.set(key, { fp, instance, name: obj.metadata.name ?? '', namespace: obj.metadata.namespace });
    // A new object is not reported: a sync (ours) creates tracked objects; what matters for
    // drift is a change or a deletion of one the Application already had.
    if (before && before.fp !== fp) {
      this.report(instance, obj, 'changed', report);
    }
  }

  private report(instance: string, obj: { metadata: { name?: string; namespace?: string } }, type: LiveChange['type'], report: boolean): void {
    if (report) {
      this.onChange({ instance, kind: this.r.kind, name: obj.metadata.name ?? '', namespace: obj.metadata.namespace, type });
    }
  }

  private async list(report: boolean): Promise<void> {
    const res = await this.client.request('GET', resourcePath(this.r, undefined));
    const live = new Set<string>();
    for (const item of res.items ?? []) {
      const obj = { apiVersion: this.r.group ? `${this.r.group}/${this.r.version}` : this.r.version, kind: this.r.kind, ...item } as KubeObject;
      live.add(this.key(obj));
      this.observe(obj, report);
    }
    // Deleted while no watch was open.
    for (const [key, before] of this.seen) {
      if (!live.has(key)) {
        this.seen.delete(key);
        this.report(before.instance, { metadata: before }, 'deleted', report);
      }
    }
    this.resourceVersion = res.metadata?.resourceVersion;
  }

  private async loop(): Promise<void> {
    let listed = false;
    while (!this.stopped) {
      try {
        if (!this.resourceVersion) {
          await this.list(listed);
          listed = true;
        }
        const q = new URLSearchParams({
          watch: '1', allowWatchBookmarks: 'true', timeoutSeconds: String(WATCH_TIMEOUT_SECONDS), resourceVersion: this.resourceVersion!,
        });
        await this.client.watch(`${resourcePath(this.r, undefined)}?${q}`, (type, object) => this.event(type, object), this.controller.signal);
      } catch (e) {
        if (this.stopped) {
          return;
        }
        if (e instanceof ApiError && e.code === 410) {
          this.resourceVersion = undefined;
          continue;
        }
        this.onError(`watching ${this.r.kind}: ${(e as Error).message} (retrying in ${RETRY_MS / 1000}s)`);
        this.resourceVersion = undefined;
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }

  private event(type: string, object: any): void {
    if (!object?.metadata) {
      return;
    }
    if (type === 'ERROR') {
      // A 410 inside the stream: list again after the stream ends.
      this.resourceVersion = undefined;
      this.controller.signal.aborted || this.onError(`watching ${this.r.kind}: ${object.message ?? 'watch error'}`);
      return;
    }
    this.resourceVersion = object.metadata.resourceVersion ?? this.resourceVersion;
    if (type === 'BOOKMARK') {
      return;
    }
    this.onEvent?.(this.r.group, this.r.kind);
    if (type === 'DELETED') {
      const key = this.key(object);
      const before = this.seen.get(key);
      if (before) {
        this.seen.delete(key);
        this.report(before.instance, object, 'deleted', true);
      }
      return;
    }
    this.observe(object, true);
  }
}

/** The watches of one cluster, one per kind the Applications track. */
export class LiveObjectWatch {
  private readonly kinds = new Map<string, KindWatch>();

  constructor(
    private readonly client: KubeClient, private readonly onChange: (c: LiveChange) => void, private readonly onError: (message: string) => void,
    /** Every event received (argocd_cluster_events_total). */
    private readonly onEvent?: (group: string, kind: string) => void,
  ) {}

  /** Watches exactly these kinds (apiVersion + kind): new ones start, dropped ones stop. Unknown kinds are skipped. */
  async watchKinds(kinds: ReadonlyArray<{ apiVersion: string; kind: string }>): Promise<void> {
    const wanted = new Map<string, ApiResource>();
    for (const k of kinds) {
      const r = await this.client.resourceFor(k.apiVersion, k.kind).catch(() => undefined);
      if (r && r.verbs.includes('watch')) {
        wanted.set(`${r.group}/${r.version}/${r.name}`, r);
      }
    }
    for (const [key, w] of this.kinds) {
      if (!wanted.has(key)) {
        w.stop();
        this.kinds.delete(key);
      }
    }
    for (const [key, r] of wanted) {
      if (!this.kinds.has(key)) {
        this.kinds.set(key, new KindWatch(this.client, r, this.onChange, this.onError, this.onEvent));
      }
    }
  }

  get watchedKinds(): number {
    return this.kinds.size;
  }

  async stop(): Promise<void> {
    const all = [...this.kinds.values()];
    this.kinds.clear();
    all.forEach((w) => w.stop());
    await Promise.all(all.map((w) => w.done));
  }
}
