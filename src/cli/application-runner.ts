import * as fs from 'fs';
import * as path from 'path';
import { announceTargets, currentCluster } from './current-cluster';
import { OutputFormat } from './output-format';
import { ClusterClients } from '../engine/cluster-clients';
import { ClusterEntry, readClustersFile } from '../engine/clusters-file';
import { requestTimeoutMs } from '../engine/interruption';
import { KubeClient } from '../engine/kube/client';
import { KubeApi } from '../engine/kube/kube-api';
import { loadApplications, LoadedApplication } from '../engine/load/applications';
import { ManifestFiles } from '../engine/load/manifest-file';
import { gitRoot } from '../engine/load/source-tree';
import { resolveResourceSettings } from '../engine/settings/find-argocd-cm';
import { activateResourceSettings } from '../engine/settings/resource-settings';
import { ApplicationTree, discoverTree } from '../engine/tree/application-tree';
import { selectTree, TreeSelection } from '../engine/tree/tree-selection';

/** The flags `sync`, `diff` and `status` share. */
export interface ApplicationOptions {
  readonly app: string[];
  readonly revision?: string;
  readonly repoRoot?: string;
  readonly repoUrl?: string;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly clusters?: string;
  readonly output: OutputFormat;
}

export interface RunRequest<R> {
  /** Manifests directory or Application file. */
  readonly path: string;
  readonly options: ApplicationOptions;
  /** What the command does to the cluster, said before it starts (`sync`, `diff`, `status`). */
  readonly verb: string;
  /**
   * Whether the command changes the cluster: then its cluster and context are always said;
   * otherwise only when no `--kubeconfig` chose the current cluster.
   */
  readonly changes: boolean;
  /** Parallel connections per cluster (default 16). */
  readonly maxSockets?: number;
  /**
   * The engine call for one Application: `client` is its destination's cluster, `controlPlane`
   * the current cluster, where Argo CD's objects (its Application object, projects) live.
   */
  readonly each: (client: KubeClient, app: LoadedApplication, controlPlane: KubeClient) => Promise<R>;
}

/**
 * Nothing is half-applied: any Application whose repository files cannot be read stops the
 * command before it starts. A chart repository that cannot be read now is that Application's
 * ComparisonError instead (as in Argo CD): the others go on.
 */
function refuseUnreadable(apps: readonly LoadedApplication[]): void {
  const unreadable = apps.filter((a) => a.error && !a.remoteSourceError).map((a) => `${a.name}: ${a.error}`);
  if (unreadable.length > 0) {
    throw new Error(`${unreadable.join('\nerror: ')}\nerror: nothing was done: fix the manifests above and run again`);
  }
}

/**
 * Reads the user's argocd-cm (the repository's, else the cluster's; see find-argocd-cm.ts) and
 * makes its resource settings the run's, saying on stderr which one is in use. With `--revision`
 * only the Applications' manifests at that revision are searched (not the work tree's files).
 */
async function activateArgoCdCm(
  apps: readonly LoadedApplication[], manifestsPath: string, opts: ApplicationOptions, controlPlane: () => Promise<KubeApi>, files: ManifestFiles,
  timeoutSeconds?: number,
): Promise<void> {
  const target = path.resolve(manifestsPath);
  const dir = fs.statSync(target).isDirectory() ? target : path.dirname(target);
  const root = opts.repoRoot ? path.resolve(opts.repoRoot) : gitRoot(dir) ?? dir;
  // `--timeout` bounds this read too: a hung API server must not hold the command for the
  // default 30 s per request before the operation (and its deadline) even starts.
  const bounded = async () => {
    const api = await controlPlane();
    return timeoutSeconds ? api.withLimits({ timeoutMs: requestTimeoutMs(timeoutSeconds) }) : api;
  };
  const settings = await resolveResourceSettings(apps, opts.revision ? '' : manifestsPath, root, bounded, files);
  activateResourceSettings(settings);
  if (settings) {
    process.stderr.write(`argocd-cm: resource settings from ${settings.source}\n`);
  }
}

/**
 * Loads the Applications, refuses them all if any cannot be read or has no known cluster (nothing
 * is half-applied), then runs `each` for one Application after the other against the cluster its
 * destination names, saying on stderr which cluster and context each goes to before the first runs.
 */
