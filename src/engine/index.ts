/**
 * The sync engine's TypeScript API (`cdk8s-argocd/lib/engine`). Not part of the jsii construct
 * API: it uses plain interfaces and async functions.
 */
export * from './model';
export * from './application-spec';
export { loadApplications, LoadOptions, LoadedApplication, LoadResult, findApplications } from './load/applications';
export { parseManifests } from './load/yaml-documents';
export { ManifestError } from './load/manifest-error';
export { planSync, parseResourceFilter, compareTasks, Plan, PlanInput, ResourceFilter, ScopeLookup } from './plan';
export { syncApplication, SyncRequest, SyncEvent } from './sync';
export { compareApplication, ApplicationStatus, ResourceStatus, CompareOptions } from './compare-app';
export { renderDiff, compareObjects, Comparison } from './diff/compare';
export { resourceHealth, hasHealthCheck } from './health';
export { parseResourceSettings, activateResourceSettings, activeResourceSettings, ResourceSettings, ResourceOverride } from './settings/resource-settings';
export { resolveResourceSettings, findRepositoryArgoCdCm } from './settings/find-argocd-cm';
export { trackingId, parseTrackingId, instanceName, trackingInstance } from './tracking';
export { KubeClient } from './kube/client';
export { KubeApi, ApiResource, ApplyOptions, ObjectRef } from './kube/kube-api';
export { Clock } from './poll';
export { resolveKubeConfig, KubeConfigOptions } from './kube/kubeconfig';
export { ClusterClients } from './cluster-clients';
export { readClustersFile, ClusterEntry, IN_CLUSTER_NAME, IN_CLUSTER_SERVER } from './clusters-file';
export { KIND_ORDER, kindRank } from './kind-order';
