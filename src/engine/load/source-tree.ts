import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findGitRoot } from '../../git/git-root';

/** The Git work tree containing `dir` (its top level, symlinks resolved as git does), or undefined outside Git. */
export function gitRoot(dir: string): string | undefined {
  const root = findGitRoot(dir);
  return root === undefined ? undefined : fs.realpathSync(root);
}

/** Full commit id of `rev` in the repository at `root`, or undefined when it is not a Git repository. */
export function resolveRevision(root: string, rev: string): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--verify', `${rev}^{commit}`], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    return undefined;
  }
}

/**
 * Materializes the committed tree of `rev` into a temporary directory (`git archive`), so
 * directory, Kustomize and Helm sources read a revision exactly as they read the work tree —
 * including Kustomize bases outside the Application's folder. The caller removes it.
 */
export function checkoutRevision(root: string, rev: string): string {
  const commit = resolveRevision(root, rev);
  if (!commit) {
    throw new Error(`--revision ${rev}: not a commit in the Git repository at ${root}`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-argocd-rev-'));
  const tar = execFileSync('git', ['archive', '--format=tar', commit], { cwd: root, maxBuffer: 1024 * 1024 * 1024 });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  return dir;
}
