/**
 * The app-of-apps tree as Argo CD sees it: an Application is the child of the Application whose
 * desired objects contain its Application object. Pure: built from loaded Applications only.
 */
import { CONTROL_PLANE_NAMESPACE } from '../application-spec';
import { syncWave } from '../hooks';
import { LoadedApplication } from '../load/applications';
import { DesiredObject, groupOf, SourcePosition } from '../model';

/** One Application in the tree. */
export interface TreeNode {
  /** `namespace/name`, unique in the tree. */
  readonly key: string;
  readonly app: LoadedApplication;
  /** Key of the Application whose desired objects contain this one (none for a root). */
  readonly parent?: string;
  /** The sync wave of this Application's object in its parent (0 for a root). */
  readonly wave: number;
  /** Keys of the Applications this one contains, in wave then name order. */
  readonly children: readonly string[];
}

export interface ApplicationTree {
  readonly nodes: ReadonlyMap<string, TreeNode>;
  /** Keys of the Applications no other Application contains, by name. */
  readonly roots: readonly string[];
}

/** The tree's key of an Application: its namespace (Argo CD's `argocd` by default) and name. */
export function applicationKey(name: string, namespace: string | undefined): string {
  return `${namespace || CONTROL_PLANE_NAMESPACE}/${name}`;
}

function isApplicationObject(d: DesiredObject): boolean {
  return d.object.kind === 'Application' && groupOf(d.object.apiVersion) === 'argoproj.io' && typeof d.object.metadata?.name === 'string';
}

const at = (p: SourcePosition) => `${p.file}:${p.line}`;

/** Thrown when the Applications do not form a tree; the message names the files involved. */
export class TreeError extends Error {}

/**
 * Builds the tree. An Application whose source contains its own object manages itself (it is
 * not its own parent). Fails when an Application is defined twice, is contained by two parents,
 * or when containment forms a cycle (no root would ever create it).
 */
export function discoverTree(apps: readonly LoadedApplication[]): ApplicationTree {
  const byKey = new Map<string, LoadedApplication>();
  for (const app of apps) {
    const key = applicationKey(app.name, app.namespace);
    const seen = byKey.get(key);
    if (seen) {
      throw new TreeError(`Application ${key} is defined twice: ${at(seen.position)} and ${at(app.position)}: keep one`);
    }
    byKey.set(key, app);
  }

  const parentOf = new Map<string, { parent: string; wave: number; where: SourcePosition }>();
  for (const [parentKey, parent] of byKey) {
    for (const d of parent.objects.filter(isApplicationObject)) {
      const childKey = applicationKey(d.object.metadata.name!, d.object.metadata.namespace);
      if (childKey === parentKey || !byKey.has(childKey)) {
        continue;
      }
      const other = parentOf.get(childKey);
      if (other && other.parent !== parentKey) {
        const first = byKey.get(other.parent)!;
        throw new TreeError(`Application ${childKey} is contained by two Applications: ${other.parent} (${at(other.where)}, source of ${at(first.position)}) `
          + `and ${parentKey} (${at(d.source)}, source of ${at(parent.position)}): keep it in one parent's source`);
      }
      let wave: number;
      try {
        wave = syncWave(d.object);
      } catch (e) {
        throw new TreeError(`${at(d.source)}: Application ${childKey}: ${(e as Error).message}`);
      }
      parentOf.set(childKey, { parent: parentKey, wave, where: d.source });
    }
  }

  assertNoCycle(byKey, parentOf);

  const children = new Map<string, string[]>();
  for (const [child, { parent }] of parentOf) {
    children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  const waveOf = (key: string) => parentOf.get(key)?.wave ?? 0;
  const nodes = new Map<string, TreeNode>();
  for (const [key, app] of byKey) {
    const own = (children.get(key) ?? []).sort((a, b) => waveOf(a) - waveOf(b) || a.localeCompare(b));
    nodes.set(key, { key, app, parent: parentOf.get(key)?.parent, wave: waveOf(key), children: own });
  }
  const roots = [...byKey.keys()].filter((k) => !parentOf.has(k)).sort();
  return { nodes, roots };
}

/** Every Application must lead up to a root; a chain that comes back to itself never does. */
function assertNoCycle(byKey: ReadonlyMap<string, LoadedApplication>, parentOf: ReadonlyMap<string, { parent: string }>): void {
  for (const start of byKey.keys()) {
    const chain: string[] = [start];
    for (let k = parentOf.get(start)?.parent; k !== undefined; k = parentOf.get(k)?.parent) {
      if (k === start) {
        const files = chain.map((c) => `${c} (${at(byKey.get(c)!.position)})`).join(' → ');
        throw new TreeError(`Applications contain each other in a cycle: ${files} → ${start}; no root creates them: remove one of them from its parent's source`);
      }
      if (chain.includes(k)) {
        break; // a cycle above `start`; reported when the loop reaches one of its members
      }
      chain.push(k);
    }
  }
}

/** The node and all its descendants, parents before children. */
export function subtree(tree: ApplicationTree, key: string): TreeNode[] {
  const out: TreeNode[] = [];
  const walk = (k: string) => {
    const node = tree.nodes.get(k)!;
    out.push(node);
    node.children.forEach(walk);
  };
  walk(key);
  return out;
}
