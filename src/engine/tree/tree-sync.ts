/**
 * The whole tree in one process, as Argo CD's application controller runs it: a root's object is
 * applied (as `kubectl apply -f root.yaml` would), the root is synced, and every child Application
 * object its sync applies is reconciled at once, concurrently with the parent: automated children
 * are synced, manual ones compared. Each child records its status on its object, which is what
 * the parent's wave gate reads (health/application.ts), so a later wave of children starts only
 * when the earlier children are Synced and Healthy, and a Degraded child fails the parent.
 */
import { ApplicationTree, applicationKey, TreeNode } from './application-tree';
import { childAction, isAutomated, ReconcileAction } from './child-policy';
import { reconcileApplication, ReconcileOutcome } from './reconcile-application';
import { SelfHealBackoff } from './self-heal';
import { SharedListCache } from './shared-list-cache';
import { SlotPool, Slot } from './slot-pool';
import { TreeSelection } from './tree-selection';
import { FIELD_MANAGER } from '../annotations';
import { Initiator, recordComparison } from '../app-status/status-record';
import { CONTROL_PLANE_NAMESPACE } from '../application-spec';
import { compareApplication, ResourceStatus } from '../compare-app';
import { resourceHealth } from '../health';
import { requestTimeoutMs } from '../interruption';
import { abortReason } from '../kube/client';
import { KubeApi } from '../kube/kube-api';
import { LoadedApplication } from '../load/applications';
import {
  HealthStatusCode, KubeObject, OperationPhase, ResourceResult, ResultCode, SyncOperationResult, SyncStatusCode,
} from '../model';
import { mapLimit, SYSTEM_CLOCK } from '../poll';
import { readAppProject } from '../project';
import { SyncEvent, SyncRequest } from '../sync';

/** Argo CD's default `--operation-processors`. */
export const DEFAULT_APP_CONCURRENCY = 10;

/** How long an Application that is still Progressing after its sync is followed without `--timeout`. */
export const DEFAULT_SETTLE_SECONDS = 300;

/** Interval of the status refreshes while an Application is Progressing. */
export const DEFAULT_SETTLE_MS = 1000;

/** The outcome of one Application of the tree (`-o json` prints one per Application). */
export interface ApplicationRun {
  readonly application: string;
  readonly namespace: string;
  /** The Application whose sync created this one (none for a root). */
  readonly parent?: string;
  /** Sync wave of this Application's object in its parent. */
  readonly wave: number;
  /** Synced, compared only, or not reached (its parent stopped before applying it, or interrupted). */
  readonly action: ReconcileAction | 'skipped';
  /** Phase of the sync operation (synced Applications only). */
  readonly phase?: OperationPhase;
  /** Sync status and health after the run, as recorded on the Application object. */
  readonly sync?: SyncStatusCode;
  readonly health?: HealthStatusCode;
  readonly message: string;
  /** The sync operation's full result. */
  readonly operation?: SyncOperationResult;
  /**
   * An automated Application that was not synced because its last sync of this very revision
   * failed (Argo CD does not retry it by itself): the run failed for it.
   */
  readonly failedBefore?: boolean;
  /** A self-heal waits for Argo CD's self-heal backoff: refresh it again after this many ms (controller mode). */
  readonly retryAfterMs?: number;
}

export type TreeEvent =
  | SyncEvent
  | {
    readonly type: 'started';
    readonly application: string;
    readonly parent?: string;
    readonly wave: number;
    readonly action: ReconcileAction;
    /** Why an automated sync starts (autoSync's reason: a new revision, a self-heal). */
    readonly reason?: string;
  }
  | { readonly type: 'reconciled'; readonly application: string; readonly run: ApplicationRun };

