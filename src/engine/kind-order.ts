/**
 * gitops-engine's kind order (`sync/sync_tasks.go` kindOrder, from Helm's install order): kinds
 * earlier in the list are applied first within a phase and wave. Every other kind (CRs) is last.
 */
export const KIND_ORDER: readonly string[] = [
  'Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodSecurityPolicy', 'PodDisruptionBudget',
  'ServiceAccount', 'Secret', 'SecretList', 'ConfigMap', 'StorageClass', 'PersistentVolume',
  'PersistentVolumeClaim', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleList',
  'ClusterRoleBinding', 'ClusterRoleBindingList', 'Role', 'RoleList', 'RoleBinding', 'RoleBindingList',
  'Service', 'DaemonSet', 'Pod', 'ReplicationController', 'ReplicaSet', 'Deployment',
  'HorizontalPodAutoscaler', 'StatefulSet', 'Job', 'CronJob', 'IngressClass', 'Ingress', 'APIService',
];

const RANK = new Map(KIND_ORDER.map((k, i) => [k, i]));

/** Rank of a kind: its index in {@link KIND_ORDER}, or after all of them. */
export function kindRank(kind: string): number {
  return RANK.get(kind) ?? KIND_ORDER.length;
}
