import * as fs from 'fs';
import * as path from 'path';
import { ManifestError } from './manifest-error';
import { parseManifests } from './yaml-documents';
import { DesiredObject } from '../model';

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
export function readManifestFile(abs: string, shown: string, stat: fs.Stats = fs.statSync(abs)): string {
  const size = stat.size;
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

/** What a file looked like when it was read: any change to it changes one of these. */
function stampOf(stat: fs.Stats): string {
  return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
}

interface ReadFile {
  readonly stamp: string;
  readonly text: string;
  /** Parsed objects kept for a later request ({@link ManifestFiles.manifests} `keep`); only copies are handed out. */
  kept?: { readonly shown: string; readonly objects: DesiredObject[] };
}

/**
 * The manifest files one run reads, each read once however often the run asks: a whole-tree sync
 * reads every file to find the Applications, then the files of each Application's source (the
 * parent's source holds its children's Application files, parsed once for both), then every file
 * again for top-level AppProjects and ApplicationSets. A file whose size, inode or times changed
 * since it was read is read again. Create one per run (a command), not per process: a long-lived
 * process must see files that change between runs even within the file system's time granularity.
 */
export class ManifestFiles {
  private readonly files = new Map<string, ReadFile>();

  /** The file's text, as {@link readManifestFile} reads it (and refuses it). */
  text(abs: string, shown: string): string {
    return this.read(abs, shown).text;
  }

  /**
   * The file's Kubernetes objects ({@link parseManifests}). With `keep`, the objects are kept for
   * the run's next request of the file, and each request gets its own copy (callers may change
   * the objects they get: the engine adds tracking metadata to desired objects). Without it
   * nothing parsed is kept: most files are parsed once, and keeping thousands of parsed files
   * would cost more in memory and garbage collection than parsing them again would.
   */
  manifests(abs: string, shown: string, options: { readonly keep?: boolean; readonly stat?: fs.Stats } = {}): DesiredObject[] {
    const file = this.read(abs, shown, options.stat);
    if (file.kept?.shown === shown) {
      return structuredClone(file.kept.objects);
    }
    const objects = parseManifests(file.text, shown);
    if (!options.keep) {
      return objects;
    }
    file.kept = { shown, objects };
    return structuredClone(objects);
  }

  /** The text of a file this run has already read and that has not changed since; undefined otherwise. */
  textIfRead(file: string): string | undefined {
    const abs = path.resolve(file);
    const known = this.files.get(abs);
    if (!known) {
      return undefined;
    }
    try {
      return stampOf(fs.statSync(abs)) === known.stamp ? known.text : undefined;
    } catch {
      return undefined;
    }
  }

  private read(file: string, shown: string, given?: fs.Stats): ReadFile {
    const abs = path.resolve(file);
    const stat = given ?? fs.statSync(abs);
    const stamp = stampOf(stat);
    const known = this.files.get(abs);
    if (known?.stamp === stamp) {
      return known;
    }
    // Refused files (too large, binary) are not kept: asking again throws the same error again.
    const read: ReadFile = { stamp, text: readManifestFile(abs, shown, stat) };
    this.files.set(abs, read);
    return read;
  }
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
