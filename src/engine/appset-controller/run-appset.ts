/**
 * The ApplicationSet controller's loop for one set, run to the end once: reconcile, then sync the
 * generated Applications through the caller's `syncApplication` (the same code that syncs every
 * other Application), reconciling again after each sync so RollingSync moves step by step, as Argo
 * CD's controller does on each Application event. Without RollingSync, the generated Applications
 * are treated like any other: automated ones are synced, manual ones only compared (unless
 * `includeManual`).
 */
import * as path from 'path';
import { ReconcileResult, reconcileApplicationSet, ApplicationSetRef } from './reconcile-appset';
import { ApplicationRolloutStatus, ObservedApplication } from './rolling-sync';
import { Initiator } from '../app-status/status-record';
import { ApplicationManifest } from '../application-spec';
import { ClusterInfo, GitSource } from '../appset';
import { KubeApi } from '../kube/kube-api';
import { loadApplicationManifest, LoadedApplication } from '../load/applications';
import { SourcePosition } from '../model';
import { Clock, Deadline, mapLimit, SYSTEM_CLOCK } from '../poll';

/** What a sync of one generated Application came to (its operation phase, then its status). */
export interface ApplicationSyncOutcome {
  readonly phase: string;
  readonly sync: string;
  readonly health: string;
  readonly message?: string;
}

/** How the controller asks for a sync, as Argo CD's controllers would start the operation. */
export interface GeneratedSyncRequest {
  /** RollingSync syncs with the template's `automated.prune`; automated syncs likewise. */
  readonly prune: boolean;
  readonly initiatedBy: Initiator;
}

/** Syncs one Application (and records it); supplied by the caller, e.g. the tree sync. */
export type SyncGeneratedApplication = (app: LoadedApplication, request: GeneratedSyncRequest) => Promise<ApplicationSyncOutcome>;
/** Compares one Application with the cluster (and records it): its sync and health now. */
export type RefreshGeneratedApplication = (app: LoadedApplication) => Promise<{ readonly sync: string; readonly health: string }>;

export type ApplicationSetEvent =
  | { readonly type: 'changed'; readonly applicationSet: string; readonly action: 'create' | 'update' | 'delete'; readonly application: string }
  | { readonly type: 'sync-started'; readonly applicationSet: string; readonly application: string; readonly step?: string }
  | { readonly type: 'sync-finished'; readonly applicationSet: string; readonly application: string; readonly step?: string; readonly outcome: ApplicationSyncOutcome }
  | { readonly type: 'compared'; readonly applicationSet: string; readonly application: string; readonly sync: string; readonly health: string }
  | { readonly type: 'rollout'; readonly applicationSet: string; readonly message: string };

export interface RunApplicationSetOptions {
  /** Clusters for clusters generators: from the clusters file, or from Argo CD's cluster Secrets. */
  readonly clusters: readonly ClusterInfo[];
  readonly git?: GitSource;
  readonly newGitFileGlobbing?: boolean;
  /** Argo CD's namespace, where AppProjects live. */
  readonly projectNamespace: string;
  /** Where generated Applications' sources are read: the checked-out repository and its revision. */
  readonly repoRoot: string;
  readonly revision?: string;
  readonly repoURL?: string;
  /** Where the ApplicationSet was read from, named in errors about its Applications. */
  readonly position?: SourcePosition;
  readonly syncApplication: SyncGeneratedApplication;
  readonly refreshApplication: RefreshGeneratedApplication;
  /** Without RollingSync: sync manual Applications too (`--include-manual`). */
  readonly includeManual?: boolean;
  /** Applications synced at once (within a step, and further bounded by `maxUpdate`). @default 4 */
  readonly concurrency?: number;
  /** Interval between health checks of Progressing Applications. @default 1000 */
  readonly pollMs?: number;
  /** Give up waiting for the rollout after this long. @default 300 */
  readonly timeoutSeconds?: number;
  readonly clock?: Clock;
  readonly onEvent?: (event: ApplicationSetEvent) => void;
}

/** One generated Application's part in the run. */
export interface GeneratedApplicationResult {
  readonly name: string;
  /** RollingSync step (`-1` when no step selects it). */
  readonly step?: string;
  /** Set when it was synced. */
  readonly outcome?: ApplicationSyncOutcome;
  readonly syncStartedAt?: string;
  readonly syncFinishedAt?: string;
  /** Set when it was only compared (a manual Application). */
  readonly compared?: { readonly sync: string; readonly health: string };
}

export interface ApplicationSetRunResult {
  readonly applicationSet: string;
  /** The set was reconciled without error and every Application it syncs ended Healthy. */
  readonly ok: boolean;
  readonly message: string;
  readonly changes: ReadonlyArray<{ readonly action: string; readonly application: string }>;
  readonly applications: readonly GeneratedApplicationResult[];
  /** The set's final `status.applicationStatus` (RollingSync only). */
  readonly applicationStatus?: readonly ApplicationRolloutStatus[];
  readonly conditions: ReconcileResult['conditions'];
}

