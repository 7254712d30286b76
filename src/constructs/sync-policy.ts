import { compact } from './application-source';
import { SyncOption } from './sync-option';
import { durationError } from './validation';

/** Automated sync settings. */
export interface AutomatedSync {
  /** Delete resources that are no longer in Git. @default false */
  readonly prune?: boolean;
  /** Revert changes made to live resources. @default false */
  readonly selfHeal?: boolean;
  /** Allow a sync that would leave the Application with no resources. @default false */
  readonly allowEmpty?: boolean;
  /** Turn automated sync off while keeping its settings. @default true */
  readonly enabled?: boolean;
}

/** Backoff between sync retries. */
export interface RetryBackoff {
  /** First wait, a Go duration (`5s`, `1m`) or seconds. @default '5s' */
  readonly duration?: string;
  /** Multiplier applied after each failure. @default 2 */
  readonly factor?: number;
  /** Longest wait. @default '3m' */
  readonly maxDuration?: string;
}

/** Retry behaviour of a failed sync. */
export interface RetryStrategy {
  /** Number of retries; negative means unlimited. @default - Argo CD's default (no retry without a retry block) */
  readonly limit?: number;
  /** Backoff between retries. @default - 5s doubling, capped at 3m */
  readonly backoff?: RetryBackoff;
  /** Retry with the latest revision if a new commit arrives. @default false */
  readonly refresh?: boolean;
}

/** Labels and annotations for the namespace created by `SyncOption.CREATE_NAMESPACE`. */
export interface ManagedNamespaceMetadata {
  /** @default - none */
  readonly labels?: { [key: string]: string };
  /** @default - none */
  readonly annotations?: { [key: string]: string };
}

/** When and how Argo CD syncs an Application. */
export interface SyncPolicy {
  /** Automated sync; omit for manual sync. @default - manual sync */
  readonly automated?: AutomatedSync;
  /** Sync options. @default - none */
  readonly syncOptions?: SyncOption[];
  /** Retry of failed syncs. @default - no retry */
  readonly retry?: RetryStrategy;
  /** Metadata of the namespace created by CreateNamespace. @default - none */
  readonly managedNamespaceMetadata?: ManagedNamespaceMetadata;
}

export function syncPolicyErrors(policy: SyncPolicy | undefined): string[] {
  const errors: Array<string | undefined> = [];
  const backoff = policy?.retry?.backoff;
  if (backoff?.duration !== undefined) errors.push(durationError('retry backoff duration', backoff.duration));
  if (backoff?.maxDuration !== undefined) errors.push(durationError('retry backoff maxDuration', backoff.maxDuration));
  if (backoff?.factor !== undefined && (!Number.isInteger(backoff.factor) || backoff.factor < 1)) {
    errors.push(`retry backoff factor ${backoff.factor} must be a positive integer`);
  }
  const limit = policy?.retry?.limit;
  if (limit !== undefined && !Number.isInteger(limit)) errors.push(`retry limit ${limit} must be an integer`);
  if (policy?.managedNamespaceMetadata && !policy.syncOptions?.some(o => o.key === 'CreateNamespace')) {
    errors.push('managedNamespaceMetadata only takes effect with SyncOption.CREATE_NAMESPACE; add it to syncOptions');
  }
  return errors.filter((e): e is string => e !== undefined);
}

/** Renders a sync policy, with extra options (added by `Application.addSyncOption`) merged in. */
export function renderSyncPolicy(policy: SyncPolicy | undefined, extraOptions: SyncOption[]): any {
  const options: string[] = [];
  for (const option of [...(policy?.syncOptions ?? []), ...extraOptions]) {
    if (!options.includes(option.value)) options.push(option.value);
  }
  const rendered = compact({
    // An empty `automated: {}` is meaningful (automated sync, no prune/selfHeal), so keep it.
    automated: policy?.automated ? { ...compact({ ...policy.automated }) } : undefined,
    syncOptions: options,
    retry: policy?.retry && compact({ ...policy.retry, backoff: policy.retry.backoff && compact({ ...policy.retry.backoff }) }),
    managedNamespaceMetadata: policy?.managedNamespaceMetadata && compact({ ...policy.managedNamespaceMetadata }),
  });
  if (policy?.automated && Object.keys(rendered.automated ?? {}).length === 0) rendered.automated = {};
  return Object.keys(rendered).length === 0 ? undefined : rendered;
}
