import { FIELD_MANAGER, HOOK_FINALIZER } from './annotations';
import { CONTROL_PLANE_NAMESPACE } from './application-spec';
import { compareObjects } from './diff/compare';
import { redactSecretValues } from './diff/mask-secrets';
import { hasHealthCheck, resourceHealth } from './health';
import { unchangedSinceApply } from './in-sync';
import { SyncGuard, throwIfInterrupted } from './interruption';
import { ApiError } from './kube/api-error';
import { KubeClient } from './kube/client';
import { loadLiveState, mapLimit } from './live-state';
import { LoadedApplication } from './load/applications';
import {
  describeKey, groupOf, HealthStatusCode, HookDeletePolicy, KubeObject, keyOf, keyString, OperationPhase, ResourceResult, ResultCode,
  SyncOperationResult, SyncPhase, SyncTask, TaskAction,
} from './model';
import { planSync, pruneDecision, ResourceFilter } from './plan';
import { preparedObject, scopeLookup } from './prepare';
import { retryDelay, RetryPolicy, retryPolicy } from './retry';
import { KNOWN_SYNC_OPTIONS, optionIs, optionTrue, parseSyncOptions } from './sync-options';
import { instanceName, trackingInstance } from './tracking';

export interface SyncRequest {
  /** Delete tracked objects that are no longer desired (a manual sync prunes only when asked). */
  readonly prune?: boolean;
  /** Plan and dry-run only: nothing is changed. */
  readonly dryRun?: boolean;
  /** Selective sync of these resources (no hooks, no prune of anything else). */
  readonly resources?: readonly ResourceFilter[];
  /** `Force=true` for every resource (`argocd app sync --force`). */
  readonly force?: boolean;
  /** Give up (and fail the operation) after this many seconds. */
  readonly timeoutSeconds?: number;
  /** Approve prunes that ask for it with `Prune=confirm`. */
  readonly confirmPrune?: boolean;
  /** Allow a prune that deletes every resource of the Application (Argo CD's `allowEmpty`). */
  readonly allowEmpty?: boolean;
  /** Overrides `syncPolicy.retry.limit`. */
  readonly retryLimit?: number;
  /** Parallel API calls within a kind group (default 16). */
  readonly concurrency?: number;
  /** Interval of health polls while waiting (default 250 ms). */
  readonly pollMs?: number;
  /** Progress: phase/wave steps, each resource result, waits. */
  readonly onEvent?: (event: SyncEvent) => void;
  /** Interrupts the sync (SIGINT/SIGTERM): no new work starts, hooks are released, the Lease too. */
  readonly signal?: AbortSignal;
}

export type SyncEvent =
  | { readonly type: 'attempt'; readonly application: string; readonly attempt: number }
  | { readonly type: 'step'; readonly application: string; readonly phase: SyncPhase; readonly wave: number; readonly tasks: number }
  | { readonly type: 'resource'; readonly application: string; readonly result: ResourceResult }
  | { readonly type: 'waiting'; readonly application: string; readonly message: string }
  | { readonly type: 'warning'; readonly application: string; readonly message: string }
  | { readonly type: 'done'; readonly application: string; readonly result: SyncOperationResult };

class OperationFailed extends Error {}

