/** Argo CD's annotations (argoproj/argo-cd `common` and gitops-engine `sync/common`). */
export const ANNOTATION_SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
export const ANNOTATION_HOOK = 'argocd.argoproj.io/hook';
export const ANNOTATION_HOOK_DELETE_POLICY = 'argocd.argoproj.io/hook-delete-policy';
export const ANNOTATION_SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';
export const ANNOTATION_COMPARE_OPTIONS = 'argocd.argoproj.io/compare-options';
export const ANNOTATION_TRACKING_ID = 'argocd.argoproj.io/tracking-id';
export const HELM_HOOK = 'helm.sh/hook';
export const HELM_HOOK_WEIGHT = 'helm.sh/hook-weight';
export const HELM_HOOK_DELETE_POLICY = 'helm.sh/hook-delete-policy';
/** Keeps a hook until the engine has seen it complete, so a Job's TTL cannot hide its result. */
export const HOOK_FINALIZER = 'argocd.argoproj.io/hook-finalizer';
/** Field manager of every apply, as Argo CD's `argocd-controller`. */
export const FIELD_MANAGER = 'cdk8s-argocd';
/**
 * Hash of the object as last applied by the engine. With the tracking id it lets a re-sync skip
 * objects whose desired state did not change and whose live state still contains it (the same
 * role `kubectl.kubernetes.io/last-applied-configuration` plays for client-side apply). Argo CD
 * ignores it: fields that are not in its desired state do not show as differences.
 */
export const ANNOTATION_APPLIED_HASH = 'cdk8s-argocd.io/applied-hash';
