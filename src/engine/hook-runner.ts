import { HOOK_FINALIZER } from './annotations';
import { hasHealthCheck, resourceHealth } from './health';
import { KubeApi, ObjectRef } from './kube/kube-api';
import {
  describeKey, HealthStatus, HealthStatusCode, HookDeletePolicy, KubeObject, keyOf, keyString, OperationPhase, SyncTask,
} from './model';
import { Poller, pollUntil } from './poll';
import { ResourceWriter } from './resource-writer';

/** A hook created in this operation and what became of it. */
export interface RunningHook {
  readonly task: SyncTask;
  readonly obj: KubeObject;
  phase: OperationPhase;
}

/** Pure: a hook's phase from its live object (Job/Pod health; a missing object is still running). */
export function observedHookPhase(live: KubeObject | undefined): { phase: OperationPhase; health?: HealthStatus } {
  const health = live ? resourceHealth(live) : undefined;
  if (health?.status === HealthStatusCode.HEALTHY) {
    return { phase: OperationPhase.SUCCEEDED, health };
  }
  if (health?.status === HealthStatusCode.DEGRADED) {
    return { phase: OperationPhase.FAILED, health };
  }
  return { phase: OperationPhase.RUNNING, health };
}

/**
 * Pure: whether a finished hook is deleted by its delete policies. `succeededToo` is false while an
 * operation fails: its succeeded hooks stay (HookSucceeded means the whole operation succeeded),
 * except SyncFail hooks, which finish the failed operation.
 */
export function hookToDelete(hook: Pick<RunningHook, 'task' | 'phase'>, succeededToo: boolean): boolean {
  const policies = hook.task.hookDeletePolicies ?? [];
  if (hook.phase === OperationPhase.FAILED) {
    return policies.includes(HookDeletePolicy.HOOK_FAILED);
  }
  return hook.phase === OperationPhase.SUCCEEDED && succeededToo && policies.includes(HookDeletePolicy.HOOK_SUCCEEDED);
}

export type HookStart = { readonly ok: true; readonly hook: RunningHook } | { readonly ok: false; readonly message: string };

/**
 * Creates hooks and tracks them through one operation: BeforeHookCreation, the hook finalizer
 * (kept until the engine saw the hook finish, so a TTL'd Job cannot hide its result) and the
 * delete policies once the operation ends.
 */
export class HookRunner {
  readonly hooks: RunningHook[] = [];

  constructor(private readonly api: KubeApi, private readonly writer: ResourceWriter, private readonly poller: Poller) {}

  /** Creates a hook, first deleting its previous instance (BeforeHookCreation) and waiting until it is gone. */
  async start(task: SyncTask, obj: KubeObject): Promise<HookStart> {
    // A hook of several phases (PreSync,PostSync) ran earlier in this operation: its live object is
    // that run, not the one read before the operation.
    const ranBefore = this.hooks.some((h) => keyString(h.task.key) === keyString(task.key));
    let live = ranBefore ? await this.api.get(obj) : task.live;
    if (live && (task.hookDeletePolicies ?? []).includes(HookDeletePolicy.BEFORE_HOOK_CREATION)) {
      await this.removeFinalizer(live);
      await this.api.delete(live, 'Background');
      const gone = await this.waitGone(live);
      if (!gone.ok) {
        return gone;
      }
      live = undefined;
    }
    const created = await this.writer.write(task, obj, live, false);
    const hook: RunningHook = { task, obj: created, phase: OperationPhase.RUNNING };
    this.hooks.push(hook);
    if (!hasHealthCheck(created)) {
      // Kinds without health complete on creation.
      await this.finish(hook, OperationPhase.SUCCEEDED, created);
    }
    return { ok: true, hook };
  }

  /** Looks at a running hook once; returns its phase (Running until it finished) and the object seen. */
  async observe(hook: RunningHook): Promise<{ phase: OperationPhase; health?: HealthStatus; live?: KubeObject }> {
    const live = await this.api.get(hook.obj);
    const seen = observedHookPhase(live);
    if (seen.phase !== OperationPhase.RUNNING) {
      await this.finish(hook, seen.phase, live!);
    }
    return { ...seen, live };
  }

  /** Deletes the hooks the delete policies ask for; failures come back as warnings. */
  async deleteFinished(succeededToo: boolean, only: (h: RunningHook) => boolean = () => true): Promise<string[]> {
    const warnings: string[] = [];
    for (const h of this.hooks.filter((x) => only(x) && hookToDelete(x, succeededToo))) {
      try {
        await this.removeFinalizer(h.obj);
        await this.api.delete(h.obj, 'Background');
      } catch (e) {
        warnings.push(`could not delete hook ${describeKey(h.task.key)}: ${(e as Error).message}`);
      }
    }
    return warnings;
  }

  private async finish(hook: RunningHook, phase: OperationPhase, live: KubeObject): Promise<void> {
    hook.phase = phase;
    await this.removeFinalizer(live);
  }

  async removeFinalizer(obj: ObjectRef): Promise<void> {
    const live = await this.api.get(obj);
    const finalizers: string[] = live?.metadata.finalizers ?? [];
    if (live && finalizers.includes(HOOK_FINALIZER)) {
      const remaining = finalizers.filter((f) => f !== HOOK_FINALIZER);
      // resourceVersion makes this a compare-and-swap, so finalizers added meanwhile are not lost.
      await this.api.merge(live, { metadata: { finalizers: remaining, resourceVersion: live.metadata.resourceVersion } });
    }
  }

  private async waitGone(obj: KubeObject): Promise<{ ok: true } | { ok: false; message: string }> {
    const outcome = await pollUntil(this.poller, async () => ((await this.api.get(obj))
      ? { done: false, waiting: `deletion of the previous ${describeKey(keyOf(obj))}` } : { done: true, value: undefined }));
    return outcome.ok ? { ok: true } : { ok: false, message: `timed out waiting for ${outcome.timedOut}` };
  }
}
