/**
 * Runs a scenario through real Argo CD (cluster A, the e2e cluster) and the engine (cluster B, a
 * second local cluster) at once, then reads what each left behind into a {@link SideSnapshot}.
 *
 * One Git repository serves every scenario (`<A dir>/conformance-repo`, served by Argo CD's local
 * Git server as {@link CONFORMANCE_REPO_URL}): each scenario's commits replace its whole tree, so
 * Argo CD is started once for the run instead of once per scenario. Since every scenario's
 * Applications read the same URL and the same `manifests/<app>` paths may come back in the next
 * scenario, a scenario's Applications are removed from A (without their resources) once it is
 * compared; nothing else is wiped.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { setTimeout as sleep } from 'timers/promises';
import { parseAllDocuments } from 'yaml';
import { AppSnapshot, ResultEntry, SideSnapshot, TrackedResource } from './compare';
import { normalizeHookName, normalizeLive } from './normalize';
import { chooseOperation, OperationLog } from './operations';
import { CONFORMANCE_BRANCH, CONFORMANCE_REPO_URL, Scenario, secondCommitFiles } from './scenario';
import { KubeClient } from '../../../src/engine/kube/client';
import { resolveKubeConfig } from '../../../src/engine/kube/kubeconfig';
import { CliResult } from '../../cli/run-in-process';

const APP_API = 'argoproj.io/v1alpha1';
const ARGOCD_NS = 'argocd';
/** Polls the same state this many times in a row (every {@link POLL_MS}) before calling it settled. */
const STABLE_POLLS = 3;
const POLL_MS = 2000;
/** A Progressing state that holds this long counts as settled (e.g. a rollout that never completes). */
const PROGRESSING_STABLE_MS = 30_000;
/** An operation Argo CD holds Running by design (`argocdStaysRunning`) counts as settled once it holds this long. */
export const RUNNING_STABLE_MS = 15_000;

export type Log = (message: string) => void;

/** Writes straight to fd 2: the engine's in-process run captures process.stderr.write meanwhile. */
export const stderrLog: Log = (m) => {
  fs.writeSync(2, `[conformance] ${m}\n`);
};

export interface Side {
  readonly label: 'argocd' | 'engine';
  readonly kubeconfig: string;
  readonly api: KubeClient;
}

export async function openSide(label: Side['label'], kubeconfig: string): Promise<Side> {
  const resolved = await resolveKubeConfig({ kubeconfig });
  return { label, kubeconfig, api: await KubeClient.create(resolved.config, 8) };
}

export function objectKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

function appRef(name: string) {
  return { apiVersion: APP_API, kind: 'Application', metadata: { name, namespace: ARGOCD_NS } };
}

async function getApp(api: KubeClient, name: string): Promise<any | undefined> {
  return api.get(appRef(name));
}

async function listApps(api: KubeClient): Promise<any[]> {
  const r = await api.resourceFor(APP_API, 'Application');
  return r ? api.list(r, ARGOCD_NS) : [];
}

function ownedBySet(app: any, set: string): boolean {
  return (app.metadata?.ownerReferences ?? []).some((o: any) => o.kind === 'ApplicationSet' && o.name === set);
}

/**
 * The scenario's Applications as the cluster has them: the root, the Applications any of them
 * tracks, and those the ApplicationSets they track generated. Also returns the sets' names.
 */
export async function scenarioApps(api: KubeClient, root: string): Promise<{ apps: Map<string, any>; sets: string[] }> {
  const apps = new Map<string, any>();
  const sets: string[] = [];
  const all = await listApps(api);
  const byName = new Map(all.map((a) => [a.metadata.name as string, a]));
  const queue = [root];
  while (queue.length) {
    const name = queue.shift()!;
    const app = byName.get(name);
    if (!app || apps.has(name)) {
      continue;
    }
    apps.set(name, app);
    for (const r of app.status?.resources ?? []) {
      if (r.group === 'argoproj.io' && r.kind === 'Application' && (r.namespace ?? ARGOCD_NS) === ARGOCD_NS) {
        queue.push(r.name);
      } else if (r.group === 'argoproj.io' && r.kind === 'ApplicationSet') {
        sets.push(r.name);
        queue.push(...all.filter((a) => ownedBySet(a, r.name)).map((a) => a.metadata.name));
      }
    }
  }
  return { apps, sets: [...new Set(sets)].sort() };
}

