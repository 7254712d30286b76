import * as path from 'path';
import { createTwoFilesPatch } from 'diff';
import { isGeneratedContent } from './generated-file';
import { readManifestFiles } from './write';
import { SynthCheckResult } from '../constructs/gitops-app';

const SECRET_KIND = /^kind: Secret$/m;

/** Compares the committed directory with freshly synthesized files. */
export function checkCommittedDirectory(outdir: string, files: { [relativePath: string]: string }): SynthCheckResult {
  const existing = readManifestFiles(outdir);
  const changedFiles: string[] = [];
  const patches: string[] = [];
  for (const [relative, content] of Object.entries(files)) {
    const before = existing.get(relative);
    if (before === content) continue;
    changedFiles.push(relative);
    patches.push(patchFor(outdir, relative, before, content));
  }
  for (const [stale, content] of existing) {
    if (stale in files || !isGeneratedContent(content)) continue;
    changedFiles.push(stale);
    patches.push(patchFor(outdir, stale, content, undefined));
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
