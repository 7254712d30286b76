import { DirectorySnapshot } from './directory-snapshot';
import { GENERATED_MARKER, isGeneratedContent } from './generated-file';
import { ManifestPath, parentFolders } from './manifest-path';
import { OUTDIR_MARKER } from './synth-owned-files';

/** Everything a synth will do to the output directory, decided before any write. */
export interface WritePlan {
  /** New or changed files, in the order given. */
  readonly writes: ReadonlyArray<{ readonly path: ManifestPath; readonly content: string }>;
  readonly unchanged: number;
  /** Generated files synth no longer produces. */
  readonly removals: readonly ManifestPath[];
  /** Folders to create, outermost first. */
  readonly foldersToCreate: readonly ManifestPath[];
  /** Existing folders synth writes into or removes from (outdir = ''). */
  readonly foldersTouched: readonly string[];
  readonly leftoverTempFiles: readonly string[];
  readonly writeMarker: boolean;
}

/**
 * Decides what to write and what to remove. Pure: all problems (foreign files in the way,
 * symbolic links, files where folders must be, another GitOpsApp's outdir inside this one) are
 * collected and thrown together, so a refused synth writes nothing. `shown` turns a manifest path
 * into the path users see in messages.
 */
export function planWrite(snapshot: DirectorySnapshot, files: ReadonlyMap<ManifestPath, string>, shown: (p: string) => string): WritePlan {
  const problems = new Set<string>();
  for (const nested of snapshot.nestedOutdirs) {
    problems.add(`${shown(nested)} is the output directory of another GitOpsApp (it holds ${OUTDIR_MARKER}), and synth would delete its files as stale: give each GitOpsApp its own outdir, not one inside another`);
  }
  const writes: Array<{ path: ManifestPath; content: string }> = [];
  const foldersToCreate = new Set<ManifestPath>();
  const foldersTouched = new Set<string>();
  let unchanged = 0;
  for (const [file, content] of files) {
    let parent = '';
    for (const folder of parentFolders(file)) {
      const kind = snapshot.entries.get(folder);
      if (kind === 'symlink') {
        problems.add(`${shown(folder)} is a symbolic link, and synth does not write through symbolic links: replace it with a real folder`);
      } else if (kind === 'file' || kind === 'other') {
        problems.add(`${shown(folder)} is a file, but synth needs a folder there for ${shown(file)}: move the file away`);
      } else if (kind === undefined) {
        if (!foldersToCreate.has(folder)) foldersTouched.add(parent);
        foldersToCreate.add(folder);
      }
      parent = folder;
    }
    const kind = snapshot.entries.get(file);
    const before = snapshot.manifests.get(file);
    if (kind === 'symlink') {
      problems.add(`${shown(file)} is a symbolic link, and synth does not write through symbolic links: delete the link (synth writes a real file there)`);
    } else if (kind === 'folder' || kind === 'other') {
      problems.add(`${shown(file)} is a ${kind === 'folder' ? 'folder' : 'special file'}, but synth writes a manifest there: move it away`);
    } else if (before === content) {
      unchanged++;
    } else if (before === undefined || GENERATED_MARKER.startsWith(before) || isGeneratedContent(before)) {
      // An empty file, or one cut off inside the marker, holds nothing to lose: older versions,
      // which wrote in place, left these when killed mid-write.
      writes.push({ path: file, content });
      foldersTouched.add(parent);
    } else {
      problems.add(`${shown(file)} exists and was not written by cdk8s-argocd: move it away or rename the object that maps to it`);
    }
  }
  const removals: ManifestPath[] = [];
  for (const [file, content] of snapshot.manifests) {
    if (files.has(file) || !isGeneratedContent(content)) continue;
    removals.push(file);
    foldersTouched.add(parentFolders(file).pop() ?? '');
  }
  if (problems.size > 0) {
    const list = [...problems];
    throw new Error(list.length === 1
      ? `${list[0]}. Nothing was written.`
      : `Synth refused to write (nothing was written):\n  - ${list.join('\n  - ')}`);
  }
  if (!snapshot.hasMarker) foldersTouched.add('');
  for (const temp of snapshot.leftoverTempFiles) foldersTouched.add(temp.includes('/') ? temp.slice(0, temp.lastIndexOf('/')) : '');
  return {
    writes,
    unchanged,
    removals,
    foldersToCreate: [...foldersToCreate],
    foldersTouched: [...foldersTouched].filter(f => !foldersToCreate.has(f as ManifestPath)),
    leftoverTempFiles: snapshot.leftoverTempFiles,
    writeMarker: !snapshot.hasMarker,
  };
}
