/**
 * `cdk8s-argocd rehearse`: what Argo CD will do to the cluster when a change merges, predicted on
 * a throwaway local control plane through the engine's one pipeline (tree-sync → reconcile →
 * sync, compare-app for every comparison):
 *
 * 1. base and head are materialized as detached Git worktrees (head may be the work tree as is);
 * 2. a fresh local control plane starts in a temporary directory (one more per clusters-file
 *    destination), with Argo CD's CRDs;
 * 3. the base tree is synced as Argo CD has it now: roots synced (someone applied and synced
 *    them), automated children synced by their policy, and manual children synced too, by
 *    default: a manual Application in a running installation is whatever its last manual sync
 *    made it, and the useful assumption is that it matches base, so head shows the change this
 *    merge brings rather than the whole Application (`--manual-base unsynced` leaves them as a
 *    fresh Argo CD would: never synced);
 * 4. the head tree is compared with that cluster (the diffs of the report), then reconciled as the
 *    controller does after the merge (nobody syncs by hand: roots and children by their policy,
 *    automated ones synced with their prune setting, manual ones compared only);
 * 5. the head tree is compared a second time: an automated Application still OutOfSync right
 *    after a successful sync never settles (an autoscaler, a webhook, a server default fight it).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { setTimeout as sleep } from 'timers/promises';
import { stringify } from 'yaml';
import { ApplicationEvidence, ApplicationSetEvidence, assembleReport } from './assemble';
import { ApplicationChange, findingsFor } from './findings';
import { autoscaledReplicaFindings } from './never-settles';
import { RehearsalReport, RehearsalResource, RehearsalRevision } from './report';
import { buildTimeline, TimedEvent } from './timeline';
import { ARGOCD_NAMESPACE } from '../argo/destination';
import { applyAll } from '../cli/appset-sync-command';
import { installCrdsInto } from '../cli/crds-command';
import { positionOf, topLevelArgoObjects, TreeApplicationSets } from '../cli/tree-appsets';
import { LocalCluster, processesOfDir } from '../cluster/local-cluster';
import { FIELD_MANAGER } from '../engine/annotations';
import { ApplicationSetRunResult } from '../engine/appset-controller';
import { ClusterClients } from '../engine/cluster-clients';
import { ClusterEntry, readClustersFile } from '../engine/clusters-file';
import { ApplicationStatus, compareApplication } from '../engine/compare-app';
import { crdEstablished } from '../engine/crds/install-crds';
import { maskSecretData } from '../engine/diff/mask-secrets';
import { KubeClient } from '../engine/kube/client';
import { KubeApi } from '../engine/kube/kube-api';
import { resolveKubeConfig } from '../engine/kube/kubeconfig';
import { loadApplications, LoadedApplication, LoadResult } from '../engine/load/applications';
import { gitRoot, resolveRevision } from '../engine/load/source-tree';
import { readYamlDocuments } from '../engine/load/yaml-documents';
import { groupOf, HealthStatusCode, KubeObject, keyOf, keyString, SyncStatusCode } from '../engine/model';
import { mapLimit } from '../engine/poll';
import { reconcile } from '../engine/reconcile';
import { cliInitiator } from '../engine/record-sync';
import { resolveResourceSettings } from '../engine/settings/find-argocd-cm';
import { activateResourceSettings } from '../engine/settings/resource-settings';
import { carriesTrackingId, trackingInstance } from '../engine/tracking';
import { ApplicationTree, discoverTree } from '../engine/tree/application-tree';
import { isAutomated } from '../engine/tree/child-policy';
import { selectTree } from '../engine/tree/tree-selection';
import { ApplicationRun, runSucceeded, syncTree, TreeEvent } from '../engine/tree/tree-sync';
import { hasUncommittedChanges } from '../git/work-tree-changes';

/** Bad input (not a Git repository, unknown revision, bad clusters file): exit 2. */
export class RehearsalInputError extends Error {}

