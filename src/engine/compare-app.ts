import { FIELD_MANAGER } from './annotations';
import { CONTROL_PLANE_NAMESPACE } from './application-spec';
import { Comparison, compareObjects } from './diff/compare';
import { redactSecretValues } from './diff/mask-secrets';
import { hasHealthCheck, resourceHealth } from './health';
import { aggregateHealth } from './health/aggregate';
import { unchangedSinceApply } from './in-sync';
import { KubeClient } from './kube/client';
import { loadLiveState, mapLimit } from './live-state';
import { LoadedApplication } from './load/applications';
import {
  HealthStatus, HealthStatusCode, KubeObject, SourcePosition, SyncStatusCode, TaskAction,
} from './model';
import { planSync } from './plan';
import { preparedObject, scopeLookup } from './prepare';
import { optionIs } from './sync-options';
import { instanceName } from './tracking';

/** One resource in `status`/`diff`, like a row of `argocd app get`. */
export interface ResourceStatus {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly status: SyncStatusCode;
  readonly health?: HealthStatus;
  /** Tracked live object that is no longer desired (a prune would delete it). */
  readonly requiresPruning?: boolean;
  readonly source?: SourcePosition;
  /** Set when the prediction could not be made (the diff then uses the desired object as is). */
  readonly message?: string;
  /** Normalized, masked objects for rendering a diff (only when asked for). */
  readonly comparison?: Comparison;
}

export interface ApplicationStatus {
  readonly application: string;
  readonly revision: string;
  readonly sync: SyncStatusCode;
  readonly health: HealthStatus;
  readonly resources: ResourceStatus[];
  /** Set when the Application could not be compared at all. */
  readonly error?: string;
}

export interface CompareOptions {
  /** Keep normalized objects for diff output. */
  readonly withObjects?: boolean;
  readonly concurrency?: number;
}

/**
 * Compares desired with live for every resource: unchanged objects (same applied hash and
 * contained in live) are Synced without an API call; the rest are predicted with a server-side
 * dry-run apply and compared after Argo CD's normalization and ignoreDifferences. Hooks are not
 * compared, as in Argo CD.
 */
export async function compareApplication(client: KubeClient, app: LoadedApplication, options: CompareOptions = {}): Promise<ApplicationStatus> {
  const base = { application: app.name, revision: app.revision };
  if (app.error) {
    return { ...base, sync: SyncStatusCode.UNKNOWN, health: { status: HealthStatusCode.UNKNOWN }, resources: [], error: app.error };
  }
  const instance = instanceName(app.name, app.namespace, CONTROL_PLANE_NAMESPACE);
  const spec = app.manifest.spec;
  const rules = spec.ignoreDifferences ?? [];
  const isNamespaced = await scopeLookup(client, app.objects.map((d) => d.object));
  const planBase = { instance, spec, desired: app.objects, isNamespaced, revision: app.revision, startedAt: new Date() };
  const draft = planSync({ ...planBase, live: new Map(), prune: false });
  if (draft.errors.length > 0) {
    return { ...base, sync: SyncStatusCode.UNKNOWN, health: { status: HealthStatusCode.UNKNOWN }, resources: [], error: `invalid manifests:\n  ${draft.errors.join('\n  ')}` };
  }
  const live = await loadLiveState(client, draft.tasks.filter((t) => t.desired).map((t) => t.desired!), { tracked: true, instance });
  const plan = planSync({ ...planBase, live, prune: true });
  const tasks = plan.tasks.filter((t) => t.action !== TaskAction.HOOK && !t.autoNamespace);
  const out = await mapLimit(tasks, options.concurrency ?? 16, async (t): Promise<ResourceStatus> => {
    const apiVersion = t.desired?.apiVersion ?? t.live!.apiVersion;
    const row = {
      group: t.key.group,
      version: apiVersion.includes('/') ? apiVersion.split('/')[1] : apiVersion,
      kind: t.key.kind,
      namespace: t.key.namespace,
      name: t.key.name,
      source: t.source,
    };
    const health = t.live ? resourceHealth(t.live) : (t.desired ? { status: HealthStatusCode.MISSING } : undefined);
    if (t.action === TaskAction.PRUNE) {
      const comparison = await compareObjects(undefined, t.live, rules);
      return { ...row, status: SyncStatusCode.OUT_OF_SYNC, health, requiresPruning: true, comparison: options.withObjects ? comparison : undefined };
    }
    const obj = await preparedObject(t, instance, rules, spec.destination.namespace);
    if (unchangedSinceApply(obj, t.live)) {
      return { ...row, status: SyncStatusCode.SYNCED, health };
    }
    let predicted: KubeObject;
    let message: string | undefined;
    try {
      predicted = optionIs(t.options, 'Validate', 'false')
        ? await client.applyWithoutValidation(obj, t.live, FIELD_MANAGER, true)
        : await client.apply(obj, FIELD_MANAGER, { dryRun: true, force: true });
    } catch (e) {
      predicted = obj;
      message = `cannot predict the live state: ${redactSecretValues((e as Error).message, t.desired, obj)}`;
    }
    const comparison = await compareObjects(predicted, t.live, rules);
    return {
      ...row,
      status: comparison.modified ? SyncStatusCode.OUT_OF_SYNC : SyncStatusCode.SYNCED,
      health,
      message,
      comparison: options.withObjects && comparison.modified ? comparison : undefined,
    };
  });
  const health = aggregateHealth(out.map((r, i) => ({
    group: r.group, kind: r.kind, health: r.health, hasHealthRule: hasHealthCheck(tasks[i].desired ?? tasks[i].live!),
  })));
  const sync = out.some((r) => r.status === SyncStatusCode.OUT_OF_SYNC) ? SyncStatusCode.OUT_OF_SYNC : SyncStatusCode.SYNCED;
  return { ...base, sync, health: { status: health }, resources: out };
}