export async function runApplications<R>(req: RunRequest<R>): Promise<R[]> {
  const opts = req.options;
  const loaded = loadApplications({ path: req.path, apps: opts.app, revision: opts.revision, repoRoot: opts.repoRoot, repoURL: opts.repoUrl });
  try {
    refuseUnreadable(loaded.applications);
    const clusters = opts.clusters ? readClustersFile(opts.clusters) : [];
    const current = currentCluster(opts);
    const clients = new ClusterClients(current.kube, clusters, req.maxSockets, opts.clusters, current.source, current.chosen);
    try {
      // Every destination and kubeconfig is resolved before the first Application runs, so a
      // bad one stops the command before anything changed.
      const targets = [];
      for (const app of loaded.applications) {
        targets.push({ name: app.name, target: await clients.target(app) });
      }
      // Every cluster is named before the first Application runs.
      announceTargets(req.verb, targets.filter((t) => req.changes || !t.target.chosen), opts.output);
      await activateArgoCdCm(loaded.applications, req.path, opts, async () => (await clients.forDestination(undefined)).client, loaded.files);
      const results: R[] = [];
      for (const app of loaded.applications) {
        results.push(await req.each(await clients.forApplication(app), app, (await clients.forDestination(undefined)).client));
      }
      return results;
    } finally {
      await clients.close();
    }
  } finally {
    loaded.dispose();
  }
}

/** The clusters of a tree run besides the Applications' destinations. */
export interface TreeClusters {
  /** The current cluster, where Argo CD's own objects (top-level AppProjects and ApplicationSets) go; says so on stderr, naming `what`. */
  readonly current: (what: string) => Promise<KubeApi>;
  /** The clusters file's entries (empty without `--clusters`). */
  readonly entries: readonly ClusterEntry[];
  /** The current cluster, where Argo CD's objects live and statuses are recorded (said on stderr by `current` when something is applied). */
  readonly controlPlane: () => Promise<KubeApi>;
}

export interface TreeRunRequest<R> {
  /** Manifests directory or Application file. */
  readonly path: string;
  readonly options: ApplicationOptions;
  /** `--recursive`: with `--app`, each named Application's subtree. */
  readonly recursive: boolean;
  /** What the command does to the cluster, said before it starts. */
  readonly verb: string;
  /** Parallel connections per cluster (default 16). */
  readonly maxSockets?: number;
  /** `--timeout`: also bounds each request made before the operations start (the cluster's argocd-cm). */
  readonly timeoutSeconds?: number;
  /** The engine call for the selected part of the tree; `files` are the manifest files the load read, for the run's later reads. */
  readonly run: (
    tree: ApplicationTree, selection: TreeSelection, clientFor: (app: LoadedApplication) => Promise<KubeApi>, clusters: TreeClusters,
    files: ManifestFiles,
  ) => Promise<R>;
}

/**
 * Loads every Application below the path, builds the tree, selects the roots (or `--app`
 * nodes), refuses everything if a selected Application cannot be read or has no known cluster
 * (nothing is half-applied), says on stderr which cluster each group of Applications changes,
 * then runs the tree.
 */
export async function runApplicationTree<R>(req: TreeRunRequest<R>): Promise<R> {
  const opts = req.options;
  const loaded = loadApplications({ path: req.path, all: true, revision: opts.revision, repoRoot: opts.repoRoot, repoURL: opts.repoUrl });
  try {
    const tree = discoverTree(loaded.applications);
    const selection = selectTree(tree, opts.app, req.recursive, req.path);
    const selected = [...selection.members].map((k) => tree.nodes.get(k)!.app);
    refuseUnreadable(selected);
    const clusters = opts.clusters ? readClustersFile(opts.clusters) : [];
    const current = currentCluster(opts);
    const clients = new ClusterClients(current.kube, clusters, req.maxSockets, opts.clusters, current.source, current.chosen);
    try {
      // Every destination is resolved before the first Application runs: a bad one stops the command before anything changed.
      const targets = [];
      for (const app of selected) {
        targets.push({ name: app.name, target: await clients.target(app) });
      }
      announceTargets(req.verb, targets, opts.output);
      const argoCdCmFrom = async () => (await clients.forDestination(undefined)).client;
      await activateArgoCdCm(loaded.applications, req.path, opts, argoCdCmFrom, loaded.files, req.timeoutSeconds);
      // Said before the top-level AppProjects and ApplicationSets are applied there.
      const currentClient = async (what: string) => {
        const { client, target } = await clients.forDestination(undefined);
        announceTargets(req.verb, [{ name: what, target }], opts.output);
        return client;
      };
      const controlPlane = async () => (await clients.forDestination(undefined)).client;
      const treeClusters = { current: currentClient, entries: clusters, controlPlane };
      return await req.run(tree, selection, (app) => clients.forApplication(app), treeClusters, loaded.files);
    } finally {
      await clients.close();
    }
  } finally {
    loaded.dispose();
  }
}
