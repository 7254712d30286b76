import * as fs from 'fs';
import * as path from 'path';

/**
 * Everything under `dir` (dot entries included, symlinks not followed): type, mode, and file
 * content or link target, keyed by relative path. Two equal trees mean nothing was written.
 */
export function directoryTree(dir: string): Record<string, string> {
  const tree: Record<string, string> = {};
  const visit = (full: string, relative: string): void => {
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(full);
    } catch (e: any) {
      if (e.code === 'ENOENT') return;
      throw e;
    }
    const mode = (stat.mode % 0o10000).toString(8);
    if (stat.isSymbolicLink()) {
      tree[relative] = `symlink -> ${fs.readlinkSync(full)}`;
    } else if (stat.isDirectory()) {
      tree[relative] = `dir ${mode}`;
      for (const name of fs.readdirSync(full).sort()) visit(path.join(full, name), relative === '.' ? name : `${relative}/${name}`);
    } else {
      tree[relative] = `file ${mode} ${fs.readFileSync(full, 'utf8')}`;
    }
  };
  visit(dir, '.');
  return tree;
}
