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
 * leaves empty. Files without the generated marker are never touched.
 */
export function writeCommittedDirectory(outdir: string, files: { [relativePath: string]: string }): WriteSummary {
  let written = 0;
  let unchanged = 0;
  let removed = 0;
  fs.mkdirSync(outdir, { recursive: true });
  const createdFolders = new Set<string>();
  for (const [relative, content] of Object.entries(files)) {
    const target = path.join(outdir, relative);
    const existing = readIfExists(target);
    if (existing === content) {
      unchanged++;
      continue;
    }
    if (existing !== undefined && !isGeneratedContent(existing)) {
      throw new Error(`${target} exists and was not written by cdk8s-argocd; move it away or rename the object that maps to it`);
    }
    const folder = path.dirname(target);
    if (!createdFolders.has(folder)) {
      fs.mkdirSync(folder, { recursive: true });
      createdFolders.add(folder);
    }
    fs.writeFileSync(target, content);
    written++;
  }
  for (const stale of listGeneratedFiles(outdir)) {
    if (stale in files) continue;
    fs.rmSync(path.join(outdir, stale));
    removed++;
    removeEmptyParents(outdir, path.dirname(path.join(outdir, stale)));
  }
  return { written, unchanged, removed };
}

/** Generated files under `outdir`, as POSIX paths relative to it. */
export function listGeneratedFiles(outdir: string): string[] {
  const result: string[] = [];
  const walk = (dir: string, prefix: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        walk(full, relative);
      } else if (entry.isFile() && /\.ya?ml$/.test(entry.name) && isGeneratedContent(readHead(full))) {
        result.push(relative);
      }
    }
  };
  walk(outdir, '');
  return result.sort();
}

export function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e: any) {
    if (e.code === 'ENOENT' || e.code === 'EISDIR') return undefined;
    throw e;
  }
}

function readHead(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(64);
    const n = fs.readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, n).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

function removeEmptyParents(outdir: string, dir: string): void {
  const root = path.resolve(outdir);
  let current = path.resolve(dir);
  while (current.startsWith(root + path.sep) && fs.readdirSync(current).length === 0) {
    fs.rmdirSync(current);
    current = path.dirname(current);
  }
}
