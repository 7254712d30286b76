import { FIELD_MANAGER } from './annotations';
import { hasClientSideApplyManagers, managedFieldsUpgradePatch } from './client-side-apply';
import { ApiError } from './kube/api-error';
import { KubeApi } from './kube/kube-api';
import { KubeObject, SyncTask } from './model';
import { optionIs, optionTrue } from './sync-options';

/** How an object is written, from its sync options: the same choice for the dry run and the real write. */
export enum WriteMethod {
  /** Server-side apply, taking over conflicting fields (the default). */
  SERVER_SIDE_APPLY = 'server-side apply',
  /** `Replace=true`: PUT over the live object (POST when missing). */
  REPLACE = 'replace',
  /** `Validate=false`: POST or JSON merge patch with `fieldValidation=Ignore`. */
  WITHOUT_VALIDATION = 'apply without validation',
}

/** Pure: the write method a task's options ask for (Replace wins over Validate=false, as in Argo CD). */
export function writeMethod(options: ReadonlyMap<string, string>): WriteMethod {
  if (optionTrue(options, 'Replace')) {
    return WriteMethod.REPLACE;
  }
  if (optionIs(options, 'Validate', 'false')) {
    return WriteMethod.WITHOUT_VALIDATION;
  }
  return WriteMethod.SERVER_SIDE_APPLY;
}

/** True when a failed update may become a delete and re-create (`Force=true` or `--force`). */
export function forceFallback(task: SyncTask, forceAll: boolean, error: unknown): boolean {
  const forced = forceAll || optionTrue(task.options, 'Force');
  return forced && !!task.live && error instanceof ApiError && (error.code === 422 || error.code === 409);
}

/**
 * Writes objects the way their sync options ask. `diff`, `status`, the sync's dry run and the
 * sync itself all write through here, so a prediction is made with exactly the request the sync
 * will send.
 */
export class ResourceWriter {
  constructor(private readonly api: KubeApi) {}

  async write(task: Pick<SyncTask, 'options'>, obj: KubeObject, live: KubeObject | undefined, dryRun: boolean): Promise<KubeObject> {
    const fieldValidation = optionIs(task.options, 'Validate', 'false') ? 'Ignore' : 'Strict';
    switch (writeMethod(task.options)) {
      case WriteMethod.REPLACE:
        return this.api.replace(obj, live, FIELD_MANAGER, { dryRun, fieldValidation });
      case WriteMethod.WITHOUT_VALIDATION:
        return this.api.applyWithoutValidation(obj, live, FIELD_MANAGER, dryRun);
      default:
        if (!dryRun && hasClientSideApplyManagers(live)) {
          await this.upgradeClientSideApply(obj);
        }
        return this.api.apply(obj, FIELD_MANAGER, { dryRun, force: true, fieldValidation });
    }
  }

  /**
   * Moves the fields Argo CD's (or kubectl's) client-side apply owns into the engine's apply entry
   * before the engine applies, as kubectl and gitops-engine do with client-go's csaupgrade: without
   * it a field the desired state dropped would stay, owned by the client-side manager. A dry run
   * cannot include this step, so predictions do not show such removals.
   */
  private async upgradeClientSideApply(obj: KubeObject): Promise<void> {
    const fresh = await this.api.get(obj);
    const patch = fresh && managedFieldsUpgradePatch(fresh, FIELD_MANAGER);
    if (patch) {
      await this.api.merge(fresh, patch, 'application/json-patch+json');
    }
  }
}
