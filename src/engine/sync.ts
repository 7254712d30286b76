import { IgnoreDifferencesEntry } from './application-spec';
import { noOpWrite } from './client-side-apply';
import { AppProjectSpec } from '../argo/app-project';
import { compareObjects } from './diff/compare';
import { redactSecretValues } from './diff/mask-secrets';
import { dryRunTasks, DryRunStrategy } from './dry-run';
import { isApplication } from './finalize/deletion-rules';
import { defaultFinalizePoller, finalizeApplication, FinalizeResult } from './finalize/finalize-application';
import { hasHealthCheck, resourceHealth } from './health';
import { forcedToFail, HookPods, logText, runsPods } from './hook-pods';
import { HookRunner, hookToDelete } from './hook-runner';
import { hookNamed, trackedHooks } from './hooks';
import { SyncGuard } from './interruption';
import { abortReason } from './kube/client';
import { KubeApi } from './kube/kube-api';
import { LoadedApplication } from './load/applications';
import {
  describeKey, groupOf, HealthStatusCode, KubeObject, keyOf, keyString, OperationPhase, ResourceResult, ResultCode,
  SyncOperationResult, SyncPhase, SyncTask, TaskAction,
} from './model';
import { NO_PRUNE_MESSAGE, pruneDecision, REQUIRES_PRUNING_MESSAGE, ResourceFilter } from './plan';
import { Clock, Deadline, mapLimit, Poller, pollUntil, SYSTEM_CLOCK } from './poll';
import { ProjectGate, projectGate, applicationDestination, resourceViolations } from './project';
import { applicationInstance, reconcile, Reconciliation } from './reconcile';
import { forceFallback, ResourceWriter, WriteMethod, writeMethod } from './resource-writer';
import { retryDelay, RetryPolicy, retryPolicy } from './retry';
import { KNOWN_SYNC_OPTIONS, optionTrue, optionValue, parseSyncOptions } from './sync-options';
import { trackingInstance } from './tracking';

export interface SyncRequest {
  /** Delete tracked objects that are no longer desired (without it they are reported PruneSkipped, "ignored (requires pruning)"). */
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
  /** Time source for waits, backoff and the timeout (tests pass a virtual clock). */
  readonly clock?: Clock;
  /** Interrupts the sync (SIGINT/SIGTERM): no new work starts, hooks are released, the Lease too. */
  readonly signal?: AbortSignal;
  /** An automated sync (the sync policy's, not a user's): sync windows' `manualSync` does not let it through. */
  readonly automated?: boolean;
  /**
   * The cluster where Argo CD's own objects live (the Application objects and AppProjects, in
   * `argocd`): the project is read there and the status recorded there, whatever cluster the
   * destination is. Default: the destination's client (the destination is the current cluster).
   */
  readonly controlPlane?: KubeApi;
  /**
   * Names of Job or Pod hooks to fail on purpose (`--fail-hook`), to rehearse the SyncFail path on
   * a cluster that only simulates pods (kwok): refused on a cluster that runs containers.
   */
  readonly failHooks?: readonly string[];
  /**
   * The first pass before anything is applied. `server` (default): every object is dry-run by the
   * API server, and anything it refuses fails the operation with nothing applied. `client`: Argo
   * CD's own (a client-side dry run): only a kind the server does not know stops the operation up
   * front; an object the server refuses fails when its wave is applied, after the earlier waves
   * were, exactly as Argo CD leaves the cluster (`--dry-run-strategy client`; `rehearse` uses it).
   */
  readonly dryRunStrategy?: DryRunStrategy;
}

export type SyncEvent =
  | { readonly type: 'attempt'; readonly application: string; readonly attempt: number }
  | { readonly type: 'step'; readonly application: string; readonly phase: SyncPhase; readonly wave: number; readonly tasks: number }
  | { readonly type: 'resource'; readonly application: string; readonly result: ResourceResult }
  | { readonly type: 'waiting'; readonly application: string; readonly message: string }
  | { readonly type: 'warning'; readonly application: string; readonly message: string }
  | { readonly type: 'done'; readonly application: string; readonly result: SyncOperationResult };

/** What a step of the operation came to: go on, or stop with a message. */
type Outcome = { readonly ok: true } | { readonly ok: false; readonly message: string };
const OK: Outcome = { ok: true };
const failed = (message: string): Outcome => ({ ok: false, message });

function at(task: SyncTask): string {
  const pos = task.source ? `${task.source.file}:${task.source.line}: ` : '';
  return `${pos}${describeKey(task.key)}`;
}

/**
 * What a successful sync left in the cluster, seen through its own reconcile: enough to compare
 * the Application after the operation without reading every object again (compare-app.ts
 * `comparisonAfterSync`).
 */
export interface SyncObservation {
  /** The reconciliation of the attempt that succeeded (its tasks, and their live state before it). */
  readonly reconciliation: Extract<Reconciliation, { ok: true }>;
  /** The live object each written task left (the server's answer to the write), or undefined for a pruned one. */
  readonly written: ReadonlyMap<SyncTask, KubeObject | undefined>;
  /** The tracked hook objects left live after the operation (by key), which status.resources lists. */
  readonly hooksLeft: ReadonlyMap<string, KubeObject>;
}

