/**
 * Argo CD's sync option names (`syncPolicy.syncOptions` and the `argocd.argoproj.io/sync-options`
 * annotation). The union type makes a misspelt option name a compile error wherever the
 * constructs write one or the engine reads one.
 */
export const SYNC_OPTION_NAMES = [
  'CreateNamespace', 'ServerSideApply', 'ApplyOutOfSyncOnly', 'Replace', 'Force', 'Validate',
  'PrunePropagationPolicy', 'PruneLast', 'RespectIgnoreDifferences', 'FailOnSharedResource',
  'SkipDryRunOnMissingResource', 'Prune', 'Delete',
] as const;

/** A sync option the engine implements. */
export type SyncOptionName = typeof SYNC_OPTION_NAMES[number];

/** `Name=value`, as Argo CD writes a sync option. */
export function syncOptionString(name: SyncOptionName, value: string): string {
  return `${name}=${value}`;
}

/** Values of `PrunePropagationPolicy` (Argo CD's default is foreground). */
export const PRUNE_PROPAGATION_POLICIES = ['foreground', 'background', 'orphan'] as const;
