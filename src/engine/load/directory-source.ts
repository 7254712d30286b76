import * as fs from 'fs';
import * as path from 'path';
import { minimatch } from 'minimatch';
import { DesiredObject } from '../model';
import { ManifestError } from './manifest-error';
import { ManifestFiles, MAX_MANIFEST_BYTES, megabytes } from './manifest-file';
import { outsideRepository } from './repository-path';

export interface DirectorySourceOptions {
  /** Descend into subdirectories (Argo CD `directory.recurse`, default false). */
  readonly recurse?: boolean;
  /** Glob over paths relative to the source folder; only matching files are read. */
  readonly include?: string;
  /** Glob over paths relative to the source folder; matching files are skipped. */
  readonly exclude?: string;
}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

function matches(pattern: string, rel: string): boolean {
  // Argo CD writes several globs as `{a,b}`, which minimatch's brace expansion reads the same way.
  return minimatch(rel, pattern, { dot: true });
}

/** Manifest files of a directory source, sorted by path as Argo CD's repo-server reads them. */
export function listManifestFiles(dir: string, options: DirectorySourceOptions = {}): string[] {
  const files: string[] = [];
  const walk = (rel: string) => {
    const entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (options.recurse && !e.name.startsWith('.')) {
          walk(childRel);
        }
        continue;
      }
      if (!MANIFEST_EXTENSIONS.has(path.extname(e.name).toLowerCase())) {
        continue;
      }
      if (options.exclude && matches(options.exclude, childRel)) {
        continue;
      }
      if (options.include && !matches(options.include, childRel)) {
        continue;
      }
      files.push(childRel);
    }
  };
  walk('');
  return files;
}

/**
 * Reads every manifest of a directory source. `repoRoot` is what file names in positions are
 * relative to, so errors point at the file a user can open; no file may resolve outside it, and
 * all files together may hold at most {@link MAX_MANIFEST_BYTES} (checked before any is parsed).
 * `files` are the run's reads, so a file the run has already read is not read again.
 */
export function loadDirectorySource(dir: string, options: DirectorySourceOptions, repoRoot: string, files = new ManifestFiles()): DesiredObject[] {
  const manifests = listManifestFiles(dir, options).map((rel) => {
    const abs = path.join(dir, rel);
    const shown = path.relative(repoRoot, abs) || rel;
    const outside = outsideRepository(repoRoot, abs);
    if (outside) {
      throw new ManifestError({ file: shown, line: 1 }, `${outside}; Argo CD refuses files outside the repository: copy the file into the repository instead`);
    }
    return { abs, shown, stat: fs.statSync(abs) };
  });
  const total = manifests.reduce((sum, f) => sum + f.stat.size, 0);
  if (total > MAX_MANIFEST_BYTES) {
    const largest = manifests.reduce((a, b) => (b.stat.size > a.stat.size ? b : a));
    throw new Error(`${path.relative(repoRoot, dir) || '.'}: the manifests add up to ${megabytes(total)}, more than the ${megabytes(MAX_MANIFEST_BYTES)} a directory source may hold (Argo CD's limit; the largest is ${largest.shown}, ${megabytes(largest.stat.size)}); split the Application`);
  }
  return manifests.flatMap((f) => files.manifests(f.abs, f.shown, { stat: f.stat }));
}
