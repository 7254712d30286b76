/**
 * The repository paths an Application's sources name — `source.path` and Helm `valueFiles` — and
 * the ones that do not exist, worded once for the sync (engine/load/render-source.ts) and for ApplicationSet
 * previews (engine/appset/source-check.ts), so a preview reports what a sync would.
 */
import * as path from 'path';

/** The fields of an Application source (argoproj.io/v1alpha1) these rules read. */
export interface SourcePathFields {
  readonly repoURL?: string;
  readonly path?: string;
  readonly chart?: string;
  readonly ref?: string;
  readonly helm?: { readonly valueFiles?: readonly string[]; readonly ignoreMissingValueFiles?: boolean };
}

/** What a repository path is: a file, a folder, or nothing. */
export type PathKind = 'file' | 'dir' | undefined;

/** Argo CD's `$<ref>/…` value file: a path in the repository of the source with that `ref`. */
const REF_VALUE_FILE = /^\$([^/]+)\/(.*)$/;

/** A value file Argo CD fetches over HTTP(S) rather than reading from a repository. */
function isRemote(file: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(file);
}

/** The sentence for a value file that is not there; `shown` is its repository path. */
export function missingValueFileMessage(field: string, file: string, shown: string): string {
  return `${field} ${file}: ${shown} does not exist in the repository, so a sync fails `
    + '(create it, fix the name, or set helm.ignoreMissingValueFiles: true to skip missing value files as Argo CD does)';
}

/** The sentence for a source folder that is not there. */
export function missingSourcePathMessage(field: string, sourcePath: string): string {
  return `${field} ${sourcePath} does not exist in the repository, so a sync fails (Argo CD: app path does not exist)`;
}

/**
 * What a sync would refuse in `sources` because a path is not in the repository: a source folder
 * that is missing (or a file), and Helm value files that are missing unless
 * `helm.ignoreMissingValueFiles`. `kindOf(repo, path)` answers for a repository path (POSIX,
 * relative to its root) of the source's `repoURL`, or returns `null` when that repository cannot be
 * read here (then it is not checked). Chart sources and remote value files are not checked;
 * paths leaving the repository are the loader's business.
 */
export function missingSourcePaths(
  sources: readonly SourcePathFields[], multi: boolean, kindOf: (repoURL: string | undefined, repoPath: string) => PathKind | null,
): string[] {
  const problems: string[] = [];
  sources.forEach((source, i) => {
    const at = multi ? `spec.sources[${i}]` : 'spec.source';
    if (source.chart || source.path === undefined) return;
    const dir = path.posix.normalize(source.path || '.').replace(/(.)\/+$/, '$1');
    if (dir.startsWith('../') || path.posix.isAbsolute(dir)) return;
    const kind = kindOf(source.repoURL, dir);
    if (kind === null) return;
    if (kind !== 'dir') {
      problems.push(missingSourcePathMessage(`${at}.path`, source.path));
      return;
    }
    if (source.helm?.ignoreMissingValueFiles) return;
    for (const file of source.helm?.valueFiles ?? []) {
      if (isRemote(file)) continue;
      const ref = REF_VALUE_FILE.exec(file);
      const from = ref ? sources.find((s) => s.ref === ref[1]) : source;
      if (!from) continue; // An unknown $ref is the loader's error.
      const repoPath = path.posix.normalize(ref ? ref[2] : path.posix.join(dir, file));
      if (repoPath.startsWith('../') || path.posix.isAbsolute(repoPath)) continue;
      const found = kindOf(from.repoURL, repoPath);
      if (found !== null && found !== 'file') {
        problems.push(missingValueFileMessage(`${at}.helm.valueFiles`, file, repoPath));
      }
    }
  });
  return problems;
}
