/**
 * Which Application objects an ApplicationSet reconcile creates, updates and deletes, decided the
 * way Argo CD v3.5's ApplicationSet controller decides it (applicationset_controller.go:
 * `createOrUpdateInCluster`, `createInCluster`, `deleteInCluster`). Pure: the caller reads the
 * cluster and writes the result.
 */
import { isDeepStrictEqual } from 'util';

/** `spec.syncPolicy.applicationsSync`. */
export type ApplicationsSyncPolicy = 'create-only' | 'create-update' | 'create-delete' | 'sync';

const POLICIES: readonly ApplicationsSyncPolicy[] = ['create-only', 'create-update', 'create-delete', 'sync'];

/** Annotations Argo CD always carries over from the live Application (notifications state, refresh requests). */
const PRESERVED_ANNOTATIONS = ['notified.notifications.argoproj.io', 'argocd.argoproj.io/refresh'];
/** Finalizers of post-delete hooks, added by the application controller: kept across updates. */
const POST_DELETE_FINALIZER = 'post-delete-finalizer.argocd.argoproj.io';

/** The set's policy; unset means `sync` (create, update and delete). Unknown values are an error. */
export function applicationsSyncPolicy(appSet: any): ApplicationsSyncPolicy {
  const value = appSet?.spec?.syncPolicy?.applicationsSync;
  if (value === undefined || value === null || value === '') return 'sync';
  if (!POLICIES.includes(value)) {
    throw new Error(`spec.syncPolicy.applicationsSync is '${value}'; use one of ${POLICIES.join(', ')}`);
  }
  return value;
}

export const allowsUpdate = (p: ApplicationsSyncPolicy): boolean => p === 'create-update' || p === 'sync';
export const allowsDelete = (p: ApplicationsSyncPolicy): boolean => p === 'create-delete' || p === 'sync';

/** The ownerReference every generated Application carries (`SetControllerReference`). */
export function ownerReference(appSet: any): any {
  return {
    apiVersion: appSet.apiVersion ?? 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    name: appSet.metadata.name,
    uid: appSet.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Whether `app`'s controller is this ApplicationSet (Argo CD's `.metadata.controller` index). */
export function ownedBy(app: any, appSet: any): boolean {
  const owner = controllerOf(app);
  return owner !== undefined && owner.kind === 'ApplicationSet' && String(owner.apiVersion ?? '').startsWith('argoproj.io/')
    && owner.name === appSet.metadata.name;
}

function controllerOf(obj: any): any {
  return (obj?.metadata?.ownerReferences ?? []).find((r: any) => r?.controller === true);
}

/**
 * RollingSync turns automated sync off on the Applications it generates: the rollout decides when
 * each one syncs (Argo CD v3.5 sets `automated.enabled: false`).
 */
export function withoutAutomatedSync(app: any): any {
  const automated = app.spec?.syncPolicy?.automated;
  if (!automated || automated.enabled === false) return app;
  return { ...app, spec: { ...app.spec, syncPolicy: { ...app.spec.syncPolicy, automated: { ...automated, enabled: false } } } };
}

function emptyToUndefined<T>(v: T): T | undefined {
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v) && v.length === 0) return undefined;
  if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0) return undefined;
  return v;
}

/** Deep equality where absent, null, `[]` and `{}` are the same (Argo CD compares with EquateEmpty). */
export function equateEmpty(a: unknown, b: unknown): boolean {
  const norm = (v: unknown): unknown => {
    const e = emptyToUndefined(v);
    if (Array.isArray(e)) return e.map(norm);
    if (e && typeof e === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(e)) {
        const n = norm(x);
        if (n !== undefined) out[k] = n;
      }
      return emptyToUndefined(out);
    }
    return e;
  };
  return isDeepStrictEqual(norm(a), norm(b));
}

/**
 * The Application object to write for a generated one: its spec, labels, annotations and
 * finalizers, with what Argo CD keeps from the live object (preserved annotations and labels,
 * post-delete finalizers) and the set as controller.
 */
