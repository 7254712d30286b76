import * as fs from 'fs';
import * as path from 'path';
import { minimatch } from 'minimatch';
import { DesiredObject } from '../model';
import { parseManifests } from './yaml-documents';

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
 * Reads every manifest of a directory source. `displayRoot` is what file names in positions are
 * relative to (the repository root), so errors point at the file a user can open.
 */
export function loadDirectorySource(dir: string, options: DirectorySourceOptions, displayRoot: string): DesiredObject[] {
  const out: DesiredObject[] = [];
  for (const rel of listManifestFiles(dir, options)) {
    const abs = path.join(dir, rel);
    const shown = path.relative(displayRoot, abs) || rel;
    out.push(...parseManifests(fs.readFileSync(abs, 'utf8'), shown.startsWith('..') ? abs : shown));
  }
  return out;
}
