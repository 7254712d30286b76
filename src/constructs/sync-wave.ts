import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { Application } from './application';
import { dependencyOrder } from './dependency-waves';
import { Naming } from './naming';
import { resolveWave, WaveNode, waveError } from './sync-wave-graph';
import { ANNOTATION_SYNC_WAVE } from '../argo/annotations';

const SYNC_WAVE_SYMBOL = Symbol.for('cdk8s-argocd.SyncWave');
// A wave set on an existing construct with `SyncWave.set()`.
const ASSIGNED_WAVE_SYMBOL = Symbol.for('cdk8s-argocd.SyncWave.assigned');

/** The annotation Argo CD reads the wave from. */

/** Options of a SyncWave. */
export interface SyncWaveProps {
  /**
   * The wave number (an integer; lower waves sync first, negative waves before the default 0).
   * @default - derived from `after`: 10 above the highest wave it comes after, or 0 without `after`
   */
  readonly wave?: number;
  /**
   * Waves (in the same Application) that must sync before this one.
   * @default - none
   */
  readonly after?: SyncWave[];
}

/**
 * A scope whose Kubernetes objects all sync in one Argo CD wave.
 *
 * Every object created anywhere beneath it — cdk8s-plus constructs, `ApiObject`s, and child
 * Applications (their own Application object, not the resources inside them) — gets the
 * `argocd.argoproj.io/sync-wave` annotation when the GitOpsApp synthesizes, so objects added
 * later are covered too. Waves are numbered explicitly or derived from `after`. A SyncWave is a
 * grouping scope (see `Naming`): its id is not part of the names of the objects beneath it.
 */
export class SyncWave extends Construct {
  /** Whether `x` is a SyncWave (works across copies of this library). */
  public static isSyncWave(x: any): x is SyncWave {
    return x !== null && typeof x === 'object' && SYNC_WAVE_SYMBOL in x;
  }

  /**
   * Puts one existing construct (and everything beneath it) into a wave, e.g. a cdk8s-plus
   * Deployment or a child Application.
   */
  public static set(construct: IConstruct, wave: number): void {
    const error = waveError(`sync wave for '${construct.node.path}'`, wave);
    if (error) throw new Error(error);
    if (SyncWave.isSyncWave(construct)) {
      throw new Error(`'${construct.node.path}' is a SyncWave: give it a wave with its 'wave' prop instead of SyncWave.set()`);
    }
    const previous = (construct as any)[ASSIGNED_WAVE_SYMBOL];
    if (previous !== undefined && previous !== wave) {
      throw new Error(`'${construct.node.path}' is already in sync wave ${previous}; an object can be in one wave only`);
    }
    Object.defineProperty(construct, ASSIGNED_WAVE_SYMBOL, { value: wave, configurable: true });
  }

  /**
   * Creates one SyncWave per id, each after the one before (waves 0, 10, 20, …), for the usual
   * layering, e.g. `['infrastructure', 'secrets', 'databases', 'applications']`.
   */
  public static sequence(scope: Construct, ids: string[]): SyncWave[] {
    const waves: SyncWave[] = [];
    for (const id of ids) {
      const previous = waves[waves.length - 1];
      waves.push(new SyncWave(scope, id, { after: previous ? [previous] : [] }));
    }
    return waves;
  }

  private readonly explicitWave?: number;
  private readonly afterWaves: SyncWave[];
  private readonly graphNode: WaveNode;

  public constructor(scope: Construct, id: string, props: SyncWaveProps = {}) {
    super(scope, id);
    Object.defineProperty(this, SYNC_WAVE_SYMBOL, { value: true });
    // A wave orders objects; it must not rename them or change their selectors.
    Naming.markAsGrouping(this);
    if (props.wave !== undefined) {
      const error = waveError(`SyncWave '${this.node.path}': wave`, props.wave);
      if (error) throw new Error(error);
    }
    this.explicitWave = props.wave;
    this.afterWaves = [...(props.after ?? [])];
    const self = this;
    this.graphNode = {
      label: this.node.path,
      wave: props.wave,
      get after() { return self.afterWaves.map(w => w.graphNode); },
    };
  }

  /** The wave number: explicit, or derived from `after`. Throws if the `after` graph has a cycle. */
  public get wave(): number {
    return resolveWave(this.graphNode);
  }

  /** Whether the wave number was given explicitly (not derived). */
  public get isExplicit(): boolean {
    return this.explicitWave !== undefined;
  }

  /** The explicit wave number, if given. @internal */
  public get _explicitWave(): number | undefined {
    return this.explicitWave;
  }

  /** Waves this one comes after. */
  public get after(): SyncWave[] {
    return [...this.afterWaves];
  }

  /** Makes this wave come after `waves` too. */
  public addAfter(...waves: SyncWave[]): void {
    for (const w of waves) {
      if (w === this) throw new Error(`SyncWave '${this.node.path}' cannot come after itself`);
    }
    this.afterWaves.push(...waves);
  }
}

/**
 * Whether an Application's own manifest will carry a sync wave: a hand-written annotation,
 * `SyncWave.set()` on it, a SyncWave between it and its parent Application, or an
 * `addDependency()` on it (which orders it by waves).
 */
