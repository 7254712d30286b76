import { ApplicationTree, subtree } from './application-tree';

/** Which part of the tree a command runs. */
export interface TreeSelection {
  /** Keys the run starts with (started by the user, not by a parent). */
  readonly starts: readonly string[];
  /** Keys a parent's sync may go on to reconcile when it applies their Application object. */
  readonly members: ReadonlySet<string>;
}

/**
 * Without names: every root and the whole tree below it. With names (`--app`): those
 * Applications only, or with `recursive` each one's subtree (a named Application inside another
 * named one's subtree is then reached through its parent, not started twice). `where` (the path
 * read) is named when a name is unknown.
 */
export function selectTree(tree: ApplicationTree, names: readonly string[], recursive: boolean, where?: string): TreeSelection {
  if (names.length === 0) {
    return { starts: tree.roots, members: new Set(tree.nodes.keys()) };
  }
  const keys = names.map((name) => {
    const matches = [...tree.nodes.values()].filter((n) => n.app.name === name || n.key === name);
    if (matches.length === 0) {
      const known = [...new Set([...tree.nodes.values()].map((n) => n.app.name))].sort().join(', ') || 'none';
      throw new Error(`no Application named '${name}'${where ? ` in ${where}` : ''} (found: ${known})`);
    }
    if (matches.length > 1) {
      throw new Error(`Application name '${name}' is ambiguous (${matches.map((m) => m.key).join(', ')}): name it as namespace/name`);
    }
    return matches[0].key;
  });
  if (!recursive) {
    return { starts: [...new Set(keys)], members: new Set(keys) };
  }
  const members = new Set<string>();
  for (const key of keys) {
    subtree(tree, key).forEach((n) => members.add(n.key));
  }
  const starts = [...new Set(keys)].filter((key) => {
    for (let p = tree.nodes.get(key)!.parent; p !== undefined; p = tree.nodes.get(p)!.parent) {
      if (keys.includes(p)) {
        return false;
      }
    }
    return true;
  });
  return { starts, members };
}
