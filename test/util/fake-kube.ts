/**
 * An in-memory Kubernetes API for fast unit tests of the sync engine (the engine's `KubeApi`).
 *
 * What it does: an object store keyed by group/kind/namespace/name with uid, resourceVersion
 * (bumped on every change), generation (bumped when anything but metadata and status changes)
 * and creationTimestamp; a discovery table; dry runs that compute the answer without storing it;
 * `deletionTimestamp` + finalizers (an object with finalizers stays, terminating, until they are
 * removed); resourceVersion preconditions on PUT and patches (409); namespaced writes into a
 * missing Namespace fail with 404 as on a real server; `status` is never taken from a write — a
 * test sets it with `setStatus` or a `statusOnWrite` rule (a Job completing, a Deployment turning
 * Healthy or Degraded), and may refuse writes with `refuse` (422 immutable field, 409, …).
 *
 * What it does not simulate (the e2e tests against the real control plane cover these): schema
 * validation and defaulting (no `fieldValidation`), managed fields and apply conflicts (server-side
 * apply here is a deep merge of the applied object over the live one: fields dropped from the
 * applied object are not removed), the garbage collector and propagation policies (no owner
 * references are followed), controllers (nothing runs a Job or rolls out a Deployment unless the
 * test says so), watch, admission, metadata-only list projections beyond metadata, request
 * deadlines and cancellation (`withLimits` returns the fake itself), and raw `request` calls
 * other than on namespaced objects (the sync Lease), pod logs (`setPodLog`) and server-side applies of YAML text.
 */
import { parse } from 'yaml';
import { ApiError } from '../../src/engine/kube/api-error';
import { ApiResource, ApplyOptions, KubeApi, ObjectRef, RequestLimits } from '../../src/engine/kube/kube-api';
import { groupOf, KubeObject, keyOf, keyString } from '../../src/engine/model';

/** One request the fake served, for assertions on what the engine sent (`'apply ConfigMap ns/a (dry run)'`). */
export interface FakeRequest {
  readonly verb: 'get' | 'list' | 'apply' | 'replace' | 'create' | 'patch' | 'delete';
  readonly key: string;
  readonly dryRun: boolean;
  readonly propagationPolicy?: string;
}

/** Passed to `refuse` rules: a write about to happen. */
export interface FakeWrite {
  readonly verb: FakeRequest['verb'];
  readonly obj: KubeObject;
  /** The stored object it would change, if any. */
  readonly live?: KubeObject;
  readonly dryRun: boolean;
}

const DEFAULT_KINDS: Array<[string, string, boolean, string]> = [
  ['v1', 'Namespace', false, 'namespaces'],
  ['v1', 'ConfigMap', true, 'configmaps'],
  ['v1', 'Secret', true, 'secrets'],
  ['v1', 'Service', true, 'services'],
  ['v1', 'ServiceAccount', true, 'serviceaccounts'],
  ['v1', 'Pod', true, 'pods'],
  ['apps/v1', 'Deployment', true, 'deployments'],
  ['apps/v1', 'StatefulSet', true, 'statefulsets'],
  ['batch/v1', 'Job', true, 'jobs'],
  ['coordination.k8s.io/v1', 'Lease', true, 'leases'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRole', false, 'clusterroles'],
  ['apiextensions.k8s.io/v1', 'CustomResourceDefinition', false, 'customresourcedefinitions'],
];

const clone = <T>(v: T): T => (v === undefined ? v : JSON.parse(JSON.stringify(v)));

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge for server-side apply: applied fields win, lists are replaced whole. */
function deepMerge(live: any, applied: any): any {
  if (!isObject(live) || !isObject(applied)) {
    return clone(applied);
  }
  const out: Record<string, any> = { ...clone(live) };
  for (const [k, v] of Object.entries(applied)) {
    out[k] = deepMerge(live[k], v);
  }
  return out;
}

/** RFC 7386 JSON merge patch. */
function mergePatch(target: any, patch: any): any {
  if (!isObject(patch)) {
    return clone(patch);
  }
  const out: Record<string, any> = isObject(target) ? { ...clone(target) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      delete out[k];
    } else {
      out[k] = mergePatch(out[k], v);
    }
  }
  return out;
}