export interface TreeSyncOptions {
  /** The sync flags, applied to every Application that is synced. */
  readonly request: Omit<SyncRequest, 'onEvent'>;
  /** Who starts the selected Applications (children synced by the controller are `automated`). */
  readonly initiatedBy: Initiator;
  /** Sync manual children too (`--include-manual`). */
  readonly includeManual?: boolean;
  /**
   * Whether the Applications' revision pins their manifests (no uncommitted changes in the work
   * tree): only then is an earlier automated sync "at the same revision" taken as already made
   * (see `autoSyncDecision`). Asked at most once, and only when it matters. Default: true.
   */
  readonly exactRevision?: () => boolean;
  /** Applications reconciling at once (default {@link DEFAULT_APP_CONCURRENCY}). */
  readonly appConcurrency?: number;
  /** The client for an Application's destination. */
  readonly clientFor: (app: LoadedApplication) => Promise<KubeApi>;
  /**
   * The cluster where Argo CD's objects live (the current cluster): roots' Application objects
   * are applied there, projects read and every status recorded there, whatever the destination.
   * Default: each Application's destination.
   */
  readonly controlPlane?: () => Promise<KubeApi>;
  readonly onEvent?: (event: TreeEvent) => void;
  /** Interval of the status refreshes while an Application is Progressing (default {@link DEFAULT_SETTLE_MS}). */
  readonly settleMs?: number;
  /**
   * A parent's sync applied an ApplicationSet object (not in a dry run): run its controller, as
   * Argo CD's ApplicationSet controller picks the set up. `api` is the parent's destination
   * cluster, where the set now lives. The tree runs it in one of its slots and waits for it;
   * a rejection is reported as a warning (the callback reports the set's own outcome).
   */
  readonly onApplicationSetApplied?: (set: AppliedApplicationSet, parent: LoadedApplication, api: KubeApi) => Promise<unknown>;
  /**
   * Run as the controller does by itself (the long-running `watch`, `rehearse`'s head run after a
   * merge), not for a user: every
   * selected Application is reconciled by its own sync policy (compared; synced only when
   * `autoSync` says so), roots included, and once a parent is done, the children its sync did
   * not apply (it was in sync, or is manual) are reconciled too, if their Application object
   * exists. With `selfHealBackoff`, a self-heal waits for Argo CD's backoff.
   */
  readonly controller?: boolean;
  readonly selfHealBackoff?: SelfHealBackoff;
}

/** An ApplicationSet object a parent's sync applied. */
export interface AppliedApplicationSet {
  readonly name: string;
  readonly namespace: string;
}

/** True when `run` is a success: a sync that succeeded, a comparison that worked, or not reached. */
export function runSucceeded(run: ApplicationRun): boolean {
  if (run.action === ReconcileAction.SYNC) {
    return run.phase === OperationPhase.SUCCEEDED;
  }
  return run.action === 'skipped' || (run.sync !== SyncStatusCode.UNKNOWN && !run.failedBefore);
}

/** Runs the selected part of the tree; one result per selected Application, parents before children. */
export async function syncTree(tree: ApplicationTree, selection: TreeSelection, options: TreeSyncOptions): Promise<ApplicationRun[]> {
  return new TreeRun(tree, selection, options).run();
}

/** The child Application object a parent's sync has just applied (or, in a dry run, would apply). */
function appliedApplicationKey(r: ResourceResult): string | undefined {
  if (r.kind !== 'Application' || r.group !== 'argoproj.io' || r.hookType || r.status !== ResultCode.SYNCED) {
    return undefined;
  }
  return applicationKey(r.name, r.namespace);
}

/** The ApplicationSet object a parent's sync has just applied. */
function appliedApplicationSet(r: ResourceResult): AppliedApplicationSet | undefined {
  if (r.kind !== 'ApplicationSet' || r.group !== 'argoproj.io' || r.hookType || r.status !== ResultCode.SYNCED) {
    return undefined;
  }
  return { name: r.name, namespace: r.namespace || CONTROL_PLANE_NAMESPACE };
}

class TreeRun {
  private readonly slots: SlotPool;
  private readonly running = new Map<string, Promise<void>>();
  /** Each started Application's own reconcile (its sync operation), without the settling after it. */
  private readonly operations = new Map<string, Promise<unknown>>();
  /** Applications whose own reconcile is done. */
  private readonly reconciled = new Set<string>();
  private readonly runs = new Map<string, ApplicationRun>();
  private readonly emit: (e: TreeEvent) => void;
  private readonly automated: Initiator = { automated: true };
  /** One shared list cache per cluster client. */
  private readonly caches = new Map<KubeApi, SharedListCache>();
  private exact?: boolean;

