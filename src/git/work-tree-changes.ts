import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/**
 * Whether Git reports uncommitted changes (modified, staged or untracked files) at or below
 * `target`; false outside a Git work tree, where there is nothing to compare with.
 */
export function hasUncommittedChanges(target: string): boolean {
  const abs = path.resolve(target);
  const cwd = fs.existsSync(abs) && fs.statSync(abs).isDirectory() ? abs : path.dirname(abs);
  try {
    const out = execFileSync('git', ['status', '--porcelain', '--untracked-files=normal', '--', abs], {
      cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.trim().length > 0;
  } catch {
    return false;
  }
}