/** A sync operation's result and, for a complete successful sync, what it observed. */
export interface SyncRun {
  readonly result: SyncOperationResult;
  /** Set for a real (not dry-run), whole (not selective) sync that succeeded. */
  readonly observation?: SyncObservation;
}

/** Runs one sync operation (with retries) of one loaded Application against `client`. */
export async function syncApplication(client: KubeApi, app: LoadedApplication, req: SyncRequest = {}): Promise<SyncOperationResult> {
  return (await runSync(client, app, req)).result;
}

/** {@link syncApplication}, also returning what a successful sync observed. */
export async function runSync(client: KubeApi, app: LoadedApplication, req: SyncRequest = {}): Promise<SyncRun> {
  let observation: SyncObservation | undefined;
  const result = await runOperation(client, app, req, (o) => {
    observation = o;
  });
  const complete = result.phase === OperationPhase.SUCCEEDED && !result.dryRun && !req.resources?.length;
  return { result, observation: complete ? observation : undefined };
}

async function runOperation(
  client: KubeApi, app: LoadedApplication, req: SyncRequest, observe: (o: SyncObservation | undefined) => void,
): Promise<SyncOperationResult> {
  const emit = req.onEvent ?? (() => undefined);
  const clock = req.clock ?? SYSTEM_CLOCK;
  const result: SyncOperationResult = {
    application: app.name,
    revision: app.revision,
    phase: OperationPhase.RUNNING,
    message: '',
    dryRun: !!req.dryRun,
    startedAt: new Date(clock.now()).toISOString(),
    resources: [],
    attempts: 0,
  };
  const done = (phase?: OperationPhase, message?: string): SyncOperationResult => {
    if (phase) {
      result.phase = phase;
      result.message = message ?? '';
    }
    result.finishedAt = new Date(clock.now()).toISOString();
    emit({ type: 'done', application: app.name, result });
    return result;
  };
  if (app.error) {
    return done(OperationPhase.ERROR, app.error);
  }
  let policy: RetryPolicy;
  try {
    policy = retryPolicy(app.manifest.spec?.syncPolicy?.retry, req.retryLimit, !!req.automated);
  } catch (e) {
    return done(OperationPhase.ERROR, `${app.position.file}:${app.position.line}: Application ${app.name}: ${(e as Error).message}`);
  }
  // [project] the AppProject's rules and sync windows, before anything else: see engine/project/.
  let project: ProjectGate;
  try {
    project = await projectGate(req.controlPlane ?? client, app, { nowMs: clock.now(), automated: !!req.automated });
  } catch (e) {
    return done(OperationPhase.ERROR, `cannot read the AppProject of ${app.name}: ${(e as Error).message}`);
  }
  if (!project.ok) {
    return done(project.reason === 'invalid' ? OperationPhase.ERROR : OperationPhase.FAILED, project.message);
  }
  const instance = applicationInstance(app);
  // [interruption] request deadlines, cancellation, lease fencing: see interruption.ts.
  const guard = new SyncGuard(client, req.signal, req.timeoutSeconds);
  if (!req.dryRun) {
    try {
      await guard.acquireLock(instance);
    } catch (e) {
      return done(OperationPhase.ERROR, (e as Error).message);
    }
  }
  try {
    for (let attempt = 1; ; attempt++) {
      result.attempts = attempt;
      emit({ type: 'attempt', application: app.name, attempt });
      result.resources.length = 0;
      const context = new SyncContext(guard.client, app, { ...req, signal: guard.signal }, clock, result, project);
      await context.run();
      observe(context.observation);
      if (result.phase === OperationPhase.SUCCEEDED || req.dryRun || guard.interrupted) {
        break;
      }
      const delay = retryDelay(policy, attempt);
      if (delay === undefined) {
        break;
      }
      emit({ type: 'waiting', application: app.name, message: `retrying in ${Math.round(delay / 1000)}s (attempt ${attempt + 1}${policy.limit >= 0 ? ` of ${policy.limit + 1}` : ''}): ${result.message}` });
      await clock.sleep(delay);
    }
  } finally {
    await guard.finish(app, instance, result, (message) => emit({ type: 'warning', application: app.name, message }));
  }
  return done();
}

/** A task that was written in the current step, with its result row (updated while waiting). */
interface Applied {
  readonly task: SyncTask;
  readonly obj: KubeObject;
  readonly result: ResourceResult;
}

/**
 * One attempt, like gitops-engine's sync context: reconcile (plan as data) → pre-flight checks →
 * dry run of every task → one step per (phase, wave), each a batch of writes followed by a wait
 * for hooks and health → SyncFail hooks when a step failed. Every step returns an outcome.
 */
