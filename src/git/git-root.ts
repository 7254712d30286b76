import * as fs from 'fs';
import * as path from 'path';

/**
 * The nearest directory at or above `start` that holds a `.git` entry (a repository, worktree or
 * submodule), if any. A file-system walk rather than `git rev-parse`, so synth needs no git.
 */
export function findGitRoot(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    if (fs.existsSync(path.join(dir, '.git'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Path of `absoluteDir` relative to its Git root, with POSIX separators. Outside a Git repository
 * it is relative to the working directory, which is what Argo CD sees if that becomes the root.
 */
export function pathInGitRepo(absoluteDir: string): string {
  const root = findGitRoot(absoluteDir) ?? process.cwd();
  const relative = path.relative(root, absoluteDir);
  if (relative.startsWith('..')) {
    throw new Error(`output directory ${absoluteDir} is outside the Git repository at ${root}; set outdirPathInRepo`);
  }
  return relative.split(path.sep).join('/') || '.';
}
