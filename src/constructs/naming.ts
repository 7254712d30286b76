import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';

// Symbols rather than instanceof, so two copies of the library agree.
const GROUPING_SYMBOL = Symbol.for('cdk8s-argocd.Naming.grouping');
const PIN_SYMBOL = Symbol.for('cdk8s-argocd.Naming.pin');
const APPLICATION_SYMBOL = Symbol.for('cdk8s-argocd.Application');

// A construct address as cdk8s-plus embeds it in generated ids (`RoleBinding<addr>`): 'c8' + sha1.
const CONSTRUCT_ADDRESS = /c8[0-9a-f]{40}/;
const CONSTRUCT_ADDRESSES = new RegExp(CONSTRUCT_ADDRESS.source, 'g');

/**
 * How Kubernetes objects are named, so that refactoring code does not move the cluster.
 *
 * An object's name (and the `cdk8s.io/metadata.addr` selector label cdk8s-plus gives pods) comes
 * from its Application's name and the construct ids on the way down from the Application to the
 * object. Grouping scopes are left out of that path: `SyncWave`, `Grouping`, and any construct
 * marked with `Naming.markAsGrouping()`. So wrapping objects in a SyncWave, regrouping
 * Applications under an AppOfApps, or adding a grouping construct changes no name, label or
 * selector. An explicit `metadata.name` is never changed.
 */
export class Naming {
  /**
   * Leaves `scope` out of the names of everything beneath it, as if its children sat directly in
   * its parent. For your own organising constructs: call it first thing in the constructor, before
   * creating anything inside (names are fixed when an object is created).
   *
   * Two objects that then end up with the same name fail synth with both construct paths.
   */
  public static markAsGrouping(scope: IConstruct): void {
    checkNoObjectsYet(scope, 'Naming.markAsGrouping()');
    if (pinOf(scope) !== undefined) throw new Error(`'${scope.node.path}' has a pinned naming path; it cannot also be a grouping scope`);
    Object.defineProperty(scope, GROUPING_SYMBOL, { value: true, configurable: true });
  }

  /** Whether `scope` is left out of object names (a SyncWave, a Grouping, or marked). */
  public static isGrouping(scope: IConstruct): boolean {
    return (scope as unknown as Partial<Record<symbol, unknown>>)[GROUPING_SYMBOL] === true;
  }

  /**
   * Pins the naming path of `scope`: everything created beneath it afterwards is named as if
   * `scope` sat at `path` (construct ids separated by `/`) directly inside its Application, wherever
   * it really sits. Use it to keep the names and selectors of live objects when you move a
   * component into a construct that is not a grouping scope, or rename its id. Call it before
   * creating anything inside `scope`.
   *
   * To pin a single object's name, set its `metadata.name`.
   */
  public static pin(scope: IConstruct, path: string): void {
    checkNoObjectsYet(scope, 'Naming.pin()');
    const ids = path.split('/').filter(id => id !== '');
    if (ids.length === 0 || ids.some(id => !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id))) {
      throw new Error(`Naming.pin('${scope.node.path}', '${path}'): the path must be construct ids of letters, digits, '-', '_' and '.', separated by '/'`);
    }
    if (Naming.isGrouping(scope)) throw new Error(`'${scope.node.path}' is a grouping scope; it cannot also have a pinned naming path`);
    Object.defineProperty(scope, PIN_SYMBOL, { value: ids, configurable: true });
  }

  private constructor() {}
}

/**
 * A construct that only organises code: its id is left out of the names, labels and selectors of
 * everything beneath it, so introducing or removing it changes nothing in the cluster.
 * Extend it for your own organising constructs, or call `Naming.markAsGrouping(this)`.
 */
export class Grouping extends Construct {
  public constructor(scope: Construct, id: string) {
    super(scope, id);
    Naming.markAsGrouping(this);
  }
}

function checkNoObjectsYet(scope: IConstruct, what: string): void {
  if (isApplication(scope)) {
    throw new Error(`${what} cannot be used on Application '${scope.node.path}': names already start at the Application (give it a 'name' to pin it)`);
  }
  const existing = scope.node.findAll().find(c => c !== scope && ApiObject.isApiObject(c));
  if (existing) {
    throw new Error(`${what} on '${scope.node.path}' comes too late: '${existing.node.path}' was already created and named; call it before creating anything inside (first thing in the constructor)`);
  }
}

function pinOf(scope: IConstruct): string[] | undefined {
  return (scope as unknown as Partial<Record<symbol, string[]>>)[PIN_SYMBOL];
}

function isApplication(c: IConstruct): boolean {
  return APPLICATION_SYMBOL in c;
}

/** The innermost Application above `construct` (not `construct` itself). */
export function enclosingApplicationOf(construct: IConstruct): (IConstruct & { readonly name: string }) | undefined {
  for (let s = construct.node.scope; s; s = s.node.scope) {
    if (isApplication(s)) return s as IConstruct & { readonly name: string };
  }
  return undefined;
}

/**
 * The naming path of `construct` below `app`: the construct ids from just below `app` down to
 * `construct`, with grouping scopes left out, a pinned scope's path in place of everything above
 * it, and cdk8s-plus construct addresses in ids replaced by the naming path of the construct they
 * address (so `role.bind(sa)` is named after `sa`, not after a hash of where `sa` sits).
 */
export function namingPath(app: IConstruct, construct: IConstruct): string[] {
  const scopes = construct.node.scopes;
  const start = scopes.indexOf(app);
  let ids: string[] = [];
  for (const scope of scopes.slice(start + 1)) {
    if (Naming.isGrouping(scope)) continue;
    const pinned = pinOf(scope);
    if (pinned) {
      ids = [...pinned];
      continue;
    }
    ids.push(readableId(scope));
  }
  return ids;
}

/** The id of `scope` with embedded construct addresses replaced by what they address. */
function readableId(scope: IConstruct): string {
  const id = scope.node.id;
  if (!CONSTRUCT_ADDRESS.test(id)) return id;
  const app = enclosingApplicationOf(scope);
  return id.replace(CONSTRUCT_ADDRESSES, address => {
    const target = constructAt(scope.node.root, address);
    if (!target) return '';
    const targetApp = enclosingApplicationOf(target);
    const path = targetApp ? namingPath(targetApp, target) : target.node.path.split('/');
    const prefix = targetApp && targetApp !== app ? [targetApp.name] : [];
    return `-${[...prefix, ...path].join('-')}-`;
  });
}

const addressIndexes = new WeakMap<IConstruct, Map<string, IConstruct>>();

/** The construct with address `address` in the tree of `root` (indexed, rebuilt when the tree grew). */
function constructAt(root: IConstruct, address: string): IConstruct | undefined {
  let index = addressIndexes.get(root);
  if (!index?.has(address)) {
    index = new Map(root.node.findAll().map(c => [c.node.addr, c]));
    addressIndexes.set(root, index);
  }
  return index.get(address);
}