class SyncContext {
  private readonly emit: (e: SyncEvent) => void;
  private readonly startedAt: Date;
  private readonly poller: Poller;
  private readonly writer: ResourceWriter;
  private readonly hooks: HookRunner;
  private readonly pods: HookPods;
  /** Hooks to fail on purpose (`--fail-hook`), with the option that asked for it. */
  private readonly forced = new Map<SyncTask, string>();
  private readonly concurrency: number;
  private prepared: ReadonlyMap<SyncTask, KubeObject> = new Map();
  /** Tasks whose write would change nothing (skipped without an API call). */
  private readonly unchanged = new Set<SyncTask>();
  /** What each applied or pruned task left in the cluster. */
  private readonly written = new Map<SyncTask, KubeObject | undefined>();
  /** Set when the attempt succeeded. */
  observation?: SyncObservation;
  /** Applied (not hook) results whose task gitops-engine would still call Running. */
  private readonly runningTasks: Array<{ readonly task: SyncTask; readonly result: ResourceResult }> = [];

  constructor(
    private readonly api: KubeApi,
    private readonly app: LoadedApplication,
    private readonly req: SyncRequest,
    clock: Clock,
    private readonly result: SyncOperationResult,
    private readonly project: { readonly name: string; readonly spec: AppProjectSpec },
  ) {
    this.emit = req.onEvent ?? (() => undefined);
    this.startedAt = new Date(clock.now());
    this.poller = { clock, deadline: new Deadline(clock, req.timeoutSeconds ? req.timeoutSeconds * 1000 : undefined), intervalMs: req.pollMs ?? 250 };
    this.writer = new ResourceWriter(api);
    this.hooks = new HookRunner(api, this.writer, this.poller);
    this.pods = new HookPods(api);
    this.concurrency = req.concurrency ?? 16;
  }

  async run(): Promise<void> {
    try {
      await this.execute();
    } catch (e) {
      // An API or network error outside any step (reading live state, discovery).
      this.finish(OperationPhase.ERROR, this.redact(e));
    }
  }

  private async execute(): Promise<void> {
    const { app, req } = this;
    // Prune tasks are planned on every sync, as Argo CD does: without prune they are only reported.
    const r = await reconcile(this.api, app, {
      prune: true, resources: req.resources, startedAt: this.startedAt, onWarning: (message) => this.warn([message]),
    });
    if (!r.ok) {
      return this.finish(OperationPhase.FAILED, `invalid manifests, nothing was applied:\n  ${r.errors.join('\n  ')}`);
    }
    this.warnUnknownOptions();
    const requiresPruning = req.prune ? [] : r.plan.tasks.filter((t) => t.action === TaskAction.PRUNE);
    const tasks = r.plan.tasks.filter((t) => !requiresPruning.includes(t));
    this.prepared = r.prepared;
    r.unchanged.forEach((t) => this.unchanged.add(t));

    // [project] a kind or namespace the project forbids fails the operation before anything is applied.
    const forbidden = resourceViolations(tasks, this.project.name, this.project.spec, applicationDestination(app.manifest.spec));
    if (forbidden.length > 0) {
      forbidden.forEach((v) => this.record(v.task, ResultCode.SYNC_FAILED, v.message));
      return this.finish(OperationPhase.FAILED, `one or more synchronization tasks are not valid, nothing was applied:\n  ${forbidden.map((v) => `${at(v.task)}: ${v.message}`).join('\n  ')}`);
    }
    const preflight = this.preflight(tasks, r.plan.targets.size, r.instance);
    if (!preflight.ok) {
      return this.finish(OperationPhase.FAILED, preflight.message);
    }
    const forcing = await this.forceFailures(tasks);
    if (!forcing.ok) {
      return this.finish(OperationPhase.FAILED, forcing.message);
    }
    const dry = await dryRunTasks(this.api, this.writer, {
      tasks, prepared: this.prepared, unchanged: this.unchanged, forceAll: !!req.force, concurrency: this.concurrency, strategy: req.dryRunStrategy,
    });
    if (!dry.ok) {
      dry.failures.forEach((f) => this.record(f.task, ResultCode.SYNC_FAILED, `${f.message} (dry run)`));
      return this.finish(OperationPhase.FAILED, `one or more objects failed to apply (dry run), nothing was applied:\n  ${dry.failures.map((f) => `${at(f.task)}: ${f.message}`).join('\n  ')}`);
    }
    // --dry-run-strategy client: what the server refuses is applied in its wave anyway, as Argo CD does.
    this.warn(dry.deferred.map((f) => `${at(f.task)}: the server refuses it (dry run): ${f.message}; with the client dry-run strategy (Argo CD's) it fails when its wave is applied, after the earlier waves`));
    requiresPruning.forEach((t) => this.record(t, ResultCode.PRUNE_SKIPPED, REQUIRES_PRUNING_MESSAGE));
    if (req.dryRun) {
      return this.reportDryRun(tasks);
    }
    await this.skipInSync(tasks, dry.predicted, r.rules);

    const main = tasks.filter((t) => t.phase !== SyncPhase.SYNC_FAIL);
    const steps = syncSteps(main);
    // A single-wave sync without hooks does not wait for health (Argo CD).
    const multiStep = steps.length > 1 || main.some((t) => t.action === TaskAction.HOOK);
    for (let i = 0; i < steps.length; i++) {
      if (req.signal?.aborted) {
        // [interruption] start no new step
        return this.failOperation(tasks, `interrupted: ${abortReason(req.signal)}`);
      }
      const outcome = await this.runStep(steps[i], multiStep && i < steps.length - 1);
      if (!outcome.ok) {
        return this.failOperation(tasks, outcome.message);
      }
      if (i < steps.length - 1) {
        await this.observeRunningTasks(false);
      }
    }
    this.warn(await this.hooks.deleteFinished(true));
    // Hooks live before the operation, then each one it created (replacing its earlier instance), less those its delete policies removed.
    const hooksLeft = new Map(trackedHooks(r.live.values(), r.instance).map((o) => [keyString(keyOf(o)), o]));
    for (const h of this.hooks.hooks) {
      if (hookToDelete(h, true)) {
        hooksLeft.delete(keyString(h.task.key));
      } else {
        hooksLeft.set(keyString(h.task.key), h.obj);
      }
    }
    this.observation = { reconciliation: r, written: this.written, hooksLeft };
    // gitops-engine's words: a last step with hooks ends in a later pass that finds nothing left to do.
    const lastHasHooks = steps.length > 0 && steps[steps.length - 1].some((t) => t.action === TaskAction.HOOK);
    this.finish(OperationPhase.SUCCEEDED, lastHasHooks ? 'successfully synced (no more tasks)' : 'successfully synced (all tasks run)');
  }

