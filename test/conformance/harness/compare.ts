/**
 * Comparing what Argo CD and the engine left behind for one scenario: snapshots in, Difference
 * records out; then the scenario's kept differences and expectations applied.
 */
import { leafDifferences } from './normalize';
import { Aspect, Expectation, KeptDifference } from './scenario';

/** One entry of `status.operationState.syncResult.resources`, reduced to what is compared. */
export interface ResultEntry {
  /** `Kind/namespace/name` (hook names with their time suffix normalized). */
  readonly object: string;
  readonly syncPhase?: string;
  readonly status?: string;
  readonly hookType?: string;
  readonly hookPhase?: string;
  readonly message?: string;
}

/** One entry of an Application's `status.resources`. */
export interface TrackedResource {
  readonly object: string;
  readonly status?: string;
  readonly health?: string;
  readonly requiresPruning?: boolean;
}

export interface AppSnapshot {
  readonly name: string;
  readonly sync?: string;
  readonly health?: string;
  /** `status.operationState.phase` (undefined: never operated on). */
  readonly phase?: string;
  readonly message?: string;
  /** `status.sync.revision`. */
  readonly revision?: string;
  /** The last operation's `syncResult.resources`, in Argo CD's order. */
  readonly results: ResultEntry[];
  readonly resources: TrackedResource[];
}

/** What one side (Argo CD on cluster A, the engine on cluster B) left for a scenario. */
export interface SideSnapshot {
  /** By Application name. */
  readonly apps: Record<string, AppSnapshot>;
  /** Normalized live objects of every tracked resource, by `Kind/namespace/name`; null: absent. */
  readonly live: Record<string, Record<string, any> | null>;
  /** ApplicationSet name → generated Application name → its normalized object. */
  readonly generated: Record<string, Record<string, Record<string, any>>>;
  /** How many live objects carried kubectl's last-applied-configuration annotation. */
  readonly lastApplied: number;
  /** Set when the side did not settle within the timeout (or failed to run): why. */
  readonly error?: string;
}

export interface Difference {
  readonly scenario: string;
  readonly app?: string;
  readonly aspect: Aspect;
  /** `Kind/namespace/name`, plus the field path for `live`/`generated` (after a space). */
  readonly object?: string;
  readonly path?: string;
  readonly argocd: unknown;
  readonly engine: unknown;
  /** Which commit's state (1 or 2) when the scenario has two. */
  readonly commit?: number;
}

/** A difference matched against the scenario's kept ones. */
export interface JudgedDifference extends Difference {
  /** The kept difference that covers it (its reason); undefined: a failure. */
  readonly kept?: KeptDifference;
}

export interface ExpectationFailure {
  readonly side: 'argocd' | 'engine';
  readonly app: string;
  readonly field: keyof Expectation;
  readonly expected: string;
  readonly actual: string | undefined;
}

const ABSENT = '(absent)';

function show(v: unknown): unknown {
  return v === undefined ? ABSENT : v;
}

function resultId(r: ResultEntry): string {
  return `${r.syncPhase ?? 'Sync'} ${r.object}`;
}

/**
 * The order of results as blocks: consecutive results of the same phase and kind are one block
 * (listed sorted), since Argo CD applies such a group concurrently and records each result as it
 * completes (gitops-engine's sync context: `Order` is the order results were first set); only
 * the order of the blocks is Argo CD's decision (phase, wave, kind).
 */
export function orderBlocks(results: readonly ResultEntry[]): string[] {
  const out: Array<{ key: string; objects: string[] }> = [];
  for (const r of results) {
    const key = `${r.syncPhase ?? 'Sync'} ${r.object.split('/')[0]}`;
    const last = out[out.length - 1];
    if (last && last.key === key) {
      last.objects.push(r.object);
    } else {
      out.push({ key, objects: [r.object] });
    }
  }
  return out.map((b) => `${b.key}: ${b.objects.sort().join(', ')}`);
}

function compareApp(scenario: string, name: string, a: AppSnapshot | undefined, b: AppSnapshot | undefined): Difference[] {
  const out: Difference[] = [];
  if (!a || !b) {
    out.push({ scenario, app: name, aspect: 'sync', object: `Application/argocd/${name}`, argocd: a ? a.sync ?? '(no status)' : '(no Application)', engine: b ? b.sync ?? '(no status)' : '(no Application)' });
    return out;
  }
  for (const aspect of ['sync', 'health', 'phase', 'message'] as const) {
    if (a[aspect] !== b[aspect]) {
      out.push({ scenario, app: name, aspect, argocd: show(a[aspect]), engine: show(b[aspect]) });
    }
  }
  // Per-resource sync/health as each side compared them.
  const ra = new Map(a.resources.map((r) => [r.object, r]));
  const rb = new Map(b.resources.map((r) => [r.object, r]));
  for (const object of [...new Set([...ra.keys(), ...rb.keys()])].sort()) {
    const x = ra.get(object);
    const y = rb.get(object);
    const syncOf = (r?: TrackedResource) => (r ? `${r.status ?? ''}${r.requiresPruning ? ' (requires pruning)' : ''}` : '(not tracked)');
    if (syncOf(x) !== syncOf(y)) {
      out.push({ scenario, app: name, aspect: 'sync', object, argocd: syncOf(x), engine: syncOf(y) });
    }
    if (x && y && x.health !== y.health) {
      out.push({ scenario, app: name, aspect: 'health', object, argocd: show(x.health), engine: show(y.health) });
    }
  }
  // Per-resource results, matched by phase and object; then their order.
  const ea = new Map(a.results.map((r) => [resultId(r), r]));
  const eb = new Map(b.results.map((r) => [resultId(r), r]));
  for (const id of [...new Set([...ea.keys(), ...eb.keys()])]) {
    const x = ea.get(id);
    const y = eb.get(id);
    const object = id.slice(id.indexOf(' ') + 1);
    if (!x || !y) {
      out.push({ scenario, app: name, aspect: 'result', object, path: x?.syncPhase ?? y?.syncPhase, argocd: x ? `${x.status} (${x.syncPhase})` : '(no result)', engine: y ? `${y.status} (${y.syncPhase})` : '(no result)' });
      continue;
    }
    for (const f of ['status', 'hookType', 'hookPhase'] as const) {
      if (x[f] !== y[f]) {
        out.push({ scenario, app: name, aspect: 'result', object, path: f, argocd: show(x[f]), engine: show(y[f]) });
      }
    }
    if (x.message !== y.message) {
      out.push({ scenario, app: name, aspect: 'message', object, argocd: show(x.message), engine: show(y.message) });
    }
  }
  const oa = orderBlocks(a.results.filter((r) => eb.has(resultId(r))));
  const ob = orderBlocks(b.results.filter((r) => ea.has(resultId(r))));
  if (oa.join('\n') !== ob.join('\n')) {
    out.push({ scenario, app: name, aspect: 'order', argocd: oa, engine: ob });
  }
  return out;
}

