// Argo CD's names are defined once in src/argo; the engine's own names follow.
export {
  ANNOTATION_SYNC_WAVE, ANNOTATION_HOOK, ANNOTATION_HOOK_DELETE_POLICY, ANNOTATION_SYNC_OPTIONS, ANNOTATION_COMPARE_OPTIONS,
  ANNOTATION_TRACKING_ID, HELM_HOOK, HELM_HOOK_WEIGHT, HELM_HOOK_DELETE_POLICY, HOOK_FINALIZER,
} from '../argo/annotations';
/** Field manager of every apply, as Argo CD's `argocd-controller`. */
export const FIELD_MANAGER = 'cdk8s-argocd';
/**
 * Hash of the object as last applied by the engine. With the tracking id it lets a re-sync skip
 * objects whose desired state did not change and whose live state still contains it (the same
 * role `kubectl.kubernetes.io/last-applied-configuration` plays for client-side apply). Argo CD
 * ignores it: fields that are not in its desired state do not show as differences.
 */
export const ANNOTATION_APPLIED_HASH = 'cdk8s-argocd.io/applied-hash';
