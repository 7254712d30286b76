import { ApiResource, ApplyOptions, KubeApi, ObjectRef, RequestLimits } from '../kube/kube-api';
import { groupOf, KubeObject, keyOf, keyString } from '../model';

/** AppProjects are read by every Application's comparison and sync (project.ts): one read per run. */
function isAppProject(ref: ObjectRef): boolean {
  return ref.kind === 'AppProject' && groupOf(ref.apiVersion) === 'argoproj.io';
}

/**
 * The cluster-wide metadata-only lists every Application's live state needs to find the objects
 * it tracks (live-state.ts), read once per tree run and shared by all its Applications, as Argo
 * CD's controller shares one cluster cache between Applications. Without it each Application
 * (and each comparison after a sync) would list every kind of the whole cluster again.
 *
 * What the shared lists cannot know is kept correct where it matters: objects deleted through
 * this run are dropped from them; objects created during the run are desired by their
 * Application, which reads those by their own lists, never from here.
 *
 * AppProjects, which every Application's comparison and sync reads, are kept too (Argo CD's
 * controller reads them from its informer): read once, forgotten when written through this run;
 * a missing one is read again each time.
 */
export class SharedListCache {
  private readonly lists = new Map<string, Promise<KubeObject[]>>();
  private readonly deleted = new Set<string>();
  private readonly projects = new Map<string, Promise<KubeObject | undefined>>();

  /** `api` with cluster-wide metadata-only lists served from this cache. */
  view(api: KubeApi): KubeApi {
    return new CachedListsApi(api, this);
  }

  async list(r: ApiResource, read: () => Promise<KubeObject[]>): Promise<KubeObject[]> {
    const key = `${r.group}/${r.version}/${r.name}`;
    let items = this.lists.get(key);
    if (!items) {
      items = read();
      this.lists.set(key, items);
      // A failed list is not kept: the next Application asks the server again.
      items.catch(() => this.lists.delete(key));
    }
    const all = await items;
    return this.deleted.size === 0 ? all : all.filter((o) => !this.deleted.has(keyString(keyOf(o))));
  }

  forget(obj: ObjectRef): void {
    this.deleted.add(keyString(keyOf(obj as KubeObject)));
  }

  /** `read` of an AppProject, once per run; anything else is read every time. */
  get(ref: ObjectRef, read: () => Promise<KubeObject | undefined>): Promise<KubeObject | undefined> {
    if (!isAppProject(ref)) {
      return read();
    }
    const key = keyString(keyOf(ref as KubeObject));
    let got = this.projects.get(key);
    if (!got) {
      got = read();
      this.projects.set(key, got);
      // A missing project is not kept either: a parent's sync may apply it through another
      // cluster client (another cache) while its child waits for it (tree-sync.ts).
      got.then((o) => o === undefined && this.projects.delete(key), () => this.projects.delete(key));
    }
    return got.then((o) => (o === undefined ? undefined : structuredClone(o)));
  }

  /** An object written through this run: a kept AppProject is read again next time. */
  written(ref: ObjectRef): void {
    if (isAppProject(ref)) {
      this.projects.delete(keyString(keyOf(ref as KubeObject)));
    }
  }
}

class CachedListsApi implements KubeApi {
  constructor(private readonly inner: KubeApi, private readonly cache: SharedListCache) {}

  get warnedUnavailable(): Set<string> {
    return this.inner.warnedUnavailable;
  }

  resources(groupVersion: string): Promise<ApiResource[] | undefined> {
    return this.inner.resources(groupVersion);
  }

  resourceFor(apiVersion: string, kind: string): Promise<ApiResource | undefined> {
    return this.inner.resourceFor(apiVersion, kind);
  }

  serverGroupVersions(): Promise<string[]> {
    return this.inner.serverGroupVersions();
  }

  invalidateDiscovery(): void {
    this.inner.invalidateDiscovery();
  }

  allResources(): ReturnType<KubeApi['allResources']> {
    return this.inner.allResources();
  }

  withLimits(limits: Partial<RequestLimits>): KubeApi {
    return new CachedListsApi(this.inner.withLimits(limits), this.cache);
  }

  request(method: string, path: string, body?: unknown, contentType?: string, accept?: string): Promise<any> {
    return this.inner.request(method, path, body, contentType, accept);
  }

  get(obj: ObjectRef): Promise<KubeObject | undefined> {
    return this.cache.get(obj, () => this.inner.get(obj));
  }

  list(r: ApiResource, namespace?: string, metadataOnly?: boolean): Promise<KubeObject[]> {
    if (namespace === undefined && metadataOnly) {
      return this.cache.list(r, () => this.inner.list(r, undefined, true));
    }
    return this.inner.list(r, namespace, metadataOnly);
  }

  apply(obj: KubeObject, fieldManager: string, options?: ApplyOptions): Promise<KubeObject> {
    return this.write(obj, !!options?.dryRun, () => this.inner.apply(obj, fieldManager, options));
  }

  replace(obj: KubeObject, live: KubeObject | undefined, fieldManager: string, options?: ApplyOptions): Promise<KubeObject> {
    return this.write(obj, !!options?.dryRun, () => this.inner.replace(obj, live, fieldManager, options));
  }

  applyWithoutValidation(obj: KubeObject, live: KubeObject | undefined, fieldManager: string, dryRun?: boolean): Promise<KubeObject> {
    return this.write(obj, !!dryRun, () => this.inner.applyWithoutValidation(obj, live, fieldManager, dryRun));
  }

  create(obj: KubeObject, fieldManager: string): Promise<KubeObject> {
    return this.write(obj, false, () => this.inner.create(obj, fieldManager));
  }

  merge(obj: ObjectRef, patch: unknown, contentType?: string): Promise<KubeObject> {
    return this.write(obj, false, () => this.inner.merge(obj, patch, contentType));
  }

  async delete(obj: ObjectRef, propagationPolicy?: string, dryRun?: boolean): Promise<void> {
    await this.write(obj, !!dryRun, () => this.inner.delete(obj, propagationPolicy, dryRun));
    if (!dryRun) {
      this.cache.forget(obj);
    }
  }

  /** A write, after which (failed or not, unless a dry run) a kept copy of the object is stale. */
  private async write<T>(obj: ObjectRef, dryRun: boolean, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } finally {
      if (!dryRun) {
        this.cache.written(obj);
      }
    }
  }
}