  // ---- pure decisions and reporting -------------------------------------------------------

  /** allowEmpty guard and shared resources: checked before anything is written. */
  private preflight(tasks: readonly SyncTask[], desiredCount: number, instance: string): Outcome {
    const spec = this.app.manifest.spec;
    const prunes = tasks.filter((t) => t.action === TaskAction.PRUNE);
    if (prunes.length > 0 && desiredCount === 0 && !(this.req.allowEmpty || spec.syncPolicy?.automated?.allowEmpty)) {
      return failed(`refusing to prune all ${prunes.length} resources of ${this.app.name}: the Application has no desired resources left (set syncPolicy.automated.allowEmpty or pass --allow-empty)`);
    }
    for (const t of tasks) {
      const owner = t.live && t.action === TaskAction.APPLY && !t.autoNamespace ? trackingInstance(t.live) : undefined;
      if (owner && owner !== instance) {
        const msg = `${at(t)} is already managed by Application ${owner}`;
        if (optionTrue(t.options, 'FailOnSharedResource')) {
          this.record(t, ResultCode.SYNC_FAILED, `${msg} (FailOnSharedResource=true)`);
          return failed(`shared resource, nothing was applied: ${msg}`);
        }
        this.warn([msg]);
      }
    }
    return OK;
  }

  /**
   * `--fail-hook`: the Job and Pod hooks named are made to fail (see hook-pods.ts `forcedToFail`).
   * Only on a cluster whose pods are all simulated: on a real one the hook would run for real.
   */
  private async forceFailures(tasks: readonly SyncTask[]): Promise<Outcome> {
    if (this.req.dryRun) {
      return OK;
    }
    // A generateName hook's task carries its generated name: match the object as written.
    const written = (t: SyncTask) => (t.source && this.app.objects.find((d) => d.source === t.source)?.object) || t.desired!;
    for (const name of this.req.failHooks ?? []) {
      for (const t of tasks.filter((x) => x.action === TaskAction.HOOK && x.desired && runsPods(x.desired) && hookNamed(written(x), name))) {
        this.forced.set(t, `--fail-hook ${name}`);
      }
    }
    if (this.forced.size > 0 && !(await this.pods.simulatesAllPods())) {
      const names = [...this.forced.keys()].map((t) => at(t)).join(', ');
      return failed(`--fail-hook only rehearses a failure on a cluster that simulates pods (kwok, as the local cluster): the destination of ${this.app.name} runs containers, so ${names} would really run; nothing was applied`);
    }
    return OK;
  }

  private warnUnknownOptions(): void {
    for (const name of parseSyncOptions(this.app.manifest.spec.syncPolicy?.syncOptions).keys()) {
      if (!KNOWN_SYNC_OPTIONS.has(name)) {
        this.warn([`sync option ${name} is not supported by the engine and is ignored`]);
      }
    }
  }

  private reportDryRun(tasks: readonly SyncTask[]): void {
    for (const t of tasks.filter((x) => x.phase !== SyncPhase.SYNC_FAIL)) {
      const what = t.action === TaskAction.PRUNE ? 'would be pruned' : this.unchanged.has(t) ? 'unchanged' : t.live ? 'would be configured' : 'would be created';
      this.record(t, t.action === TaskAction.PRUNE ? ResultCode.PRUNED : ResultCode.SYNCED, `${what} (dry run)`);
    }
    this.finish(OperationPhase.SUCCEEDED, 'dry run succeeded: nothing was changed');
  }