export interface RehearseOptions {
  /** Manifests directory (Applications are found anywhere below it), inside a Git repository. */
  readonly path: string;
  /** The revision the change merges into (e.g. `origin/main`). */
  readonly base: string;
  /** The revision with the change (default `HEAD`); ignored with `worktree`. */
  readonly head?: string;
  /** Head is the work tree as it is, uncommitted changes included. */
  readonly worktree?: boolean;
  /** A clusters file: each destination it names gets its own throwaway local cluster. */
  readonly clusters?: string;
  /**
   * Files or folders of CustomResourceDefinitions the real clusters have but the repository does
   * not install (an operator's CRDs): applied to every throwaway cluster before the base sync.
   */
  readonly crds?: readonly string[];
  /** Manual Applications at base: synced (default; see the module comment) or left unsynced. */
  readonly manualBase?: 'synced' | 'unsynced';
  /** Per-operation timeout in seconds (default 120). */
  readonly timeoutSeconds?: number;
  /** Progress lines (default: none). */
  readonly log?: (message: string) => void;
}

/** How long the HorizontalPodAutoscaler controller waits between passes on rehearsal clusters (default 15 s). */
const HPA_SYNC_PERIOD_S = 1;
/** After the head sync, how long autoscalers get to act before the second comparison. */
const AUTOSCALER_SETTLE_MS = 3_000;
/** Kinds that change other objects' fields after a sync: when the head tree has them, the second comparison waits. */
const AUTOSCALER_KINDS = new Set(['HorizontalPodAutoscaler', 'VerticalPodAutoscaler']);

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** One side of the rehearsal, checked out. */
interface Side {
  readonly revision: RehearsalRevision;
  /** The checkout's root (the repository root for the work tree). */
  readonly root: string;
  /** Created by the rehearsal (removed at the end). */
  readonly temporary: boolean;
}

/** One side's tree run. */
interface SideRun {
  readonly loaded: LoadResult;
  readonly tree: ApplicationTree;
  readonly runs: readonly ApplicationRun[];
  readonly sets: readonly ApplicationSetRunResult[];
  readonly events: readonly TimedEvent[];
}

