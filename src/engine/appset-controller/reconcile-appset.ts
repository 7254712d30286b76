/**
 * One reconcile of an ApplicationSet that exists in the cluster, as Argo CD v3.5's ApplicationSet
 * controller runs it (`Reconcile`): expand it offline, validate the Applications, plan the
 * RollingSync step, create/update/delete the Applications the policy allows (each owned by the
 * set), and write the set's `status.conditions` and `status.applicationStatus`. Decisions are the
 * pure modules' (application-changes, appset-conditions, rolling-sync); this file does the I/O.
 */
import { allowsUpdate, applicationsSyncPolicy, ApplicationChange, equateEmpty, ownedBy, planApplicationChanges, withoutAutomatedSync } from './application-changes';
import { ApplicationSetCondition, applicationSetConditions, ApplicationSetErrorReason, ReconcileOutcome, validationMessage } from './appset-conditions';
import { ApplicationRolloutStatus, ObservedApplication, planRollout, RolloutPlan, rollingSyncSteps } from './rolling-sync';
import { FIELD_MANAGER } from '../annotations';
import { ClusterInfo, expandApplicationSet, GitSource } from '../appset';
import { isConflict } from '../kube/api-error';
import { KubeApi } from '../kube/kube-api';

export const APPLICATION_SET_API_VERSION = 'argoproj.io/v1alpha1';

/** Where an ApplicationSet lives. */
export interface ApplicationSetRef {
  readonly name: string;
  readonly namespace: string;
}

export interface ReconcileOptions {
  /** Clusters for clusters generators (see cluster-secrets.ts and clusters-file.ts). */
  readonly clusters: readonly ClusterInfo[];
  /** Repositories for git generators. */
  readonly git?: GitSource;
  readonly newGitFileGlobbing?: boolean;
  /** Namespace of the AppProjects generated Applications must reference (Argo CD's namespace). */
  readonly projectNamespace: string;
  /** What the caller knows better than the live status (results of syncs it ran), per Application. */
  readonly observed?: ReadonlyMap<string, Partial<ObservedApplication>>;
  /** ISO time of this reconcile. */
  readonly now: string;
}

export interface ReconcileResult {
  /** The set as read at the start. */
  readonly appSet: any;
  /** How the reconcile ended (also written to `status.conditions`). */
  readonly outcome: ReconcileOutcome;
  /** The generated, valid Applications as the set wants them (names in generation order). */
  readonly applications: readonly any[];
  /** What was written. */
  readonly changes: readonly ApplicationChange[];
  /** The RollingSync plan (undefined without RollingSync, or when generation failed). */
  readonly rollout?: RolloutPlan;
  readonly conditions: readonly ApplicationSetCondition[];
}

const setObject = (ref: ApplicationSetRef) => ({ apiVersion: APPLICATION_SET_API_VERSION, kind: 'ApplicationSet', metadata: { name: ref.name, namespace: ref.namespace } });

function errorReason(message: string): ApplicationSetErrorReason {
  return message.includes('rendering the template') ? 'RenderTemplateParamsError' : 'ApplicationGenerationFromParamsError';
}

/** The Application's status as the rollout reads it, with what the caller observed on top. */
function observation(live: any, generated: any | undefined, overlay: Partial<ObservedApplication> | undefined): ObservedApplication {
  const status = live.status ?? {};
  const revisions: string[] = status.sync?.revisions ?? (status.sync?.revision ? [status.sync.revision] : []);
  const op = status.operationState;
  return {
    name: live.metadata.name,
    sync: status.sync?.status,
    health: status.health?.status,
    revisions,
    specChanged: generated !== undefined && !equateEmpty(generated.spec, live.spec),
    operation: op?.phase && op.startedAt ? { phase: op.phase, startedAt: op.startedAt } : undefined,
    reconciledAt: status.reconciledAt,
    hasError: (status.conditions ?? []).some((c: any) => c?.type === 'InvalidSpecError' || c?.type === 'UnknownError'),
    ...(overlay ?? {}),
  };
}

async function listApplications(api: KubeApi, namespace: string): Promise<any[]> {
  const resource = await api.resourceFor(APPLICATION_SET_API_VERSION, 'Application');
  if (!resource) {
    throw new Error('the cluster does not serve argoproj.io/v1alpha1 Applications: install the Argo CD CRDs first');
  }
  return api.list(resource, namespace);
}

async function projectExists(api: KubeApi, name: string, namespace: string, cache: Map<string, boolean>): Promise<boolean> {
  if (!cache.has(name)) {
    cache.set(name, (await api.get({ apiVersion: APPLICATION_SET_API_VERSION, kind: 'AppProject', metadata: { name, namespace } })) !== undefined);
  }
  return cache.get(name)!;
}