function specOf(o: KubeObject): string {
  const { metadata: _m, status: _s, ...rest } = o;
  return JSON.stringify(rest);
}

export class FakeKube implements KubeApi {
  /** Every request served, in order. */
  readonly requests: FakeRequest[] = [];
  private readonly objects = new Map<string, KubeObject>();
  private readonly kinds: ApiResource[] = [];
  private readonly statusRules: Array<{ kind: string; rule: (obj: KubeObject) => Record<string, any> | undefined }> = [];
  private readonly refusals: Array<(w: FakeWrite) => ApiError | undefined> = [];
  private readonly podLogs = new Map<string, string>();
  private version = 1;
  private uids = 1;
  discoveryInvalidations = 0;
  readonly warnedUnavailable = new Set<string>();

  constructor() {
    for (const [apiVersion, kind, namespaced, plural] of DEFAULT_KINDS) {
      this.addKind(apiVersion, kind, namespaced, plural);
    }
  }

  // ---- test controls -----------------------------------------------------------------------

  addKind(apiVersion: string, kind: string, namespaced: boolean, plural = `${kind.toLowerCase()}s`): this {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    this.kinds.push({ group, version, name: plural, kind, namespaced, verbs: ['get', 'list', 'create', 'update', 'patch', 'delete'] });
    return this;
  }

  /** Stores objects as they are (namespaces first), like `kubectl create` before the test. */
  seed(...objs: KubeObject[]): this {
    for (const o of objs) {
      this.store(clone(o), undefined);
    }
    return this;
  }

  /** The stored object, or undefined. */
  peek(apiVersion: string, kind: string, namespace: string, name: string): KubeObject | undefined {
    return clone(this.objects.get(keyString({ group: groupOf(apiVersion), kind, namespace, name })));
  }

