/**
 * Versions and well-known names of the local control plane.
 *
 * Keep the versions in sync with `cluster/go.mod` (the build passes them to
 * the linker, so `k8s-local version` and `kubectl version` report them).
 */

/** Kubernetes release of kube-apiserver, kube-controller-manager and kube-scheduler. */
export const KUBERNETES_VERSION = 'v1.36.3';
/** etcd release. */
export const ETCD_VERSION = 'v3.6.8';
/** kwok release (simulates nodes and pods). */
export const KWOK_VERSION = 'v0.8.0';
/** metrics-server release (serves the resource metrics API, metrics.k8s.io, from kwok's simulated usage). */
export const METRICS_SERVER_VERSION = 'v0.8.0';

/**
 * Pod annotations that set the simulated usage of each of the pod's containers on the local
 * cluster (a Kubernetes quantity, e.g. `750m`, `300Mi`). kwok's own names (its
 * `usage-from-annotation` ClusterResourceUsage), so manifests written for kwokctl work here too.
 */
export const USAGE_CPU_ANNOTATION = 'kwok.x-k8s.io/usage-cpu';
export const USAGE_MEMORY_ANNOTATION = 'kwok.x-k8s.io/usage-memory';
/** Default simulated usage of a container without the annotations: this percentage of its request. */
export const DEFAULT_SIMULATED_USAGE_PERCENT = 50;

/**
 * Label that makes a pod fail in the local cluster: kwok's `pod-fail` stage
 * (cluster/stages/pod-fail.yaml) turns a running pod carrying
 * `cdk8s-argocd.io/fail: "true"` into phase `Failed` (containers exit 1).
 * Put it on a Job's pod template (with `backoffLimit: 0`) to make the Job fail.
 */
export const POD_FAIL_LABEL = 'cdk8s-argocd.io/fail';
/** Value of {@link POD_FAIL_LABEL} that triggers the failure. */
export const POD_FAIL_LABEL_VALUE = 'true';

/**
 * Pod annotation that delays the completion of a Job's pod on the local cluster by a duration
 * (e.g. `3s`): kwok's `pod-complete` stage (cluster/stages/pod-complete.yaml) waits that long
 * after the pod started. kwok's own name (its "general" stages), so a test can make a hook run
 * for a known minimum time. Without it the pod completes at once.
 */
export const POD_COMPLETE_DELAY_ANNOTATION = 'pod-complete.stage.kwok.x-k8s.io/delay';

/** Annotation selecting the nodes kwok manages. */
export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';
export const KWOK_NODE_ANNOTATION_VALUE = 'fake';

/** Names of the fake nodes `cluster up` registers. */
export const FAKE_NODE_NAMES = ['kwok-node-0', 'kwok-node-1'];

/** Service CIDR; its first address is the `kubernetes` Service and is in the serving certificate. */
export const SERVICE_CLUSTER_IP_RANGE = '10.0.0.0/24';
export const KUBERNETES_SERVICE_IP = '10.0.0.1';
/** Pod CIDR kwok assigns pod IPs from. */
export const POD_CIDR = '10.244.0.0/16';

/** Environment variable overriding the default state directory of `cluster up/down/status`. */
export const CLUSTER_DIR_ENV = 'CDK8S_ARGOCD_CLUSTER_DIR';
/** Environment variable overriding where built binaries are cached. */
export const CLUSTER_BIN_CACHE_ENV = 'CDK8S_ARGOCD_CLUSTER_BIN_CACHE';
/** Environment variable pointing at a prebuilt `k8s-local` binary (skips the build). */
export const CLUSTER_BINARY_ENV = 'CDK8S_ARGOCD_K8S_LOCAL';

/** Components in start order. */
export const COMPONENTS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok', 'metrics-server'] as const;
export type ComponentName = (typeof COMPONENTS)[number];
