/**
 * The one form of a path relative to the output directory. Both the writer (desired files) and
 * the stale-file cleanup (files found on disk) key files by it, so they cannot disagree on a path:
 * POSIX separators, no empty, `.` or `..` segments (so it never leaves the outdir), no segment
 * starting with `.` (dot entries are never read back, so a file there would be rewritten forever),
 * and no segment longer than file systems allow.
 */
export type ManifestPath = string & { readonly __manifestPath: true };

/** Longest file or folder name (bytes) on Linux, macOS and Windows file systems. */
export const MAX_NAME_BYTES = 255;

/** Why `segment` cannot be one file or folder name of a manifest path, if it cannot. */
export function pathSegmentError(segment: string): string | undefined {
  if (segment === '') return 'has an empty path segment';
  if (segment === '.' || segment === '..') return `has a '${segment}' segment`;
  if (segment.startsWith('.')) return `has a segment starting with '.' ('${segment}'), which synth skips when it reads the directory back`;
  if (/[\\\u0000-\u001f]/.test(segment)) return `has a backslash or control character in '${segment}'`;
  const bytes = Buffer.byteLength(segment);
  if (bytes > MAX_NAME_BYTES) return `has a name of ${bytes} bytes ('${segment.slice(0, 40)}…'); file systems allow ${MAX_NAME_BYTES}`;
  return undefined;
}

/** Why `value` is not a canonical manifest path, if it is not. */
export function manifestPathError(value: string): string | undefined {
  if (value.startsWith('/')) return 'is absolute';
  for (const segment of value.split('/')) {
    const error = pathSegmentError(segment);
    if (error) return error;
  }
  return undefined;
}

/**
 * Joins a folder ('' = the outdir itself) and a name into a manifest path; throws (naming `where`)
 * if the result is not canonical. The only way render and the directory walk build paths.
 */
export function joinManifestPath(folder: string, name: string, where: string): ManifestPath {
  const joined = folder === '' ? name : `${folder}/${name}`;
  const error = name.includes('/') ? `has a '/' in the file name '${name}'` : manifestPathError(joined);
  if (error) throw new Error(`${where}: path '${joined}' ${error}`);
  return joined as ManifestPath;
}

/** The folders of a manifest path, outermost first: `a/b/c.yaml` → `a`, `a/b`. */
export function parentFolders(file: ManifestPath): ManifestPath[] {
  const segments = file.split('/');
  const folders: ManifestPath[] = [];
  for (let i = 1; i < segments.length; i++) folders.push(segments.slice(0, i).join('/') as ManifestPath);
  return folders;
}

/**
 * A user-given relative path (a folder or file below the outdir) in canonical form: `./x`, `x/`
 * and `x//y` are tidied; `..`, absolute paths, dot names and the outdir itself are refused with a
 * message saying what to use instead.
 */
export function normalizeRelativePath(what: string, value: string): { readonly path?: string; readonly error?: string } {
  const refuse = (why: string) => ({ error: `${what} '${value}' ${why}` });
  if (value.startsWith('/') || /^[a-zA-Z]:/.test(value)) return refuse('must be relative to the output directory, not absolute');
  const segments = value.split('/').filter(s => s !== '' && s !== '.');
  if (segments.includes('..')) return refuse("must stay inside the output directory: remove the '..' segments");
  if (segments.length === 0) return refuse('must name a folder or file below the output directory, not the output directory itself');
  const tidy = segments.join('/');
  const error = manifestPathError(tidy);
  if (error) return refuse(`${error}: use names of letters, digits, '-', '_' and '.', not starting with '.'`);
  return { path: tidy };
}
