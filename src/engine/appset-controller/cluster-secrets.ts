/**
 * The clusters Argo CD knows, read from its cluster Secrets the way Argo CD reads them: Secrets in
 * the Argo CD namespace labelled `argocd.argoproj.io/secret-type: cluster`, with `name`, `server`
 * and `project` in `data`; plus the local `in-cluster` unless a Secret declares that server.
 * Only those three keys are decoded: `config` holds credentials and is never read.
 */
import { ClusterInfo, IN_CLUSTER } from '../appset';
import { KubeApi } from '../kube/kube-api';

const SECRET_TYPE_LABEL = 'argocd.argoproj.io/secret-type';

function decoded(secret: any, key: string): string | undefined {
  const v = secret?.data?.[key];
  return typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : secret?.stringData?.[key];
}

/** A cluster Secret as the clusters generator sees it; undefined when it names no server. */
export function clusterFromSecret(secret: any): ClusterInfo | undefined {
  const server = decoded(secret, 'server');
  if (!server) return undefined;
  const { [SECRET_TYPE_LABEL]: _type, ...labels } = secret.metadata?.labels ?? {};
  const project = decoded(secret, 'project');
  return {
    // Argo CD names a cluster Secret without `name` after its server.
    name: decoded(secret, 'name') || server,
    server,
    ...(project ? { project } : {}),
    labels,
    annotations: { ...(secret.metadata?.annotations ?? {}) },
  };
}

/** Clusters from Secrets (sorted by name, as Argo CD lists them), plus the local in-cluster. */
export function clustersFromSecrets(secrets: readonly any[]): ClusterInfo[] {
  const clusters = secrets.map(clusterFromSecret).filter((c): c is ClusterInfo => c !== undefined)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return clusters.some((c) => c.server === IN_CLUSTER.server) ? clusters : [IN_CLUSTER, ...clusters];
}

/** Reads the cluster Secrets of `namespace` (Argo CD's namespace) from the cluster. */
export async function readClusterSecrets(api: KubeApi, namespace: string): Promise<ClusterInfo[]> {
  const selector = encodeURIComponent(`${SECRET_TYPE_LABEL}=cluster`);
  const list = await api.request('GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets?labelSelector=${selector}`);
  return clustersFromSecrets(list?.items ?? []);
}
