import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { Application } from './application';
import { kindRank } from '../engine/kind-order';

/**
 * cdk8s's `addDependency` (`a.addDependency(b)`, `a.node.addDependency(b)`) in Argo CD terms:
 * what `a` stands for syncs in a later wave than what `b` stands for, the way SyncWave's `after`
 * orders waves.
 *
 * Both are first lifted to the Application whose sync orders them: an object inside a child
 * Application is ordered, in its parent's sync, by that child's Application manifest. Then:
 * - `a` inside a SyncWave whose number is derived: that wave comes after `b`'s wave (or after 0);
 * - `a` in an explicitly numbered wave: the number must already be higher, or synth fails;
 * - `a` in no wave: `a` becomes a wave of its own, derived the same way (10 above `b`'s wave);
 * - both in one wave: only Argo CD's kind order can put `b` first (a StatefulSet depending on its
 *   Service needs no wave); otherwise synth fails and says to move `a` into a later wave.
 */
export interface DependencyOrder {
  /** For each wave holder: the holders it must come after (`undefined` = objects in no wave, 0). */
  readonly after: ReadonlyMap<IConstruct, ReadonlyArray<IConstruct | undefined>>;
  /** Constructs in no wave that become a derived wave of their own because they depend on something. */
  readonly implicitHolders: ReadonlySet<IConstruct>;
  /** Dependencies that waves cannot express, each saying what to do. */
  readonly errors: readonly string[];
}

/** One dependency, lifted to the Application whose sync orders it. */
interface OrderedPair {
  readonly source: IConstruct;
  readonly target: IConstruct;
  readonly scope: Application;
  /** As the user wrote it, for messages. */
  readonly declared: string;
}

/**
 * @param explicitHolder the SyncWave or `SyncWave.set()` construct `c` itself is, if any
 */
export function dependencyOrder(root: IConstruct, explicitHolder: (c: IConstruct) => boolean): DependencyOrder {
  const errors: string[] = [];
  const pairs: OrderedPair[] = [];
  for (const c of root.node.findAll()) {
    for (const d of c.node.dependencies) {
      const declared = `'${c.node.path}' depends on '${d.node.path}' (addDependency)`;
      // A construct that contains the other needs no order (cdk8s adds such edges between nested charts).
      if (c.node.scopes.includes(d) || d.node.scopes.includes(c)) continue;
      const scope = applicationsAbove(c).find(a => applicationsAbove(d).includes(a));
      if (!scope) {
        errors.push(`${declared}, but no Application syncs both, and sync waves only order objects within one Application's sync: declare both inside one Application (or both Applications inside one AppOfApps), or remove the dependency`);
        continue;
      }
      const source = directlyIn(c, scope);
      const target = directlyIn(d, scope);
      if (source.node.scopes.includes(target) || target.node.scopes.includes(source)) continue;
      pairs.push({ source, target, scope, declared });
    }
  }

  const implicitHolders = new Set<IConstruct>();
  const holderOf = (c: IConstruct, scope: IConstruct): IConstruct | undefined => {
    for (let s: IConstruct | undefined = c; s && s !== scope; s = s.node.scope) {
      if (explicitHolder(s) || implicitHolders.has(s)) return s;
    }
    return undefined;
  };
  // A construct that becomes a wave may be the target of another dependency whose kind order no
  // longer holds across waves: repeat until nothing changes (the set only grows).
  for (let changed = true; changed;) {
    changed = false;
    for (const p of pairs) {
      if (holderOf(p.source, p.scope) !== undefined) continue;
      if (holderOf(p.target, p.scope) === undefined && kindOrderSuffices(p)) continue;
      implicitHolders.add(p.source);
      changed = true;
    }
  }

  const after = new Map<IConstruct, Array<IConstruct | undefined>>();
  for (const p of pairs) {
    const sourceHolder = holderOf(p.source, p.scope);
    const targetHolder = holderOf(p.target, p.scope);
    if (sourceHolder === undefined) continue; // both in no wave, kind order suffices
    if (sourceHolder === targetHolder) {
      if (!kindOrderSuffices(p)) {
        errors.push(`${p.declared}, but both are in sync wave '${sourceHolder.node.path}', and within a wave Argo CD orders objects only by kind: move '${p.source.node.path}' into a later SyncWave (after: [the wave of '${p.target.node.path}'])`);
      }
      continue;
    }
    const list = after.get(sourceHolder) ?? [];
    list.push(targetHolder);
    after.set(sourceHolder, list);
  }
  return { after, implicitHolders, errors };
}

/** Applications strictly above `c`, innermost first. */
function applicationsAbove(c: IConstruct): Application[] {
  return c.node.scopes.slice(0, -1).reverse().filter(s => Application.isApplication(s)) as Application[];
}

/** What stands for `c` in `scope`'s sync: the child Application of `scope` holding `c`, or `c` itself. */
function directlyIn(c: IConstruct, scope: IConstruct): IConstruct {
  const scopes = c.node.scopes;
  return scopes.slice(scopes.indexOf(scope) + 1).find(s => Application.isApplication(s)) ?? c;
}

/** Whether Argo CD's kind order alone applies every object of the target before any of the source. */
function kindOrderSuffices(p: OrderedPair): boolean {
  const sourceRanks = objectsOf(p.source).map(o => kindRank(o.kind));
  const targetRanks = objectsOf(p.target).map(o => kindRank(o.kind));
  if (sourceRanks.length === 0 || targetRanks.length === 0) return true;
  return Math.max(...targetRanks) < Math.min(...sourceRanks);
}

/** The objects `c` puts into its Application's sync: an Application's own manifest, not its contents. */
function objectsOf(c: IConstruct): ApiObject[] {
  if (Application.isApplication(c)) return [c.resource];
  const objects: ApiObject[] = [];
  const visit = (x: IConstruct): void => {
    if (Application.isApplication(x)) {
      objects.push(x.resource);
      return;
    }
    if (ApiObject.isApiObject(x)) objects.push(x);
    for (const child of x.node.children) visit(child);
  };
  visit(c);
  return objects;
}
