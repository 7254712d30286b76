import * as fs from 'fs';
import * as path from 'path';
import { readDirectorySnapshot } from './directory-snapshot';
import { fileSystemErrorMessage, shownPath } from './file-system-error';
import { ManifestPath, manifestPathError } from './manifest-path';
import { acquireOutdirLock } from './outdir-lock';
import { OUTDIR_MARKER, OUTDIR_MARKER_CONTENT, TEMP_PREFIX } from './synth-owned-files';
import { planWrite, WritePlan } from './write-plan';

/** What a write did. */
export interface WriteSummary {
  readonly written: number;
  readonly unchanged: number;
  readonly removed: number;
}

// Linux PATH_MAX (4096, including the terminating NUL); macOS allows less (1024) per component chain.
const MAX_PATH_BYTES = 4095;
// Longest temporary file name synth uses: prefix, pid and a counter.
const TEMP_NAME_BYTES = TEMP_PREFIX.length + 24;

/**
 * Writes `files` under `outdir`. Everything is decided before the first write: the outdir is
 * usable, no path is too long, nothing foreign or a symbolic link is in the way, and no other
 * GitOpsApp's outdir is nested here. Then, holding a lock against concurrent synths, each file is
 * written to a temporary name and renamed into place, so a killed synth leaves every file either
 * old or new and the next synth finishes the job. Unchanged files are not rewritten; generated files
 * that are no longer produced are removed, along with folders that this leaves empty. Files
 * without the generated marker are never touched.
 */
export function writeCommittedDirectory(
  outdir: string,
  files: { [relativePath: string]: string },
  log: (line: string) => void = line => console.error(line),
): WriteSummary {
  const root = path.resolve(outdir);
  const shownRoot = shownPath(root);
  const shown = (p: string) => path.join(shownRoot, p);
  const desired = desiredFiles(files);
  checkOutdirPlacement(root, shownRoot);
  checkOutdirCreatable(root);
  checkPathLengths(root, shown, desired);

  const createdFrom = createOutdir(root);
  let release: (() => void) | undefined;
  let plan: WritePlan;
  try {
    // A lock that cannot be created is the outdir's problem (read-only, not ours): name the outdir.
    release = withFileSystemErrors(shownRoot, () => acquireOutdirLock(root, shownRoot, log), true);
    plan = withFileSystemErrors(shownRoot, () => planWrite(readDirectorySnapshot(root), desired, shown));
    checkWritable(root, shown, plan);
  } catch (e) {
    release?.();
    if (createdFrom) removeEmptyFolders(root, createdFrom);
    throw e;
  }
  try {
    return applyPlan(root, plan);
  } finally {
    release();
  }
}

function desiredFiles(files: { [relativePath: string]: string }): Map<ManifestPath, string> {
  const desired = new Map<ManifestPath, string>();
  for (const [file, content] of Object.entries(files)) {
    const error = manifestPathError(file);
    if (error) throw new Error(`Synth failed: file '${file}' ${error}; nothing was written`);
    desired.set(file as ManifestPath, content);
  }
  return desired;
}

/** The outdir is a folder (or does not exist yet), and no folder above it is another GitOpsApp's outdir. */
export function checkOutdirPlacement(root: string, shownRoot: string): void {
  for (let dir = path.dirname(root); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, OUTDIR_MARKER))) {
      throw new Error(`output directory ${shownRoot} is inside ${shownPath(dir)}, the output directory of another GitOpsApp (it holds ${OUTDIR_MARKER}), whose synth would delete these files as stale: give each GitOpsApp its own outdir, not one inside another. Nothing was written.`);
    }
    if (path.dirname(dir) === dir) break;
  }
  let existing = root;
  while (!fs.existsSync(existing)) existing = path.dirname(existing);
  if (!fs.statSync(existing).isDirectory()) {
    throw new Error(existing === root
      ? `output directory ${shownRoot} is a file, not a folder: move the file away or choose another outdir. Nothing was written.`
      : `output directory ${shownRoot} cannot be created: ${shownPath(existing)} is a file, not a folder; move it away or choose another outdir. Nothing was written.`);
  }
}

/** A missing outdir can be created: its nearest existing parent is writable. */
function checkOutdirCreatable(root: string): void {
  let existing = root;
  while (!fs.existsSync(existing)) existing = path.dirname(existing);
  if (existing !== root) {
    withFileSystemErrors(shownPath(existing), () => fs.accessSync(existing, fs.constants.W_OK));
  }
}

