/**
 * `watch`: the engine as a long-running Argo CD application controller for the whole tree. It
 * reuses the one pipeline (tree-sync.ts in controller mode → reconcile-application.ts →
 * autoSyncDecision → sync.ts, status written by app-status/), and adds only what decides when
 * to run it: the tracked branch's HEAD (and, with `--worktree`, saved files), a periodic full
 * refresh, and Kubernetes watches on the tracked kinds for drift (see refresh-schedule.ts,
 * live-watch.ts). One Application tree run at a time, as one controller queue; an interruption
 * is the engine's (interruption.ts): the in-flight operation stops, hooks and the Lease are released.
 */
import * as fs from 'fs';
import * as path from 'path';
import { LiveChange, LiveObjectWatch } from './live-watch';
import { WatchMetrics } from './metrics';
import { RefreshSchedule } from './refresh-schedule';
import { matchesHeadCommit } from '../../git/work-tree-changes';
import { Initiator } from '../app-status/status-record';
import { isHook } from '../hooks';
import { KubeClient } from '../kube/client';
import { KubeApi } from '../kube/kube-api';
import { loadApplications, LoadedApplication, LoadResult } from '../load/applications';
import { OperationPhase, SyncStatusCode } from '../model';
import { applicationInstance } from '../reconcile';
import { resolveResourceSettings } from '../settings/find-argocd-cm';
import { activateResourceSettings } from '../settings/resource-settings';
import { ApplicationTree, discoverTree } from '../tree/application-tree';
import { ReconcileAction } from '../tree/child-policy';
import { SelfHealBackoff } from '../tree/self-heal';
import { TreeSelection } from '../tree/tree-selection';
import { ApplicationRun, syncTree, TreeEvent } from '../tree/tree-sync';

export interface WatchOptions {
  /** The manifests directory (Applications anywhere below it). */
  readonly path: string;
  /** The Git work tree's top level (source paths are relative to it). */
  readonly repoRoot: string;
  readonly repoURL?: string;
  /** Read the work tree (saved changes count) instead of the branch's HEAD commit. */
  readonly worktree: boolean;
  readonly refreshIntervalMs: number;
  /** How often HEAD (the ref file) is looked at. */
  readonly headPollMs: number;
  readonly selfHealBackoff: SelfHealBackoff;
  readonly appConcurrency: number;
  readonly concurrency: number;
  readonly clientFor: (app: LoadedApplication) => Promise<KubeClient>;
  readonly controlPlane: () => Promise<KubeApi>;
  readonly initiatedBy: Initiator;
  readonly signal: AbortSignal;
  /** One line per event. */
  readonly log: (line: string) => void;
  readonly metrics?: WatchMetrics;
}

/**
 * The commit HEAD points at, read from the ref files (no process per look): `.git/HEAD`, then the
 * loose ref or `packed-refs`. Undefined when it cannot be read that way (the caller asks git).
 */
export function readHeadCommit(gitDir: string): string | undefined {
  try {
    const head = fs.readFileSync(path.join(gitDir, 'HEAD'), 'utf8').trim();
    const ref = /^ref: (.+)$/.exec(head)?.[1];
    if (!ref) {
      return /^[0-9a-f]{40,64}$/.test(head) ? head : undefined;
    }
    const loose = path.join(gitDir, ref);
    if (fs.existsSync(loose)) {
      return fs.readFileSync(loose, 'utf8').trim();
    }
    const packed = fs.readFileSync(path.join(gitDir, 'packed-refs'), 'utf8');
    return packed.split('\n').find((l) => l.endsWith(` ${ref}`))?.split(' ')[0];
  } catch {
    return undefined;
  }
}

function shortRev(rev: string | undefined): string {
  return rev ? rev.slice(0, 7) : 'none';
}

