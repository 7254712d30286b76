import { ANNOTATION_HOOK, ANNOTATION_HOOK_DELETE_POLICY, ANNOTATION_SYNC_WAVE, HELM_HOOK, HELM_HOOK_DELETE_POLICY, HELM_HOOK_WEIGHT } from './annotations';
import { runsPods } from './hook-pods';
import { HookDeletePolicy, KubeObject, SyncPhase } from './model';
import { trackingInstance } from './tracking';
import { HELM_HOOK_DELETE_POLICIES, HELM_HOOK_PHASES, HOOK_SKIP } from '../argo/hooks';

const ARGO_HOOK_TYPES: Record<string, SyncPhase> = {
  PreSync: SyncPhase.PRE_SYNC,
  Sync: SyncPhase.SYNC,
  PostSync: SyncPhase.POST_SYNC,
  SyncFail: SyncPhase.SYNC_FAIL,
};


function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** `hook: Skip` (Argo) keeps an object out of the sync entirely. */
export function isSkipped(obj: KubeObject): boolean {
  return list(obj.metadata.annotations?.[ANNOTATION_HOOK]).includes(HOOK_SKIP);
}

/** True when the object is a hook (Argo or Helm annotation), even one with no known phase. */
export function isHook(obj: KubeObject): boolean {
  const a = obj.metadata.annotations ?? {};
  if (a[ANNOTATION_HOOK] !== undefined) {
    return !isSkipped(obj);
  }
  return a[HELM_HOOK] !== undefined;
}

/**
 * The live hook objects an Application tracks (its tracking id, no owner): Argo CD lists them in
 * `status.resources` (gitops-engine's Reconcile splits hooks off the target state, so a live hook
 * is an extra live object: `hook: true`, `requiresPruning: true`, no sync status, no health).
 */
export function trackedHooks(live: Iterable<KubeObject>, instance: string): KubeObject[] {
  return [...live].filter((o) => isHook(o) && trackingInstance(o) === instance && (o.metadata.ownerReferences ?? []).length === 0);
}

/**
 * The phases a hook runs in. Argo's annotation wins over Helm's; unknown values yield nothing,
 * and a hook without phases is dropped from the sync, as gitops-engine does.
 */
export function hookPhases(obj: KubeObject): SyncPhase[] {
  const a = obj.metadata.annotations ?? {};
  const source = a[ANNOTATION_HOOK] !== undefined ? ARGO_HOOK_TYPES : HELM_HOOK_PHASES;
  const values = list(a[ANNOTATION_HOOK] ?? a[HELM_HOOK]);
  const phases: SyncPhase[] = [];
  for (const v of values) {
    const p = source[v];
    if (p && !phases.includes(p)) {
      phases.push(p);
    }
  }
  return phases;
}

/** Delete policies of a hook; BeforeHookCreation when none is given. */
export function hookDeletePolicies(obj: KubeObject): HookDeletePolicy[] {
  const a = obj.metadata.annotations ?? {};
  const out: HookDeletePolicy[] = [];
  for (const v of list(a[ANNOTATION_HOOK_DELETE_POLICY])) {
    if ((Object.values(HookDeletePolicy) as string[]).includes(v) && !out.includes(v as HookDeletePolicy)) {
      out.push(v as HookDeletePolicy);
    }
  }
  for (const v of list(a[HELM_HOOK_DELETE_POLICY])) {
    const p = HELM_HOOK_DELETE_POLICIES[v];
    if (p && !out.includes(p)) {
      out.push(p);
    }
  }
  return out.length > 0 ? out : [HookDeletePolicy.BEFORE_HOOK_CREATION];
}

/** Sync wave: `sync-wave`, else `helm.sh/hook-weight`, else 0. Non-integers are an error for the caller. */
export function syncWave(obj: KubeObject): number {
  const a = obj.metadata.annotations ?? {};
  const raw = a[ANNOTATION_SYNC_WAVE] ?? a[HELM_HOOK_WEIGHT];
  if (raw === undefined || raw.trim() === '') {
    return 0;
  }
  if (!/^\s*[-+]?\d+\s*$/.test(raw)) {
    throw new Error(`${a[ANNOTATION_SYNC_WAVE] !== undefined ? ANNOTATION_SYNC_WAVE : HELM_HOOK_WEIGHT} must be an integer, got '${raw}'`);
  }
  return parseInt(raw, 10);
}

/** gitops-engine's name for a `generateName` hook: `<generateName><rev7>-<phase>-<unix seconds>`. */
export function generatedHookName(generateName: string, revision: string, phase: SyncPhase, startedAt: Date): string {
  const rev = revision.length >= 8 ? revision.slice(0, 7) : revision;
  return `${generateName}${`${rev}-${phase}-${Math.floor(startedAt.getTime() / 1000)}`.toLowerCase()}`;
}

/** Pure: whether `name` names this hook (`--fail-hook`): its name, or its generateName with or without the final `-`. */
export function hookNamed(obj: KubeObject, name: string): boolean {
  const { name: own, generateName } = obj.metadata;
  if (own !== undefined) {
    return own === name;
  }
  return generateName !== undefined && (generateName === name || generateName.replace(/-$/, '') === name);
}

/**
 * Pure: checks `--fail-hook` names against the hooks of the selected Applications before anything
 * runs. Throws for a name that matches no hook (listing the hooks there are) or only hooks that
 * run no pod (a ConfigMap hook cannot fail).
 */
export function checkFailHooks(
  names: readonly string[], apps: ReadonlyArray<{ readonly name: string; readonly objects: ReadonlyArray<{ readonly object: KubeObject }> }>,
): void {
  const hooks = apps.flatMap((a) => a.objects
    .filter((d) => isHook(d.object) && hookPhases(d.object).length > 0)
    .map((d) => ({ app: a.name, obj: d.object })));
  const describe = (h: (typeof hooks)[number]) =>
    `${h.app}: ${hookPhases(h.obj).join(',')} ${h.obj.kind} ${h.obj.metadata.name ?? h.obj.metadata.generateName}`;
  for (const name of names) {
    const found = hooks.filter((h) => hookNamed(h.obj, name));
    if (found.length === 0) {
      throw new Error(`--fail-hook ${name}: no hook named '${name}' in the selected Applications (hooks: ${hooks.map(describe).join('; ') || 'none'})`);
    }
    const noPod = found.find((h) => !runsPods(h.obj));
    if (noPod) {
      throw new Error(`--fail-hook ${name}: the hook ${describe(noPod)} runs no pod; only a Job or Pod hook can be made to fail`);
    }
  }
}
