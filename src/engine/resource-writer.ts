import { FIELD_MANAGER } from './annotations';
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

  write(task: Pick<SyncTask, 'options'>, obj: KubeObject, live: KubeObject | undefined, dryRun: boolean): Promise<KubeObject> {
    const fieldValidation = optionIs(task.options, 'Validate', 'false') ? 'Ignore' : 'Strict';
    switch (writeMethod(task.options)) {
      case WriteMethod.REPLACE:
        return this.api.replace(obj, live, FIELD_MANAGER, { dryRun, fieldValidation });
      case WriteMethod.WITHOUT_VALIDATION:
        return this.api.applyWithoutValidation(obj, live, FIELD_MANAGER, dryRun);
      default:
        return this.api.apply(obj, FIELD_MANAGER, { dryRun, force: true, fieldValidation });
    }
  }
}
