/** The sync phase an Argo CD resource hook runs in (`argocd.argoproj.io/hook`). */
export enum HookPhase {
  /** Before the manifests are applied. */
  PRE_SYNC = 'PreSync',
  /** With the manifests, after every PreSync hook succeeded. */
  SYNC = 'Sync',
  /** After every Sync resource is applied and healthy. */
  POST_SYNC = 'PostSync',
  /** Only when the sync operation fails. */
  SYNC_FAIL = 'SyncFail',
}

/** When Argo CD deletes a hook resource (`argocd.argoproj.io/hook-delete-policy`). */
export enum HookDeletePolicy {
  /** Delete the previous run's resource just before creating the new one (Argo CD's default). */
  BEFORE_HOOK_CREATION = 'BeforeHookCreation',
  /** Delete the resource once the whole sync operation succeeded. */
  HOOK_SUCCEEDED = 'HookSucceeded',
  /** Delete the resource when the hook failed. */
  HOOK_FAILED = 'HookFailed',
}

/** `argocd.argoproj.io/hook: Skip` keeps an object out of the sync entirely. */
export const HOOK_SKIP = 'Skip';

/** Helm hook types Argo CD runs, mapped to its phases (other Helm hooks are not run). */
export const HELM_HOOK_PHASES: Readonly<Record<string, HookPhase>> = {
  'pre-install': HookPhase.PRE_SYNC,
  'pre-upgrade': HookPhase.PRE_SYNC,
  'post-install': HookPhase.POST_SYNC,
  'post-upgrade': HookPhase.POST_SYNC,
};

/** Helm hook delete policies, mapped to Argo CD's. */
export const HELM_HOOK_DELETE_POLICIES: Readonly<Record<string, HookDeletePolicy>> = {
  'before-hook-creation': HookDeletePolicy.BEFORE_HOOK_CREATION,
  'hook-succeeded': HookDeletePolicy.HOOK_SUCCEEDED,
  'hook-failed': HookDeletePolicy.HOOK_FAILED,
};
