import * as path from 'path';
import { createTwoFilesPatch } from 'diff';
import { readDirectorySnapshot } from './directory-snapshot';
import { fileSystemErrorMessage, shownPath } from './file-system-error';
import { ManifestPath, manifestPathError } from './manifest-path';
import { checkOutdirPlacement } from './write';
import { planWrite } from './write-plan';

const SECRET_KIND = /^kind: Secret$/m;

/**
 * Compares the committed directory with freshly synthesized files, through the same plan synth
 * writes by: what it would write or remove is what differs, and what would stop synth stops the check.
 */
/** What `GitOpsApp.check()` found. */
export interface SynthCheckResult {
  /** True when the committed directory matches what the code synthesizes. */
  readonly upToDate: boolean;
  /** Files that would be created, changed or removed, relative to outdir. */
  readonly changedFiles: string[];
  /** A readable unified diff of the changes (Secret values hidden). */
  readonly diff: string;
}

export function checkCommittedDirectory(outdir: string, files: { [relativePath: string]: string }): SynthCheckResult {
  const root = path.resolve(outdir);
  const shownRoot = shownPath(root);
  const desired = new Map<ManifestPath, string>();
  for (const [file, content] of Object.entries(files)) {
    const error = manifestPathError(file);
    if (error) throw new Error(`Synth check failed: file '${file}' ${error}`);
    desired.set(file as ManifestPath, content);
  }
  checkOutdirPlacement(root, shownRoot);
  let snapshot;
  try {
    snapshot = readDirectorySnapshot(root);
  } catch (e) {
    const message = fileSystemErrorMessage(e, shownRoot);
    if (message === undefined) throw e;
    throw new Error(`cannot read ${shownRoot}: ${message}`);
  }
  const plan = planWrite(snapshot, desired, p => path.join(shownRoot, p));
  const patches = [
    ...plan.writes.map(w => patchFor(outdir, w.path, snapshot.manifests.get(w.path), w.content)),
    ...plan.removals.map(r => patchFor(outdir, r, snapshot.manifests.get(r), undefined)),
  ];
  const changedFiles = [...plan.writes.map(w => w.path), ...plan.removals];
  return { upToDate: changedFiles.length === 0, changedFiles, diff: patches.join('') };
}

function patchFor(outdir: string, relative: string, before: string | undefined, after: string | undefined): string {
  const name = path.join(outdir, relative);
  const label = before === undefined ? 'new file' : after === undefined ? 'stale file, synth removes it' : 'changed';
  if (SECRET_KIND.test(before ?? '') || SECRET_KIND.test(after ?? '')) {
    return `--- ${name}\n+++ ${name}\n(${label}: Secret, values hidden)\n`;
  }
  return createTwoFilesPatch(
    before === undefined ? '/dev/null' : `${name} (committed)`,
    after === undefined ? '/dev/null' : `${name} (synthesized)`,
    before ?? '', after ?? '', undefined, label, { context: 3 },
  );
}
