import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { IN_CLUSTER_NAME, IN_CLUSTER_SERVER } from '../argo/destination';

/**
 * Maps Application destinations that are not the current cluster to kubeconfigs:
 *
 * ```yaml
 * clusters:
 *   - name: staging                      # matches destination.name
 *     server: https://staging.example:6443 # matches destination.server
 *     kubeconfig: ~/.kube/staging.yaml    # relative to this file
 *     context: staging-admin              # optional
 * ```
 */
export interface ClusterEntry {
  readonly name?: string;
  readonly server?: string;
  readonly kubeconfig: string;
  readonly context?: string;
}

/** The destinations that mean "the cluster the engine was pointed at", as in Argo CD. */
export { IN_CLUSTER_NAME, IN_CLUSTER_SERVER };

export function readClustersFile(file: string): ClusterEntry[] {
  let doc: any;
  try {
    doc = parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`--clusters ${file}: ${(e as Error).message}`);
  }
  const list = doc?.clusters;
  if (!Array.isArray(list)) {
    throw new Error(`--clusters ${file}: expected a top-level 'clusters:' list`);
  }
  return list.map((c: any, i: number) => {
    if (!c || typeof c.kubeconfig !== 'string' || (!c.name && !c.server)) {
      throw new Error(`--clusters ${file}: clusters[${i}] needs kubeconfig and a name or server`);
    }
    const kc = c.kubeconfig.startsWith('~/') ? path.join(os.homedir(), c.kubeconfig.slice(2)) : path.resolve(path.dirname(file), c.kubeconfig);
    return { name: c.name, server: c.server, kubeconfig: kc, context: c.context };
  });
}

/**
 * The cluster entry for a destination: undefined for the current cluster, an entry from the
 * clusters file otherwise; an error names the destination and the clusters file (`clustersFile`,
 * as given) when no entry matches.
 */
export function clusterForDestination(
  dest: { server?: string; name?: string }, clusters: readonly ClusterEntry[], clustersFile?: string,
): ClusterEntry | undefined {
  if ((!dest.server && !dest.name) || dest.server === IN_CLUSTER_SERVER || dest.name === IN_CLUSTER_NAME) {
    return undefined;
  }
  const match = clusters.find((c) => (dest.name && c.name === dest.name) || (dest.server && c.server === dest.server));
  if (!match) {
    const what = dest.name ? `name ${dest.name}` : `server ${dest.server}`;
    const where = clustersFile !== undefined
      ? `is not in the clusters file ${clustersFile}; add it there`
      : clusters.length > 0
        ? 'is not in the clusters file; add it to the file passed with --clusters'
        : 'no clusters file was given (--clusters); pass one that maps it to a kubeconfig';
    throw new Error(`destination ${what} is not the current cluster and ${where}`);
  }
  return match;
}
