import * as path from 'path';
import { createTwoFilesPatch } from 'diff';
import { listGeneratedFiles, readIfExists } from './write';
import { SynthCheckResult } from '../constructs/gitops-app';

const SECRET_KIND = /^kind: Secret$/m;

/** Compares the committed directory with freshly synthesized files. */
export function checkCommittedDirectory(outdir: string, files: { [relativePath: string]: string }): SynthCheckResult {
  const changedFiles: string[] = [];
  const patches: string[] = [];
  for (const [relative, content] of Object.entries(files)) {
    const existing = readIfExists(path.join(outdir, relative));
    if (existing === content) continue;
    changedFiles.push(relative);
    patches.push(patchFor(outdir, relative, existing, content));
  }
  for (const stale of listGeneratedFiles(outdir)) {
    if (stale in files) continue;
    changedFiles.push(stale);
    patches.push(patchFor(outdir, stale, readIfExists(path.join(outdir, stale)), undefined));
  }
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
