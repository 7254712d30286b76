import * as path from 'path';

/**
 * One line for a file-system error during synth: the path (as the user sees it; `shown` unless the
 * error names one, or always with `alwaysShown`), what went wrong in words, and what to do.
 * Returns undefined for errors that are not file-system errors.
 */
export function fileSystemErrorMessage(error: unknown, shown: string, alwaysShown = false): string | undefined {
  const e = error as NodeJS.ErrnoException;
  if (!e || typeof e.code !== 'string' || !/^E[A-Z]+$/.test(e.code)) return undefined;
  const where = e.path && !alwaysShown ? shownPath(e.path) : shown;
  switch (e.code) {
    case 'EACCES':
    case 'EPERM':
      return `${where}: permission denied: make it writable for this user (e.g. chmod u+w) or run synth as its owner`;
    case 'EROFS':
      return `${where} is on a read-only file system: synthesize into a writable directory`;
    case 'ENOSPC':
    case 'EDQUOT':
      return `${where}: no space left on the device: free some space and run synth again`;
    case 'ENOTDIR':
      return `${where}: part of this path is a file, not a folder: move that file away or choose another outdir`;
    case 'ENAMETOOLONG':
      return `${where}: the path is too long for the file system: use a shorter outdir or shorter names`;
    case 'ELOOP':
      return `${where}: too many levels of symbolic links: replace the links with real folders`;
    default:
      return `${where}: ${e.code} (${e.message}): fix the cause and run synth again`;
  }
}

/** `p` relative to the working directory when it is below it, else absolute. */
export function shownPath(p: string): string {
  const relative = path.relative(process.cwd(), p);
  return relative === '' ? '.' : relative.startsWith('..') || path.isAbsolute(relative) ? p : relative;
}
