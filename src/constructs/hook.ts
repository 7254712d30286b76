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

export const HOOK_ANNOTATION = 'argocd.argoproj.io/hook';
export const HOOK_DELETE_POLICY_ANNOTATION = 'argocd.argoproj.io/hook-delete-policy';