export async function rehearse(options: RehearseOptions): Promise<RehearsalReport> {
  const t0 = Date.now();
  const sink = options.log ?? (() => undefined);
  // Each progress line says when it happened, so a slow phase shows (`rehearse: 12.3s base sync …`).
  const log = (m: string) => sink(m.replace(/^rehearse: /, `rehearse: ${((Date.now() - t0) / 1000).toFixed(1)}s `));
  const absPath = path.resolve(options.path);
  const startDir = fs.existsSync(absPath) && fs.statSync(absPath).isDirectory() ? absPath : path.dirname(absPath);
  const repo = fs.existsSync(startDir) ? gitRoot(startDir) : undefined;
  if (!repo) {
    throw new RehearsalInputError(`${options.path}: not inside a Git repository: rehearse compares two revisions of one (run it in a clone, with the base revision fetched)`);
  }
  const relPath = path.relative(repo, absPath);
  const resolve = (rev: string, what: string) => {
    const sha = resolveRevision(repo, rev);
    if (!sha) {
      throw new RehearsalInputError(`${what} ${rev}: not a commit in ${repo} (in CI, check out with fetch-depth: 0 so ${rev} exists)`);
    }
    return sha;
  };
  const baseSha = resolve(options.base, '--base');
  const headRef = options.worktree ? 'worktree' : options.head ?? 'HEAD';
  const headSha = options.worktree ? resolve('HEAD', '--worktree: HEAD') : resolve(headRef, '--head');
  const entries = options.clusters ? readClusters(options.clusters) : [];
  const crds = readCrds(options.crds ?? []);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-argocd-rehearse-'));
  const sides: Side[] = [];
  const clusters: LocalCluster[] = [];
  let clients: ClusterClients | undefined;
  // Ctrl-C or a CI job cancelled: the clusters' processes are detached, so they are killed here
  // (those still starting too, found by their state folder) and the checkouts removed, then exit.
  const onSignal = (signal: NodeJS.Signals) => {
    sink(`rehearse: ${signal}: removing the throwaway clusters and checkouts`);
    for (const p of processesOfDir(tmp)) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    removeCheckouts(repo, sides, sink);
    fs.rmSync(tmp, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const base = checkout(repo, tmp, 'base', options.base, baseSha);
    sides.push(base);
    const head = options.worktree
      // Dirty anywhere in the repository: sources may read files outside the manifests folder.
      ? { revision: { ref: 'worktree', sha: headSha, dirty: hasUncommittedChanges(repo) }, root: repo, temporary: false }
      : checkout(repo, tmp, 'head', headRef, headSha);
    sides.push(head);
    for (const side of sides) {
      if (!fs.existsSync(path.join(side.root, relPath))) {
        throw new RehearsalInputError(`${options.path} does not exist at ${side.revision.ref} (${side.revision.sha.slice(0, 12)})`);
      }
    }

    // The control plane and one cluster per clusters-file destination, started together.
    log(`rehearse: starting a throwaway local control plane${entries.length ? ` and ${entries.length} destination cluster(s)` : ''}`);
    const tc = Date.now();
    const extraArgs = { 'kube-controller-manager': [`--horizontal-pod-autoscaler-sync-period=${HPA_SYNC_PERIOD_S}s`] };
    const quiet = () => undefined;
    const started = await Promise.allSettled([
      LocalCluster.start({ dir: path.join(tmp, 'cluster'), fresh: true, log: quiet, extraArgs }),
      ...entries.map((_, i) => LocalCluster.start({ dir: path.join(tmp, `cluster-${i}`), fresh: true, log: quiet, extraArgs })),
    ]);
    for (const s of started) {
      if (s.status === 'fulfilled') {
        clusters.push(s.value);
      }
    }
    const failedStart = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failedStart) {
      throw failedStart.reason;
    }
    const main = clusters[0];
    await installCrdsInto({ kubeconfig: main.kubeconfigPath }, quiet);
    if (crds.length > 0) {
      await Promise.all(clusters.map((c) => applyCrds(c.kubeconfigPath, crds)));
      log(`rehearse: applied ${crds.length} CustomResourceDefinition(s) from --crds`);
    }
    log(`rehearse: clusters ready in ${((Date.now() - tc) / 1000).toFixed(1)}s`);
    const throwawayEntries = entries.map((e, i): ClusterEntry => ({ ...e, kubeconfig: clusters[i + 1].kubeconfigPath, context: undefined }));
    const clustersFile = throwawayEntries.length ? writeClustersFile(tmp, throwawayEntries) : undefined;
    clients = new ClusterClients({ kubeconfig: main.kubeconfigPath }, throwawayEntries, 16, clustersFile, 'the rehearsal\'s local control plane', true);
    const ctx: RunContext = { clients, entries: throwawayEntries, relPath, timeoutSeconds: options.timeoutSeconds ?? 120, log };

    log(`rehearse: base sync of ${options.base} (${baseSha.slice(0, 12)})`);
    const baseRun = await runSide(base, 'base', ctx, options.manualBase !== 'unsynced');
    try {
      log('rehearse: comparing head with the cluster as base left it');
      const headLoaded = loadSide(head, relPath);
      const headApps = [...headLoaded.tree.nodes.values()].map((n) => n.app);
      const baseApps = new Map([...baseRun.tree.nodes.values()].map((n) => [n.app.name, n.app]));
      const controlPlane = (await clients.forDestination(undefined)).client;
      // An Application whose spec and objects are those base synced successfully cannot change: it
      // is not compared here nor a second time (its head reconcile still runs and is reported).
      const baseRuns = new Map(baseRun.runs.map((r) => [r.application, r]));
      const untouched = new Set(headApps.filter((h) => {
        const b = baseApps.get(h.name);
        const r = baseRuns.get(h.name);
        return b && r && runSucceeded(r) && r.sync === SyncStatusCode.SYNCED && !r.failedBefore
          && JSON.stringify(b.manifest) === JSON.stringify(h.manifest)
          && JSON.stringify(b.objects.map((d) => d.object)) === JSON.stringify(h.objects.map((d) => d.object));
      }).map((h) => h.name));
      const before = new Map<string, ApplicationStatus>();
      await mapLimit(headApps.filter((a) => !untouched.has(a.name)), 4, async (app) => {
        before.set(app.name, await compared(clients!, app, controlPlane));
      });
      const removed = [...baseApps.values()].filter((a) => !headApps.some((h) => h.name === a.name));
      const changes = await applicationChanges(clients, baseApps, headApps, removed, before);
      const changedNames = new Set(changes.map((c) => c.change.name));
      // The autoscaler pattern only for what this merge changes: a pre-existing one is not this change's finding.
      let staticFindings = headApps.filter((a) => changedNames.has(a.name)).flatMap(autoscaledReplicaFindings);
      try {
        staticFindings = [...findingsFor(changes.map((c) => c.change)), ...staticFindings];
      } catch (e) {
        log(`rehearse: warning: the static findings could not be computed: ${(e as Error).message}`);
      }
      headLoaded.loaded.dispose();

      log(`rehearse: head sync of ${headRef} (${headSha.slice(0, 12)}) as Argo CD reconciles it after the merge`);
      const headRun = await runSide(head, 'head', ctx, false);
      try {
        const runs = new Map(headRun.runs.map((r) => [r.application, r]));
        // Only the Applications compared a second time matter (the untouched ones are not).
        if (headApps.some((a) => !untouched.has(a.name) && a.objects.some((d) => AUTOSCALER_KINDS.has(d.object.kind)))) {
          log(`rehearse: letting autoscalers act (${AUTOSCALER_SETTLE_MS / 1000}s) before the second comparison`);
          await sleep(AUTOSCALER_SETTLE_MS);
        }
        log('rehearse: second comparison of the head tree (what never settles)');
        const after = new Map<string, ApplicationStatus>();
        await mapLimit([...headRun.tree.nodes.values()].map((n) => n.app), 4, async (app) => {
          if (runs.get(app.name)?.action !== 'skipped' && runs.has(app.name) && !untouched.has(app.name)) {
            after.set(app.name, await compared(clients!, app, controlPlane));
          }
        });
        const gone = await removedOutcome(clients, removed, changes);
        const evidence: ApplicationEvidence[] = [
          ...[...headRun.tree.nodes.values()].map((n): ApplicationEvidence => {
            const was = baseApps.get(n.app.name);
            return {
              name: n.app.name,
              project: n.app.manifest.spec?.project ?? 'default',
              inBase: !!was,
              inHead: true,
              specChanged: !!was && JSON.stringify(was.manifest.spec) !== JSON.stringify(n.app.manifest.spec),
              automated: isAutomated(n.app.manifest),
              before: before.get(n.app.name),
              run: runs.get(n.app.name),
              after: after.get(n.app.name),
            };
          }),
          ...removed.map((a): ApplicationEvidence => ({
            name: a.name,
            project: a.manifest.spec?.project ?? 'default',
            inBase: true,
            inHead: false,
            specChanged: true,
            automated: isAutomated(a.manifest),
            removedTracked: gone.get(a.name)?.tracked ?? [],
            removedPruned: gone.get(a.name)?.pruned,
          })),
        ].sort((x, y) => x.name.localeCompare(y.name));
        return assembleReport({
          base: base.revision,
          head: head.revision,
          applications: evidence,
          applicationSets: applicationSetEvidence(baseRun, headRun),
          staticFindings,
          timeline: buildTimeline(headRun.events),
          durationMs: Date.now() - t0,
        });
      } finally {
        headRun.loaded.dispose();
      }
    } finally {
      baseRun.loaded.dispose();
    }
  } finally {
    log('rehearse: removing the throwaway clusters and checkouts');
    const cleanup = Date.now();
    await clients?.close();
    await Promise.all(clusters.map((c) => c.stop({ purge: true, log: () => undefined }).catch((e) => log(`rehearse: warning: ${(e as Error).message}`))));
    removeCheckouts(repo, sides, log);
    fs.rmSync(tmp, { recursive: true, force: true });
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    log(`rehearse: removed in ${((Date.now() - cleanup) / 1000).toFixed(1)}s`);
  }
}