export function applicationToWrite(appSet: any, generated: any, live: any | undefined): any {
  const preservedAnnotations = [...(appSet.spec?.preservedFields?.annotations ?? []), ...PRESERVED_ANNOTATIONS];
  const preservedLabels: string[] = appSet.spec?.preservedFields?.labels ?? [];
  const annotations = { ...(generated.metadata.annotations ?? {}) };
  const labels = { ...(generated.metadata.labels ?? {}) };
  const finalizers = [...(generated.metadata.finalizers ?? [])];
  for (const key of preservedAnnotations) {
    if (live?.metadata?.annotations?.[key] !== undefined) annotations[key] = live.metadata.annotations[key];
  }
  for (const key of preservedLabels) {
    if (live?.metadata?.labels?.[key] !== undefined) labels[key] = live.metadata.labels[key];
  }
  for (const f of live?.metadata?.finalizers ?? []) {
    if (typeof f === 'string' && f.startsWith(POST_DELETE_FINALIZER)) finalizers.push(f);
  }
  const otherOwners = (live?.metadata?.ownerReferences ?? []).filter((r: any) => r?.controller !== true);
  const metadata: any = {
    ...(live?.metadata ?? {}),
    name: generated.metadata.name,
    namespace: generated.metadata.namespace,
    ownerReferences: [...otherOwners, ownerReference(appSet)],
  };
  for (const [key, value] of [['labels', labels], ['annotations', annotations], ['finalizers', finalizers]] as const) {
    if (emptyToUndefined(value) === undefined) delete metadata[key];
    else metadata[key] = value;
  }
  return { ...(live ?? {}), apiVersion: generated.apiVersion, kind: generated.kind, metadata, spec: generated.spec };
}

export type ApplicationChange =
  | { readonly action: 'create'; readonly name: string; readonly object: any }
  | { readonly action: 'update'; readonly name: string; readonly object: any; readonly live: any }
  | { readonly action: 'delete'; readonly name: string; readonly live: any };

export interface ChangesPlan {
  readonly changes: ApplicationChange[];
  /** Generated Applications left as they are (unchanged, or not updated by the policy). */
  readonly unchanged: string[];
  /** Per-Application problems (e.g. an Application of the same name another controller owns). */
  readonly errors: string[];
}

/**
 * Compares the generated Applications with the live ones in the set's namespace (`live`: every
 * Application there, owned or not) and returns what the policy allows: creates always, updates
 * under create-update and sync, deletes of Applications this set owns under create-delete and sync.
 */
export function planApplicationChanges(appSet: any, generated: readonly any[], live: readonly any[], policy: ApplicationsSyncPolicy): ChangesPlan {
  const liveByName = new Map(live.map((a) => [a.metadata.name, a]));
  const changes: ApplicationChange[] = [];
  const unchanged: string[] = [];
  const errors: string[] = [];
  for (const app of generated) {
    const name: string = app.metadata.name;
    const found = liveByName.get(name);
    if (!found) {
      changes.push({ action: 'create', name, object: applicationToWrite(appSet, app, undefined) });
      continue;
    }
    const owner = controllerOf(found);
    if (owner && !ownedBy(found, appSet)) {
      // SetControllerReference refuses to take over an object another controller owns.
      errors.push(`Application ${found.metadata.namespace}/${name} is already owned by ${owner.kind} ${owner.name}; rename one of them`);
      continue;
    }
    // createInCluster skips only the Applications the set owns: an unowned one is adopted (updated).
    if (!allowsUpdate(policy) && owner) {
      unchanged.push(name);
      continue;
    }
    const object = applicationToWrite(appSet, app, found);
    const same = equateEmpty(object.spec, found.spec)
      && ['labels', 'annotations', 'finalizers', 'ownerReferences'].every((k) => equateEmpty(object.metadata[k], found.metadata[k]));
    if (same) unchanged.push(name);
    else changes.push({ action: 'update', name, object, live: found });
  }
  if (allowsDelete(policy)) {
    const wanted = new Set(generated.map((a) => a.metadata.name));
    for (const app of live) {
      if (ownedBy(app, appSet) && !wanted.has(app.metadata.name)) {
        changes.push({ action: 'delete', name: app.metadata.name, live: app });
      }
    }
  }
  return { changes, unchanged, errors };
}
