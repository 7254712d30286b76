/**
 * Deleting an ApplicationSet the way Argo CD v3.5's controller handles it: under a policy that
 * does not allow deletes (create-only, create-update) the generated Applications are released
 * (their ownerReference removed) so they outlive the set; with RollingSync and
 * `deletionOrder: Reverse` the Applications are deleted step by step from the last step to the
 * first, each step only once the later step's Applications are gone (`PerformReverseDeletion`).
 */
import { allowsDelete, applicationsSyncPolicy, ownedBy } from './application-changes';
import { APPLICATION_SET_API_VERSION, ApplicationSetRef } from './reconcile-appset';
import { assignSteps, deletionOrderReversed, rollingSyncSteps } from './rolling-sync';
import { KubeApi } from '../kube/kube-api';
import { Clock, SYSTEM_CLOCK } from '../poll';

export interface DeleteApplicationSetOptions {
  /**
   * Runs after an Application is marked for deletion, to finalize it (the engine's application
   * controller part: its resources finalizer). Without it, an Application with finalizers is
   * waited for until something else removes them.
   */
  readonly finalizeApplication?: (app: any) => Promise<void>;
  /** Told each Application as its deletion starts. */
  readonly onDelete?: (application: string, step: string | undefined) => void | Promise<void>;
  /** How long one step may take to disappear (Argo CD gives up after 2 minutes). @default 120 */
  readonly stepTimeoutSeconds?: number;
  readonly pollMs?: number;
  readonly clock?: Clock;
}

const applicationRef = (name: string, namespace: string) => ({ apiVersion: APPLICATION_SET_API_VERSION, kind: 'Application', metadata: { name, namespace } });

/** Deletes the ApplicationSet `ref` and, as its policy says, its Applications. */
export async function deleteApplicationSet(api: KubeApi, ref: ApplicationSetRef, options: DeleteApplicationSetOptions = {}): Promise<void> {
  const clock = options.clock ?? SYSTEM_CLOCK;
  const setRef = { apiVersion: APPLICATION_SET_API_VERSION, kind: 'ApplicationSet', metadata: { name: ref.name, namespace: ref.namespace } };
  const appSet = await api.get(setRef);
  if (!appSet) return;
  const resource = await api.resourceFor(APPLICATION_SET_API_VERSION, 'Application');
  const owned: any[] = resource ? (await api.list(resource, ref.namespace)).filter((a) => ownedBy(a, appSet)) : [];

  if (!allowsDelete(applicationsSyncPolicy(appSet))) {
    // removeOwnerReferencesOnDeleteAppSet: the garbage collector must not take the Applications along.
    for (const app of owned) {
      await api.merge(app, { metadata: { ownerReferences: [], resourceVersion: app.metadata.resourceVersion } });
    }
  } else if (deletionOrderReversed(appSet)) {
    const steps = rollingSyncSteps(appSet)!;
    const { stepOf } = assignSteps(steps, owned.map((a) => ({ name: a.metadata.name, labels: a.metadata.labels })));
    for (let i = steps.length - 1; i >= 0; i--) {
      const names = owned.filter((a) => stepOf.get(a.metadata.name) === i).map((a) => a.metadata.name);
      await deleteAndWait(api, names, ref.namespace, String(i + 1), options, clock);
    }
  }
  await api.delete(setRef, 'Background');
}

async function deleteAndWait(
  api: KubeApi, names: readonly string[], namespace: string, step: string, options: DeleteApplicationSetOptions, clock: Clock,
): Promise<void> {
  for (const name of names) {
    await options.onDelete?.(name, step);
    await api.delete(applicationRef(name, namespace), 'Background');
    const marked = await api.get(applicationRef(name, namespace));
    if (marked && options.finalizeApplication) await options.finalizeApplication(marked);
  }
  const deadline = clock.now() + (options.stepTimeoutSeconds ?? 120) * 1000;
  for (;;) {
    const left = [];
    for (const name of names) {
      const app = await api.get(applicationRef(name, namespace));
      if (app) left.push(`${name}${app.metadata.finalizers?.length ? ` (finalizers ${app.metadata.finalizers.join(', ')})` : ''}`);
    }
    if (left.length === 0) return;
    if (clock.now() > deadline) {
      throw new Error(`step ${step} of the reverse deletion: ${left.join(', ')} not deleted after ${options.stepTimeoutSeconds ?? 120}s; earlier steps are left in place`);
    }
    await clock.sleep(options.pollMs ?? 500);
  }
}