  /**
   * Skips writes that would change nothing but managedFields (the dry run says so; see
   * client-side-apply.ts: an object Argo CD synced is adopted without a write) and, with
   * ApplyOutOfSyncOnly, objects whose predicted state shows no difference from live.
   */
  private async skipInSync(
    tasks: readonly SyncTask[], predicted: ReadonlyMap<SyncTask, KubeObject>, rules: readonly IgnoreDifferencesEntry[],
  ): Promise<void> {
    for (const t of tasks) {
      const p = predicted.get(t);
      if (t.action !== TaskAction.APPLY || !p || !t.live) {
        continue;
      }
      if (noOpWrite(this.prepared.get(t)!, p, t.live)
        || (optionTrue(t.options, 'ApplyOutOfSyncOnly') && !(await compareObjects(p, t.live, rules)).modified)) {
        this.unchanged.add(t);
      }
    }
  }

  // ---- one step: prunes, writes grouped by kind, then wait --------------------------------

  private async runStep(step: SyncTask[], gate: boolean): Promise<Outcome> {
    this.emit({ type: 'step', application: this.app.name, phase: step[0].phase, wave: step[0].wave, tasks: step.length });
    try {
      const pruned = await this.prune(step.filter((t) => t.action === TaskAction.PRUNE));
      if (!pruned.ok) {
        return pruned;
      }
      const applied: Applied[] = [];
      for (const group of kindGroups(step.filter((t) => t.action !== TaskAction.PRUNE))) {
        const written = await this.write(group, applied);
        if (!written.ok) {
          return written;
        }
        if (group[0].key.kind === 'CustomResourceDefinition') {
          const established = await this.waitForCrds(group.map((t) => this.prepared.get(t)!));
          if (!established.ok) {
            return established;
          }
        }
      }
      return await this.waitForStep(applied, gate);
    } catch (e) {
      return failed(this.redact(e));
    }
  }

  private async prune(prunes: SyncTask[]): Promise<Outcome> {
    const errors: string[] = [];
    await mapLimit(prunes, this.concurrency, async (t) => {
      const decision = pruneDecision(t.options, !!this.req.confirmPrune);
      if (decision === 'skip') {
        this.record(t, ResultCode.PRUNE_SKIPPED, NO_PRUNE_MESSAGE);
        return;
      }
      if (decision === 'confirm') {
        this.record(t, ResultCode.PRUNE_SKIPPED, 'waiting for confirmation: Prune=confirm (rerun with --confirm-prune)');
        return;
      }
      const raw = optionValue(t.options, 'PrunePropagationPolicy') ?? 'foreground';
      const policy = raw.charAt(0).toUpperCase() + raw.slice(1).toLowerCase();
      try {
        await this.api.delete(t.live!, policy);
        this.written.set(t, undefined);
        // A pruned Application is finalized in the same run, as Argo CD's controller would.
        const finalized = isApplication(t.live!) ? await this.finalizeApplication(t.live!) : undefined;
        if (finalized && !finalized.ok) {
          throw new Error(finalized.message);
        }
        this.record(t, ResultCode.PRUNED, finalized?.deleted.length ? `pruned (and its ${finalized.deleted.length} resource(s))` : 'pruned');
      } catch (e) {
        const msg = (e as Error).message;
        this.record(t, ResultCode.SYNC_FAILED, msg);
        errors.push(`${at(t)}: ${msg}`);
      }
    });
    return errors.length > 0 ? failed(`one or more objects failed to apply, reason: ${errors.join('; ')}`) : OK;
  }

  private finalizeApplication(app: KubeObject): Promise<FinalizeResult> {
    return finalizeApplication(this.api, app, {
      poller: this.req.timeoutSeconds ? this.poller : defaultFinalizePoller(),
      onEvent: (message) => this.emit({ type: 'waiting', application: this.app.name, message }),
    });
  }

  /** Writes one kind group in parallel: hooks are started, other objects applied. */
  private async write(group: SyncTask[], applied: Applied[]): Promise<Outcome> {
    const errors: string[] = [];
    await mapLimit(group, this.concurrency, async (t) => {
      const outcome = t.action === TaskAction.HOOK ? await this.startHook(t) : await this.applyTask(t);
      if ('message' in outcome) {
        const msg = redactSecretValues(outcome.message, t.desired, this.prepared.get(t));
        this.record(t, ResultCode.SYNC_FAILED, msg, t.action === TaskAction.HOOK ? { hookPhase: OperationPhase.FAILED } : {});
        errors.push(`${at(t)}: ${msg}`);
      } else {
        applied.push(outcome);
      }
    });
    return errors.length > 0 ? failed(`one or more objects failed to apply, reason: ${errors.join('; ')}`) : OK;
  }

