import { KubeObject } from '../model';

/** One resource type as discovery reports it. */
export interface ApiResource {
  readonly group: string;
  readonly version: string;
  /** Plural resource name (`deployments`). */
  readonly name: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
}

export interface ApplyOptions {
  readonly dryRun?: boolean;
  /** Take ownership of fields other managers own (Argo CD applies with force too). */
  readonly force?: boolean;
  /** `Strict` (default) rejects unknown fields; `Ignore` is `Validate=false`. */
  readonly fieldValidation?: 'Strict' | 'Ignore';
}

/** Bounds on the requests of one operation (see interruption.ts). */
export interface RequestLimits {
  /** Abort a request that has not completed after this long. */
  readonly timeoutMs: number;
  /** Once aborted, no new request starts (in-flight ones finish or time out). */
  readonly signal?: AbortSignal;
  /** Runs before every write (the sync Lease's fence check). */
  readonly beforeWrite?: () => Promise<void>;
}

/** What identifies an object for get/patch/delete. */
export type ObjectRef = Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>;

/**
 * Everything the engine asks of a Kubernetes API server. `KubeClient` (HTTPS) is the real
 * implementation; tests use an in-memory one (test/util/fake-kube.ts), so orchestration can be
 * unit-tested without a cluster. Failures are `ApiError`s carrying the HTTP status.
 */
export interface KubeApi {
  /** Unavailable group versions already warned about (once per client). */
  readonly warnedUnavailable: Set<string>;

  /** Resources of one group version; undefined when the server does not serve it. */
  resources(groupVersion: string): Promise<ApiResource[] | undefined>;
  resourceFor(apiVersion: string, kind: string): Promise<ApiResource | undefined>;
  /** Every group version the server serves, preferred version first within a group. */
  serverGroupVersions(): Promise<string[]>;
  /** Forgets discovery results (after CRDs were created). */
  invalidateDiscovery(): void;
  /** Every resource the server serves, and the group versions it could not serve right now. */
  allResources(): Promise<{ resources: ApiResource[]; unavailable: Array<{ groupVersion: string; reason: string }> }>;

  /** The same API with request limits (deadline, cancellation, a fence before writes). */
  withLimits(limits: Partial<RequestLimits>): KubeApi;
  /**
   * A raw REST call (the sync Lease's compare-and-swap writes, a pod's log); rejects with ApiError.
   * Resolves the parsed JSON body, or the body as text when `accept` is a `text/` type.
   */
  request(method: string, path: string, body?: unknown, contentType?: string, accept?: string): Promise<any>;

  /** The live object, or undefined when it does not exist. */
  get(obj: ObjectRef): Promise<KubeObject | undefined>;
  /** Lists a resource (all namespaces, or one); `metadataOnly` asks for PartialObjectMetadata. */
  list(r: ApiResource, namespace?: string, metadataOnly?: boolean): Promise<KubeObject[]>;

  /** Server-side apply with `fieldManager`. */
  apply(obj: KubeObject, fieldManager: string, options?: ApplyOptions): Promise<KubeObject>;
  /** `Replace=true`: PUT over `live` (with its resourceVersion), or POST when there is none. */
  replace(obj: KubeObject, live: KubeObject | undefined, fieldManager: string, options?: ApplyOptions): Promise<KubeObject>;
  /** `Validate=false`: POST, or JSON merge patch over `live`, with `fieldValidation=Ignore`. */
  applyWithoutValidation(obj: KubeObject, live: KubeObject | undefined, fieldManager: string, dryRun?: boolean): Promise<KubeObject>;
  create(obj: KubeObject, fieldManager: string): Promise<KubeObject>;
  /** Patches an object (JSON merge patch unless `contentType` says otherwise). */
  merge(obj: ObjectRef, patch: unknown, contentType?: string): Promise<KubeObject>;
  /** Deletes with a propagation policy; a missing object is not an error. */
  delete(obj: ObjectRef, propagationPolicy?: string, dryRun?: boolean): Promise<void>;
}