const iso = (ms: number): string => new Date(ms).toISOString();
const automatedOn = (app: any): boolean => {
  const a = app.spec?.syncPolicy?.automated;
  return !!a && a.enabled !== false;
};

/**
 * Reconciles the ApplicationSet `ref` (already applied to the cluster through `api`, the cluster
 * where Argo CD's objects live) and syncs what it generates, until the rollout is complete, stuck
 * (a failed sync, or a step `maxUpdate: 0` leaves to manual syncs) or out of time.
 */
export async function runApplicationSet(api: KubeApi, ref: ApplicationSetRef, options: RunApplicationSetOptions): Promise<ApplicationSetRunResult> {
  const clock = options.clock ?? SYSTEM_CLOCK;
  const deadline = new Deadline(clock, (options.timeoutSeconds ?? 300) * 1000);
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const setName = `${ref.namespace}/${ref.name}`;
  const emit = (e: ApplicationSetEvent): void => options.onEvent?.(e);
  const position = options.position ?? { file: `ApplicationSet ${setName}`, line: 1 };
  const observed = new Map<string, Partial<ObservedApplication>>();
  const results = new Map<string, GeneratedApplicationResult>();
  const changes: Array<{ action: string; application: string }> = [];
  const inFlight = new Map<string, Promise<void>>();

  const loadCache = new Map<string, { key: string; loaded: LoadedApplication }>();
  const load = (app: any): LoadedApplication => {
    const key = JSON.stringify(app.spec);
    const hit = loadCache.get(app.metadata.name);
    if (hit && hit.key === key) return hit.loaded;
    const loaded = loadApplicationManifest(app as ApplicationManifest, position, {
      repoRoot: path.resolve(options.repoRoot), revision: options.revision, repoURL: options.repoURL,
    });
    loadCache.set(app.metadata.name, { key, loaded });
    return loaded;
  };
  const reconcile = async (): Promise<ReconcileResult> => {
    const r = await reconcileApplicationSet(api, ref, { ...options, observed, now: iso(clock.now()) });
    for (const c of r.changes) {
      changes.push({ action: c.action, application: c.name });
      emit({ type: 'changed', applicationSet: setName, action: c.action, application: c.name });
    }
    return r;
  };
  const finish = (r: ReconcileResult, ok: boolean, message: string): ApplicationSetRunResult => ({
    applicationSet: setName,
    ok: ok && r.outcome.ok,
    message: r.outcome.ok ? message : `${r.outcome.message}${ok ? '' : `; ${message}`}`,
    changes,
    applications: r.applications.map((a) => results.get(a.metadata.name)
      ?? { name: a.metadata.name, step: r.rollout?.statuses.find((s) => s.application === a.metadata.name)?.step }),
    applicationStatus: r.rollout?.statuses,
    conditions: r.conditions,
  });

  let r = await reconcile();
  if (!r.outcome.ok && !r.outcome.parametersGenerated) return finish(r, false, 'nothing was generated');

  if (!r.rollout) {
    await mapLimit(r.applications, concurrency, async (app) => {
      const name = app.metadata.name;
      const loaded = load(app);
      if (automatedOn(app) || options.includeManual) {
        const automated = automatedOn(app);
        const request = { prune: automated ? app.spec.syncPolicy.automated.prune === true : false, initiatedBy: automated ? { automated: true } : { username: 'cdk8s-argocd' } };
        const startedAt = iso(clock.now());
        emit({ type: 'sync-started', applicationSet: setName, application: name });
        let outcome = await syncSafely(options.syncApplication, loaded, request);
        // A sync that succeeded while its resources still roll out (a Deployment's pods starting)
        // is Progressing: keep refreshing it, as Argo CD does, until Healthy or out of time.
        while (outcome.phase === 'Succeeded' && outcome.health === 'Progressing' && !deadline.expired()) {
          await clock.sleep(options.pollMs ?? 1000);
          const now = await options.refreshApplication(loaded);
          outcome = { ...outcome, sync: now.sync, health: now.health };
        }
        results.set(name, { name, outcome, syncStartedAt: startedAt, syncFinishedAt: iso(clock.now()) });
        emit({ type: 'sync-finished', applicationSet: setName, application: name, outcome });
      } else {
        const compared = await options.refreshApplication(loaded);
        results.set(name, { name, compared });
        emit({ type: 'compared', applicationSet: setName, application: name, ...compared });
      }
    });
    const failed = [...results.values()].filter((x) => x.outcome && (x.outcome.phase !== 'Succeeded' || x.outcome.health !== 'Healthy'));
    return finish(r, failed.length === 0, failed.length === 0 ? 'synced' : `not Healthy after sync: ${failed.map((f) => `${f.name} (${f.outcome!.phase}, ${f.outcome!.health})`).join(', ')}`);
  }

  let lastMessage = '';
  for (;;) {
    const rollout = r.rollout!;
    const statusOf = new Map(rollout.statuses.map((s) => [s.application, s]));
    const byName = new Map(r.applications.map((a) => [a.metadata.name, a]));
    // Argo CD plans the rollout before creating Applications: ones created just now get their
    // rollout state at the next reconcile (Argo CD's requeue on the create event).
    if (r.changes.some((c) => c.action === 'create' && !statusOf.has(c.name))) {
      r = await reconcile();
      continue;
    }
    if (rollout.condition.message !== lastMessage) {
      lastMessage = rollout.condition.message;
      emit({ type: 'rollout', applicationSet: setName, message: lastMessage });
    }
    for (const name of rollout.toSync) {
      const status = statusOf.get(name)!;
      const previous = results.get(name);
      // One sync per Pending: the next reconcile sees it and moves the Application on.
      if (inFlight.has(name) || inFlight.size >= concurrency) continue;
      if (previous?.syncStartedAt && Date.parse(previous.syncStartedAt) > Date.parse(status.lastTransitionTime ?? '')) continue;
      const app = byName.get(name)!;
      // Argo CD compares the operation's start with the Pending transition: keep it strictly later.
      const startedAt = iso(Math.max(clock.now(), Date.parse(status.lastTransitionTime ?? '') + 1));
      results.set(name, { name, step: status.step, syncStartedAt: startedAt });
      emit({ type: 'sync-started', applicationSet: setName, application: name, step: status.step });
      const request = { prune: app.spec.syncPolicy?.automated?.prune === true, initiatedBy: { username: 'applicationset-controller', automated: true } };
      inFlight.set(name, (async () => {
        const outcome = await syncSafely(options.syncApplication, load(app), request);
        const finishedAt = iso(Math.max(clock.now(), Date.parse(startedAt) + 1));
        results.set(name, { name, step: status.step, outcome, syncStartedAt: startedAt, syncFinishedAt: finishedAt });
        observed.set(name, { sync: outcome.sync, health: outcome.health, operation: { phase: outcome.phase, startedAt }, reconciledAt: finishedAt });
        emit({ type: 'sync-finished', applicationSet: setName, application: name, step: status.step, outcome });
      })().finally(() => inFlight.delete(name)));
    }

    const matched = rollout.statuses.filter((s) => s.step !== '-1');
    if (inFlight.size === 0 && matched.every((s) => s.status === 'Healthy')) {
      const unselected = rollout.statuses.filter((s) => s.step === '-1').map((s) => s.application);
      return finish(r, true, `${rollout.condition.message}${unselected.length > 0 ? `; not selected by any step, so not synced: ${unselected.join(', ')}` : ''}`);
    }
    if (inFlight.size > 0) {
      await Promise.race(inFlight.values());
      r = await reconcile();
      continue;
    }
    // Nothing running. A Pending Application whose sync finished moves on at the next reconcile.
    const synced = (s: ApplicationRolloutStatus): boolean => {
      const x = results.get(s.application);
      return !!x?.syncFinishedAt && Date.parse(x.syncStartedAt!) > Date.parse(s.lastTransitionTime ?? '');
    };
    if (rollout.statuses.some((s) => s.status === 'Pending' && synced(s))) {
      r = await reconcile();
      continue;
    }
    const progressing = rollout.statuses.filter((s) => s.status === 'Progressing');
    const failedSync = progressing.find((s) => {
      const phase = results.get(s.application)?.outcome?.phase;
      return phase !== undefined && phase !== 'Succeeded';
    });
    if (failedSync) {
      const outcome = results.get(failedSync.application)!.outcome!;
      return finish(r, false, `Application ${failedSync.application} (step ${failedSync.step}): sync ${outcome.phase}${outcome.message ? `: ${outcome.message}` : ''}; the rollout stops at step ${failedSync.step}, as Argo CD's does, until that Application is synced and Healthy`);
    }
    if (progressing.length === 0) {
      const waiting = matched.filter((s) => s.status !== 'Healthy').map((s) => `${s.application} (step ${s.step})`);
      return finish(r, false, `${rollout.condition.message}: ${waiting.join(', ')} will not be synced by the rollout (maxUpdate 0 leaves them to manual syncs)`);
    }
    if (deadline.expired()) {
      return finish(r, false, `timed out after ${options.timeoutSeconds ?? 300}s waiting for ${progressing.map((s) => `${s.application} (step ${s.step}, ${observed.get(s.application)?.health ?? 'unknown health'})`).join(', ')} to become Healthy`);
    }
    await clock.sleep(options.pollMs ?? 1000);
    for (const s of progressing) {
      const app = byName.get(s.application);
      if (!app) continue;
      const now = await options.refreshApplication(load(app));
      observed.set(s.application, { ...observed.get(s.application), sync: now.sync, health: now.health, reconciledAt: iso(clock.now()) });
    }
    r = await reconcile();
  }
}

/** A sync that throws is an Error operation for that Application, not the end of the controller. */
async function syncSafely(sync: SyncGeneratedApplication, app: LoadedApplication, request: GeneratedSyncRequest): Promise<ApplicationSyncOutcome> {
  if (app.error) {
    return { phase: 'Error', sync: 'Unknown', health: 'Unknown', message: app.error };
  }
  try {
    return await sync(app, request);
  } catch (e) {
    return { phase: 'Error', sync: 'Unknown', health: 'Unknown', message: (e as Error).message };
  }
}