function resourceKey(r: any): string {
  return objectKey(r.kind, r.namespace, normalizeHookName(r.name));
}

/** `operationState`: the operation to compare (default: the Application's last one). */
function appSnapshot(app: any, operationState: any = app.status?.operationState): AppSnapshot {
  const st = app.status ?? {};
  const results: ResultEntry[] = (operationState?.syncResult?.resources ?? []).map((r: any) => ({
    object: resourceKey(r),
    syncPhase: r.syncPhase,
    status: r.status,
    hookType: r.hookType,
    hookPhase: r.hookPhase,
    message: r.message,
  }));
  const resources: TrackedResource[] = (st.resources ?? []).map((r: any) => ({
    object: resourceKey(r),
    status: r.status,
    health: r.health?.status,
    requiresPruning: r.requiresPruning === true ? true : undefined,
  }));
  return {
    name: app.metadata.name,
    sync: st.sync?.status,
    health: st.health?.status,
    phase: operationState?.phase,
    message: operationState?.message,
    revision: st.sync?.revision,
    results,
    resources,
  };
}

interface LiveRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
}

/**
 * The objects a side's Applications track (`status.resources`) or their last operations touched
 * (`syncResult.resources`: hooks too, which Argo CD lists as resources while they live and the
 * engine does not), by key. Hook names' time suffix is normalized in the key only.
 */
function refsOf(apps: Iterable<any>): Map<string, LiveRef> {
  const out = new Map<string, LiveRef>();
  for (const app of apps) {
    for (const r of [...(app.status?.resources ?? []), ...(app.status?.operationState?.syncResult?.resources ?? [])]) {
      const key = objectKey(r.kind, r.namespace, normalizeHookName(r.name));
      if (!out.has(key) && r.kind && r.name) {
        out.set(key, { apiVersion: r.group ? `${r.group}/${r.version}` : r.version, kind: r.kind, metadata: { name: r.name, namespace: r.namespace || undefined } });
      }
    }
  }
  return out;
}

async function sideSnapshot(
  side: Side, apps: Map<string, any>, sets: string[], refs: Map<string, LiveRef>, otherRefs: Map<string, LiveRef>, error?: string,
  pick: (app: any) => any = (app) => app.status?.operationState,
): Promise<SideSnapshot> {
  const out: SideSnapshot = { apps: {}, live: {}, generated: {}, lastApplied: 0, error };
  let lastApplied = 0;
  for (const [name, app] of apps) {
    out.apps[name] = appSnapshot(app, pick(app));
  }
  for (const key of [...new Set([...refs.keys(), ...otherRefs.keys()])].sort()) {
    const ref = refs.get(key) ?? otherRefs.get(key)!;
    const live = await side.api.get(ref as any).catch(() => undefined);
    if (live) {
      const n = normalizeLive(live);
      out.live[key] = n.object;
      lastApplied += n.lastApplied ? 1 : 0;
    } else {
      out.live[key] = null;
    }
  }
  const all = sets.length ? await listApps(side.api) : [];
  for (const set of sets) {
    out.generated[set] = {};
    for (const a of all.filter((x) => ownedBySet(x, set))) {
      out.generated[set][a.metadata.name] = normalizeLive(a).object;
    }
  }
  return { ...out, lastApplied };
}