/** Writes one create/update/delete; an update that lost a race re-reads and tries again. */
async function write(api: KubeApi, change: ApplicationChange): Promise<void> {
  if (change.action === 'create') {
    await api.create(change.object, FIELD_MANAGER);
  } else if (change.action === 'update') {
    let live = change.live;
    for (let attempt = 0; ; attempt++) {
      try {
        await api.replace({ ...change.object, status: live.status, operation: live.operation }, live, FIELD_MANAGER);
        return;
      } catch (e) {
        if (!isConflict(e) || attempt >= 4) throw e;
        live = (await api.get(live)) ?? live;
      }
    }
  } else {
    // Argo CD deletes with the default propagation; the Application's own finalizers do the rest.
    await api.delete(change.live, 'Background');
  }
}

/** Writes `status` of the set (its status subresource) with a JSON merge patch. */
async function writeSetStatus(api: KubeApi, ref: ApplicationSetRef, status: Record<string, unknown>): Promise<void> {
  const path = `/apis/argoproj.io/v1alpha1/namespaces/${encodeURIComponent(ref.namespace)}/applicationsets/${encodeURIComponent(ref.name)}/status`;
  await api.request('PATCH', path, { status }, 'application/merge-patch+json');
}

/** One reconcile of the ApplicationSet `ref`; throws only when the cluster cannot be read or written. */
export async function reconcileApplicationSet(api: KubeApi, ref: ApplicationSetRef, options: ReconcileOptions): Promise<ReconcileResult> {
  const appSet = await api.get(setObject(ref));
  if (!appSet) {
    throw new Error(`ApplicationSet ${ref.namespace}/${ref.name} does not exist in the cluster: apply it first`);
  }
  const previousConditions: ApplicationSetCondition[] = appSet.status?.conditions ?? [];
  const steps = rollingSyncSteps(appSet);
  const finish = async (
    outcome: ReconcileOutcome, applications: any[], changes: ApplicationChange[], rollout?: RolloutPlan,
  ): Promise<ReconcileResult> => {
    const conditions = applicationSetConditions(outcome, rollout?.condition, previousConditions, options.now);
    const status: Record<string, unknown> = { conditions };
    if (rollout) status.applicationStatus = rollout.statuses;
    // A set that stopped using RollingSync loses its rollout states (Argo CD clears them).
    else if (!steps && (appSet.status?.applicationStatus ?? []).length > 0) status.applicationStatus = null;
    await writeSetStatus(api, ref, status);
    return { appSet, outcome, applications, changes, rollout, conditions };
  };

  let policy;
  let expanded;
  try {
    policy = applicationsSyncPolicy(appSet);
    expanded = expandApplicationSet(appSet, { clusters: options.clusters, git: options.git, newGitFileGlobbing: options.newGitFileGlobbing });
  } catch (e) {
    const message = (e as Error).message;
    return finish({ ok: false, reason: errorReason(message), message, parametersGenerated: false }, [], []);
  }

  // validateGeneratedApplications: duplicate names (found by the expander) and missing projects.
  const errors = [...expanded.errors];
  const projects = new Map<string, boolean>();
  const valid: any[] = [];
  for (const app of expanded.applications) {
    if (await projectExists(api, app.spec.project, options.projectNamespace, projects)) valid.push(app);
    else errors.push(`application references project ${app.spec.project} which does not exist`);
  }
  const desired = steps ? valid.map(withoutAutomatedSync) : valid;

  const live = await listApplications(api, ref.namespace);
  const owned = live.filter((a) => ownedBy(a, appSet));
  let rollout: RolloutPlan | undefined;
  if (steps) {
    const byName = new Map(desired.map((a) => [a.metadata.name, a]));
    rollout = planRollout({
      steps,
      previous: (appSet.status?.applicationStatus ?? []) as ApplicationRolloutStatus[],
      generated: desired.map((a) => ({ name: a.metadata.name, labels: a.metadata.labels })),
      current: owned.map((a) => observation(a, byName.get(a.metadata.name), options.observed?.get(a.metadata.name))),
      now: options.now,
    });
  }

  // Argo CD deletes what is not generated at all: an Application that is generated but invalid
  // (e.g. its project is missing) is neither updated nor deleted.
  const generatedNames = new Set(expanded.applications.map((a) => a.metadata.name));
  const plan = planApplicationChanges(appSet, desired, live, policy);
  const changes = plan.changes.filter((c) => c.action !== 'delete' || !generatedNames.has(c.name));
  errors.push(...plan.errors);
  const written: ApplicationChange[] = [];
  for (const change of changes) {
    try {
      await write(api, change);
      written.push(change);
    } catch (e) {
      const reason: ApplicationSetErrorReason = change.action === 'delete' ? 'DeleteApplicationError'
        : allowsUpdate(policy) ? 'UpdateApplicationError' : 'CreateApplicationError';
      return finish({ ok: false, reason, message: `${change.action} Application ${ref.namespace}/${change.name}: ${(e as Error).message}`, parametersGenerated: true }, desired, written, rollout);
    }
  }
  if (errors.length > 0) {
    return finish({ ok: false, reason: 'ApplicationValidationError', message: validationMessage(errors), parametersGenerated: true }, desired, written, rollout);
  }
  return finish({ ok: true }, desired, written, rollout);
}
