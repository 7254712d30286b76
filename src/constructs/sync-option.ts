import { syncOptionString } from '../argo/sync-options';

/**
 * An Argo CD sync option (`Key=value`).
 *
 * Application-level options go in `syncPolicy.syncOptions`; resource-level options (marked below)
 * go in a resource's `argocd.argoproj.io/sync-options` annotation. Use `SyncOption.custom()` for
 * options this library does not name yet.
 */
export class SyncOption {
  /** Create the destination namespace if it does not exist (`CreateNamespace=true`). */
  public static readonly CREATE_NAMESPACE = new SyncOption(syncOptionString('CreateNamespace', 'true'));
  /** Use server-side apply (`ServerSideApply=true`). */
  public static readonly SERVER_SIDE_APPLY = new SyncOption(syncOptionString('ServerSideApply', 'true'));
  /** Only apply resources that are out of sync (`ApplyOutOfSyncOnly=true`). */
  public static readonly APPLY_OUT_OF_SYNC_ONLY = new SyncOption(syncOptionString('ApplyOutOfSyncOnly', 'true'));
  /** Use `kubectl replace`/`create` instead of apply (`Replace=true`). */
  public static readonly REPLACE = new SyncOption(syncOptionString('Replace', 'true'));
  /** Delete and re-create resources that cannot be patched (`Force=true`; use with Replace). */
  public static readonly FORCE = new SyncOption(syncOptionString('Force', 'true'));
  /** Skip schema validation, like `kubectl apply --validate=false` (`Validate=false`). */
  public static readonly VALIDATE_FALSE = new SyncOption(syncOptionString('Validate', 'false'));
  /** Prune after all other resources are synced and healthy (`PruneLast=true`). */
  public static readonly PRUNE_LAST = new SyncOption(syncOptionString('PruneLast', 'true'));
  /** Keep ignored fields out of the apply too, not only out of the diff (`RespectIgnoreDifferences=true`). */
  public static readonly RESPECT_IGNORE_DIFFERENCES = new SyncOption(syncOptionString('RespectIgnoreDifferences', 'true'));
  /** Fail the sync if a resource is already managed by another Application (`FailOnSharedResource=true`). */
  public static readonly FAIL_ON_SHARED_RESOURCE = new SyncOption(syncOptionString('FailOnSharedResource', 'true'));
  /** Skip the dry-run for resources whose CRD is not installed yet (`SkipDryRunOnMissingResource=true`). */
  public static readonly SKIP_DRY_RUN_ON_MISSING_RESOURCE = new SyncOption(syncOptionString('SkipDryRunOnMissingResource', 'true'));
  /** Resource-level: never prune this resource (`Prune=false`). */
  public static readonly PRUNE_DISABLED = new SyncOption(syncOptionString('Prune', 'false'));
  /** Resource-level: prune only after manual confirmation (`Prune=confirm`). */
  public static readonly PRUNE_CONFIRM = new SyncOption(syncOptionString('Prune', 'confirm'));
  /** Resource-level: keep this resource when the Application is deleted (`Delete=false`). */
  public static readonly DELETE_DISABLED = new SyncOption(syncOptionString('Delete', 'false'));
  /** Resource-level: delete only after manual confirmation (`Delete=confirm`). */
  public static readonly DELETE_CONFIRM = new SyncOption(syncOptionString('Delete', 'confirm'));

  /** Propagation policy used when pruning (`PrunePropagationPolicy=foreground|background|orphan`). */
  public static prunePropagationPolicy(policy: PrunePropagationPolicy): SyncOption {
    return new SyncOption(syncOptionString('PrunePropagationPolicy', policy));
  }

  /**
   * Any other sync option, written as `Key=value`.
   * @param value the option exactly as Argo CD expects it, e.g. `ClientSideApplyMigration=false`
   */
  public static custom(value: string): SyncOption {
    if (!/^[A-Za-z][A-Za-z0-9]*=[^=\s,]+$/.test(value)) {
      throw new Error(`sync option '${value}' is not of the form 'Key=value' (e.g. 'CreateNamespace=true')`);
    }
    return new SyncOption(value);
  }

  private constructor(
    /** The option as written in the manifest, e.g. `CreateNamespace=true`. */
    public readonly value: string,
  ) {}

  /** The option's key, e.g. `CreateNamespace`. */
  public get key(): string {
    return this.value.split('=')[0];
  }

  public toString(): string {
    return this.value;
  }
}

/** How dependents are deleted when Argo CD prunes a resource. */
export enum PrunePropagationPolicy {
  /** Delete dependents first (Argo CD's default). */
  FOREGROUND = 'foreground',
  /** Delete the owner at once; the garbage collector deletes dependents. */
  BACKGROUND = 'background',
  /** Leave dependents behind. */
  ORPHAN = 'orphan',
}