/**
 * Reads what both sides left: each side's Applications of the scenario and the ApplicationSets'
 * generated ones, and on both clusters every object either side tracks or touched. With
 * `operations`, Argo CD's side is compared at its first finished sync at `revision` per
 * Application (see {@link chooseOperation}); `extraSyncs` counts the further ones.
 */
export async function snapshotPair(
  argocd: Side, engine: Side, root: string, errors: { argocd?: string; engine?: string } = {},
  operations?: { log: OperationLog; revision: string },
): Promise<{ argocd: SideSnapshot; engine: SideSnapshot; extraSyncs: Record<string, number> }> {
  const a = await scenarioApps(argocd.api, root);
  const b = await scenarioApps(engine.api, root);
  const ra = refsOf(a.apps.values());
  const rb = refsOf(b.apps.values());
  const extraSyncs: Record<string, number> = {};
  const pick = (app: any) => {
    if (!operations) {
      return app.status?.operationState;
    }
    const c = chooseOperation(operations.log.operations(app.metadata.name), operations.revision, app.status?.operationState);
    if (c.extra > 0) {
      extraSyncs[app.metadata.name] = c.extra;
    }
    return c.operationState;
  };
  return {
    argocd: await sideSnapshot(argocd, a.apps, a.sets, ra, rb, errors.argocd, pick),
    engine: await sideSnapshot(engine, b.apps, b.sets, rb, ra, errors.engine),
    extraSyncs,
  };
}

// ---------------------------------------------------------------------------------------------
// The repository.

function git(repo: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.email=conformance@example.test', '-c', 'user.name=conformance', '-c', 'commit.gpgsign=false', ...args], { cwd: repo, encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`git ${args.join(' ')} in ${repo} failed: ${r.stderr || r.stdout}`);
  }
  return r.stdout.trim();
}

/** Creates the shared repository (one empty commit on main) if it does not exist. */
export function ensureRepository(repo: string): void {
  if (fs.existsSync(path.join(repo, '.git'))) {
    return;
  }
  fs.mkdirSync(repo, { recursive: true });
  git(repo, 'init', '-q', '-b', CONFORMANCE_BRANCH);
  git(repo, 'commit', '-q', '--allow-empty', '-m', 'conformance: empty');
}

/** Replaces the repository's whole tree with `files` and commits it; returns the commit's sha. */
export function commitTree(repo: string, files: Map<string, string>, message: string): string {
  for (const e of fs.readdirSync(repo)) {
    if (e !== '.git') {
      fs.rmSync(path.join(repo, e), { recursive: true, force: true });
    }
  }
  for (const [p, text] of files) {
    const full = path.join(repo, p);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, text);
  }
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '--allow-empty', '-m', message);
  return git(repo, 'rev-parse', 'HEAD');
}

// ---------------------------------------------------------------------------------------------
// Resetting what an earlier run of the same scenario left.

function docsOf(files: Map<string, string>): any[] {
  const out: any[] = [];
  for (const [p, text] of files) {
    if (!/\.ya?ml$/i.test(p)) {
      continue;
    }
    for (const d of parseAllDocuments(text)) {
      const v = d.errors.length ? undefined : d.toJS();
      if (v && typeof v === 'object') {
        out.push(v);
      }
    }
  }
  return out;
}