  private async applyTask(t: SyncTask): Promise<Applied | { message: string }> {
    const obj = this.prepared.get(t)!;
    const name = `${t.key.kind.toLowerCase()}${t.key.group ? `.${t.key.group}` : ''}/${t.key.name}`;
    const replace = writeMethod(t.options) === WriteMethod.REPLACE;
    // gitops-engine never deletes a CRD or a Namespace to replace it (that would delete every
    // custom resource, or everything in it): Replace=true updates them, without Force.
    const updatedInPlace = replace && isCrdOrNamespace(t.key);
    // Replace=true with Force=true is `kubectl replace --force`: delete and create, changed or not.
    const replaceForce = replace && !updatedInPlace && !!t.live && (!!this.req.force || optionTrue(t.options, 'Force'));
    if (this.unchanged.has(t) && !replaceForce) {
      this.written.set(t, t.live);
      return { task: t, obj: t.live!, result: this.record(t, ResultCode.SYNCED, `${name} unchanged`) };
    }
    if (replaceForce) {
      const kind = `${t.key.kind.toLowerCase()}${t.key.group ? `.${t.key.group}` : ''}`;
      const deleted = `${kind} "${t.key.name}" deleted${t.key.namespace ? ` from ${t.key.namespace} namespace` : ''}`;
      return this.recreate(t, obj, `${deleted}\n${name} replaced`);
    }
    try {
      const out = await this.writer.write(t, obj, t.live, false);
      this.written.set(t, out);
      // kubectl's words, as Argo CD reports them: apply configures, replace replaces (CRDs and Namespaces are updated).
      const verb = !t.live ? 'created' : updatedInPlace ? 'updated' : replace ? 'replaced' : 'configured';
      const shown = updatedInPlace ? `${t.key.kind}/${t.key.name}` : name;
      return { task: t, obj: out, result: this.record(t, ResultCode.SYNCED, `${shown} ${verb}`) };
    } catch (e) {
      if (updatedInPlace || !forceFallback(t, !!this.req.force, e)) {
        return { message: (e as Error).message };
      }
    }
    // Force=true: an update the server refuses (e.g. an immutable field) deletes and recreates the
    // object; `kubectl apply --force` then says "configured", as Argo CD reports it.
    return this.recreate(t, obj, `${name} configured`);
  }

  /** Deletes the live object, waits until it is gone, and creates it again. */
  private async recreate(t: SyncTask, obj: KubeObject, message: string): Promise<Applied | { message: string }> {
    await this.api.delete(t.live!, 'Foreground');
    const gone = await pollUntil(this.poller, async () => ((await this.api.get(t.live!))
      ? { done: false, waiting: `deletion of ${describeKey(t.key)}` }
      : { done: true, value: undefined }));
    if (!gone.ok) {
      return { message: `timed out waiting for ${gone.timedOut}` };
    }
    const out = await this.writer.write(t, obj, undefined, false);
    this.written.set(t, out);
    return { task: t, obj: out, result: this.record(t, ResultCode.SYNCED, message) };
  }

  private async startHook(t: SyncTask): Promise<Applied | { message: string }> {
    const forced = this.forced.get(t);
    const prepared = this.prepared.get(t)!;
    const started = await this.hooks.start(t, forced ? forcedToFail(prepared) : prepared);
    if (!started.ok) {
      return started;
    }
    const { hook } = started;
    if (hook.phase !== OperationPhase.RUNNING) {
      // A kind without health completes on creation: gitops-engine's getOperationPhase reports it
      // with no sync status and `<name> created`, as every hook it observed.
      return { task: t, obj: hook.obj, result: this.record(t, undefined, `${t.key.name} created`, { hookPhase: hook.phase }) };
    }
    const created = `${t.key.kind.toLowerCase()}/${t.key.name} created${forced ? ` (to fail on purpose: ${forced})` : ''}`;
    return { task: t, obj: hook.obj, result: this.record(t, ResultCode.SYNCED, created, { hookPhase: hook.phase, ...(forced ? { forced } : {}) }) };
  }

  private async waitForCrds(crds: KubeObject[]): Promise<Outcome> {
    for (const crd of crds) {
      const outcome = await pollUntil(this.poller, async () => {
        const live = await this.api.get(crd);
        return (live?.status?.conditions ?? []).some((c: any) => c.type === 'Established' && c.status === 'True')
          ? { done: true, value: undefined } : { done: false, waiting: `CustomResourceDefinition ${crd.metadata.name} to be established` };
      });
      if (!outcome.ok) {
        return failed(`timed out waiting for ${outcome.timedOut}`);
      }
    }
    this.api.invalidateDiscovery();
    return OK;
  }