  constructor(private readonly tree: ApplicationTree, private readonly selection: TreeSelection, private readonly options: TreeSyncOptions) {
    this.slots = new SlotPool(options.appConcurrency ?? DEFAULT_APP_CONCURRENCY);
    this.emit = options.onEvent ?? (() => undefined);
  }

  async run(): Promise<ApplicationRun[]> {
    for (const key of this.selection.starts) {
      const node = this.tree.nodes.get(key)!;
      if (this.options.controller) {
        // The controller reconciles each by its own policy; a root's object is applied as the user's `kubectl apply` left it.
        this.startByPolicy(node, node.parent === undefined);
      } else {
        // The user starts these: synced whatever their policy, as `argocd app sync` would.
        this.start(node, ReconcileAction.SYNC, this.options.initiatedBy, node.parent === undefined);
      }
    }
    // Children are started while their parents run: wait until nothing new started.
    for (let seen = -1; seen !== this.running.size;) {
      seen = this.running.size;
      await Promise.all(this.running.values());
    }
    return this.ordered();
  }

  /** Selected Applications in tree order; those never started are reported as skipped. */
  private ordered(): ApplicationRun[] {
    const out: ApplicationRun[] = [];
    const visit = (node: TreeNode) => {
      if (this.selection.members.has(node.key)) {
        out.push(this.runs.get(node.key) ?? this.skipped(node, this.options.request.signal?.aborted
          ? `interrupted: ${abortReason(this.options.request.signal)}`
          : `not reached: ${this.nameOf(node.parent)} did not apply its Application object`));
      }
      node.children.forEach((c) => visit(this.tree.nodes.get(c)!));
    };
    for (const key of this.selection.starts) {
      visit(this.tree.nodes.get(key)!);
    }
    return out;
  }

  private nameOf(key: string | undefined): string | undefined {
    return key === undefined ? undefined : this.tree.nodes.get(key)?.app.name;
  }

  private skipped(node: TreeNode, message: string): ApplicationRun {
    return { application: node.app.name, namespace: node.app.namespace, parent: this.nameOf(node.parent), wave: node.wave, action: 'skipped', message };
  }

  private start(node: TreeNode, action: ReconcileAction, initiatedBy: Initiator, applyObject: boolean): void {
    if (this.running.has(node.key)) {
      return;
    }
    this.running.set(node.key, (async () => {
      await this.projectApplied(node);
      const operation = this.reconcile(node, action, initiatedBy, applyObject);
      this.operations.set(node.key, operation);
      const { run, api, objects, progressing } = await operation;
      this.reconciled.add(node.key);
      if (this.options.controller && !this.options.request.signal?.aborted) {
        // The children this parent's sync did not reach are reconciled on their own, as Argo CD's controller refreshes every Application.
        for (const key of node.children) {
          const child = this.tree.nodes.get(key)!;
          if (this.selection.members.has(key)) {
            this.startByPolicy(child, false);
          }
        }
      }
      const final = api && objects ? await this.settle(node, run, api, objects, progressing ?? []) : run;
      this.runs.set(node.key, final);
      this.emit({ type: 'reconciled', application: final.application, run: final });
    })());
  }

  /**
   * A child whose AppProject does not exist yet waits (without a slot) while its parent's sync is
   * still running, since that sync usually applies the project too (same wave, applied at once,
   * or a sibling's object): Argo CD's controller records "Application referencing project … which
   * does not exist" on its first refresh, and compares and syncs it again on a later refresh
   * once the project is there. Here the child is reconciled once the project appears or its
   * parent's sync is done; only a project still missing then is recorded (InvalidSpecError).
   */
  private async projectApplied(node: TreeNode): Promise<void> {
    const parentKey = node.parent;
    const parent = parentKey === undefined ? undefined : this.operations.get(parentKey);
    const { request } = this.options;
    // A child reconciled after its parent's sync (controller mode), or without it, has nothing to wait for.
    if (!parent || this.reconciled.has(parentKey!) || request.dryRun) {
      return;
    }
    const clock = request.clock ?? SYSTEM_CLOCK;
    let told = false;
    try {
      // Projects live with Argo CD, not in a remote destination (as in reconcile).
      const objects = this.cached(await (this.options.controlPlane ? this.options.controlPlane() : this.options.clientFor(node.app)));
      for (;;) {
        const project = await readAppProject(objects, node.app.manifest.spec.project);
        if (project.found || this.reconciled.has(parentKey!) || request.signal?.aborted) {
          return;
        }
        if (!told) {
          told = true;
          this.emit({ type: 'waiting', application: node.app.name, message: `waiting for AppProject ${project.name}: ${this.nameOf(node.parent)}'s sync has not applied it yet` });
        }
        await Promise.race([parent, clock.sleep(this.options.settleMs ?? DEFAULT_SETTLE_MS)]);
      }
    } catch {
      // The reconcile reads the project again and reports what fails.
    }
  }

