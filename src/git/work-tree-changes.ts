import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** `git status --porcelain` of `target` (empty when clean); undefined outside a Git work tree. */
function porcelainStatus(target: string): string | undefined {
  const abs = path.resolve(target);
  const cwd = fs.existsSync(abs) && fs.statSync(abs).isDirectory() ? abs : path.dirname(abs);
  try {
    return execFileSync('git', ['status', '--porcelain', '--untracked-files=normal', '--', abs], {
      cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

/**
 * Whether Git reports uncommitted changes (modified, staged or untracked files) at or below
 * `target`; false outside a Git work tree, where there is nothing to compare with.
 */
export function hasUncommittedChanges(target: string): boolean {
  return !!porcelainStatus(target);
}

/**
 * Whether the files at or below `target` are exactly those of the HEAD commit: inside a Git
 * work tree with no uncommitted changes there. False outside Git (no commit pins the files).
 */
export function matchesHeadCommit(target: string): boolean {
  return porcelainStatus(target) === '';
}