function readClusters(file: string): ClusterEntry[] {
  try {
    return readClustersFile(file);
  } catch (e) {
    throw new RehearsalInputError((e as Error).message);
  }
}

/** The CRDs in `paths` (files, or folders read recursively), checked before any cluster starts. */
function readCrds(paths: readonly string[]): KubeObject[] {
  const files: string[] = [];
  const walk = (p: string) => {
    if (!fs.existsSync(p)) {
      throw new RehearsalInputError(`--crds ${p}: no such file or directory`);
    }
    if (fs.statSync(p).isDirectory()) {
      fs.readdirSync(p).sort().forEach((e) => walk(path.join(p, e)));
    } else if (/\.(ya?ml|json)$/.test(p)) {
      files.push(p);
    }
  };
  paths.forEach(walk);
  const out: KubeObject[] = [];
  for (const file of files) {
    let docs;
    try {
      docs = readYamlDocuments(fs.readFileSync(file, 'utf8'), file);
    } catch (e) {
      throw new RehearsalInputError(`--crds: ${(e as Error).message}`);
    }
    out.push(...docs.map((d) => d.value as KubeObject).filter((o) => o?.kind === 'CustomResourceDefinition'));
  }
  if (paths.length > 0 && out.length === 0) {
    throw new RehearsalInputError(`--crds ${paths.join(' ')}: no CustomResourceDefinition found`);
  }
  return out;
}