function checkPathLengths(root: string, shown: (p: string) => string, files: Map<ManifestPath, string>): void {
  const tooLong: string[] = [];
  for (const file of files.keys()) {
    const folder = path.dirname(path.join(root, file));
    const bytes = Math.max(Buffer.byteLength(path.join(root, file)), Buffer.byteLength(folder) + 1 + TEMP_NAME_BYTES);
    if (bytes > MAX_PATH_BYTES) tooLong.push(shown(file));
  }
  if (tooLong.length > 0) {
    throw new Error(`${tooLong.length} path(s) would be longer than the ${MAX_PATH_BYTES} bytes file systems allow, e.g. ${tooLong[0]}: use a shorter outdir or shorter names. Nothing was written.`);
  }
}

/** Creates the outdir if needed; returns the outermost folder created, to remove if synth is refused. */
function createOutdir(root: string): string | undefined {
  let outermost: string | undefined;
  for (let dir = root; !fs.existsSync(dir); dir = path.dirname(dir)) outermost = dir;
  withFileSystemErrors(shownPath(root), () => fs.mkdirSync(root, { recursive: true }));
  return outermost;
}

/** Every folder synth writes into or removes from is writable (access() also reports read-only file systems to root). */
function checkWritable(root: string, shown: (p: string) => string, plan: WritePlan): void {
  const problems: string[] = [];
  for (const folder of plan.foldersTouched) {
    try {
      fs.accessSync(path.join(root, folder), fs.constants.W_OK);
    } catch (e) {
      problems.push(fileSystemErrorMessage(e, shown(folder)) ?? String(e));
    }
  }
  if (problems.length === 1) throw new Error(`${problems[0]}. Nothing was written.`);
  if (problems.length > 1) throw new Error(`Synth refused to write (nothing was written):\n  - ${problems.join('\n  - ')}`);
}

function applyPlan(root: string, plan: WritePlan): WriteSummary {
  let counter = 0;
  const writeAtomically = (target: string, content: string): void => {
    const temp = path.join(path.dirname(target), `${TEMP_PREFIX}${process.pid}-${counter++}`);
    try {
      fs.writeFileSync(temp, content, { flag: 'wx' });
      fs.renameSync(temp, target);
    } catch (e) {
      fs.rmSync(temp, { force: true });
      throw e;
    }
  };
  let current = root;
  try {
    for (const temp of plan.leftoverTempFiles) fs.rmSync(current = path.join(root, temp), { force: true });
    // The marker goes first, so even a synth killed right after it protects this outdir.
    if (plan.writeMarker) writeAtomically(current = path.join(root, OUTDIR_MARKER), OUTDIR_MARKER_CONTENT);
    for (const folder of plan.foldersToCreate) fs.mkdirSync(current = path.join(root, folder));
    for (const { path: file, content } of plan.writes) writeAtomically(current = path.join(root, file), content);
    for (const file of plan.removals) {
      fs.rmSync(current = path.join(root, file));
      removeEmptyParents(root, path.dirname(current));
    }
  } catch (e) {
    const reason = fileSystemErrorMessage(e, shownPath(current)) ?? String(e);
    throw new Error(`Synth stopped: ${reason}. Every file is either its old or its new version; fix the cause and run synth again to finish.`);
  }
  return { written: plan.writes.length, unchanged: plan.unchanged, removed: plan.removals.length };
}

function removeEmptyParents(root: string, dir: string): void {
  for (let current = dir; current.startsWith(root + path.sep) && fs.readdirSync(current).length === 0; current = path.dirname(current)) {
    fs.rmdirSync(current);
  }
}

/** Removes `dir` and its parents up to `outermost` while they are empty (another synth may be using them). */
function removeEmptyFolders(dir: string, outermost: string): void {
  for (let current = dir; ; current = path.dirname(current)) {
    try {
      fs.rmdirSync(current);
    } catch {
      return;
    }
    if (current === outermost) return;
  }
}

function withFileSystemErrors<T>(shown: string, fn: () => T, nameShownPath = false): T {
  try {
    return fn();
  } catch (e) {
    const message = fileSystemErrorMessage(e, shown, nameShownPath);
    if (message === undefined) throw e;
    throw new Error(`${message}. Nothing was written.`);
  }
}
