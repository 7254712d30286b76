import * as fs from 'fs';
import * as path from 'path';

/**
 * Why `target` may not be read as part of the repository at `repoRoot`, or undefined when it may.
 * Argo CD's repo-server refuses paths that leave the repository, including through symlinks
 * (`--allow-oob-symlinks` is off by default): otherwise an Application could apply any YAML on the
 * machine, e.g. `source.path: ../../home/me/.kube`.
 */
export function outsideRepository(repoRoot: string, target: string): string | undefined {
  const rel = path.relative(repoRoot, target);
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    return 'is outside the repository';
  }
  if (!fs.existsSync(target)) {
    return undefined;
  }
  const real = fs.realpathSync(target);
  const realRoot = fs.realpathSync(repoRoot);
  const realRel = path.relative(realRoot, real);
  if (realRel === '..' || realRel.startsWith(`..${path.sep}`) || path.isAbsolute(realRel)) {
    return `is a symlink (or goes through one) to ${real}, outside the repository`;
  }
  return undefined;
}
