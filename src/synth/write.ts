import * as fs from 'fs';
import * as path from 'path';
import { isGeneratedContent } from './generated-file';

/** What a write did. */
export interface WriteSummary {
  readonly written: number;
  readonly unchanged: number;
  readonly removed: number;
}

/**
 * Writes `files` under `outdir`. Unchanged files are not rewritten (so mtimes and editors stay
 * calm); generated files that are no longer produced are removed, along with folders that this
 * leaves empty. Files without the generated marker are never touched: if one is in the way,
 * nothing is written at all.
 */
export function writeCommittedDirectory(outdir: string, files: { [relativePath: string]: string }): WriteSummary {
  // One walk reads what is there; every decision below is made from it, before any write.
  const existing = readManifestFiles(outdir);
  const blocked = Object.keys(files).filter(f => existing.has(f) && !isGeneratedContent(existing.get(f)!));
  if (blocked.length > 0) {
    throw new Error(`${blocked.map(f => path.join(outdir, f)).join(', ')} exist${blocked.length === 1 ? 's' : ''} and ${blocked.length === 1 ? 'was' : 'were'} not written by cdk8s-argocd; move ${blocked.length === 1 ? 'it' : 'them'} away or rename the object that maps to ${blocked.length === 1 ? 'it' : 'them'}. Nothing was written.`);
  }
  let written = 0;
  let unchanged = 0;
  let removed = 0;
  const createdFolders = new Set<string>();
  for (const [relative, content] of Object.entries(files)) {
    if (existing.get(relative) === content) {
      unchanged++;
      continue;
    }
    const target = path.join(outdir, relative);
    const folder = path.dirname(target);
    if (!createdFolders.has(folder)) {
      fs.mkdirSync(folder, { recursive: true });
      createdFolders.add(folder);
    }
    fs.writeFileSync(target, content);
    written++;
  }
  for (const [stale, content] of existing) {
    if (stale in files || !isGeneratedContent(content)) continue;
    fs.rmSync(path.join(outdir, stale));
    removed++;
    removeEmptyParents(outdir, path.dirname(path.join(outdir, stale)));
  }
  return { written, unchanged, removed };
}

/**
 * Every YAML file under `outdir` (POSIX paths relative to it) with its content. Dot-folders are
 * skipped. A missing outdir is empty.
 */
export function readManifestFiles(outdir: string): Map<string, string> {
  const result = new Map<string, string>();
  const walk = (dir: string, prefix: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e: any) {
      if (e.code === 'ENOENT') return;
      throw e;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        walk(full, relative);
      } else if (entry.isFile() && /\.ya?ml$/.test(entry.name)) {
        result.set(relative, fs.readFileSync(full, 'utf8'));
      }
    }
  };
  walk(outdir, '');
  return result;
}

function removeEmptyParents(outdir: string, dir: string): void {
  const root = path.resolve(outdir);
  let current = path.resolve(dir);
  while (current.startsWith(root + path.sep) && fs.readdirSync(current).length === 0) {
    fs.rmdirSync(current);
    current = path.dirname(current);
  }
}
