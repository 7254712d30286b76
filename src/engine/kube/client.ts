import * as http from 'http';
import * as https from 'https';
import { URL } from 'url';
import { groupOf, KubeObject } from '../model';
import { ApiError } from './api-error';
import { k8s } from './client-node';
import { ApiResource, ApplyOptions, KubeApi, ObjectRef, RequestLimits } from './kube-api';
import { connectionOptions } from './kubeconfig';

export type { ApiResource, ApplyOptions, RequestLimits } from './kube-api';

/** Per-request deadline when the operation gives none: a hung API server must not hang the engine. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** The API server did not answer in time (hung, black-holed or overloaded). */
export class RequestTimeoutError extends Error {
  constructor(readonly server: string, method: string, path: string, timeoutMs: number) {
    super(`the API server at ${server} did not answer ${method} ${path.split('?')[0]} within ${timeoutMs / 1000}s (is it hung or unreachable?)`);
    this.name = 'RequestTimeoutError';
  }
}

/** A request refused because the operation was interrupted (signal, lost lease). */
export class RequestInterruptedError extends Error {
  constructor(readonly reason: string) {
    super(`not sent: ${reason}`);
    this.name = 'RequestInterruptedError';
  }
}

/** The reason an AbortSignal was aborted with, as text. */
export function abortReason(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  return r instanceof Error ? r.message : typeof r === 'string' ? r : 'interrupted';
}