  /** Started by its own sync policy (see {@link childAction}), as the controller picks up an Application. */
  private startByPolicy(node: TreeNode, applyObject: boolean): void {
    const automated = isAutomated(node.app.manifest);
    // Argo CD does not start an automated sync of an Application whose manifests cannot be
    // loaded (its sync status is Unknown): it is compared, recording the ComparisonError.
    const action = node.app.error ? ReconcileAction.COMPARE : childAction(node.app.manifest, !!this.options.includeManual);
    this.start(node, action, automated ? this.automated : this.options.initiatedBy, applyObject);
  }

  /**
   * Argo CD's controller keeps refreshing an Application after its operation: when its children's
   * status changes, and while its resources are still Progressing (a rollout in flight). Here a
   * parent is refreshed once every child its sync started is done (their subtrees included), and
   * an Application whose resources are Progressing has those resources read again every
   * `settleMs` (as the sync's own health wait does, and as the controller's watch would tell it)
   * until none is, for at most `--timeout` (default {@link DEFAULT_SETTLE_SECONDS}); then it is
   * compared and recorded once more, so the health recorded on it, which its parent's wave gate
   * reads, becomes Healthy or Degraded as it would with Argo CD.
   */
  private async settle(
    node: TreeNode, run: ApplicationRun, api: KubeApi, objects: KubeApi, progressing: readonly ResourceStatus[],
  ): Promise<ApplicationRun> {
    const children = node.children.map((k) => this.running.get(k)).filter((p): p is Promise<void> => p !== undefined);
    await Promise.all(children);
    const { request } = this.options;
    if (request.dryRun || run.action === 'skipped' || run.health === undefined) {
      return run;
    }
    const clock = request.clock ?? SYSTEM_CLOCK;
    const until = clock.now() + (request.timeoutSeconds ?? DEFAULT_SETTLE_SECONDS) * 1000;
    let current = run;
    let watching = rollingOut(progressing);
    let refresh = children.length > 0;
    for (;;) {
      if (request.signal?.aborted) {
        return current;
      }
      if (refresh) {
        try {
          const comparison = await compareApplication(api, node.app, { concurrency: request.concurrency, controlPlane: objects });
          if (await objects.resourceFor(node.app.manifest.apiVersion, 'Application')) {
            await recordComparison(objects, node.app, comparison);
          }
          current = { ...current, sync: comparison.sync, health: comparison.health.status };
          watching = rollingOut(comparison.resources);
        } catch (e) {
          this.emit({ type: 'warning', application: node.app.name, message: `refreshing the status failed: ${(e as Error).message}` });
          return current;
        }
      }
      if (watching.length === 0 || current.health !== HealthStatusCode.PROGRESSING || clock.now() >= until) {
        return current;
      }
      const first = watching[0];
      const detail = first.health?.message ? `: ${first.health.message}` : '';
      this.emit({ type: 'waiting', application: node.app.name, message: `waiting for health: ${first.kind}/${first.name} is Progressing${detail}` });
      await clock.sleep(this.options.settleMs ?? DEFAULT_SETTLE_MS);
      try {
        watching = await stillProgressing(api, watching, request.concurrency);
      } catch {
        watching = [];
      }
      // Compared and recorded again once nothing is rolling out any more (or time is up).
      refresh = watching.length === 0 || clock.now() >= until;
    }
  }