export function applicationHasSyncWave(app: Application): boolean {
  if (app.resource.metadata.toJson().annotations?.[ANNOTATION_SYNC_WAVE] !== undefined) return true;
  if (dependencyOrder(app.node.root, isExplicitWaveHolder).implicitHolders.has(app)) return true;
  for (let s: IConstruct | undefined = app; s; s = s.node.scope) {
    if (s !== app && Application.isApplication(s)) return false;
    if (SyncWave.isSyncWave(s) || (s as any)[ASSIGNED_WAVE_SYMBOL] !== undefined) return true;
  }
  return false;
}

/** The wave a construct itself carries (a SyncWave, `SyncWave.set`, or its own `addDependency`). */
interface WaveHolder {
  readonly construct: IConstruct;
  readonly wave: number;
}

function assignedWave(c: IConstruct): number | undefined {
  return (c as any)[ASSIGNED_WAVE_SYMBOL];
}

function isExplicitWaveHolder(c: IConstruct): boolean {
  return SyncWave.isSyncWave(c) || assignedWave(c) !== undefined;
}

/**
 * The waves of one synth: SyncWaves and `SyncWave.set()` constructs, plus the order cdk8s's
 * `addDependency` asks for (see dependency-waves.ts). Built fresh per synth, so dependencies added
 * later count and nothing is added twice.
 */
class WaveGraph {
  public readonly errors: string[];
  private readonly order: ReturnType<typeof dependencyOrder>;
  private readonly nodes = new Map<IConstruct, WaveNode>();
  private readonly memo = new Map<WaveNode, number>();
  private readonly noWave: WaveNode = { label: 'objects in no sync wave', wave: 0, after: [] };

  public constructor(root: IConstruct) {
    this.order = dependencyOrder(root, isExplicitWaveHolder);
    this.errors = [...this.order.errors];
  }

  public holderOf(c: IConstruct): WaveHolder | undefined {
    if (!SyncWave.isSyncWave(c) && assignedWave(c) === undefined && !this.order.implicitHolders.has(c)) return undefined;
    return { construct: c, wave: resolveWave(this.nodeOf(c), this.memo) };
  }

  /** How `holder` got its wave, for messages. */
  public describe(holder: IConstruct): string {
    if (SyncWave.isSyncWave(holder)) return `'${holder.node.path}'`;
    return assignedWave(holder) !== undefined ? 'SyncWave.set()' : `its addDependency() on '${holder.node.path}'`;
  }

  private nodeOf(c: IConstruct): WaveNode {
    const known = this.nodes.get(c);
    if (known) return known;
    const self = this;
    const node: WaveNode = {
      label: c.node.path,
      wave: SyncWave.isSyncWave(c) ? c._explicitWave : assignedWave(c),
      get after() {
        const declared = SyncWave.isSyncWave(c) ? c.after.map(w => self.nodeOf(w)) : [];
        const dependencies = (self.order.after.get(c) ?? []).map(t => (t ? self.nodeOf(t) : self.noWave));
        return [...declared, ...dependencies];
      },
    };
    this.nodes.set(c, node);
    return node;
  }
}

function enclosingApplication(c: IConstruct): Application | undefined {
  for (let s = c.node.scope; s; s = s.node.scope) {
    if (Application.isApplication(s)) return s;
  }
  return undefined;
}

/**
 * Stamps the sync-wave annotation on every ApiObject beneath a wave. Runs once per synth, after
 * the whole tree exists. A wave does not cross into a child Application: the child's own
 * Application object gets the wave (it orders the parent's sync), its resources do not.
 */
export function stampSyncWaves(root: IConstruct): void {
  const graph = new WaveGraph(root);
  const errors: string[] = [...graph.errors];
  const stamp = (object: ApiObject, holder: WaveHolder): void => {
    const value = String(holder.wave);
    const existing = object.metadata.toJson().annotations?.[ANNOTATION_SYNC_WAVE];
    if (existing !== undefined && existing !== value) {
      errors.push(`${object.kind} at '${object.node.path}' has annotation ${ANNOTATION_SYNC_WAVE}: "${existing}" but is inside sync wave '${holder.construct.node.path}' (${value}); remove the annotation or move the object out of the wave`);
      return;
    }
    object.metadata.addAnnotation(ANNOTATION_SYNC_WAVE, value);
  };
  const visit = (c: IConstruct, outer: WaveHolder | undefined): void => {
    const own = graph.holderOf(c);
    if (own && outer) {
      errors.push(`'${c.node.path}' is in two sync waves: ${graph.describe(outer.construct)} (${outer.wave}) and ${graph.describe(c)} (${own.wave}); an object can be in one wave only — move it out of one of them`);
    }
    if (SyncWave.isSyncWave(c)) {
      const app = enclosingApplication(c);
      for (const dep of c.after) {
        if (enclosingApplication(dep) !== app) {
          errors.push(`SyncWave '${c.node.path}' comes after '${dep.node.path}', which is in another Application; waves only order objects within one Application's sync`);
        }
      }
    }
    const holder = own ?? outer;
    if (Application.isApplication(c)) {
      if (holder) stamp(c.resource, holder);
      for (const child of c.node.children) {
        if (child !== c.resource) visit(child, undefined);
      }
      return;
    }
    if (holder && ApiObject.isApiObject(c)) stamp(c, holder);
    for (const child of c.node.children) visit(child, holder);
  };
  visit(root, undefined);
  if (errors.length > 0) throw new Error(`Synth failed:\n  ${errors.join('\n  ')}`);
}
