import { ApplicationSpec } from './application-spec';
import { ClusterEntry, clusterForDestination } from './clusters-file';
import { KubeClient } from './kube/client';
import { KubeConfigOptions, resolveKubeConfig } from './kube/kubeconfig';
import { LoadedApplication } from './load/applications';

/** The cluster an Application's destination resolves to, said to the user before anything changes. */
export interface ClusterTarget {
  /** API server URL. */
  readonly server: string;
  /** Kubeconfig context in use. */
  readonly context: string;
  /** Where the kubeconfig came from, e.g. `--kubeconfig x.yaml` or `clusters file c.yaml (staging)`. */
  readonly source: string;
  /** True when the user named this cluster (an explicit kubeconfig or a clusters entry), not a default. */
  readonly chosen: boolean;
}

export interface Connection {
  readonly client: KubeClient;
  readonly target: ClusterTarget;
}

/**
 * One API client per target cluster: the current cluster (the kubeconfig the caller chose) for
 * in-cluster destinations, and clusters-file entries for the rest.
 */
export class ClusterClients {
  private readonly connections = new Map<string, Promise<Connection>>();

  /**
   * `currentSource` says where `kube` came from (default: the resolved kubeconfig's description)
   * and `currentChosen` whether the user named it; `clustersFile` is where `clusters` came from,
   * named in the error for an unknown destination.
   */
  constructor(
    private readonly kube: KubeConfigOptions,
    private readonly clusters: readonly ClusterEntry[] = [],
    private readonly maxSockets = 16,
    private readonly clustersFile?: string,
    private readonly currentSource?: string,
    private readonly currentChosen = true,
  ) {}

  async forApplication(app: LoadedApplication): Promise<KubeClient> {
    return (await this.connect(app.manifest.spec?.destination)).client;
  }

  /** Which cluster and context `app` goes to, and why. */
  async target(app: LoadedApplication): Promise<ClusterTarget> {
    return (await this.connect(app.manifest.spec?.destination)).target;
  }

  /** The client and cluster for a destination as a live Application names it. */
  forDestination(destination: ApplicationSpec['destination'] | undefined): Promise<Connection> {
    return this.connect(destination);
  }

  private connect(destination: ApplicationSpec['destination'] | undefined): Promise<Connection> {
    const entry = destination ? clusterForDestination(destination, this.clusters, this.clustersFile) : undefined;
    const key = entry ? `${entry.kubeconfig}\u0000${entry.context ?? ''}` : '';
    let p = this.connections.get(key);
    if (!p) {
      p = (async () => {
        const resolved = await resolveKubeConfig(entry ? { kubeconfig: entry.kubeconfig, context: entry.context } : this.kube);
        const source = entry
          ? `${entry.kubeconfig} (clusters entry ${entry.name ?? entry.server} in ${this.clustersFile ?? 'the clusters list'})`
          : this.currentSource ?? resolved.description;
        const target = {
          server: resolved.config.getCurrentCluster()?.server ?? '',
          context: resolved.config.getCurrentContext(),
          source,
          chosen: !!entry || this.currentChosen,
        };
        return { client: await KubeClient.create(resolved.config, this.maxSockets), target };
      })();
      this.connections.set(key, p);
    }
    return p;
  }

  async close(): Promise<void> {
    for (const p of this.connections.values()) {
      try {
        (await p).client.close();
      } catch {
        // A client that never connected has nothing to close.
      }
    }
  }
}