/** Names the scenario's files give: Applications, ApplicationSets and `cf-` namespaces. */
export function scenarioNames(s: Scenario): { apps: string[]; sets: string[]; namespaces: string[]; projects: string[] } {
  const docs = docsOf(s.commit1).concat(s.commit2 ? docsOf(s.commit2) : []);
  const apps = new Set<string>();
  const sets = new Set<string>();
  const namespaces = new Set<string>();
  const projects = new Set<string>();
  const ns = (n: unknown) => {
    // Only the prefix scenarios own (see the contract): never delete a namespace we did not make.
    // A template's `{{...}}` (an ApplicationSet's) stands for any name part.
    if (typeof n === 'string' && n.startsWith('cf-')) {
      namespaces.add(n);
    }
  };
  for (const d of docs) {
    if (d.kind === 'Application') {
      apps.add(d.metadata?.name);
      ns(d.spec?.destination?.namespace);
    } else if (d.kind === 'ApplicationSet') {
      sets.add(d.metadata?.name);
      ns(d.spec?.template?.spec?.destination?.namespace);
    } else if (d.kind === 'Namespace') {
      ns(d.metadata?.name);
    } else if (d.kind === 'AppProject' && d.metadata?.name !== 'default') {
      projects.add(d.metadata?.name);
    }
    ns(d.metadata?.namespace);
  }
  return { apps: [...apps].filter(Boolean), sets: [...sets].filter(Boolean), namespaces: [...namespaces], projects: [...projects].filter(Boolean) };
}

/** A namespace name, or a template of one (`cf-x-{{.name}}`), as a pattern of the names it stands for. */
export function namespacePattern(name: string): RegExp {
  const parts = name.split(/\{\{[^}]*\}\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('[a-z0-9.-]+')}$`);
}

/** Deletes Applications without their resources: finalizers removed first. */
async function releaseApps(api: KubeClient, names: string[]): Promise<void> {
  for (const name of names) {
    const ref = appRef(name);
    if (!(await api.get(ref))) {
      continue;
    }
    await api.merge(ref, { metadata: { finalizers: null } }).catch(() => undefined);
    await api.delete(ref, 'Background').catch(() => undefined);
  }
}

async function releaseSets(api: KubeClient, sets: string[]): Promise<void> {
  if (!sets.length) {
    return;
  }
  const owned = (await listApps(api)).filter((a) => sets.some((s) => ownedBySet(a, s))).map((a) => a.metadata.name);
  for (const name of owned) {
    await api.merge(appRef(name), { metadata: { finalizers: null } }).catch(() => undefined);
  }
  for (const set of sets) {
    const ref = { apiVersion: APP_API, kind: 'ApplicationSet', metadata: { name: set, namespace: ARGOCD_NS } };
    await api.merge(ref, { metadata: { finalizers: null } }).catch(() => undefined);
    await api.delete(ref, 'Orphan').catch(() => undefined);
  }
  await releaseApps(api, owned);
}

/** Removes the scenario's Applications and sets from a side (their resources stay). */
export async function releaseScenario(side: Side, s: Scenario): Promise<void> {
  const names = scenarioNames(s);
  const { apps, sets } = await scenarioApps(side.api, s.root.name).catch(() => ({ apps: new Map<string, any>(), sets: [] as string[] }));
  await releaseSets(side.api, [...new Set([...names.sets, ...sets])]);
  await releaseApps(side.api, [...new Set([...names.apps, ...apps.keys()])]);
}

/**
 * What an earlier run of this scenario left on a side: its Applications and sets (released) and
 * its `cf-` namespaces (deleted, waited for), so each run starts from the same empty state.
 */
export async function resetScenario(side: Side, s: Scenario, log: Log): Promise<void> {
  await releaseScenario(side, s);
  // Its AppProjects too: whether a child's project exists when the child is first seen is part
  // of what a scenario compares.
  for (const p of scenarioNames(s).projects) {
    const ref = { apiVersion: APP_API, kind: 'AppProject', metadata: { name: p, namespace: ARGOCD_NS } };
    await side.api.merge(ref, { metadata: { finalizers: null } }).catch(() => undefined);
    await side.api.delete(ref, 'Background').catch(() => undefined);
  }
  const nsRef = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  const patterns = scenarioNames(s).namespaces.map(namespacePattern);
  const nsResource = await side.api.resourceFor('v1', 'Namespace');
  const existing = (nsResource ? await side.api.list(nsResource) : [])
    .map((n) => n.metadata.name as string)
    .filter((n) => patterns.some((p) => p.test(n)));
  for (const n of existing) {
    await side.api.delete(nsRef(n), 'Background').catch(() => undefined);
  }
  if (existing.length) {
    log(`${s.name}: ${side.label}: deleting namespaces left by an earlier run: ${existing.join(', ')}`);
  }
  const deadline = Date.now() + 180_000;
  for (const n of existing) {
    while (await side.api.get(nsRef(n))) {
      if (Date.now() > deadline) {
        throw new Error(`${side.label}: namespace ${n} (left by an earlier run of ${s.name}) is still terminating after 180s`);
      }
      await sleep(500);
    }
  }
  // What the manifests expect someone else to have made (examples/microservices' `shop`).
  for (const n of s.config.existingNamespaces) {
    await side.api.create(nsRef(n), 'cdk8s-argocd-conformance');
  }
}

// ---------------------------------------------------------------------------------------------
// Argo CD's side.

function kubectl(kubeconfig: string, args: string[], input?: string): void {
  const r = spawnSync('kubectl', [`--kubeconfig=${kubeconfig}`, ...args], { input, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) {
    throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr || r.stdout || r.error?.message}`);
  }
}

