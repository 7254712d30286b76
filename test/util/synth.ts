import { parse } from 'yaml';
import { GitOpsApp } from '../../src';

export const REPO = 'https://github.com/acme/gitops.git';

/** A GitOpsApp whose outdir path in the repo is fixed, so tests do not depend on the checkout. */
export function testApp(): GitOpsApp {
  return new GitOpsApp({ repoURL: REPO, outdir: 'manifests', outdirPathInRepo: 'manifests' });
}

/** Parses one synthesized file. */
export function manifest(files: { [path: string]: string }, file: string): any {
  const text = files[file];
  if (text === undefined) throw new Error(`no file ${file}; files: ${Object.keys(files).join(', ')}`);
  return parse(text);
}

/** Runs `fn` with console.log/error silenced (synth prints a summary line). */
export function quietly<T>(fn: () => T): T {
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    return fn();
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}