  /**
   * Waits until the step's hooks completed and, when `gate` (more waves follow), its resources
   * with a health rule are Healthy. A hook that fails, or a gated resource that turns Degraded
   * (gitops-engine marks it failed), fails the step.
   */
  private async waitForStep(applied: Applied[], gate: boolean): Promise<Outcome> {
    let pending = applied.filter(({ task, obj, result }) =>
      (task.action === TaskAction.HOOK ? result.hookPhase === OperationPhase.RUNNING : gate && hasHealthCheck(obj)));
    const outcome = await pollUntil(this.poller, async () => {
      const still: Applied[] = [];
      const failures: string[] = [];
      await mapLimit(pending, this.concurrency, async (p) => {
        const finished = p.task.action === TaskAction.HOOK ? await this.observeHook(p) : await this.observeGated(p);
        if (finished === 'running') {
          still.push(p);
        } else if (finished === 'failed') {
          // The first line: a failed hook's log lines follow in its own result.
          failures.push(`${at(p.task)}: ${p.result.message.split('\n')[0]}`);
        }
      });
      pending = still;
      if (failures.length > 0 || pending.length === 0) {
        return { done: true, value: failures };
      }
      return { done: false, waiting: waitingMessage(pending) };
    }, (message) => this.emit({ type: 'waiting', application: this.app.name, message }));
    if (!outcome.ok) {
      return failed(`timed out after ${this.req.timeoutSeconds}s ${outcome.timedOut}`);
    }
    return outcome.value.length > 0 ? failed(`one or more synchronization tasks completed unsuccessfully, reason: ${outcome.value.join('; ')}`) : OK;
  }

  private async observeHook(p: Applied): Promise<'running' | 'succeeded' | 'failed'> {
    const hook = this.hooks.hooks.find((h) => h.task === p.task)!;
    const seen = await this.hooks.observe(hook);
    p.result.health = seen.health;
    if (seen.phase === OperationPhase.RUNNING) {
      return 'running';
    }
    const ok = seen.phase === OperationPhase.SUCCEEDED;
    p.result.hookPhase = seen.phase;
    const notes = p.result.forced && !ok ? [`failed on purpose: ${p.result.forced}`] : [];
    const simulated = seen.live && await this.simulated(seen.live);
    if (simulated) {
      p.result.simulated = simulated;
      notes.push(`simulated: ${simulated}`);
    }
    if (!ok && seen.live) {
      // A failure says why: the end of the failing container's log.
      const log = await this.pods.failureLog(seen.live, this.app.objects.map((d) => d.object)).catch((e) => {
        this.warn([`could not read the pods of ${describeKey(p.task.key)}: ${this.redact(e)}`]);
        return undefined;
      });
      // A simulated pod ran no container: it has a log only where one was given to kwok for it
      // (its Logs/ClusterLogs objects, to rehearse a failure's output); that it has none is no news.
      p.result.log = simulated && log?.error ? undefined : log;
    }
    const base = seen.health?.message ?? (ok ? 'hook succeeded' : 'hook failed');
    p.result.message = `${base}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}${p.result.log ? `\n${logText(p.result.log)}` : ''}`;
    // An observed hook has no sync status in Argo CD (gitops-engine sets it to ""): its hookPhase
    // says how it ended. Only a hook that could not be created is SyncFailed.
    p.result.status = undefined;
    this.emit({ type: 'resource', application: this.app.name, result: p.result });
    return ok ? 'succeeded' : 'failed';
  }

  /** Why a finished Job or Pod only ran in a simulation; a failure to tell is a warning, not a failed hook. */
  private async simulated(live: KubeObject): Promise<string | undefined> {
    try {
      return await this.pods.simulated(live);
    } catch (e) {
      this.warn([`could not tell whether ${describeKey(keyOf(live))} ran for real: ${(e as Error).message}`]);
      return undefined;
    }
  }

  private async observeGated(p: Applied): Promise<'running' | 'succeeded' | 'failed'> {
    const live = await this.api.get(p.obj);
    if (live) {
      this.written.set(p.task, live);
    }
    const h = live ? resourceHealth(live) : undefined;
    p.result.health = h;
    const finished = h?.status === HealthStatusCode.DEGRADED || h?.status === HealthStatusCode.HEALTHY;
    // A Job or Pod gating a wave "finished" on kwok without running: say so.
    const simulated = finished && live && runsPods(live) ? await this.simulated(live) : undefined;
    if (h?.status === HealthStatusCode.DEGRADED) {
      p.result.status = ResultCode.SYNC_FAILED;
      p.result.message = h.message ?? 'Degraded';
    }
    if (simulated) {
      p.result.simulated = simulated;
      p.result.message = `${p.result.message} (simulated: ${simulated})`;
    }
    if (h?.status === HealthStatusCode.DEGRADED) {
      this.emit({ type: 'resource', application: this.app.name, result: p.result });
      return 'failed';
    }
    if (simulated) {
      this.emit({ type: 'resource', application: this.app.name, result: p.result });
    }
    return h?.status === HealthStatusCode.HEALTHY ? 'succeeded' : 'running';
  }

  // ---- failure: HookFailed deletes, SyncFail hooks ----------------------------------------