/** Applies the CRDs (server-side, as `install-crds` does) and waits until each is Established. */
async function applyCrds(kubeconfig: string, crds: readonly KubeObject[]): Promise<void> {
  const client = await KubeClient.create((await resolveKubeConfig({ kubeconfig })).config, 4);
  try {
    await Promise.all(crds.map((crd) => client.apply(crd, FIELD_MANAGER, { force: true })));
    const deadline = Date.now() + 60_000;
    for (const crd of crds) {
      while (!crdEstablished(await client.get(crd))) {
        if (Date.now() > deadline) {
          throw new Error(`--crds: CustomResourceDefinition ${crd.metadata.name} was not Established within 60s`);
        }
        await sleep(100);
      }
    }
    client.invalidateDiscovery();
  } finally {
    client.close();
  }
}

/** The clusters file the engine reads, with each destination pointed at its throwaway cluster. */
function writeClustersFile(tmp: string, entries: readonly ClusterEntry[]): string {
  const file = path.join(tmp, 'clusters.yaml');
  fs.writeFileSync(file, stringify({ clusters: entries.map(({ origin: _origin, ...e }) => JSON.parse(JSON.stringify(e))) }));
  return file;
}

function removeCheckouts(repo: string, sides: readonly Side[], log: (m: string) => void): void {
  for (const side of sides.filter((s) => s.temporary)) {
    try {
      git(repo, ['worktree', 'remove', '--force', side.root]);
    } catch (e) {
      log(`rehearse: warning: could not remove the checkout ${side.root}: ${(e as Error).message}`);
    }
  }
}

/** A detached worktree of `sha` (a real Git checkout: generators and revisions read it as they read a clone). */
function checkout(repo: string, tmp: string, name: string, ref: string, sha: string): Side {
  const dir = path.join(tmp, name);
  try {
    git(repo, ['worktree', 'add', '--detach', '--quiet', dir, sha]);
  } catch (e) {
    throw new Error(`cannot check out ${ref} (${sha.slice(0, 12)}) into ${dir}: ${(e as Error).message}`);
  }
  return { revision: { ref, sha, dirty: false }, root: dir, temporary: true };
}

interface RunContext {
  readonly clients: ClusterClients;
  readonly entries: readonly ClusterEntry[];
  readonly relPath: string;
  readonly timeoutSeconds: number;
  readonly log: (message: string) => void;
}

function loadSide(side: Side, relPath: string): { loaded: LoadResult; tree: ApplicationTree } {
  const target = path.join(side.root, relPath);
  const loaded = loadApplications({ path: target, all: true, repoRoot: side.root });
  try {
    return { loaded, tree: discoverTree(loaded.applications) };
  } catch (e) {
    loaded.dispose();
    throw new RehearsalInputError(`${side.revision.ref}: ${(e as Error).message}`);
  }
}

/**
 * One side's whole tree through the engine, as `sync` runs it: the top-level AppProjects and
 * ApplicationSets applied first, then the tree. `base`: the roots are synced (they were applied
 * and synced before), manual children too when `includeManual`. `head`: every Application is
 * reconciled by its policy, as the controller does after the merge.
 */
