/**
 * ApplicationSets in `sync`: the sets a parent's sync applies, and the top-level ones (in the
 * synced path but in no Application's source, applied once as the README's `kubectl apply -f
 * manifests/apps/` would), each run through the engine's ApplicationSet controller, as Argo CD's
 * ApplicationSet controller picks a set up once it is in the cluster.
 */
import * as path from 'path';
import { FoundArgoObject, findArgoObjects } from './argo-objects';
import { ARGOCD_NAMESPACE } from '../argo/destination';
import { ClusterInfo, LocalGitSource } from '../engine/appset';
import { ApplicationSetEvent, ApplicationSetRunResult, engineCallbacks, readClusterSecrets, runApplicationSet } from '../engine/appset-controller';
import { ClusterEntry, generatorClusters } from '../engine/clusters-file';
import { KubeApi } from '../engine/kube/kube-api';
import { LoadedApplication } from '../engine/load/applications';
import { ManifestFiles } from '../engine/load/manifest-file';
import { groupOf, SourcePosition } from '../engine/model';
import { PlacedApplicationSet } from '../engine/output/appset-rows';
import { ApplicationTree } from '../engine/tree/application-tree';

const SET_KINDS = ['AppProject', 'ApplicationSet'];

const identity = (kind: string, name: string | undefined, namespace: string | undefined) => `${kind}/${namespace || ARGOCD_NAMESPACE}/${name}`;

/**
 * AppProjects and ApplicationSets below `target` that no Application's source contains (those
 * are applied by their parent's sync), AppProjects first: a set's project must exist before
 * its Applications are created. `files`: the run's manifest reads (the tree's load read them all).
 */
export function topLevelArgoObjects(target: string, tree: ApplicationTree, files?: ManifestFiles): FoundArgoObject[] {
  const contained = new Set<string>();
  for (const { app } of tree.nodes.values()) {
    for (const { object } of app.objects) {
      if (groupOf(object.apiVersion) === 'argoproj.io' && SET_KINDS.includes(object.kind)) {
        contained.add(identity(object.kind, object.metadata?.name, object.metadata?.namespace));
      }
    }
  }
  const found = findArgoObjects(target, SET_KINDS, files)
    .filter((o) => !contained.has(identity(o.object.kind, o.object.metadata?.name, o.object.metadata?.namespace)));
  return [...found.filter((o) => o.object.kind === 'AppProject'), ...found.filter((o) => o.object.kind === 'ApplicationSet')];
}

export interface TreeApplicationSetOptions {
  /** The checkout generated Applications' sources and git generators read. */
  readonly repoRoot: string;
  readonly repoURL?: string;
  /** The clusters file's entries, when `--clusters` was given (otherwise Argo CD's cluster Secrets are read). */
  readonly clusters?: readonly ClusterEntry[];
  /** The client for an Application's destination. */
  readonly clientFor: (app: LoadedApplication) => Promise<KubeApi>;
  readonly includeManual?: boolean;
  readonly concurrency?: number;
  readonly timeoutSeconds?: number;
  readonly signal?: AbortSignal;
  /** Each event of a set's controller, with the Application whose sync applied the set (none for a top-level set). */
  readonly onEvent?: (event: ApplicationSetEvent, parent?: string) => void;
  /** Called as each set's run ends. */
  readonly onResult?: (result: ApplicationSetRunResult, parent?: string) => void;
}

/** Runs sets' controllers and keeps their results, in the order they ended. */
export class TreeApplicationSets {
  /** Each set's run, with the Application whose sync applied it, in the order they ended. */
  readonly results: PlacedApplicationSet[] = [];
  private readonly generatorClusters = new Map<KubeApi, Promise<ClusterInfo[]>>();

  constructor(private readonly options: TreeApplicationSetOptions) {}

  /** The set `ref`, already in the cluster `api`, as its controller runs it once to the end; never throws. */
  async run(api: KubeApi, ref: { name: string; namespace: string }, position: SourcePosition, parent?: string): Promise<ApplicationSetRunResult> {
    const o = this.options;
    let result: ApplicationSetRunResult;
    try {
      result = await runApplicationSet(api, ref, {
        clusters: await this.clustersSeenBy(api),
        git: new LocalGitSource({ root: o.repoRoot, repoURLs: o.repoURL ? [o.repoURL] : undefined }),
        projectNamespace: ARGOCD_NAMESPACE,
        repoRoot: o.repoRoot,
        repoURL: o.repoURL,
        position,
        // The set's Applications live where the set does: their status is recorded there.
        ...engineCallbacks({
          clientFor: o.clientFor, controlPlane: api, concurrency: o.concurrency, timeoutSeconds: o.timeoutSeconds, signal: o.signal,
        }),
        includeManual: o.includeManual,
        timeoutSeconds: o.timeoutSeconds,
        onEvent: o.onEvent ? (e) => o.onEvent!(e, parent) : undefined,
      });
    } catch (e) {
      result = {
        applicationSet: `${ref.namespace}/${ref.name}`,
        ok: false,
        message: `${position.file}:${position.line}: ${(e as Error).message}`,
        changes: [],
        applications: [],
        conditions: [],
      };
    }
    this.results.push({ result, parent });
    o.onResult?.(result, parent);
    return result;
  }

  /** The set a parent's sync applied, read from where the parent's source holds it. */
  runApplied(api: KubeApi, ref: { name: string; namespace: string }, parent: LoadedApplication): Promise<ApplicationSetRunResult> {
    const held = parent.objects.find((d) => d.object.kind === 'ApplicationSet' && d.object.metadata?.name === ref.name
      && (d.object.metadata?.namespace || ARGOCD_NAMESPACE) === ref.namespace);
    return this.run(api, ref, held?.source ?? parent.position, parent.name);
  }

  /** Generators see the clusters file's clusters, or Argo CD's cluster Secrets where the set lives. */
  private clustersSeenBy(api: KubeApi): Promise<ClusterInfo[]> {
    let clusters = this.generatorClusters.get(api);
    if (!clusters) {
      clusters = this.options.clusters ? Promise.resolve(generatorClusters(this.options.clusters)) : readClusterSecrets(api, ARGOCD_NAMESPACE);
      this.generatorClusters.set(api, clusters);
    }
    return clusters;
  }
}

/** Where a top-level object was read, relative to the repository root. */
export function positionOf(found: FoundArgoObject, repoRoot: string): SourcePosition {
  return { file: path.relative(repoRoot, found.file) || found.file, line: 1 };
}