  private async reconcile(
    node: TreeNode, action: ReconcileAction, initiatedBy: Initiator, applyObject: boolean,
  ): Promise<{ run: ApplicationRun; api?: KubeApi; objects?: KubeApi; progressing?: readonly ResourceStatus[] }> {
    const { request } = this.options;
    const slot = await this.slots.acquire();
    try {
      if (request.signal?.aborted) {
        // [interruption] start no new Application
        return { run: this.skipped(node, `interrupted: ${abortReason(request.signal)}`) };
      }
      this.emit({ type: 'started', application: node.app.name, parent: this.nameOf(node.parent), wave: node.wave, action });
      const client = await this.options.clientFor(node.app);
      const api = this.cached(client);
      // Application objects and projects live with Argo CD, not in a remote destination.
      const objects = this.options.controlPlane ? this.cached(await this.options.controlPlane()) : api;
      const notApplied = applyObject && !request.dryRun ? await applyApplicationObject(objects, node.app) : undefined;
      if (notApplied) {
        this.emit({ type: 'warning', application: node.app.name, message: notApplied });
      }
      const automated = initiatedBy.automated === true;
      const outcome = await reconcileApplication(api, node.app, {
        ...request,
        automated,
        prune: request.prune || (automated && !!node.app.manifest.spec.syncPolicy?.automated?.prune),
        action,
        initiatedBy,
        controlPlane: objects,
        // The controller compares an automated child first and syncs it only when autoSync would.
        // In controller mode a child whose Application object does not exist yet is not Argo CD's to reconcile.
        onlyWithObject: this.options.controller && !applyObject,
        autoSync: automated && action === ReconcileAction.COMPARE ? {
          selfHealBackoff: this.options.selfHealBackoff,
          exactRevision: () => this.exactRevision(),
          onSync: (reason) => this.emit({ type: 'started', application: node.app.name, parent: this.nameOf(node.parent), wave: node.wave, action: ReconcileAction.SYNC, reason }),
        } : undefined,
        onEvent: (e) => {
          this.emit(e);
          if (e.type === 'resource') {
            this.onApplied(node, e.result, slot);
            // The set's controller lists and writes Applications: it gets the uncached client.
            this.onApplicationSetApplied(node, e.result, client);
          }
        },
      });
      return { run: this.runOf(node, outcome), api, objects, progressing: outcome.comparison?.resources };
    } catch (e) {
      const message = (e as Error).message;
      const outcome = action === ReconcileAction.SYNC ? { phase: OperationPhase.ERROR } : { sync: SyncStatusCode.UNKNOWN };
      return { run: { ...this.skipped(node, message), action, ...outcome } };
    } finally {
      slot.release();
    }
  }

  private exactRevision(): boolean {
    this.exact ??= this.options.exactRevision?.() ?? true;
    return this.exact;
  }

  private cached(client: KubeApi): KubeApi {
    let cache = this.caches.get(client);
    if (!cache) {
      cache = new SharedListCache();
      this.caches.set(client, cache);
    }
    // With --timeout, every request of the run (the root's object, the project, the status
    // records) is bounded like the operation's own, so a hung API server fails within seconds.
    const { timeoutSeconds } = this.options.request;
    return cache.view(timeoutSeconds ? client.withLimits({ timeoutMs: requestTimeoutMs(timeoutSeconds) }) : client);
  }

  /**
   * A parent's sync applied a child Application object: the controller picks the child up now.
   * The parent hands its slot on, since from here on it mostly waits for its children's health
   * (Argo CD requeues such an operation rather than holding a processor), so a deep tree cannot
   * starve its own children.
   */
  private onApplied(parent: TreeNode, r: ResourceResult, slot: Slot): void {
    const key = appliedApplicationKey(r);
    if (key === undefined || !parent.children.includes(key) || !this.selection.members.has(key)) {
      return;
    }
    slot.release();
    const child = this.tree.nodes.get(key)!;
    // An automated child is synced by its sync policy (initiated by `automated`, pruning as
    // `automated.prune` says, subject to sync windows); a manual one only on --include-manual, for the user.
    this.startByPolicy(child, false);
  }

