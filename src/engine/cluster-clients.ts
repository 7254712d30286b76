import { ClusterEntry, clusterForDestination } from './clusters-file';
import { KubeClient } from './kube/client';
import { KubeConfigOptions, resolveKubeConfig } from './kube/kubeconfig';
import { LoadedApplication } from './load/applications';

/**
 * One API client per target cluster: the current cluster (from kubeconfig flags, KUBECONFIG or
 * the local cluster) for in-cluster destinations, and clusters-file entries for the rest.
 */
export class ClusterClients {
  private readonly clients = new Map<string, Promise<KubeClient>>();
  /** Where the current cluster's config came from (printed when it was the embedded default). */
  description?: string;
  localCluster = false;

  /** `clustersFile` is where `clusters` came from, named in the error for an unknown destination. */
  constructor(
    private readonly kube: KubeConfigOptions,
    private readonly clusters: readonly ClusterEntry[] = [],
    private readonly maxSockets = 16,
    private readonly clustersFile?: string,
  ) {}

  forApplication(app: LoadedApplication): Promise<KubeClient> {
    const entry = app.manifest.spec?.destination ? clusterForDestination(app.manifest.spec.destination, this.clusters, this.clustersFile) : undefined;
    const key = entry ? `${entry.kubeconfig}\u0000${entry.context ?? ''}` : '';
    let p = this.clients.get(key);
    if (!p) {
      p = (async () => {
        const resolved = await resolveKubeConfig(entry ? { kubeconfig: entry.kubeconfig, context: entry.context } : this.kube);
        if (!entry) {
          this.description = resolved.description;
          this.localCluster = resolved.localCluster;
        }
        return KubeClient.create(resolved.config, this.maxSockets);
      })();
      this.clients.set(key, p);
    }
    return p;
  }

  async close(): Promise<void> {
    for (const p of this.clients.values()) {
      try {
        (await p).close();
      } catch {
        // A client that never connected has nothing to close.
      }
    }
  }
}