function usesRepo(app: any): boolean {
  const spec = app.spec ?? {};
  return [spec.source, ...(spec.sources ?? [])].some((s: any) => s && !s.chart && s.repoURL === CONFORMANCE_REPO_URL);
}

/**
 * Asks Argo CD for a sync of `name` at `revision` with the operation Argo CD's API server writes
 * for `argocd app sync` (server/application/application.go, Sync): the Application's source,
 * its syncPolicy's syncOptions and retry, the revision, prune as asked.
 */
async function requestSync(side: Side, name: string, revision: string, prune: boolean): Promise<void> {
  const app = await getApp(side.api, name);
  const spec = app?.spec ?? {};
  const sync: Record<string, unknown> = { revision, prune };
  if (spec.source && !spec.sources) {
    sync.source = spec.source;
  }
  if (spec.sources) {
    sync.sources = spec.sources;
  }
  if (spec.syncPolicy?.syncOptions) {
    sync.syncOptions = spec.syncPolicy.syncOptions;
  }
  const operation: Record<string, unknown> = { initiatedBy: { username: 'conformance' }, sync };
  if (spec.syncPolicy?.retry) {
    operation.retry = spec.syncPolicy.retry;
  }
  await side.api.merge(appRef(name), { operation });
}

/**
 * Argo CD's Running phase of a failed sync it retries: between attempts ("… Retrying attempt #N
 * at …") and during the retries themselves (`retryCount` > 0).
 */