export class Watcher {
  private readonly schedule: RefreshSchedule;
  private loaded?: LoadResult;
  private tree?: ApplicationTree;
  private head?: string;
  private loadedHead?: string;
  /** Where the active argocd-cm settings came from (logged when it changes). */
  private settingsSource?: string;
  private worktreeChanged = false;
  /** Tracking instance → tree key, for the live watches' changes. */
  private instances = new Map<string, string>();
  private readonly watches = new Map<KubeClient, LiveObjectWatch>();
  private wake?: () => void;
  private readonly started = new Map<string, number>();
  private readonly timers: Array<() => void> = [];
  /**
   * Applications in a run now, and the runs: like the controller's operation processors, a
   * long operation (a hook that takes minutes) holds only its own Application; the others go on.
   */
  private readonly busy = new Set<string>();
  private readonly inflight = new Set<Promise<void>>();
  /** Refreshes asked for while the Application was busy: done once its run ends. */
  private readonly deferred = new Map<string, string>();
  /**
   * A full refresh in flight, and one asked for meanwhile: full refreshes do not overlap (each
   * reads every tracked object; overlapping ones only double the memory and the API server's
   * work), the next starts when the last ends, as the controller requeues an Application only
   * after it was processed. One that takes longer than the refresh interval (an operation waiting
   * on a hook) no longer holds the next back: that one runs what is not busy.
   */
  private fullRunning = false;
  private fullStartedMs = 0;
  private pendingFull?: string;
  /** Earlier loads, disposed at the end (a run in flight may still use one). */
  private readonly retired: LoadResult[] = [];

  constructor(private readonly options: WatchOptions) {
    this.schedule = new RefreshSchedule(options.refreshIntervalMs, Date.now());
  }

  private log(app: string | undefined, message: string): void {
    this.options.log(`${new Date().toISOString()} ${app ? `app=${app} ` : ''}${message}`);
  }