async function runSide(
  side: Side, mode: 'base' | 'head', ctx: RunContext, includeManual: boolean,
): Promise<SideRun> {
  const { loaded, tree } = loadSide(side, ctx.relPath);
  const target = path.join(side.root, ctx.relPath);
  const events: TimedEvent[] = [];
  const t0 = Date.now();
  const on = (event: TreeEvent) => events.push({ atMs: Date.now() - t0, event });
  const controlPlane = async () => (await ctx.clients.forDestination(undefined)).client;
  const clientFor = (app: LoadedApplication): Promise<KubeApi> => ctx.clients.forApplication(app);
  // This side's argocd-cm (Lua health checks, ignoreDifferences customizations, exclusions), as Argo CD reads it at that revision.
  activateResourceSettings(await resolveResourceSettings(loaded.applications, target, side.root, controlPlane, loaded.files,
    (m) => ctx.log(`rehearse: warning: ${m}`)));
  const appSets = new TreeApplicationSets({
    repoRoot: side.root,
    clusters: ctx.entries.length ? ctx.entries : undefined,
    clientFor,
    includeManual,
    timeoutSeconds: ctx.timeoutSeconds,
  });
  try {
    const topLevel = topLevelArgoObjects(target, tree, loaded.files);
    const topRuns: Array<Promise<unknown>> = [];
    if (topLevel.length > 0) {
      const api = await controlPlane();
      await applyAll(api, topLevel);
      for (const o of topLevel.filter((x) => x.object.kind === 'ApplicationSet')) {
        const ref = { name: o.object.metadata.name, namespace: o.object.metadata.namespace ?? ARGOCD_NAMESPACE };
        topRuns.push(appSets.run(api, ref, positionOf(o, side.root)));
      }
    }
    const [runs] = await Promise.all([syncTree(tree, selectTree(tree, [], false), {
      // Argo CD's own dry run (client-side): an object the server refuses fails in its wave, after
      // the earlier waves were applied, as it will in the real installation.
      // No retries: Argo CD retries a failed automated sync 5 times (5 s to 80 s apart), but on a
      // throwaway cluster a retry meets the same failure; it would only make the rehearsal slower.
      request: { prune: false, timeoutSeconds: ctx.timeoutSeconds, concurrency: 16, dryRunStrategy: 'client', retryLimit: 0 },
      initiatedBy: cliInitiator(),
      includeManual,
      // After the merge nobody runs a sync: the controller reconciles every Application by its policy.
      controller: mode === 'head',
      exactRevision: () => !side.revision.dirty,
      clientFor,
      controlPlane,
      onEvent: on,
      onApplicationSetApplied: (set, parent, api) => appSets.runApplied(api, set, parent),
    }), ...topRuns]);
    const failed = runs.filter((r) => mode === 'base' && r.action === 'sync' && r.phase !== 'Succeeded');
    for (const r of failed) {
      ctx.log(`rehearse: warning: base sync of ${r.application} ended ${r.phase}: ${r.message} (head is compared with what base left)`);
    }
    return { loaded, tree, runs, sets: appSets.results.map((p) => p.result), events };
  } catch (e) {
    loaded.dispose();
    throw e;
  }
}

/** The comparison `diff` makes (with objects, for the report's diffs); a failure is the Application's error, not the rehearsal's. */
async function compared(clients: ClusterClients, app: LoadedApplication, controlPlane: KubeApi): Promise<ApplicationStatus> {
  try {
    return await compareApplication(await clients.forApplication(app), app, { withObjects: true, controlPlane });
  } catch (e) {
    return {
      application: app.name,
      revision: app.revision,
      sync: SyncStatusCode.UNKNOWN,
      health: { status: HealthStatusCode.UNKNOWN },
      resources: [],
      error: (e as Error).message,
    };
  }
}

/** Secret values never leave the engine's masking, whatever the findings do with the objects. */
function masked(objects: Iterable<KubeObject>): KubeObject[] {
  return [...objects].map((o) => {
    const copy = JSON.parse(JSON.stringify(o)) as KubeObject;
    maskSecretData(copy);
    return copy;
  });
}

interface ChangeWithTracked {
  readonly change: ApplicationChange;
  readonly tracked: readonly KubeObject[];
}

/**
 * The Applications that change (added, removed, spec changed, or OutOfSync against the base
 * cluster), each with the live objects it tracks after the base sync, for the static findings.
 */