export function isRetrying(operationState: any): boolean {
  return operationState?.phase === 'Running' && (Number(operationState?.retryCount ?? 0) > 0 || /\. Retrying attempt #\d+ at /.test(String(operationState?.message ?? '')));
}

/**
 * Why Argo CD is not done with one Application at `revision`, or undefined if it is (for now: the
 * caller also wants the state to hold still). An Application of `staysRunning` (Argo CD holds its
 * operation Running by design, e.g. waiting for a prune confirmation) may be Running, with its
 * `operation` still set (Argo CD clears it only when the operation ends), once it has compared at
 * `revision`.
 */
export function notReadyReason(app: any, revision: string, staysRunning: readonly string[] = []): string | undefined {
  const st = app.status ?? {};
  const name = app.metadata?.name;
  if (!st.sync?.status) return `${name}: not compared yet`;
  const heldRunning = st.operationState?.phase === 'Running' && staysRunning.includes(name);
  // A sync Argo CD retries is waited for to the end (automated syncs retry 5 times by default,
  // 5 s to 80 s apart; the engine's side does the same): a retry may succeed (a child synced
  // before the AppProject its parent applies next), so comparing mid-retry compares a moment.
  if (st.operationState?.phase === 'Terminating' || (st.operationState?.phase === 'Running' && !heldRunning)) {
    return `${name}: operation ${st.operationState.phase}${isRetrying(st.operationState) ? ' (retrying)' : ''}`;
  }
  if (usesRepo(app) && st.sync?.revision !== revision) return `${name}: compared at ${String(st.sync?.revision).slice(0, 7)}, not ${revision.slice(0, 7)}`;
  if (app.operation && !heldRunning) return `${name}: operation requested`;
  return undefined;
}

/**
 * Waits until Argo CD is done with the scenario: every Application of the tree compared at
 * `revision` (those reading the conformance repository), no operation pending or running, and
 * the same state seen {@link STABLE_POLLS} times in a row (with Progressing health for at least
 * {@link PROGRESSING_STABLE_MS}). Returns when the state last changed, or an error on timeout.
 */
type Settled = { settledAt: number; error?: string };

async function waitSettled(
  side: Side, root: string, revision: string, timeoutMs: number, t0: number, staysRunning: readonly string[],
): Promise<Settled> {
  const deadline = t0 + timeoutMs;
  let last = '';
  let since = Date.now();
  let stable = 0;
  let why = 'the root Application does not exist';
  for (;;) {
    const { apps } = await scenarioApps(side.api, root);
    const state = [...apps.values()].map((a) => {
      const st = a.status ?? {};
      return [
        a.metadata.name, st.sync?.status, st.sync?.revision, st.health?.status, st.operationState?.phase, st.operationState?.message,
        st.operationState?.syncResult?.revision, a.operation ? 'pending' : '', (st.resources ?? []).length,
      ].join(' ');
    }).sort().join('\n');
    const notReady = [...apps.values()].map((a) => notReadyReason(a, revision, staysRunning)).filter(Boolean);
    if (apps.size === 0) {
      notReady.push('the root Application does not exist');
    }
    if (state !== last) {
      last = state;
      since = Date.now();
      stable = 0;
    } else {
      stable++;
    }
    const progressing = [...apps.values()].some((a) => a.status?.health?.status === 'Progressing');
    const heldRunning = [...apps.values()].some((a) => staysRunning.includes(a.metadata.name) && a.status?.operationState?.phase === 'Running');
    const holdMs = Math.max(progressing ? PROGRESSING_STABLE_MS : 0, heldRunning ? RUNNING_STABLE_MS : 0);
    if (notReady.length === 0 && stable >= STABLE_POLLS && Date.now() - since >= holdMs) {
      return { settledAt: since };
    }
    why = notReady.length ? notReady.join('; ') : progressing ? 'an Application is Progressing' : 'state still changing';
    if (Date.now() > deadline) {
      return { settledAt: Date.now(), error: `not settled within ${Math.round(timeoutMs / 1000)}s: ${why}` };
    }
    await sleep(POLL_MS);
  }
}

/**
 * Whether the harness must ask Argo CD for a sync of an automated root at `revision` (commit 2),
 * to do what the engine's side does: `cdk8s-argocd sync` syncs its roots on request, every run.
 * Argo CD's automated policy syncs only an OutOfSync Application, so a root whose own manifests
 * the commit left alone stays Synced with no new operation, and its last result would be the first
 * commit's ("created"), against the engine's "unchanged". Not when Argo CD syncs it itself (OutOfSync:
 * its automated sync is already set or running) or already has a result at `revision`.
 */
export function automatedRootNeedsSync(root: any, revision: string): boolean {
  const st = root?.status ?? {};
  return st.sync?.revision === revision && st.sync?.status === 'Synced' && !root.operation
    && st.operationState?.phase !== 'Running' && st.operationState?.syncResult?.revision !== revision;
}

/**
 * Argo CD's side of one commit: hand over (commit 1) or refresh (commit 2), then wait. Returns
 * seconds taken. On commit 2 the root is synced on request once Argo CD has compared it at the
 * new revision (a manual root always; an automated one unless its own policy syncs it, see
 * {@link automatedRootNeedsSync}), as the engine's side syncs its roots on request.
 */
export async function runArgoCd(side: Side, s: Scenario, revision: string, commit: 1 | 2, log: Log): Promise<{ seconds: number; error?: string }> {
  const t0 = Date.now();
  const timeoutMs = s.config.timeoutSeconds * 1000;
  if (commit === 1) {
    kubectl(side.kubeconfig, ['apply', '-f', '-'], s.commit1.get('root.yaml'));
    if (!s.root.automated) {
      await requestSync(side, s.root.name, revision, false);
    }
  } else {
    // A refresh of every Application, instead of waiting for Argo CD's reconciliation timeout (120 s).
    const { apps } = await scenarioApps(side.api, s.root.name);
    for (const name of apps.keys()) {
      await side.api.merge(appRef(name), { metadata: { annotations: { 'argocd.argoproj.io/refresh': 'normal' } } }).catch(() => undefined);
    }
    // Once Argo CD has seen the new revision, as a user would sync after the push.
    const deadline = t0 + timeoutMs;
    let root = await getApp(side.api, s.root.name);
    while (root?.status?.sync?.revision !== revision && Date.now() < deadline) {
      await sleep(1000);
      root = await getApp(side.api, s.root.name);
    }
    if (!s.root.automated) {
      await requestSync(side, s.root.name, revision, false);
    } else if (automatedRootNeedsSync(root, revision)) {
      await requestSync(side, s.root.name, revision, s.root.prune);
    }
  }
  const r = await waitSettled(side, s.root.name, revision, timeoutMs, t0, s.config.argocdStaysRunning);
  const seconds = (r.settledAt - t0) / 1000;
  log(`${s.name}: Argo CD commit ${commit} ${r.error ? `NOT settled (${r.error})` : `settled in ${seconds.toFixed(1)}s`}`);
  return { seconds, error: r.error };
}

// ---------------------------------------------------------------------------------------------
// The engine's side.

export type CliRunner = (...args: string[]) => Promise<CliResult>;

/**
 * The engine's side of one commit: `cdk8s-argocd sync <repo>` (the whole tree, root first) at the
 * commit, on cluster B. The root is synced on request, as the CLI's sync is a manual one; commit 2
 * prunes iff the root's automated policy prunes (what Argo CD's automated sync would do; a manual
 * root is synced without prune, as the harness asks Argo CD).
 */
export async function runEngine(
  side: Side, s: Scenario, repo: string, revision: string, commit: 1 | 2, cli: CliRunner, logDir: string, log: Log,
): Promise<{ seconds: number; error?: string }> {
  const t0 = Date.now();
  const args = ['sync', repo, '--revision', revision, '--repo-root', repo, '--repo-url', CONFORMANCE_REPO_URL, '--kubeconfig', side.kubeconfig, '--timeout', String(s.config.timeoutSeconds)];
  if (commit === 2 && s.root.prune) {
    args.push('--prune');
  }
  const r = await cli(...args);
  const seconds = (Date.now() - t0) / 1000;
  fs.mkdirSync(logDir, { recursive: true });
  fs.writeFileSync(path.join(logDir, `${s.name}-engine-commit${commit}.log`), `$ cdk8s-argocd ${args.join(' ')}\nexit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}\n`);
  log(`${s.name}: engine commit ${commit} exit ${r.code} in ${seconds.toFixed(1)}s`);
  // Exit 1 is a failed operation (compared like Argo CD's); 2 is an input or usage error.
  const error = r.code === 2 || r.code > 2 ? `cdk8s-argocd sync exited ${r.code}: ${r.stderr.trim().split('\n').slice(-5).join('\n')}` : undefined;
  return { seconds, error };
}

/** The second commit's whole tree. */
export function commit2Files(s: Scenario): Map<string, string> | undefined {
  return s.commit2 ? secondCommitFiles(s.commit1, s.commit2, s.config.deleteInCommit2) : undefined;
}