  /** Every stored object, as `Kind namespace/name` strings (sorted). */
  names(): string[] {
    return [...this.objects.values()].map((o) => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`).sort();
  }

  /** Sets the status of a stored object (a controller reporting progress). */
  setStatus(apiVersion: string, kind: string, namespace: string, name: string, status: Record<string, any>): void {
    const k = keyString({ group: groupOf(apiVersion), kind, namespace, name });
    const o = this.objects.get(k);
    if (!o) {
      throw new Error(`fake: no ${kind} ${namespace}/${name} to set the status of`);
    }
    this.objects.set(k, { ...o, status: clone(status), metadata: { ...o.metadata, resourceVersion: String(++this.version) } });
  }

  /** After every real write of `kind`, sets the status `rule` returns (e.g. a Job completes at once). */
  statusOnWrite(kind: string, rule: (obj: KubeObject) => Record<string, any> | undefined): this {
    this.statusRules.push({ kind, rule });
    return this;
  }

  /** The log a container of a pod serves (`GET .../pods/<name>/log?container=`), as a kubelet would. */
  setPodLog(namespace: string, pod: string, container: string, text: string): this {
    this.podLogs.set(`${namespace}/${pod}/${container}`, text);
    return this;
  }

  /** Refuses writes for which `rule` returns an error (e.g. 422 for an immutable field). */
  refuse(rule: (w: FakeWrite) => ApiError | undefined): this {
    this.refusals.push(rule);
    return this;
  }

  /** Writes as readable strings, `apply ConfigMap dest/a (dry run)`; the sync lock's Lease is left out. */
  log(verbs: ReadonlyArray<FakeRequest['verb']> = ['apply', 'replace', 'create', 'patch', 'delete']): string[] {
    return this.requests.filter((r) => verbs.includes(r.verb) && !r.key.startsWith('coordination.k8s.io/Lease/'))
      .map((r) => {
        const [, kind, namespace, name] = r.key.split('/');
        return `${r.verb} ${kind} ${namespace ? `${namespace}/` : ''}${name}${r.dryRun ? ' (dry run)' : ''}`;
      });
  }

  /** Only the real writes (no dry runs, no finalizer patches). */
  writes(): string[] {
    return this.log(['apply', 'replace', 'create', 'delete']).filter((l) => !l.endsWith('(dry run)'));
  }

  // ---- discovery ---------------------------------------------------------------------------

  async resources(groupVersion: string): Promise<ApiResource[] | undefined> {
    const found = this.kinds.filter((r) => (r.group ? `${r.group}/${r.version}` : r.version) === groupVersion);
    return found.length > 0 ? found : undefined;
  }

  async resourceFor(apiVersion: string, kind: string): Promise<ApiResource | undefined> {
    return (await this.resources(apiVersion))?.find((r) => r.kind === kind);
  }

  async serverGroupVersions(): Promise<string[]> {
    return [...new Set(this.kinds.map((r) => (r.group ? `${r.group}/${r.version}` : r.version)))];
  }

  invalidateDiscovery(): void {
    this.discoveryInvalidations++;
  }

  async allResources(): Promise<{ resources: ApiResource[]; unavailable: Array<{ groupVersion: string; reason: string }> }> {
    return { resources: [...this.kinds], unavailable: [] };
  }

  /** Request deadlines, cancellation and the write fence are not simulated: the same fake. */
  withLimits(_limits: Partial<RequestLimits>): KubeApi {
    return this;
  }

  /** Raw REST calls on `/api[s]/<gv>/namespaces/<ns>/<plural>[/<name>]` (what the sync Lease uses). */
  async request(method: string, path: string, body?: any, contentType?: string, accept = 'application/json'): Promise<any> {
    if (method === 'PATCH' && contentType === 'application/apply-patch+yaml' && typeof body === 'string') {
      // Server-side apply of a manifest sent as text (install-crds): the same as `apply`.
      return this.apply(parse(body) as KubeObject, new URLSearchParams(path.split('?')[1]).get('fieldManager') ?? '');
    }
    const log = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/?]+)\/log\?(.*)$/.exec(path);
    if (method === 'GET' && log) {
      // As kube-apiserver (1.36) negotiates pods/log: `Accept: text/plain` alone is 406 Not Acceptable.
      if (!accept.split(',').some((t) => ['*/*', 'application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'].includes(t.trim()))) {
        throw new ApiError(406, 'NotAcceptable', 'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf');
      }
      return this.podLog(decodeURIComponent(log[1]), decodeURIComponent(log[2]), new URLSearchParams(log[3]));
    }
    const m = /^\/apis?\/(.+)\/namespaces\/([^/]+)\/([^/?]+)(?:\/([^/?]+))?/.exec(path);
    const kind = m && this.kinds.find((r) => (r.group ? `${r.group}/${r.version}` : r.version) === m[1] && r.name === m[3]);
    if (!m || !kind) {
      throw new ApiError(404, 'NotFound', `fake: no route for ${method} ${path}`);
    }
    const ref = { apiVersion: m[1], kind: kind.kind, metadata: { namespace: m[2], name: m[4] ?? body?.metadata?.name } };
    const k = await this.keyFor(ref);
    switch (method) {
      case 'POST':
        return this.createObject({ ...body, apiVersion: m[1], kind: kind.kind, metadata: { ...body.metadata, namespace: m[2] } }, false);
      case 'GET':
        return clone(this.mustExist(k, ref));
      case 'PUT': {
        const stored = this.mustExist(k, ref);
        this.precondition(stored, body.metadata?.resourceVersion);
        return this.write('replace', k, body, stored, { ...clone(body), apiVersion: m[1], kind: kind.kind, metadata: { ...body.metadata, namespace: m[2] } }, false);
      }
      case 'PATCH':
        return this.merge(ref, body);
      case 'DELETE': {
        const stored = this.mustExist(k, ref);
        this.precondition(stored, body?.preconditions?.resourceVersion);
        return this.delete(ref, body?.propagationPolicy);
      }
      default:
        throw new ApiError(405, 'MethodNotAllowed', `fake: ${method} ${path}`);
    }
  }

  /** A pod's log: 404 without the pod, 400 without a log set for the container (as a kubelet that cannot be reached). */
  private podLog(namespace: string, pod: string, q: URLSearchParams): string {
    this.requests.push({ verb: 'get', key: `/Pod/${namespace}/${pod}/log`, dryRun: false });
    if (!this.objects.get(keyString({ group: '', kind: 'Pod', namespace, name: pod }))) {
      throw new ApiError(404, 'NotFound', `pods "${pod}" not found`);
    }
    const text = this.podLogs.get(`${namespace}/${pod}/${q.get('container')}`);
    if (text === undefined) {
      throw new ApiError(400, 'BadRequest', `fake: no log for container ${q.get('container')} of pod ${namespace}/${pod}`);
    }
    const tail = q.get('tailLines');
    return tail ? text.split('\n').slice(-Number(tail) - (text.endsWith('\n') ? 1 : 0)).join('\n') : text;
  }

  // ---- reads -------------------------------------------------------------------------------

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    const k = await this.keyFor(ref);
    this.requests.push({ verb: 'get', key: k, dryRun: false });
    return clone(this.objects.get(k));
  }

  async list(r: ApiResource, namespace?: string, metadataOnly = false): Promise<KubeObject[]> {
    this.requests.push({ verb: 'list', key: `${r.group}/${r.kind}/${namespace ?? ''}`, dryRun: false });
    return [...this.objects.values()]
      .filter((o) => groupOf(o.apiVersion) === r.group && o.kind === r.kind && (namespace === undefined || o.metadata.namespace === namespace))
      .map((o) => (metadataOnly ? { apiVersion: o.apiVersion, kind: o.kind, metadata: clone(o.metadata) } : clone(o)));
  }

  // ---- writes ------------------------------------------------------------------------------

  async apply(obj: KubeObject, _fieldManager: string, options: ApplyOptions = {}): Promise<KubeObject> {
    const k = await this.keyFor(obj);
    const live = this.objects.get(k);
    return this.write('apply', k, obj, live, live ? deepMerge(live, obj) : clone(obj), !!options.dryRun);
  }

  async replace(obj: KubeObject, live: KubeObject | undefined, fieldManager: string, options: ApplyOptions = {}): Promise<KubeObject> {
    if (!live) {
      return this.createObject(obj, !!options.dryRun);
    }
    const k = await this.keyFor(obj);
    const stored = this.mustExist(k, obj);
    this.precondition(stored, live.metadata.resourceVersion);
    void fieldManager;
    return this.write('replace', k, obj, stored, { ...clone(obj), status: clone(stored.status) }, !!options.dryRun);
  }

  async applyWithoutValidation(obj: KubeObject, live: KubeObject | undefined, _fieldManager: string, dryRun = false): Promise<KubeObject> {
    if (!live) {
      return this.createObject(obj, dryRun);
    }
    const k = await this.keyFor(obj);
    const stored = this.mustExist(k, obj);
    return this.write('patch', k, obj, stored, mergePatch(stored, obj), dryRun);
  }

  async create(obj: KubeObject, _fieldManager: string): Promise<KubeObject> {
    return this.createObject(obj, false);
  }

  async merge(ref: ObjectRef, patch: any): Promise<KubeObject> {
    const k = await this.keyFor(ref);
    const stored = this.mustExist(k, ref);
    this.precondition(stored, patch?.metadata?.resourceVersion);
    const next = mergePatch(stored, patch);
    next.metadata.resourceVersion = stored.metadata.resourceVersion;
    return this.write('patch', k, next, stored, next, false);
  }

  async delete(ref: ObjectRef, propagationPolicy = 'Foreground', dryRun = false): Promise<void> {
    const k = await this.keyFor(ref);
    this.requests.push({ verb: 'delete', key: k, dryRun, propagationPolicy });
    const stored = this.objects.get(k);
    if (!stored || dryRun) {
      return;
    }
    if ((stored.metadata.finalizers ?? []).length > 0) {
      if (!stored.metadata.deletionTimestamp) {
        const metadata = { ...stored.metadata, deletionTimestamp: new Date(0).toISOString(), resourceVersion: String(++this.version) };
        this.objects.set(k, { ...stored, metadata });
      }
      return;
    }
    this.objects.delete(k);
  }

  // ---- internals ---------------------------------------------------------------------------

  private async createObject(obj: KubeObject, dryRun: boolean): Promise<KubeObject> {
    const k = await this.keyFor(obj);
    if (this.objects.has(k)) {
      throw new ApiError(409, 'AlreadyExists', `${obj.kind.toLowerCase()}s "${obj.metadata.name}" already exists`);
    }
    return this.write('create', k, obj, undefined, clone(obj), dryRun);
  }

  private write(verb: FakeRequest['verb'], k: string, sent: KubeObject, live: KubeObject | undefined, next: KubeObject, dryRun: boolean): KubeObject {
    this.requests.push({ verb, key: k, dryRun });
    for (const refuse of this.refusals) {
      const e = refuse({ verb, obj: clone(sent), live: clone(live), dryRun });
      if (e) {
        throw e;
      }
    }
    const ns = sent.metadata.namespace;
    if (ns && !this.objects.has(keyString({ group: '', kind: 'Namespace', namespace: '', name: ns }))) {
      throw new ApiError(404, 'NotFound', `namespaces "${ns}" not found`);
    }
    if (!live) {
      delete next.status;
    } else if (verb !== 'patch' || sent.status === undefined) {
      next.status = clone(live.status);
    }
    return dryRun ? this.finalize(next, live) : this.store(next, live);
  }

  /** Server-owned metadata: uid, creationTimestamp, resourceVersion, generation. */
  private finalize(next: KubeObject, live: KubeObject | undefined): KubeObject {
    const metadata = { ...next.metadata };
    metadata.uid = live?.metadata.uid ?? `uid-${this.uids}`;
    metadata.creationTimestamp = live?.metadata.creationTimestamp ?? new Date(0).toISOString();
    metadata.resourceVersion = String(this.version + 1);
    metadata.generation = live ? (live.metadata.generation ?? 1) + (specOf(next) !== specOf(live) ? 1 : 0) : 1;
    if (live?.metadata.deletionTimestamp) {
      metadata.deletionTimestamp = live.metadata.deletionTimestamp;
    }
    const out: KubeObject = { ...next, metadata };
    if (out.status === undefined) {
      delete out.status;
    }
    return out;
  }

  private store(next: KubeObject, live: KubeObject | undefined): KubeObject {
    const out = this.finalize(next, live);
    if (!live) {
      this.uids++;
    }
    this.version++;
    for (const { kind, rule } of this.statusRules) {
      const status = kind === out.kind ? rule(out) : undefined;
      if (status) {
        out.status = clone(status);
      }
    }
    const k = keyString(keyOf(out));
    if (out.metadata.deletionTimestamp && (out.metadata.finalizers ?? []).length === 0) {
      this.objects.delete(k);
    } else {
      this.objects.set(k, out);
    }
    return clone(out);
  }

  private async keyFor(ref: ObjectRef): Promise<string> {
    const r = await this.resourceFor(ref.apiVersion, ref.kind);
    if (!r) {
      throw new ApiError(404, 'NotFound', `the server does not know ${ref.kind} in ${ref.apiVersion} (is its CRD installed?)`);
    }
    return keyString({ group: r.group, kind: r.kind, namespace: r.namespaced ? ref.metadata.namespace ?? '' : '', name: ref.metadata.name ?? '' });
  }

  private mustExist(k: string, ref: ObjectRef): KubeObject {
    const stored = this.objects.get(k);
    if (!stored) {
      throw new ApiError(404, 'NotFound', `${ref.kind.toLowerCase()}s "${ref.metadata.name}" not found`);
    }
    return stored;
  }

  private precondition(stored: KubeObject, resourceVersion: string | undefined): void {
    if (resourceVersion !== undefined && resourceVersion !== stored.metadata.resourceVersion) {
      throw new ApiError(409, 'Conflict', 'the object has been modified; please apply your changes to the latest version and try again');
    }
  }
}

/** Status of a Job that completed / failed (what the Job controller reports). */
export const JOB_COMPLETE = { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] };
export const JOB_FAILED = { failed: 1, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }] };

/** Status of a Deployment whose rollout finished. */
export function deploymentAvailable(obj: KubeObject): Record<string, any> {
  const replicas = obj.spec?.replicas ?? 1;
  return { observedGeneration: obj.metadata.generation, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas };
}

/** Status of a Deployment that exceeded its progress deadline (Degraded). */
export function deploymentStuck(obj: KubeObject): Record<string, any> {
  return {
    observedGeneration: obj.metadata.generation,
    replicas: 1,
    conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
  };
}