/** Every difference between the two sides of a scenario. */
export function compareSnapshots(scenario: string, argocd: SideSnapshot, engine: SideSnapshot, commit?: number): Difference[] {
  const diffs = compareSides(scenario, argocd, engine);
  return commit === undefined ? diffs : diffs.map((d) => ({ ...d, commit }));
}

function compareSides(scenario: string, argocd: SideSnapshot, engine: SideSnapshot): Difference[] {
  const out: Difference[] = [];
  for (const name of [...new Set([...Object.keys(argocd.apps), ...Object.keys(engine.apps)])].sort()) {
    out.push(...compareApp(scenario, name, argocd.apps[name], engine.apps[name]));
  }
  for (const object of [...new Set([...Object.keys(argocd.live), ...Object.keys(engine.live)])].sort()) {
    const a = argocd.live[object];
    const b = engine.live[object];
    if (!a || !b) {
      if (a !== b && !(a == null && b == null)) {
        out.push({ scenario, aspect: 'live', object, argocd: a ? 'present' : ABSENT, engine: b ? 'present' : ABSENT });
      }
      continue;
    }
    for (const d of leafDifferences(a, b)) {
      out.push({ scenario, aspect: 'live', object, path: d.path, argocd: show(d.a), engine: show(d.b) });
    }
  }
  for (const set of [...new Set([...Object.keys(argocd.generated), ...Object.keys(engine.generated)])].sort()) {
    const ga = argocd.generated[set] ?? {};
    const gb = engine.generated[set] ?? {};
    for (const app of [...new Set([...Object.keys(ga), ...Object.keys(gb)])].sort()) {
      const object = `Application/argocd/${app}`;
      if (!ga[app] || !gb[app]) {
        out.push({ scenario, app: set, aspect: 'generated', object, argocd: ga[app] ? 'generated' : ABSENT, engine: gb[app] ? 'generated' : ABSENT });
        continue;
      }
      for (const d of leafDifferences(ga[app], gb[app])) {
        out.push({ scenario, app: set, aspect: 'generated', object, path: d.path, argocd: show(d.a), engine: show(d.b) });
      }
    }
  }
  return out;
}

/** `Kind/namespace/name` (or `Kind/name`) against an object; a `*` part of the pattern matches any. */
function objectMatches(pattern: string, object: string): boolean {
  const parts = pattern.split('/');
  const want = parts.length === 2 ? [parts[0], '', parts[1]] : parts;
  const got = object.split('/');
  return got.length === 3 && want.every((p, i) => p === '*' || p === got[i]);
}

/**
 * Marks each difference a kept one covers (same aspect; same app, object and Argo CD value when
 * the kept one names them). `kept` is the scenario's own, then the harness-wide ones.
 */
export function judge(diffs: readonly Difference[], kept: readonly KeptDifference[]): JudgedDifference[] {
  return diffs.map((d) => {
    const k = kept.find((x) =>
      x.aspect === d.aspect &&
      (x.app === undefined || x.app === d.app) &&
      (x.object === undefined || (d.object !== undefined && objectMatches(x.object, d.object))) &&
      (x.argocd === undefined || x.argocd === d.argocd));
    return k ? { ...d, kept: k } : { ...d };
  });
}

/** Kept differences that matched nothing (stale entries of scenario.yaml). */
export function unusedKept(judged: readonly JudgedDifference[], kept: readonly KeptDifference[]): KeptDifference[] {
  return kept.filter((k) => !judged.some((d) => d.kept === k));
}

/** Expectations either side did not meet. */
export function checkExpectations(expect: Record<string, Expectation>, sides: { argocd: SideSnapshot; engine: SideSnapshot }): ExpectationFailure[] {
  const out: ExpectationFailure[] = [];
  for (const [app, e] of Object.entries(expect)) {
    for (const side of ['argocd', 'engine'] as const) {
      const snap = sides[side].apps[app];
      for (const field of ['sync', 'health', 'phase'] as const) {
        const want = e[field];
        if (want !== undefined && snap?.[field] !== want) {
          out.push({ side, app, field, expected: want, actual: snap ? snap[field] : '(no Application)' });
        }
      }
    }
  }
  return out;
}