function at(task: SyncTask): string {
  const pos = task.source ? `${task.source.file}:${task.source.line}: ` : '';
  return `${pos}${describeKey(task.key)}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Runs one sync operation (with retries) of one loaded Application against `client`. */
export async function syncApplication(client: KubeClient, app: LoadedApplication, req: SyncRequest = {}): Promise<SyncOperationResult> {
  const emit = req.onEvent ?? (() => undefined);
  const instance = instanceName(app.name, app.namespace, CONTROL_PLANE_NAMESPACE);
  const result: SyncOperationResult = {
    application: app.name,
    revision: app.revision,
    phase: OperationPhase.RUNNING,
    message: '',
    dryRun: !!req.dryRun,
    startedAt: new Date().toISOString(),
    resources: [],
    attempts: 0,
  };
  let policy: RetryPolicy | undefined;
  let invalid = app.error;
  if (!invalid) {
    try {
      policy = retryPolicy(app.manifest.spec?.syncPolicy?.retry, req.retryLimit);
    } catch (e) {
      invalid = `${app.position.file}:${app.position.line}: Application ${app.name}: ${(e as Error).message}`;
    }
  }
  if (invalid || !policy) {
    result.phase = OperationPhase.ERROR;
    result.message = invalid ?? 'no retry policy';
    result.finishedAt = new Date().toISOString();
    emit({ type: 'done', application: app.name, result });
    return result;
  }
  // [interruption] request deadlines, cancellation, lease fencing: see interruption.ts.
  const guard = new SyncGuard(client, req.signal, req.timeoutSeconds);
  if (!req.dryRun) {
    try {
      await guard.acquireLock(instance);
    } catch (e) {
      result.phase = OperationPhase.ERROR;
      result.message = (e as Error).message;
      result.finishedAt = new Date().toISOString();
      emit({ type: 'done', application: app.name, result });
      return result;
    }
  }
  try {
    for (let attempt = 1; ; attempt++) {
      result.attempts = attempt;
      emit({ type: 'attempt', application: app.name, attempt });
      result.resources.length = 0;
      const op = new Operation(guard.client, app, instance, { ...req, signal: guard.signal }, result);
      await op.run();
      if (result.phase === OperationPhase.SUCCEEDED || req.dryRun || guard.interrupted) {
        break;
      }
      const delay = retryDelay(policy, attempt);
      if (delay === undefined) {
        break;
      }
      emit({ type: 'waiting', application: app.name, message: `retrying in ${Math.round(delay / 1000)}s (attempt ${attempt + 1}${policy.limit >= 0 ? ` of ${policy.limit + 1}` : ''}): ${result.message}` });
      await sleep(delay);
    }
  } finally {
    await guard.finish(app, instance, result, (message) => emit({ type: 'warning', application: app.name, message }));
  }
  result.finishedAt = new Date().toISOString();
  emit({ type: 'done', application: app.name, result });
  return result;
}

/** One attempt: plan → dry run every task → phases and waves → SyncFail on failure. */
class Operation {
  private readonly emit: (e: SyncEvent) => void;
  private readonly startedAt = new Date();
  private deadline: number;
  private readonly prepared = new Map<SyncTask, KubeObject>();
  /** Tasks whose apply would change nothing (skipped without an API call). */
  private readonly unchanged = new Set<SyncTask>();
  /** Hooks created in this operation, for the delete policies at the end. */
  private readonly createdHooks: Array<{ task: SyncTask; obj: KubeObject; phase: OperationPhase }> = [];
  private readonly concurrency: number;
  private readonly rules;

  constructor(
    private readonly client: KubeClient,
    private readonly app: LoadedApplication,
    private readonly instance: string,
    private readonly req: SyncRequest,
    private readonly result: SyncOperationResult,
  ) {
    const onEvent = req.onEvent ?? (() => undefined);
    this.emit = onEvent;
    this.deadline = req.timeoutSeconds ? Date.now() + req.timeoutSeconds * 1000 : Number.POSITIVE_INFINITY;
    this.concurrency = req.concurrency ?? 16;
    this.rules = app.manifest.spec.ignoreDifferences ?? [];
  }

  private record(task: SyncTask, status: ResultCode | undefined, message: string, extra: Partial<ResourceResult> = {}): ResourceResult {
    const apiVersion = task.desired?.apiVersion ?? task.live?.apiVersion ?? 'v1';
    const r: ResourceResult = {
      group: task.key.group,
      version: apiVersion.includes('/') ? apiVersion.split('/')[1] : apiVersion,
      kind: task.key.kind,
      namespace: task.key.namespace,
      name: task.key.name,
      syncPhase: task.phase,
      syncWave: task.wave,
      status,
      message,
      source: task.source,
      ...(task.action === TaskAction.HOOK ? { hookType: task.phase } : {}),
      ...extra,
    };
    this.result.resources.push(r);
    this.emit({ type: 'resource', application: this.app.name, result: r });
    return r;
  }

  private finish(phase: OperationPhase, message: string): void {
    this.result.phase = phase;
    this.result.message = message;
  }

  async run(): Promise<void> {
    try {
      await this.execute();
    } catch (e) {
      if (!(e instanceof OperationFailed)) {
        this.finish(OperationPhase.ERROR, redactSecretValues((e as Error).message, ...this.app.objects.map((d) => d.object)));
      }
    }
  }

  private async execute(): Promise<void> {
    const { app, client, req } = this;
    const spec = app.manifest.spec;
    const desiredObjs = app.objects.map((d) => d.object);
    const isNamespaced = await scopeLookup(client, desiredObjs);
    const base = {
      instance: this.instance, spec, desired: app.objects, isNamespaced, revision: app.revision, startedAt: this.startedAt, resources: req.resources,
    };
    const draft = planSync({ ...base, live: new Map(), prune: false });
    if (draft.errors.length > 0) {
      this.finish(OperationPhase.FAILED, `invalid manifests, nothing was applied:\n  ${draft.errors.join('\n  ')}`);
      throw new OperationFailed();
    }
    for (const name of parseSyncOptions(spec.syncPolicy?.syncOptions).keys()) {
      if (!KNOWN_SYNC_OPTIONS.has(name)) {
        this.emit({ type: 'warning', application: app.name, message: `sync option ${name} is not supported by the engine and is ignored` });
      }
    }
    const lookups = draft.tasks.filter((t) => t.desired).map((t) => t.desired!);
    const live = await loadLiveState(client, lookups, {
      tracked: !!req.prune, instance: this.instance, onWarning: (message) => this.emit({ type: 'warning', application: app.name, message }),
    });
    const plan = planSync({ ...base, live, prune: !!req.prune });
    const tasks = plan.tasks;

    const prunes = tasks.filter((t) => t.action === TaskAction.PRUNE);
    const keeps = [...plan.targets.values()].length;
    if (prunes.length > 0 && keeps === 0 && !(req.allowEmpty || spec.syncPolicy?.automated?.allowEmpty)) {
      this.finish(OperationPhase.FAILED, `refusing to prune all ${prunes.length} resources of ${app.name}: the Application has no desired resources left (set syncPolicy.automated.allowEmpty or pass --allow-empty)`);
      throw new OperationFailed();
    }

    for (const t of tasks) {
      if (t.desired) {
        this.prepared.set(t, await preparedObject(t, this.instance, this.rules, spec.destination.namespace));
      }
    }
    // Shared resources: objects tracked by another Application.
    for (const t of tasks) {
      const owner = t.live && t.action === TaskAction.APPLY && !t.autoNamespace ? trackingInstance(t.live) : undefined;
      if (owner && owner !== this.instance) {
        const msg = `${at(t)} is already managed by Application ${owner}`;
        if (optionTrue(t.options, 'FailOnSharedResource')) {
          this.record(t, ResultCode.SYNC_FAILED, `${msg} (FailOnSharedResource=true)`);
          this.finish(OperationPhase.FAILED, `shared resource, nothing was applied: ${msg}`);
          throw new OperationFailed();
        }
        this.emit({ type: 'warning', application: app.name, message: msg });
      }
      if (t.action === TaskAction.APPLY && unchangedSinceApply(this.prepared.get(t)!, t.live)) {
        this.unchanged.add(t);
      }
    }

    const predicted = await this.dryRun(tasks, live);
    if (req.dryRun) {
      for (const t of tasks) {
        if (t.phase === SyncPhase.SYNC_FAIL) {
          continue;
        }
        const what = t.action === TaskAction.PRUNE ? 'would be pruned' : this.unchanged.has(t) ? 'unchanged' : t.live ? 'would be configured' : 'would be created';
        this.record(t, t.action === TaskAction.PRUNE ? ResultCode.PRUNED : ResultCode.SYNCED, `${what} (dry run)`);
      }
      this.finish(OperationPhase.SUCCEEDED, 'dry run succeeded: nothing was changed');
      return;
    }
    // ApplyOutOfSyncOnly: skip objects whose predicted state shows no difference from live.
    for (const t of tasks) {
      const p = predicted.get(t);
      if (t.action === TaskAction.APPLY && p && t.live && optionTrue(t.options, 'ApplyOutOfSyncOnly')) {
        if (!(await compareObjects(p, t.live, this.rules)).modified) {
          this.unchanged.add(t);
        }
      }
    }

    const steps = this.steps(tasks.filter((t) => t.phase !== SyncPhase.SYNC_FAIL));
    const multiStep = steps.length > 1 || tasks.some((t) => t.action === TaskAction.HOOK && t.phase !== SyncPhase.SYNC_FAIL);
    try {
      for (let i = 0; i < steps.length; i++) {
        throwIfInterrupted(this.req.signal); // [interruption] start no new step
        const step = steps[i];
        this.emit({ type: 'step', application: app.name, phase: step[0].phase, wave: step[0].wave, tasks: step.length });
        const applied = await this.runStep(step);
        const gate = multiStep && i < steps.length - 1;
        await this.waitForStep(applied, gate);
      }
    } catch (e) {
      const message = e instanceof OperationFailed ? e.message : redactSecretValues((e as Error).message, ...desiredObjs);
      await this.onFailure(tasks, message);
      throw new OperationFailed(message);
    }
    await this.deleteHooks((h) => h.task.hookDeletePolicies!.includes(HookDeletePolicy.HOOK_SUCCEEDED));
    this.finish(OperationPhase.SUCCEEDED, 'successfully synced (all tasks run)');
  }

  /** Consecutive tasks with the same phase and wave. */
  private steps(tasks: SyncTask[]): SyncTask[][] {
    const out: SyncTask[][] = [];
    for (const t of tasks) {
      const last = out[out.length - 1];
      if (last && last[0].phase === t.phase && last[0].wave === t.wave) {
        last.push(t);
      } else {
        out.push([t]);
      }
    }
    return out;
  }

  private forced(t: SyncTask): boolean {
    return !!this.req.force || optionTrue(t.options, 'Force');
  }

  private fieldValidation(t: SyncTask): 'Strict' | 'Ignore' {
    return optionIs(t.options, 'Validate', 'false') ? 'Ignore' : 'Strict';
  }

  /** Writes one object the way its options ask: Replace (PUT), Validate=false (lenient) or server-side apply. */
  private send(t: SyncTask, obj: KubeObject, live: KubeObject | undefined, dryRun: boolean): Promise<KubeObject> {
    if (optionTrue(t.options, 'Replace')) {
      return this.client.replace(obj, live, FIELD_MANAGER, { dryRun, fieldValidation: this.fieldValidation(t) });
    }
    if (optionIs(t.options, 'Validate', 'false')) {
      return this.client.applyWithoutValidation(obj, live, FIELD_MANAGER, dryRun);
    }
    return this.client.apply(obj, FIELD_MANAGER, { dryRun, force: true, fieldValidation: 'Strict' });
  }

  /**
   * Server-side dry run of every task; any failure fails the operation before anything is
   * applied. Returns the predicted objects. Skipped: unchanged objects (their live state is the
   * prediction), kinds whose CRD is part of this sync or with SkipDryRunOnMissingResource,
   * objects in namespaces this sync creates, and hooks that exist already (they are recreated).
   */
  private async dryRun(tasks: SyncTask[], live: ReadonlyMap<string, KubeObject>): Promise<Map<SyncTask, KubeObject>> {
    const predicted = new Map<SyncTask, KubeObject>();
    const newNamespaces = new Set(tasks.filter((t) => t.key.kind === 'Namespace' && t.key.group === '' && !t.live && t.desired).map((t) => t.key.name));
    const crdKinds = new Set(tasks.filter((t) => t.key.kind === 'CustomResourceDefinition' && t.desired).map((t) => `${t.desired!.spec?.group}/${t.desired!.spec?.names?.kind}`));
    const failures: Array<{ task: SyncTask; message: string }> = [];
    await mapLimit(tasks, this.concurrency, async (t) => {
      try {
        if (t.action === TaskAction.PRUNE) {
          await this.client.delete(t.live!, 'Background', true);
          return;
        }
        if (this.unchanged.has(t)) {
          predicted.set(t, t.live!);
          return;
        }
        if (t.action === TaskAction.HOOK && t.live) {
          return;
        }
        const obj = this.prepared.get(t)!;
        const known = await this.client.resourceFor(obj.apiVersion, obj.kind);
        if (!known) {
          if (crdKinds.has(`${t.key.group}/${t.key.kind}`) || optionTrue(t.options, 'SkipDryRunOnMissingResource')) {
            return;
          }
          throw new Error(`the server does not know ${obj.kind} in ${obj.apiVersion}: install its CRD first, or add the CRD to this Application (or set SkipDryRunOnMissingResource=true)`);
        }
        if (t.key.namespace && newNamespaces.has(t.key.namespace)) {
          return;
        }
        try {
          predicted.set(t, await this.send(t, obj, t.live ?? live.get(keyString(t.key)), true));
        } catch (e) {
          // Force=true: an update the server refuses will be a delete and re-create instead.
          if (!(this.forced(t) && t.live && e instanceof ApiError && (e.code === 422 || e.code === 409))) {
            throw e;
          }
        }
      } catch (e) {
        failures.push({ task: t, message: redactSecretValues((e as Error).message, t.desired, this.prepared.get(t)) });
      }
    });
    if (failures.length > 0) {
      failures.sort((a, b) => tasks.indexOf(a.task) - tasks.indexOf(b.task));
      for (const f of failures) {
        this.record(f.task, ResultCode.SYNC_FAILED, `${f.message} (dry run)`);
      }
      this.finish(OperationPhase.FAILED, `one or more objects failed to apply (dry run), nothing was applied:\n  ${failures.map((f) => `${at(f.task)}: ${f.message}`).join('\n  ')}`);
      throw new OperationFailed();
    }
    return predicted;
  }

  /** Prunes first, then applies grouped by consecutive kind, each group in parallel. */
  private async runStep(step: SyncTask[]): Promise<Array<{ task: SyncTask; obj: KubeObject; result: ResourceResult }>> {
    const failed: string[] = [];
    await mapLimit(step.filter((t) => t.action === TaskAction.PRUNE), this.concurrency, async (t) => {
      const decision = pruneDecision(t.options, !!this.req.confirmPrune);
      if (decision === 'skip') {
        this.record(t, ResultCode.PRUNE_SKIPPED, 'ignored (no prune): Prune=false');
        return;
      }
      if (decision === 'confirm') {
        this.record(t, ResultCode.PRUNE_SKIPPED, 'waiting for confirmation: Prune=confirm (rerun with --confirm-prune)');
        return;
      }
      const raw = t.options.get('PrunePropagationPolicy') ?? 'foreground';
      const policy = raw.charAt(0).toUpperCase() + raw.slice(1).toLowerCase();
      try {
        await this.client.delete(t.live!, policy);
        this.record(t, ResultCode.PRUNED, 'pruned');
      } catch (e) {
        const msg = (e as Error).message;
        this.record(t, ResultCode.SYNC_FAILED, msg);
        failed.push(`${at(t)}: ${msg}`);
      }
    });
    if (failed.length > 0) {
      throw new OperationFailed(`one or more objects failed to apply, reason: ${failed.join('; ')}`);
    }
    const applied: Array<{ task: SyncTask; obj: KubeObject; result: ResourceResult }> = [];
    const rest = step.filter((t) => t.action !== TaskAction.PRUNE);
    for (let i = 0; i < rest.length;) {
      let j = i;
      while (j < rest.length && rest[j].key.kind === rest[i].key.kind) {
        j++;
      }
      const group = rest.slice(i, j);
      i = j;
      await mapLimit(group, this.concurrency, async (t) => {
        try {
          const r = t.action === TaskAction.HOOK ? await this.createHook(t) : await this.applyTask(t);
          applied.push({ task: t, obj: r.obj, result: r.result });
        } catch (e) {
          const msg = redactSecretValues((e as Error).message, t.desired, this.prepared.get(t));
          this.record(t, ResultCode.SYNC_FAILED, msg, t.action === TaskAction.HOOK ? { hookPhase: OperationPhase.FAILED } : {});
          failed.push(`${at(t)}: ${msg}`);
        }
      });
      if (failed.length > 0) {
        throw new OperationFailed(`one or more objects failed to apply, reason: ${failed.join('; ')}`);
      }
      if (group[0].key.kind === 'CustomResourceDefinition') {
        await this.waitForCrds(group.map((t) => this.prepared.get(t)!));
      }
    }
    return applied;
  }

  private async applyTask(t: SyncTask): Promise<{ obj: KubeObject; result: ResourceResult }> {
    const obj = this.prepared.get(t)!;
    const name = `${t.key.kind.toLowerCase()}${t.key.group ? `.${t.key.group}` : ''}/${t.key.name}`;
    if (this.unchanged.has(t)) {
      return { obj: t.live!, result: this.record(t, ResultCode.SYNCED, `${name} unchanged`) };
    }
    const force = this.forced(t);
    let out: KubeObject;
    try {
      out = await this.send(t, obj, t.live, false);
    } catch (e) {
      // Force=true: an update the server refuses (e.g. an immutable field) deletes and recreates the object.
      if (force && e instanceof ApiError && (e.code === 422 || e.code === 409) && t.live) {
        await this.client.delete(t.live, 'Foreground');
        await this.waitGone(t.live);
        out = await this.send(t, obj, undefined, false);
        return { obj: out, result: this.record(t, ResultCode.SYNCED, `${name} replaced (Force=true)`) };
      }
      throw e;
    }
    return { obj: out, result: this.record(t, ResultCode.SYNCED, `${name} ${t.live ? 'configured' : 'created'}`) };
  }

  private async waitGone(obj: KubeObject): Promise<void> {
    while (await this.client.get(obj)) {
      if (Date.now() > this.deadline) {
        throw new OperationFailed(`timed out waiting for ${describeKey(keyOf(obj))} to be deleted`);
      }
      await sleep(this.req.pollMs ?? 250);
    }
  }

  private async removeHookFinalizer(obj: KubeObject): Promise<void> {
    const live = await this.client.get(obj);
    const finalizers: string[] = live?.metadata.finalizers ?? [];
    if (live && finalizers.includes(HOOK_FINALIZER)) {
      const remaining = finalizers.filter((f) => f !== HOOK_FINALIZER);
      // resourceVersion makes this a compare-and-swap, so finalizers added meanwhile are not lost.
      await this.client.merge(live, { metadata: { finalizers: remaining, resourceVersion: live.metadata.resourceVersion } });
    }
  }

  /** BeforeHookCreation: delete the previous instance and wait until it is gone, then create the hook. */
  private async createHook(t: SyncTask): Promise<{ obj: KubeObject; result: ResourceResult }> {
    const obj = this.prepared.get(t)!;
    if (t.live && t.hookDeletePolicies!.includes(HookDeletePolicy.BEFORE_HOOK_CREATION)) {
      await this.removeHookFinalizer(t.live);
      await this.client.delete(t.live, 'Background');
      await this.waitGone(t.live);
    }
    const out = await this.client.apply(obj, FIELD_MANAGER, { force: true, fieldValidation: this.fieldValidation(t) });
    const hook = { task: t, obj: out, phase: OperationPhase.RUNNING };
    this.createdHooks.push(hook);
    if (!hasHealthCheck(out)) {
      // Kinds without health complete on creation.
      await this.removeHookFinalizer(out);
      hook.phase = OperationPhase.SUCCEEDED;
      return { obj: out, result: this.record(t, ResultCode.SYNCED, `${t.key.kind.toLowerCase()}/${t.key.name} created`, { hookPhase: OperationPhase.SUCCEEDED }) };
    }
    return { obj: out, result: this.record(t, ResultCode.SYNCED, `${t.key.kind.toLowerCase()}/${t.key.name} created`, { hookPhase: OperationPhase.RUNNING }) };
  }

  private async waitForCrds(crds: KubeObject[]): Promise<void> {
    for (const crd of crds) {
      for (;;) {
        const live = await this.client.get(crd);
        if ((live?.status?.conditions ?? []).some((c: any) => c.type === 'Established' && c.status === 'True')) {
          break;
        }
        if (Date.now() > this.deadline) {
          throw new OperationFailed(`timed out waiting for CustomResourceDefinition ${crd.metadata.name} to be established`);
        }
        await sleep(this.req.pollMs ?? 250);
      }
    }
    this.client.invalidateDiscovery();
  }

  /**
   * Waits until the step's hooks completed and, when `gate` (more waves follow), its resources
   * with a health rule are Healthy. A hook that fails fails the operation.
   */
  private async waitForStep(applied: Array<{ task: SyncTask; obj: KubeObject; result: ResourceResult }>, gate: boolean): Promise<void> {
    let pending = applied.filter(({ task, obj, result }) =>
      (task.action === TaskAction.HOOK ? result.hookPhase === OperationPhase.RUNNING : gate && hasHealthCheck(obj)));
    while (pending.length > 0) {
      const still: typeof pending = [];
      // Hooks that failed and gated resources that turned Degraded.
      const hookFailures: string[] = [];
      await mapLimit(pending, this.concurrency, async (p) => {
        const live = await this.client.get(p.obj);
        if (p.task.action === TaskAction.HOOK) {
          const h = live ? resourceHealth(live) : undefined;
          const hook = this.createdHooks.find((c) => c.task === p.task)!;
          if (h?.status === HealthStatusCode.HEALTHY || h?.status === HealthStatusCode.DEGRADED) {
            const ok = h.status === HealthStatusCode.HEALTHY;
            hook.phase = ok ? OperationPhase.SUCCEEDED : OperationPhase.FAILED;
            p.result.hookPhase = hook.phase;
            p.result.health = h;
            p.result.message = h.message ?? (ok ? 'hook succeeded' : 'hook failed');
            if (!ok) {
              p.result.status = ResultCode.SYNC_FAILED;
              hookFailures.push(`${at(p.task)}: ${p.result.message}`);
            }
            await this.removeHookFinalizer(live!);
            this.emit({ type: 'resource', application: this.app.name, result: p.result });
          } else {
            p.result.health = h;
            still.push(p);
          }
          return;
        }
        const h = live ? resourceHealth(live) : undefined;
        p.result.health = h;
        if (h?.status === HealthStatusCode.DEGRADED) {
          // gitops-engine marks a running resource that turns Degraded as failed.
          p.result.status = ResultCode.SYNC_FAILED;
          hookFailures.push(`${at(p.task)}: ${h.message ?? 'Degraded'}`);
          this.emit({ type: 'resource', application: this.app.name, result: p.result });
        } else if (h?.status !== HealthStatusCode.HEALTHY) {
          still.push(p);
        }
      });
      if (hookFailures.length > 0) {
        throw new OperationFailed(`one or more synchronization tasks completed unsuccessfully, reason: ${hookFailures.join('; ')}`);
      }
      pending = still;
      if (pending.length === 0) {
        break;
      }
      const first = pending[0];
      const detail = first.result.health ? `${first.result.health.status}${first.result.health.message ? `: ${first.result.health.message}` : ''}` : 'Missing';
      const what = first.task.action === TaskAction.HOOK ? 'completion of hook' : 'healthy state of';
      const message = `waiting for ${what} ${groupOf(first.obj.apiVersion) ? `${groupOf(first.obj.apiVersion)}/` : ''}${first.task.key.kind}/${first.task.key.name} (${detail})${pending.length > 1 ? ` and ${pending.length - 1} more` : ''}`;
      if (Date.now() > this.deadline) {
        throw new OperationFailed(`timed out after ${this.req.timeoutSeconds}s ${message}`);
      }
      this.emit({ type: 'waiting', application: this.app.name, message });
      await sleep(this.req.pollMs ?? 250);
    }
  }

  private async deleteHooks(which: (h: { task: SyncTask; phase: OperationPhase }) => boolean): Promise<void> {
    await mapLimit(this.createdHooks.filter(which), this.concurrency, async (h) => {
      try {
        await this.removeHookFinalizer(h.obj);
        await this.client.delete(h.obj, 'Background');
      } catch (e) {
        this.emit({ type: 'warning', application: this.app.name, message: `could not delete hook ${describeKey(h.task.key)}: ${(e as Error).message}` });
      }
    });
  }

  /** A failed task: delete HookFailed hooks, run the SyncFail hooks, and fail the operation. */
  private async onFailure(tasks: SyncTask[], message: string): Promise<void> {
    await this.deleteHooks((h) => h.phase === OperationPhase.FAILED && h.task.hookDeletePolicies!.includes(HookDeletePolicy.HOOK_FAILED));
    if (this.req.signal?.aborted) {
      // [interruption] start no new work: no SyncFail hooks either.
      this.finish(OperationPhase.FAILED, message);
      return;
    }
    const syncFail = tasks.filter((t) => t.phase === SyncPhase.SYNC_FAIL);
    let extra = '';
    // A timed-out operation still gets a minute to run its SyncFail hooks.
    this.deadline = Math.max(this.deadline, Date.now() + 60_000);
    if (syncFail.length > 0) {
      this.emit({ type: 'step', application: this.app.name, phase: SyncPhase.SYNC_FAIL, wave: syncFail[0].wave, tasks: syncFail.length });
      try {
        for (const step of this.steps(syncFail)) {
          const applied = await this.runStep(step);
          await this.waitForStep(applied, false);
        }
      } catch (e) {
        extra = `; SyncFail hooks failed: ${(e as Error).message}`;
      }
      // SyncFail hooks follow their own delete policies once they ran.
      await this.deleteHooks((h) => h.task.phase === SyncPhase.SYNC_FAIL && (
        (h.phase === OperationPhase.SUCCEEDED && h.task.hookDeletePolicies!.includes(HookDeletePolicy.HOOK_SUCCEEDED))
        || (h.phase === OperationPhase.FAILED && h.task.hookDeletePolicies!.includes(HookDeletePolicy.HOOK_FAILED))));
    }
    this.finish(OperationPhase.FAILED, `${message}${extra}`);
  }
}
