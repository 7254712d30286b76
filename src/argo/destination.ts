/** The in-cluster API server, where Argo CD itself runs. */
export const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';
/** Argo CD's name for the in-cluster destination. */
export const IN_CLUSTER_NAME = 'in-cluster';
/** The namespace Argo CD is installed in by default (its control-plane namespace). */
export const ARGOCD_NAMESPACE = 'argocd';