async function applicationChanges(
  clients: ClusterClients, baseApps: ReadonlyMap<string, LoadedApplication>, headApps: readonly LoadedApplication[],
  removed: readonly LoadedApplication[], before: ReadonlyMap<string, ApplicationStatus>,
): Promise<ChangeWithTracked[]> {
  const changed = headApps.filter((h) => {
    const b = baseApps.get(h.name);
    const status = before.get(h.name);
    return !b || JSON.stringify(b.manifest.spec) !== JSON.stringify(h.manifest.spec)
      || (status !== undefined && status.sync !== SyncStatusCode.SYNCED);
  });
  const all = [...changed.map((h) => ({ app: h, head: h })), ...removed.map((b) => ({ app: b, head: undefined }))];
  return mapLimit(all, 4, async ({ app, head }) => {
    let live: KubeObject[] = [];
    try {
      const r = await reconcile(await clients.forApplication(app), app, { prune: true, startedAt: new Date() });
      // Only what the Application tracks: not the namespace CreateNamespace made, nor another Application's object.
      // A CRD carries no tracking id (carriesTrackingId) but is the Application's while head still wants it.
      live = r.ok ? [...r.live.values()].filter((o) => trackingInstance(o) === r.instance
        || (head !== undefined && !carriesTrackingId(o) && r.plan.targets.has(keyString(keyOf(o))))) : [];
    } catch {
      // What cannot be read live (a kind the cluster does not serve) the comparison reports already.
    }
    const baseApp = baseApps.get(app.name);
    const tracked = masked(live);
    return {
      change: {
        name: app.name,
        base: baseApp ? masked([baseApp.manifest as unknown as KubeObject])[0] : undefined,
        head: head ? masked([head.manifest as unknown as KubeObject])[0] : undefined,
        live: tracked,
        desired: head ? head.objects : [],
      },
      tracked,
    };
  });
}

/** For each removed Application: what it tracked after base, and whether the head run deleted all of it. */
async function removedOutcome(
  clients: ClusterClients, removed: readonly LoadedApplication[], changes: readonly ChangeWithTracked[],
): Promise<Map<string, { tracked: RehearsalResource[]; pruned: boolean }>> {
  const out = new Map<string, { tracked: RehearsalResource[]; pruned: boolean }>();
  for (const app of removed) {
    const tracked = changes.find((c) => c.change.name === app.name && !c.change.head)?.tracked ?? [];
    const api = await clients.forApplication(app);
    let left = 0;
    for (const o of tracked) {
      if (await api.get(o)) {
        left++;
      }
    }
    out.set(app.name, {
      tracked: tracked.map((o) => {
        const k = keyOf(o);
        return { group: groupOf(o.apiVersion), kind: k.kind, namespace: k.namespace, name: k.name };
      }),
      pruned: tracked.length > 0 && left === 0,
    });
  }
  return out;
}

/** Applications each set adds and removes at head, and its RollingSync steps. */
function applicationSetEvidence(base: SideRun, head: SideRun): ApplicationSetEvidence[] {
  return head.sets.map((h) => {
    const b = base.sets.find((s) => s.applicationSet === h.applicationSet);
    const stepOf = new Map<number, string[]>();
    if (h.applicationStatus) {
      for (const a of h.applications) {
        const step = Number(a.step);
        if (a.step !== undefined && step >= 0) {
          stepOf.set(step, [...(stepOf.get(step) ?? []), a.name]);
        }
      }
    }
    return {
      name: h.applicationSet,
      baseApplications: b ? b.applications.map((a) => a.name) : [],
      headApplications: h.applications.map((a) => a.name).filter((n) => !h.changes.some((c) => c.action === 'delete' && c.application === n)),
      rollingSteps: [...stepOf.entries()].sort(([x], [y]) => x - y).map(([, apps]) => apps.sort()),
      generated: h.applications.map((a) => ({
        name: a.name,
        phase: a.outcome?.phase,
        sync: a.outcome?.sync ?? a.compared?.sync ?? 'Unknown',
        health: a.outcome?.health ?? a.compared?.health ?? 'Unknown',
        message: a.outcome?.message,
      })),
    };
  });
}