  /**
   * Runs until the signal aborts, then waits for the runs in flight (they stop as an interrupted
   * sync does: no new work, hooks and the Lease released), stops the watches and returns.
   */
  async run(): Promise<void> {
    const { signal } = this.options;
    this.head = this.currentHead();
    this.startSourceWatch();
    this.schedule.requestFull(`start at ${this.options.worktree ? 'the work tree of ' : ''}${shortRev(this.head)}`);
    const onAbort = () => this.wake?.();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      while (!signal.aborted) {
        const now = Date.now();
        const due = this.schedule.take(now);
        if (due.full !== undefined) {
          await this.fullRefresh(due.full);
        } else if (due.apps.size > 0) {
          this.refreshApps(due.apps);
        } else {
          await this.sleep(this.schedule.nextDueMs() - now);
        }
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.timers.forEach((stop) => stop());
      await Promise.all([...this.inflight]);
      await Promise.all([...this.watches.values()].map((w) => w.stop()));
      this.retired.forEach((l) => l.dispose());
      this.loaded?.dispose();
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, Math.min(ms, 2 ** 31 - 1)));
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }

  private request(): void {
    this.wake?.();
  }

  private gitDir(): string | undefined {
    const dotGit = path.join(this.options.repoRoot, '.git');
    try {
      if (fs.statSync(dotGit).isDirectory()) {
        return dotGit;
      }
      // A linked work tree: `.git` is a file naming the real directory.
      const target = /^gitdir: (.+)$/m.exec(fs.readFileSync(dotGit, 'utf8'))?.[1];
      return target ? path.resolve(this.options.repoRoot, target) : undefined;
    } catch {
      return undefined;
    }
  }

  private currentHead(): string | undefined {
    const dir = this.gitDir();
    return dir ? readHeadCommit(dir) : undefined;
  }

  /** Polls HEAD (cheap file reads); with --worktree also watches the manifests directory for saved files. */
  private startSourceWatch(): void {
    const poll = setInterval(() => {
      const head = this.currentHead();
      if (head && head !== this.head) {
        this.log(undefined, `event=commit revision=${shortRev(head)} previous=${shortRev(this.head)}: new commit on the tracked branch`);
        this.head = head;
        this.schedule.requestFull(`new commit ${shortRev(head)}`);
        this.request();
      }
    }, this.options.headPollMs);
    poll.unref();
    this.timers.push(() => clearInterval(poll));
    if (!this.options.worktree) {
      return;
    }
    let debounce: NodeJS.Timeout | undefined;
    const dir = fs.statSync(this.options.path).isDirectory() ? this.options.path : path.dirname(this.options.path);
    const watcher = fs.watch(dir, { recursive: true }, (_event, file) => {
      clearTimeout(debounce);
      debounce = setTimeout(() => {
        this.worktreeChanged = true;
        this.log(undefined, `event=saved file=${JSON.stringify(file ? path.join(dir, String(file)) : dir)}: saved change in the work tree`);
        this.schedule.requestFull(`saved change${file ? ` ${file}` : ''}`);
        this.request();
      }, 300);
    });
    this.timers.push(() => {
      clearTimeout(debounce);
      watcher.close();
    });
  }

  /** (Re)loads the Applications when the revision (or a saved file) changed; false when the load failed (the last tree stays). */
  private reload(): boolean {
    const head = this.head;
    if (this.tree && head === this.loadedHead && !this.worktreeChanged) {
      return true;
    }
    this.worktreeChanged = false;
    try {
      const loaded = loadApplications({
        path: this.options.path,
        all: true,
        repoRoot: this.options.repoRoot,
        repoURL: this.options.repoURL,
        ...(this.options.worktree || !head ? {} : { revision: head }),
      });
      let tree: ApplicationTree;
      try {
        tree = discoverTree(loaded.applications);
      } catch (e) {
        loaded.dispose();
        throw e;
      }
      if (this.loaded) {
        this.retired.push(this.loaded);
      }
      this.loaded = loaded;
      this.tree = tree;
      this.loadedHead = head;
      this.instances = new Map([...tree.nodes.values()].map((n) => [applicationInstance(n.app), n.key]));
      this.options.metrics?.retainApps(new Set(tree.nodes.keys()));
      for (const n of tree.nodes.values()) {
        this.options.metrics?.setApp(n.key, { manifest: n.app.manifest, name: n.app.name, namespace: n.app.namespace });
      }
      this.log(undefined, `event=loaded revision=${shortRev(head)}${this.options.worktree ? ' (work tree)' : ''} applications=${tree.nodes.size}`);
      return true;
    } catch (e) {
      this.log(undefined, `event=error: cannot read the manifests at ${shortRev(head)}: ${(e as Error).message} (keeping the last ones; fix and commit)`);
      return this.tree !== undefined;
    }
  }

  private async fullRefresh(reason: string): Promise<void> {
    if (this.fullRunning && Date.now() - this.fullStartedMs < this.options.refreshIntervalMs) {
      // A new commit wins over a periodic refresh as the reason said when it starts.
      this.pendingFull = this.pendingFull && !reason.startsWith('periodic') ? reason : this.pendingFull ?? reason;
      return;
    }
    if (!this.reload() || !this.tree) {
      return;
    }
    const tree = this.tree;
    await this.refreshResourceSettings();
    const busy = [...tree.nodes.keys()].filter((k) => this.busy.has(k));
    this.log(undefined, `event=refresh reason=${JSON.stringify(reason)} applications=${tree.nodes.size}${busy.length ? ` busy=${busy.length} (refreshed when their operation ends)` : ''}`);
    busy.forEach((k) => this.deferred.set(k, reason));
    await this.watchTrackedKinds(tree);
    this.launch(tree, [...tree.nodes.keys()].filter((k) => !this.busy.has(k)), true);
  }

  /**
   * argocd-cm's resource settings (Lua health checks, ignoreDifferences customizations, exclusions)
   * read again on every full refresh, as Argo CD's controller follows the ConfigMap: the
   * repository's at the loaded revision, else the cluster's. Logged when their source changes.
   */
  private async refreshResourceSettings(): Promise<void> {
    const apps = [...this.tree!.nodes.values()].map((n) => n.app);
    // At a revision only the Applications' manifests are searched (as `sync --revision`); with --worktree also the directory's root files.
    const manifestsPath = this.options.worktree ? this.options.path : '';
    const settings = await resolveResourceSettings(apps, manifestsPath, this.options.repoRoot, this.options.controlPlane, this.loaded?.files,
      (m) => this.log(undefined, `event=warning message=${JSON.stringify(m)}`));
    activateResourceSettings(settings);
    const source = settings?.source ?? 'none';
    if (source !== this.settingsSource) {
      this.settingsSource = source;
      this.log(undefined, `event=settings argocd-cm=${JSON.stringify(source)}`);
    }
  }

  private refreshApps(apps: ReadonlyMap<string, string>): void {
    const tree = this.tree;
    if (!tree) {
      return;
    }
    const ready: string[] = [];
    for (const [key, reason] of apps) {
      if (!tree.nodes.has(key)) {
        continue;
      }
      if (this.busy.has(key)) {
        this.deferred.set(key, reason);
        continue;
      }
      this.log(tree.nodes.get(key)!.app.name, `event=refresh reason=${JSON.stringify(reason)}`);
      ready.push(key);
    }
    this.launch(tree, ready);
  }

  /**
   * Runs `keys` of the tree (controller mode) without waiting: each starts from its parent when
   * the parent is also run, else on its own; each is free again once it is reconciled.
   */
  private launch(tree: ApplicationTree, keys: readonly string[], full = false): void {
    if (keys.length === 0 || this.options.signal.aborted) {
      return;
    }
    if (full) {
      this.fullRunning = true;
      this.fullStartedMs = Date.now();
    }
    const members = new Set(keys);
    const starts = keys.filter((k) => {
      const parent = tree.nodes.get(k)!.parent;
      return parent === undefined || !members.has(parent);
    });
    keys.forEach((k) => this.busy.add(k));
    const started = this.fullStartedMs;
    const run = this.runTree(tree, { starts, members })
      .catch((e) => this.log(undefined, `event=error ${(e as Error).message}`))
      .finally(() => {
        keys.forEach((k) => this.release(k));
        if (full && this.fullStartedMs === started) {
          this.fullRunning = false;
          if (this.pendingFull !== undefined && !this.options.signal.aborted) {
            this.schedule.requestFull(this.pendingFull);
            this.pendingFull = undefined;
          }
        }
        this.inflight.delete(run);
        this.request();
      });
    this.inflight.add(run);
  }

  /** The Application's run ended: a refresh asked for meanwhile is due now. */
  private release(key: string): void {
    if (!this.busy.delete(key)) {
      return;
    }
    const reason = this.deferred.get(key);
    if (reason !== undefined && !this.options.signal.aborted) {
      this.deferred.delete(key);
      this.schedule.requestApp(key, reason, Date.now());
      this.request();
    }
  }

  /** One Kubernetes watch per tracked kind and cluster (hooks are not tracked for drift). */
  private async watchTrackedKinds(tree: ApplicationTree): Promise<void> {
    const byClient = new Map<KubeClient, Map<string, { apiVersion: string; kind: string }>>();
    for (const node of tree.nodes.values()) {
      let client: KubeClient;
      try {
        client = await this.options.clientFor(node.app);
      } catch {
        continue;
      }
      const kinds = byClient.get(client) ?? new Map();
      byClient.set(client, kinds);
      for (const { object } of node.app.objects) {
        if (!isHook(object) && object.apiVersion && object.kind) {
          kinds.set(`${object.apiVersion}/${object.kind}`, { apiVersion: object.apiVersion, kind: object.kind });
        }
      }
    }
    for (const [client, kinds] of byClient) {
      let w = this.watches.get(client);
      if (!w) {
        const server = client.server.origin;
        w = new LiveObjectWatch(client, (c) => this.onLiveChange(c), (m) => this.log(undefined, `event=warning ${m}`),
          (group, kind) => this.options.metrics?.clusterEvent(server, group, kind));
        this.watches.set(client, w);
      }
      await w.watchKinds([...kinds.values()]);
    }
  }

  private onLiveChange(c: LiveChange): void {
    const key = this.instances.get(c.instance);
    if (!key) {
      return;
    }
    const what = `${c.kind} ${c.namespace ? `${c.namespace}/` : ''}${c.name} ${c.type}`;
    this.schedule.liveChange(key, `live change: ${what}`, Date.now());
    this.request();
  }

  private async runTree(tree: ApplicationTree, selection: TreeSelection): Promise<void> {
    const o = this.options;
    await syncTree(tree, selection, {
      controller: true,
      selfHealBackoff: o.selfHealBackoff,
      request: { prune: false, concurrency: o.concurrency, signal: o.signal },
      initiatedBy: o.initiatedBy,
      // Without --worktree the committed revision is read, which pins the manifests.
      exactRevision: () => !o.worktree || this.worktreeMatchesHead(),
      appConcurrency: o.appConcurrency,
      clientFor: o.clientFor,
      controlPlane: o.controlPlane,
      onEvent: (e) => this.onTreeEvent(tree, e),
    });
  }

  private worktreeMatchesHead(): boolean {
    return matchesHeadCommit(this.options.repoRoot);
  }

  private nodeOf(tree: ApplicationTree, application: string) {
    return [...tree.nodes.values()].find((n) => n.app.name === application);
  }

  /** One log line per event that matters in a controller's log (not every resource of a sync). */
  private onTreeEvent(tree: ApplicationTree, e: TreeEvent): void {
    const node = this.nodeOf(tree, e.application);
    const metrics = this.options.metrics;
    const state = node ? { manifest: node.app.manifest, name: node.app.name, namespace: node.app.namespace } : undefined;
    switch (e.type) {
      case 'started':
        if (e.action === ReconcileAction.SYNC) {
          this.log(e.application, `event=sync-started reason=${JSON.stringify(e.reason ?? 'sync')}`);
          if (node && state) {
            metrics?.setApp(node.key, { ...state, operating: true });
          }
        } else {
          this.started.set(e.application, Date.now());
        }
        return;
      case 'done':
        this.log(e.application, `event=sync-finished phase=${e.result.phase} message=${JSON.stringify(e.result.message)}`);
        if (node && state) {
          metrics?.syncFinished(state, e.result.phase, !!e.result.dryRun);
          // argocd_app_info's `operation` is set while the operation runs, not while the Application settles.
          metrics?.setApp(node.key, { ...state, operating: false });
        }
        return;
      case 'warning':
        this.log(e.application, `event=warning ${e.message}`);
        return;
      case 'reconciled':
        this.reconciled(node?.key, state, e.run);
        return;
      default:
        return;
    }
  }

  private reconciled(key: string | undefined, state: Parameters<WatchMetrics['setApp']>[1] | undefined, run: ApplicationRun): void {
    if (key) {
      if (run.retryAfterMs !== undefined && !this.options.signal.aborted) {
        this.schedule.requestApp(key, 'self-heal backoff ended', Date.now() + run.retryAfterMs);
      }
      this.release(key);
    }
    const began = this.started.get(run.application);
    this.started.delete(run.application);
    if (state && began !== undefined) {
      this.options.metrics?.reconciled(state, (Date.now() - began) / 1000);
    }
    if (key && state && run.action !== 'skipped') {
      this.options.metrics?.setApp(key, { ...state, sync: run.sync, health: run.health, operating: false });
    }
    if (run.action === 'skipped') {
      if (!this.options.signal.aborted) {
        this.log(run.application, `event=skipped ${JSON.stringify(run.message)}`);
      }
      return;
    }
    const status = `sync=${run.sync ?? 'Unknown'} health=${run.health ?? 'Unknown'}`;
    if (run.action === ReconcileAction.SYNC) {
      this.log(run.application, `event=reconciled ${status}${run.phase && run.phase !== OperationPhase.SUCCEEDED ? ` operation=${run.phase}` : ''}`);
    } else if (run.sync === SyncStatusCode.OUT_OF_SYNC || run.sync === SyncStatusCode.UNKNOWN || run.retryAfterMs !== undefined) {
      // OutOfSync and not synced: say why (manual policy, selfHeal off, a failed revision, the self-heal backoff).
      this.log(run.application, `event=out-of-sync ${status} message=${JSON.stringify(run.message)}`);
    }
  }
}