/** URL path of a resource collection (or object, with `name`). */
export function resourcePath(r: ApiResource, namespace: string | undefined, name?: string): string {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const ns = r.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${r.name}${name ? `/${encodeURIComponent(name)}` : ''}`;
}

/**
 * A small REST client over one keep-alive HTTPS agent. Authentication comes from
 * `@kubernetes/client-node`'s KubeConfig; requests and JSON stay plain so objects round-trip
 * unchanged (no typed models) and thousands of requests reuse a few connections.
 */
export class KubeClient implements KubeApi {
  static async create(config: k8s.KubeConfig, maxSockets = 16): Promise<KubeClient> {
    const opts = await connectionOptions(config);
    const cluster = config.getCurrentCluster()!;
    return new KubeClient(new URL(cluster.server), opts, maxSockets);
  }

  private readonly agent: http.Agent;
  private readonly headers: Record<string, string>;
  private readonly groupVersions = new Map<string, Promise<ApiResource[] | undefined>>();
  /** The server's group versions, cached with each group version's resources (and shared with `withLimits` copies). */
  private readonly served: { versions?: Promise<string[]> } = {};
  /** State shared with `withLimits` copies: the watch agent. */
  private readonly shared: { watchAgent?: http.Agent } = {};
  /** Unavailable group versions already warned about (warn once per client). */
  readonly warnedUnavailable = new Set<string>();
  private limits: RequestLimits = { timeoutMs: DEFAULT_REQUEST_TIMEOUT_MS };

  private constructor(readonly server: URL, base: https.RequestOptions, maxSockets: number) {
    const agentOptions = {
      keepAlive: true,
      maxSockets,
      ca: base.ca,
      cert: base.cert,
      key: base.key,
      rejectUnauthorized: base.rejectUnauthorized,
      servername: base.servername,
    };
    this.agent = server.protocol === 'http:' ? new http.Agent({ keepAlive: true, maxSockets }) : new https.Agent(agentOptions);
    this.headers = {};
    for (const [k, v] of Object.entries(base.headers ?? {})) {
      if (typeof v === 'string') {
        this.headers[k] = v;
      }
    }
    if (base.auth) {
      this.headers.Authorization = `Basic ${Buffer.from(base.auth).toString('base64')}`;
    }
  }

  /** Closes idle keep-alive connections so the process can exit. */
  close(): void {
    this.agent.destroy();
    this.shared.watchAgent?.destroy();
  }

  /**
   * The same client (connections, discovery cache) with other request limits: the per-request
   * deadline of an operation, its cancellation signal, a fence check before writes.
   */
  withLimits(limits: Partial<RequestLimits>): KubeClient {
    const scoped: KubeClient = Object.create(KubeClient.prototype);
    Object.assign(scoped, this);
    scoped.limits = { ...this.limits, ...limits };
    return scoped;
  }

  /** The per-request deadline in effect. */
  get requestTimeoutMs(): number {
    return this.limits.timeoutMs;
  }

  async request(method: string, path: string, body?: unknown, contentType = 'application/json', accept = 'application/json'): Promise<any> {
    const { signal, beforeWrite, timeoutMs } = this.limits;
    if (signal?.aborted) {
      throw new RequestInterruptedError(abortReason(signal));
    }
    if (beforeWrite && method !== 'GET') {
      await beforeWrite();
    }
    const url = new URL(path, this.server);
    const payload = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const mod = url.protocol === 'http:' ? http : https;
    return new Promise((resolve, reject) => {
      let timedOut = false;
      // One deadline for the whole exchange (connect, headers, body): a stopped server accepts
      // the TCP connection (the kernel does) and then never answers.
      const timer = setTimeout(() => {
        timedOut = true;
        req.destroy();
        reject(new RequestTimeoutError(this.server.origin, method, path, timeoutMs));
      }, timeoutMs);
      const fail = (e: Error) => {
        clearTimeout(timer);
        if (!timedOut) {
          reject(e);
        }
      };
      const req = mod.request(url, {
        method,
        agent: this.agent,
        headers: { ...this.headers, Accept: accept, ...(payload ? { 'Content-Type': contentType, 'Content-Length': payload.length } : {}) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: any;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          clearTimeout(timer);
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            // A text answer (a pod's log) is the text itself, even when it happens to parse as JSON.
            resolve(accept.startsWith('text/') ? text : json);
          } else {
            reject(new ApiError(status, json?.reason ?? String(status), json?.message ?? (text.trim() || `HTTP ${status}`), json?.details));
          }
        });
        res.on('error', fail);
      });
      req.on('error', (e) => fail(new Error(`cannot reach the API server at ${this.server.origin}: ${e.message}`)));
      if (payload) {
        req.write(payload);
      }
      req.end();
    });
  }

  /** Watches hold their connection open: they get their own agent, so they never queue requests behind them. */
  private watchAgent(): http.Agent {
    const shared = this.shared;
    if (!shared.watchAgent) {
      const options = (this.agent as https.Agent).options;
      shared.watchAgent = this.server.protocol === 'http:' ? new http.Agent({ keepAlive: true }) : new https.Agent({ ...options, maxSockets: Infinity });
    }
    return shared.watchAgent;
  }

  /**
   * A Kubernetes watch (`path` with `?watch=1…`): calls `onEvent` for each event of the stream
   * until the server closes it (its `timeoutSeconds`) or `signal` aborts, then resolves. An HTTP
   * error rejects with ApiError (410 Gone: list again). No per-request deadline: the stream is
   * meant to stay open; the server's timeoutSeconds bounds it.
   */
  watch(path: string, onEvent: (type: string, object: any) => void, signal: AbortSignal): Promise<void> {
    const url = new URL(path, this.server);
    const mod = url.protocol === 'http:' ? http : https;
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        resolve();
        return;
      }
      const req = mod.request(url, { method: 'GET', agent: this.watchAgent(), headers: { ...this.headers, Accept: 'application/json' } }, (res) => {
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: any;
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
            reject(new ApiError(status, json?.reason ?? String(status), json?.message ?? (text.trim() || `HTTP ${status}`)));
          });
          return;
        }
        let pending = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          pending += chunk;
          for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
            const line = pending.slice(0, nl).trim();
            pending = pending.slice(nl + 1);
            if (line) {
              try {
                const event = JSON.parse(line);
                onEvent(event.type, event.object);
              } catch {
                // A line that is not JSON is not an event.
              }
            }
          }
        });
        res.on('end', () => resolve());
        res.on('error', () => resolve());
      });
      const onAbort = () => req.destroy();
      signal.addEventListener('abort', onAbort, { once: true });
      req.on('close', () => signal.removeEventListener('abort', onAbort));
      req.on('error', (e) => (signal.aborted ? resolve() : reject(new Error(`cannot reach the API server at ${this.server.origin}: ${e.message}`))));
      req.end();
    });
  }

  /** Resources of one group version; undefined when the server does not serve it. */
  resources(groupVersion: string): Promise<ApiResource[] | undefined> {
    let p = this.groupVersions.get(groupVersion);
    if (!p) {
      const path = groupVersion.includes('/') ? `/apis/${groupVersion}` : `/api/${groupVersion}`;
      const [group, version] = groupVersion.includes('/') ? groupVersion.split('/') : ['', groupVersion];
      p = this.request('GET', path).then(
        (list) => (list.resources as any[]).filter((r) => !r.name.includes('/')).map((r) => ({
          group, version, name: r.name, kind: r.kind, namespaced: r.namespaced, verbs: r.verbs ?? [],
        })),
        (e) => {
          if (e instanceof ApiError && e.code === 404) {
            return undefined;
          }
          if (e instanceof ApiError) {
            throw new ApiError(e.code, e.reason, `the API server cannot describe ${groupVersion} (its APIService may be unavailable): ${e.message}`, e.details);
          }
          throw e;
        });
      this.groupVersions.set(groupVersion, p);
    }
    return p;
  }

  /** Forgets discovery results (after CRDs were created). */
  invalidateDiscovery(): void {
    this.groupVersions.clear();
    this.served.versions = undefined;
  }

  async resourceFor(apiVersion: string, kind: string): Promise<ApiResource | undefined> {
    return (await this.resources(apiVersion))?.find((r) => r.kind === kind);
  }

  /**
   * Every resource of every group version the server serves (preferred versions), skipping
   * group versions the server cannot describe right now — typically an APIService whose backing
   * Service is missing (503) — as kubectl and Argo CD's cluster cache do. The skipped ones are
   * returned so callers can say what they could not see.
   */
  async allResources(): Promise<{ resources: ApiResource[]; unavailable: Array<{ groupVersion: string; reason: string }> }> {
    const resources: ApiResource[] = [];
    const unavailable: Array<{ groupVersion: string; reason: string }> = [];
    const versions = await this.serverGroupVersions();
    const found = await Promise.all(versions.map((gv) => this.resources(gv).then(
      (rs) => ({ gv, rs, reason: undefined as string | undefined }),
      (e) => {
        // A timeout or lost connection is the whole server failing, not one group: let it surface.
        if (!(e instanceof ApiError)) {
          throw e;
        }
        // Forget the failure so a later discovery tries again.
        this.groupVersions.delete(gv);
        return { gv, rs: undefined, reason: `${e.code} ${e.message}` };
      })));
    for (const { gv, rs, reason } of found) {
      if (reason !== undefined) {
        unavailable.push({ groupVersion: gv, reason });
      }
      resources.push(...(rs ?? []));
    }
    return { resources, unavailable };
  }

  /**
   * Every group version the server serves, preferred version first within a group. Asked once
   * per client until {@link invalidateDiscovery}, like each group version's resources: every
   * Application's live state needs it, and a tree run reconciles dozens of Applications (Argo CD's
   * cluster cache, too, keeps discovery rather than asking again per Application).
   */
  serverGroupVersions(): Promise<string[]> {
    let versions = this.served.versions;
    if (!versions) {
      versions = this.fetchServerGroupVersions();
      const asked = versions;
      this.served.versions = asked;
      // A failure is not kept: the next caller asks the server again.
      asked.catch(() => {
        if (this.served.versions === asked) {
          this.served.versions = undefined;
        }
      });
    }
    return versions;
  }

  private async fetchServerGroupVersions(): Promise<string[]> {
    // Both at once; when both fail, the core group's error is the one reported.
    const coreAnswer = this.request('GET', '/api');
    const groupsAnswer = this.request('GET', '/apis');
    groupsAnswer.catch(() => undefined);
    const core = await coreAnswer;
    const groups = await groupsAnswer;
    const out: string[] = [...(core.versions as string[])];
    for (const g of groups.groups as any[]) {
      out.push(g.preferredVersion.groupVersion);
    }
    return out;
  }

  private async mustResource(obj: KubeObject): Promise<ApiResource> {
    const r = await this.resourceFor(obj.apiVersion, obj.kind);
    if (!r) {
      throw new ApiError(404, 'NotFound', `the server does not know ${obj.kind} in ${obj.apiVersion} (is its CRD installed?)`);
    }
    return r;
  }

  async get(obj: ObjectRef): Promise<KubeObject | undefined> {
    const r = await this.mustResource(obj as KubeObject);
    try {
      return await this.request('GET', resourcePath(r, obj.metadata.namespace, obj.metadata.name));
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) {
        return undefined;
      }
      throw e;
    }
  }

  /** Lists a resource (all namespaces, or one); `metadataOnly` asks for PartialObjectMetadata. */
  async list(r: ApiResource, namespace?: string, metadataOnly = false): Promise<KubeObject[]> {
    const accept = metadataOnly ? 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json' : 'application/json';
    const items: KubeObject[] = [];
    let cont: string | undefined;
    do {
      const q = `?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`;
      const res = await this.request('GET', `${resourcePath(r, namespace)}${q}`, undefined, undefined, accept);
      const apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
      for (const item of res.items ?? []) {
        // List items carry no apiVersion/kind, metadata-list items say PartialObjectMetadata: set
        // the real ones, first in key order as in a GET (diffs line up).
        const o = { apiVersion, kind: r.kind, ...item };
        o.apiVersion = apiVersion;
        o.kind = r.kind;
        items.push(o);
      }
      cont = res.metadata?.continue || undefined;
    } while (cont);
    return items;
  }

  /** Server-side apply (`application/apply-patch+yaml`) with our field manager. */
  async apply(obj: KubeObject, fieldManager: string, options: ApplyOptions = {}): Promise<KubeObject> {
    const r = await this.mustResource(obj);
    const q = new URLSearchParams({ fieldManager, fieldValidation: options.fieldValidation ?? 'Strict' });
    if (options.force) {
      q.set('force', 'true');
    }
    if (options.dryRun) {
      q.set('dryRun', 'All');
    }
    return this.request('PATCH', `${resourcePath(r, obj.metadata.namespace, obj.metadata.name)}?${q}`, obj, 'application/apply-patch+yaml');
  }

  /** `Replace=true`: PUT over the live object (or create it). */
  async replace(obj: KubeObject, live: KubeObject | undefined, fieldManager: string, options: ApplyOptions = {}): Promise<KubeObject> {
    const r = await this.mustResource(obj);
    const q = new URLSearchParams({ fieldManager, fieldValidation: options.fieldValidation ?? 'Strict' });
    if (options.dryRun) {
      q.set('dryRun', 'All');
    }
    if (!live) {
      return this.request('POST', `${resourcePath(r, obj.metadata.namespace)}?${q}`, obj);
    }
    const body = { ...obj, metadata: { ...obj.metadata, resourceVersion: live.metadata.resourceVersion } };
    return this.request('PUT', `${resourcePath(r, obj.metadata.namespace, obj.metadata.name)}?${q}`, body);
  }

  /**
   * `Validate=false`: server-side apply rejects unknown fields whatever `fieldValidation` says,
   * so create or JSON-merge-patch the object with `fieldValidation=Ignore` (the server drops
   * unknown fields), as `kubectl apply --validate=false` does client-side.
   */
  async applyWithoutValidation(obj: KubeObject, live: KubeObject | undefined, fieldManager: string, dryRun = false): Promise<KubeObject> {
    const r = await this.mustResource(obj);
    const q = new URLSearchParams({ fieldManager, fieldValidation: 'Ignore' });
    if (dryRun) {
      q.set('dryRun', 'All');
    }
    if (!live) {
      return this.request('POST', `${resourcePath(r, obj.metadata.namespace)}?${q}`, obj);
    }
    return this.request('PATCH', `${resourcePath(r, obj.metadata.namespace, obj.metadata.name)}?${q}`, obj, 'application/merge-patch+json');
  }

  async create(obj: KubeObject, fieldManager: string): Promise<KubeObject> {
    const r = await this.mustResource(obj);
    return this.request('POST', `${resourcePath(r, obj.metadata.namespace)}?fieldManager=${encodeURIComponent(fieldManager)}`, obj);
  }

  async merge(obj: ObjectRef, patch: unknown, contentType = 'application/merge-patch+json'): Promise<KubeObject> {
    const r = await this.mustResource(obj as KubeObject);
    return this.request('PATCH', resourcePath(r, obj.metadata.namespace, obj.metadata.name), patch, contentType);
  }

  /** Deletes with a propagation policy; a missing object is not an error. */
  async delete(obj: ObjectRef, propagationPolicy = 'Foreground', dryRun = false): Promise<void> {
    const r = await this.mustResource(obj as KubeObject);
    try {
      // With a DeleteOptions body the server ignores query parameters: dryRun must be in the body.
      await this.request('DELETE', resourcePath(r, obj.metadata.namespace, obj.metadata.name), {
        apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy, ...(dryRun ? { dryRun: ['All'] } : {}),
      });
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 404)) {
        throw e;
      }
    }
  }

  /** Whether a kind is namespaced, or undefined when unknown (for the planner). */
  async scopeOf(apiVersion: string, kind: string): Promise<boolean | undefined> {
    return (await this.resourceFor(apiVersion, kind))?.namespaced;
  }

  /** Preloads discovery for the group versions used by `objs`. */
  async discover(objs: readonly KubeObject[]): Promise<void> {
    await Promise.all([...new Set(objs.map((o) => o.apiVersion))].map((gv) => this.resources(gv)));
  }
}

export { groupOf };
