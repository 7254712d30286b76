import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { IN_CLUSTER_NAME, IN_CLUSTER_SERVER } from '../argo/destination';
import { ClusterInfo, IN_CLUSTER } from './appset/generators/context';
import { ManifestError } from './load/manifest-error';
import { readYamlDocuments } from './load/yaml-documents';

/**
 * The clusters file, read the same way by `sync`/`diff`/`status` (destinations → kubeconfigs) and
 * by `appset expand` (the clusters Argo CD knows, for clusters generators):
 *
 * ```yaml
 * clusters:
 *   - name: staging                        # matches destination.name; the generator's `name`
 *     server: https://staging.example:6443 # matches destination.server; the generator's `server`
 *     kubeconfig: ~/.kube/staging.yaml     # relative to this file; needed to sync to it
 *     context: staging-admin               # optional
 *     project: default                     # optional, for generators
 *     labels: { env: staging }             # optional, for generator selectors
 *     annotations: {}                      # optional
 * ```
 */
export interface ClusterEntry {
  readonly name?: string;
  readonly server?: string;
  /** Absolute path (resolved against the clusters file, `~/` against the home directory). */
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly project?: string;
  readonly labels?: { [key: string]: string };
  readonly annotations?: { [key: string]: string };
  /** Where the entry is written (`file:line`), for errors about it. */
  readonly origin: string;
}

/** The destinations that mean "the cluster the engine was pointed at", as in Argo CD. */
export { IN_CLUSTER_NAME, IN_CLUSTER_SERVER };

const STRING_FIELDS = ['name', 'server', 'kubeconfig', 'context', 'project'] as const;

/**
 * Reads and checks a clusters file. Errors name `file:line` and never quote the file: the
 * kubeconfigs it points at hold credentials, and so might a clusters file written by mistake.
 */
export function readClustersFile(file: string): ClusterEntry[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`--clusters ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const docs = readYamlDocuments(text, file, { sensitive: true });
  const doc = docs[0];
  const list = (doc?.value as { clusters?: unknown } | null)?.clusters;
  if (docs.length !== 1 || !Array.isArray(list)) {
    // A whole-file problem: no line to point at.
    throw new Error(`--clusters ${file}: expected a top-level 'clusters:' list (one document listing {name, server, kubeconfig, …})`);
  }
  return list.map((c: any, i: number): ClusterEntry => {
    const at = { file, line: doc.lineOf(['clusters', i]) };
    if (typeof c !== 'object' || c === null || Array.isArray(c)) {
      throw new ManifestError(at, `clusters[${i}] must be a mapping with a name or server`);
    }
    for (const field of STRING_FIELDS) {
      if (c[field] !== undefined && typeof c[field] !== 'string') {
        throw new ManifestError({ file, line: doc.lineOf(['clusters', i, field]) }, `clusters[${i}].${field} must be a string: quote it`);
      }
    }
    for (const field of ['labels', 'annotations'] as const) {
      const m = c[field];
      if (m !== undefined && (typeof m !== 'object' || m === null || Array.isArray(m) || Object.values(m).some((v) => typeof v !== 'string'))) {
        throw new ManifestError({ file, line: doc.lineOf(['clusters', i, field]) }, `clusters[${i}].${field} must map names to strings: quote the values`);
      }
    }
    if (!c.name && !c.server) {
      throw new ManifestError(at, `clusters[${i}] needs a name or a server`);
    }
    const kubeconfig = typeof c.kubeconfig === 'string'
      ? (c.kubeconfig.startsWith('~/') ? path.join(os.homedir(), c.kubeconfig.slice(2)) : path.resolve(path.dirname(file), c.kubeconfig))
      : undefined;
    const { name, server, context, project, labels, annotations } = c;
    return { name, server, kubeconfig, context, project, labels, annotations, origin: `${file}:${at.line}` };
  });
}

/**
 * The clusters Argo CD would know for ApplicationSet clusters generators: every entry (each needs
 * a name and a server, as a cluster secret does), plus the local `in-cluster` unless listed.
 */
export function generatorClusters(entries: readonly ClusterEntry[]): ClusterInfo[] {
  const clusters = entries.map((c, i): ClusterInfo => {
    if (!c.name || !c.server) {
      throw new Error(`${c.origin}: clusters[${i}] needs a name and a server to be a cluster for ApplicationSet generators; add the missing one`);
    }
    return { name: c.name, server: c.server, project: c.project, labels: c.labels, annotations: c.annotations };
  });
  // Argo CD always knows its local cluster; listing it here means it has a cluster secret.
  const listsLocal = clusters.some((c) => c.server === IN_CLUSTER.server || c.name === IN_CLUSTER.name);
  return listsLocal ? clusters : [IN_CLUSTER, ...clusters];
}

/**
 * The cluster entry for a destination: undefined for the current cluster, an entry from the
 * clusters file otherwise; an error names the destination and the clusters file (`clustersFile`,
 * as given) when no entry matches, or the entry when it has no kubeconfig.
 */
export function clusterForDestination(
  dest: { server?: string; name?: string }, clusters: readonly ClusterEntry[], clustersFile?: string,
): (ClusterEntry & { readonly kubeconfig: string }) | undefined {
  if ((!dest.server && !dest.name) || dest.server === IN_CLUSTER_SERVER || dest.name === IN_CLUSTER_NAME) {
    return undefined;
  }
  const match = clusters.find((c) => (dest.name && c.name === dest.name) || (dest.server && c.server === dest.server));
  const what = dest.name ? `name ${dest.name}` : `server ${dest.server}`;
  if (!match) {
    const where = clustersFile !== undefined
      ? `is not in the clusters file ${clustersFile}; add it there`
      : clusters.length > 0
        ? 'is not in the clusters file; add it to the file passed with --clusters'
        : 'no clusters file was given (--clusters); pass one that maps it to a kubeconfig';
    throw new Error(`destination ${what} is not the current cluster and ${where}`);
  }
  if (match.kubeconfig === undefined) {
    throw new Error(`${match.origin}: the clusters file entry for destination ${what} has no kubeconfig; add \`kubeconfig: <file>\` to sync to it`);
  }
  return { ...match, kubeconfig: match.kubeconfig };
}
