import * as fs from 'fs';
import * as path from 'path';
import { ManifestError } from './manifest-error';

/**
 * The most manifest bytes one directory source may hold: Argo CD's repo-server default
 * (`reposerver.max.combined.directory.manifests.size`, 10M), which it introduced because a large
 * (or crafted) YAML file costs hundreds of times its size in memory — here 50 MB took 44 s and 1.8 GB.
 */
export const MAX_MANIFEST_BYTES = 10_000_000;

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** A file with a manifest extension that holds binary data (an image, an archive). */
export class BinaryFileError extends ManifestError {}

/** A manifest file's text, refusing files over {@link MAX_MANIFEST_BYTES} and files that are not UTF-8 text. */
export function readManifestFile(abs: string, shown: string): string {
  const size = fs.statSync(abs).size;
  if (size > MAX_MANIFEST_BYTES) {
    throw new ManifestError({ file: shown, line: 1 }, `${megabytes(size)} is more than the ${megabytes(MAX_MANIFEST_BYTES)} a manifest source may hold (Argo CD's limit); split the file or render it elsewhere`);
  }
  const bytes = fs.readFileSync(abs);
  const nul = bytes.indexOf(0);
  let text: string | undefined;
  try {
    text = UTF8.decode(bytes);
  } catch {
    text = undefined;
  }
  if (nul >= 0 || text === undefined) {
    // Say where, never echo the bytes: a binary file's contents mean nothing on a terminal.
    const at = Math.min(nul >= 0 ? nul : bytes.length, text === undefined ? firstInvalidUtf8(bytes) : bytes.length);
    const line = bytes.subarray(0, at).toString('latin1').split('\n').length;
    throw new BinaryFileError({ file: shown, line }, `not a text manifest (binary data at byte ${at}); remove it, or rename it so it does not end in ${path.extname(abs) || '.yaml'}`);
  }
  return text;
}

function firstInvalidUtf8(bytes: Buffer): number {
  // Decoding stops at the first bad sequence; bisect for its offset.
  let lo = 0;
  let hi = bytes.length;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid;
    }
  }
  return lo;
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}