  /**
   * A parent's sync applied an ApplicationSet: its controller runs like a child (the tree waits
   * for it, in a slot), though the parent does not wait for it, as Argo CD's parent does not.
   */
  private onApplicationSetApplied(parent: TreeNode, r: ResourceResult, api: KubeApi): void {
    const set = appliedApplicationSet(r);
    const run = this.options.onApplicationSetApplied;
    if (!set || !run || this.options.request.dryRun) {
      return;
    }
    const key = `ApplicationSet ${set.namespace}/${set.name}`;
    if (this.running.has(key)) {
      return;
    }
    this.running.set(key, (async () => {
      const slot = await this.slots.acquire();
      try {
        if (!this.options.request.signal?.aborted) {
          await run(set, parent.app, api);
        }
      } catch (e) {
        this.emit({ type: 'warning', application: parent.app.name, message: `${key}: ${(e as Error).message}` });
      } finally {
        slot.release();
      }
    })());
  }

  private runOf(node: TreeNode, outcome: ReconcileOutcome): ApplicationRun {
    const { operation, comparison } = outcome;
    const outOfSync = comparison?.sync === SyncStatusCode.OUT_OF_SYNC;
    const notSynced = outcome.notSynced !== undefined
      // Also when nothing was compared (controller mode: no Application object yet).
      ? (outOfSync || !comparison ? outcome.notSynced : '')
      : (outOfSync ? 'OutOfSync: manual sync policy, not synced (--include-manual syncs it)' : '');
    return {
      application: node.app.name,
      namespace: node.app.namespace,
      parent: this.nameOf(node.parent),
      wave: node.wave,
      action: outcome.action,
      phase: operation?.phase,
      sync: comparison?.sync,
      health: comparison?.health.status,
      message: operation?.message ?? comparison?.error ?? notSynced,
      operation,
      ...(outcome.failedBefore ? { failedBefore: true } : {}),
      ...(outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}),
    };
  }
}

/**
 * Creates or updates a root's Application object, as a user's `kubectl apply -f root.yaml`
 * would, so the controller (here: the engine) has an object to record its status on. Returns
 * why it could not (no Application CRD, no namespace): the sync goes on without recorded status.
 */
export async function applyApplicationObject(api: KubeApi, app: LoadedApplication): Promise<string | undefined> {
  const { status: _status, ...manifest } = app.manifest as unknown as KubeObject;
  const obj: KubeObject = { ...manifest, metadata: { ...manifest.metadata, namespace: app.namespace } };
  const where = `${app.position.file}:${app.position.line}`;
  if (!(await api.resourceFor(obj.apiVersion, 'Application'))) {
    return `${where}: the cluster has no Application CRD (argoproj.io), so the Application object is not created and no status is recorded: install Argo CD's CRDs (\`cluster up\` does locally)`;
  }
  try {
    await api.apply(obj, FIELD_MANAGER, { force: true });
    return undefined;
  } catch (e) {
    return `${where}: cannot create the Application object ${app.namespace}/${app.name}, so no status is recorded: ${(e as Error).message}`;
  }
}

/** Resources still rolling out: Progressing, besides child Applications (their own runs settle them). */
function rollingOut(resources: readonly ResourceStatus[]): ResourceStatus[] {
  return resources.filter((r) => r.health?.status === HealthStatusCode.PROGRESSING && !(r.group === 'argoproj.io' && r.kind === 'Application'));
}

/** The resources of `watching` still Progressing now, with their current health (one GET each). */
async function stillProgressing(api: KubeApi, watching: readonly ResourceStatus[], concurrency = 16): Promise<ResourceStatus[]> {
  const seen = await mapLimit([...watching], concurrency, async (r): Promise<ResourceStatus | undefined> => {
    const apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
    const live = await api.get({ apiVersion, kind: r.kind, metadata: { name: r.name, ...(r.namespace ? { namespace: r.namespace } : {}) } });
    const health = live ? resourceHealth(live) : undefined;
    return health?.status === HealthStatusCode.PROGRESSING ? { ...r, health } : undefined;
  });
  return seen.filter((r): r is ResourceStatus => r !== undefined);
}
