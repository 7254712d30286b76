import * as fs from 'fs';
import * as path from 'path';
import { joinManifestPath, ManifestPath } from './manifest-path';
import { OUTDIR_MARKER, TEMP_PREFIX } from './synth-owned-files';

/** What an entry of the output directory is; symbolic links are never followed. */
export type EntryKind = 'file' | 'folder' | 'symlink' | 'other';

/** One read of the output directory, from which every write decision is made. */
export interface DirectorySnapshot {
  /** Whether the output directory exists. */
  readonly exists: boolean;
  /** Every entry below the outdir except dot entries. */
  readonly entries: ReadonlyMap<ManifestPath, EntryKind>;
  /** Content of every regular `.yaml`/`.yml` file among `entries`. */
  readonly manifests: ReadonlyMap<ManifestPath, string>;
  /** Temporary files a killed synth left behind (relative to the outdir). */
  readonly leftoverTempFiles: readonly string[];
  /** Folders below the outdir that hold another GitOpsApp's outdir marker. */
  readonly nestedOutdirs: readonly string[];
  /** Whether the outdir itself holds the outdir marker. */
  readonly hasMarker: boolean;
}

/**
 * Reads the whole output directory once. Paths are built with `joinManifestPath`, the same
 * function render uses, so a file on disk and a file synth writes have one key.
 */
export function readDirectorySnapshot(outdir: string): DirectorySnapshot {
  const entries = new Map<ManifestPath, EntryKind>();
  const manifests = new Map<ManifestPath, string>();
  const leftoverTempFiles: string[] = [];
  const nestedOutdirs: string[] = [];
  let hasMarker = false;

  const walk = (dir: string, folder: string): boolean => {
    let dirents: fs.Dirent[];
    try {
      dirents = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e: any) {
      if (e.code === 'ENOENT' && folder === '') return false;
      throw e;
    }
    for (const dirent of dirents) {
      const relative = folder ? `${folder}/${dirent.name}` : dirent.name;
      if (dirent.name.startsWith(TEMP_PREFIX) && dirent.isFile()) leftoverTempFiles.push(relative);
      if (dirent.name === OUTDIR_MARKER) {
        if (folder === '') hasMarker = true; else nestedOutdirs.push(folder);
      }
      if (dirent.name.startsWith('.')) continue;
      let key: ManifestPath;
      try {
        key = joinManifestPath(folder, dirent.name, 'directory entry');
      } catch {
        continue; // a name no manifest path can have (e.g. a control character) is never ours
      }
      const full = path.join(dir, dirent.name);
      if (dirent.isSymbolicLink()) {
        entries.set(key, 'symlink');
      } else if (dirent.isDirectory()) {
        entries.set(key, 'folder');
        walk(full, key);
      } else if (dirent.isFile()) {
        entries.set(key, 'file');
        if (/\.ya?ml$/.test(dirent.name)) manifests.set(key, fs.readFileSync(full, 'utf8'));
      } else {
        entries.set(key, 'other');
      }
    }
    return true;
  };
  const exists = walk(outdir, '');
  return { exists, entries, manifests, leftoverTempFiles, nestedOutdirs, hasMarker };
}