  private async failOperation(tasks: readonly SyncTask[], message: string): Promise<void> {
    this.warn(await this.hooks.deleteFinished(false));
    if (this.req.signal?.aborted) {
      // [interruption] start no new work: no SyncFail hooks either.
      return this.finish(OperationPhase.FAILED, message);
    }
    const syncFail = tasks.filter((t) => t.phase === SyncPhase.SYNC_FAIL);
    let extra = '';
    if (syncFail.length > 0) {
      await this.observeRunningTasks(true);
      // A timed-out operation still gets a minute to run its SyncFail hooks.
      this.poller.deadline.extendTo(60_000);
      for (const step of syncSteps(syncFail)) {
        const outcome = await this.runStep(step, false);
        if (!outcome.ok) {
          extra = `; SyncFail hooks failed: ${outcome.message}`;
          break;
        }
      }
      // SyncFail hooks follow their own delete policies once they ran.
      this.warn(await this.hooks.deleteFinished(true, (h) => h.task.phase === SyncPhase.SYNC_FAIL));
    }
    this.finish(OperationPhase.FAILED, `${message}${extra}`);
  }

  // ---- results ----------------------------------------------------------------------------

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
    if (task.action !== TaskAction.HOOK && status) {
      r.taskPhase = TASK_PHASES[status];
      // The destination namespace that CreateNamespace adds is a task of the first pass only:
      // gitops-engine never looks at it again, so it stays Running.
      if (r.taskPhase === OperationPhase.RUNNING && !task.autoNamespace) {
        this.runningTasks.push({ task, result: r });
      }
    }
    this.result.resources.push(r);
    this.emit({ type: 'resource', application: this.app.name, result: r });
    return r;
  }

  /**
   * Before the operation goes on (the next step, or SyncFail hooks), gitops-engine looks at every
   * applied task again: one without health or Healthy is Succeeded, a Degraded one Failed.
   * `fetch`: read each object (after a failure); otherwise the step's wait has just seen it.
   */
  private async observeRunningTasks(fetch: boolean): Promise<void> {
    const still: typeof this.runningTasks = [];
    await mapLimit(this.runningTasks, this.concurrency, async (p) => {
      const seen = fetch ? await this.api.get(p.task.desired!).catch(() => undefined) : this.written.get(p.task);
      const h = seen ? resourceHealth(seen) : undefined;
      if (!seen || (h && h.status !== HealthStatusCode.HEALTHY && h.status !== HealthStatusCode.DEGRADED)) {
        still.push(p);
      } else {
        p.result.taskPhase = h?.status === HealthStatusCode.DEGRADED ? OperationPhase.FAILED : OperationPhase.SUCCEEDED;
      }
    });
    this.runningTasks.splice(0, this.runningTasks.length, ...still);
  }

  private warn(messages: readonly string[]): void {
    messages.forEach((message) => this.emit({ type: 'warning', application: this.app.name, message }));
  }

  private finish(phase: OperationPhase, message: string): void {
    this.result.phase = phase;
    this.result.message = message;
  }

  private redact(e: unknown): string {
    return redactSecretValues((e as Error).message, ...this.app.objects.map((d) => d.object));
  }
}

/** gitops-engine's `operationPhases`: the task state a write's result code starts it in. */
const TASK_PHASES: Record<ResultCode, OperationPhase> = {
  [ResultCode.SYNCED]: OperationPhase.RUNNING,
  [ResultCode.SYNC_FAILED]: OperationPhase.FAILED,
  [ResultCode.PRUNED]: OperationPhase.SUCCEEDED,
  [ResultCode.PRUNE_SKIPPED]: OperationPhase.SUCCEEDED,
};

/** Pure: a CustomResourceDefinition or a Namespace, which Replace=true never deletes. */
function isCrdOrNamespace(key: SyncTask['key']): boolean {
  return (key.kind === 'CustomResourceDefinition' && key.group === 'apiextensions.k8s.io') || (key.kind === 'Namespace' && key.group === '');
}

/** Pure: consecutive tasks with the same phase and wave. */
export function syncSteps(tasks: readonly SyncTask[]): SyncTask[][] {
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

/** Pure: consecutive tasks of the same kind (Argo CD applies kind by kind within a wave). */
function kindGroups(tasks: readonly SyncTask[]): SyncTask[][] {
  const out: SyncTask[][] = [];
  for (const t of tasks) {
    const last = out[out.length - 1];
    if (last && last[0].key.kind === t.key.kind) {
      last.push(t);
    } else {
      out.push([t]);
    }
  }
  return out;
}

function waitingMessage(pending: readonly Applied[]): string {
  const first = pending[0];
  const h = first.result.health;
  const detail = h ? `${h.status}${h.message ? `: ${h.message}` : ''}` : 'Missing';
  const what = first.task.action === TaskAction.HOOK ? 'completion of hook' : 'healthy state of';
  const group = groupOf(first.obj.apiVersion);
  return `waiting for ${what} ${group ? `${group}/` : ''}${first.task.key.kind}/${first.task.key.name} (${detail})${pending.length > 1 ? ` and ${pending.length - 1} more` : ''}`;
}
