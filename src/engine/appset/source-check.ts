/**
 * Preview-time check of generated Applications: the source folders and Helm value files they name
 * must exist in the repository, as a sync of each would require (same rules and wording as the
 * sync: argo/source-paths.ts). Reads the repository through the same GitSource as git
 * generators, so a working tree, a revision or a test fixture all behave the same.
 */
import * as path from 'path';
import { GitSource } from './git-source';
import { missingSourcePaths, PathKind } from '../../argo/source-paths';
import { ApplicationSourceSpec } from '../application-spec';

export interface SourceCheckOptions {
  /** Files that exist besides the repository's (POSIX, relative to its root): what the running synth writes. */
  readonly extraFiles?: readonly string[];
}

/**
 * One message per missing path, naming the ApplicationSet, the generated Application and the
 * path. Sources of repositories `git` cannot read (another repository, no checkout) are not checked.
 */
export function checkGeneratedSources(appSet: string, applications: readonly any[], git: GitSource, options: SourceCheckOptions = {}): string[] {
  const listings = new Map<string, { files: Set<string>; dirs: Set<string> } | null>();
  const listing = (repoURL: string) => {
    if (!listings.has(repoURL)) {
      let files: string[] | undefined;
      try {
        files = git.listFiles(repoURL, '');
      } catch {
        files = undefined; // Not available offline: a sync would read it elsewhere.
      }
      if (!files) {
        listings.set(repoURL, null);
      } else {
        const all = new Set([...files, ...(options.extraFiles ?? [])]);
        const dirs = new Set<string>(['.']);
        for (const f of all) {
          for (let d = path.posix.dirname(f); d !== '.' && !dirs.has(d); d = path.posix.dirname(d)) dirs.add(d);
        }
        listings.set(repoURL, { files: all, dirs });
      }
    }
    return listings.get(repoURL)!;
  };
  const kindOf = (repoURL: string | undefined, repoPath: string): PathKind | null => {
    const l = listing(repoURL ?? '');
    if (!l) return null;
    return l.files.has(repoPath) ? 'file' : l.dirs.has(repoPath) ? 'dir' : undefined;
  };
  const problems: string[] = [];
  for (const app of applications) {
    const spec = app?.spec ?? {};
    const sources: ApplicationSourceSpec[] = spec.sources ?? (spec.source ? [spec.source] : []);
    for (const p of missingSourcePaths(sources, !!spec.sources, kindOf)) {
      problems.push(`ApplicationSet '${appSet}': Application '${app.metadata?.name}': ${p}`);
    }
  }
  return problems;
}
