/**
 * Argo CD's annotation, label and finalizer names (argoproj/argo-cd `common`, gitops-engine
 * `sync/common`), written once for the constructs and the engine alike.
 */
export const ANNOTATION_SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
export const ANNOTATION_HOOK = 'argocd.argoproj.io/hook';
export const ANNOTATION_HOOK_DELETE_POLICY = 'argocd.argoproj.io/hook-delete-policy';
export const ANNOTATION_SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';
export const ANNOTATION_COMPARE_OPTIONS = 'argocd.argoproj.io/compare-options';
export const ANNOTATION_TRACKING_ID = 'argocd.argoproj.io/tracking-id';

/** Helm's hook annotations, which Argo CD maps onto its own. */
export const HELM_HOOK = 'helm.sh/hook';
export const HELM_HOOK_WEIGHT = 'helm.sh/hook-weight';
export const HELM_HOOK_DELETE_POLICY = 'helm.sh/hook-delete-policy';

/** Keeps a hook until its completion was observed, so a Job's TTL cannot hide its result. */
export const HOOK_FINALIZER = 'argocd.argoproj.io/hook-finalizer';
/** Application finalizer: delete the Application's resources first, waiting for dependents. */
export const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';
/** Application finalizer: delete the Application's resources in the background. */
export const RESOURCES_FINALIZER_BACKGROUND = 'resources-finalizer.argocd.argoproj.io/background';

/**
 * kubectl's client-side apply annotation: the object as last applied, for the next apply's
 * three-way merge (k8s.io/api/core/v1 LastAppliedConfigAnnotation). Argo CD applies client-side
 * unless ServerSideApply=true, so it writes and reads this annotation.
 */
export const ANNOTATION_LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/**
 * Argo CD's field manager (argo-cd `common.ArgoCDSSAManager`): gitops-engine passes it to kubectl
 * apply for client-side apply too, so Argo CD's client-side writes show as `Update` entries of it.
 */
export const ARGOCD_FIELD_MANAGER = 'argocd-controller';
/** kubectl's default client-side apply manager (gitops-engine's `DefaultClientSideApplyMigrationManager`). */
export const KUBECTL_CLIENT_SIDE_APPLY_MANAGER = 'kubectl-client-side-apply';
