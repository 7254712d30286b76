import { minimatch } from 'minimatch';

/**
 * The glob dialects Argo CD's git generator uses. Directories are matched with Go's `path.Match`
 * (`*` stays within one path segment); files, by default, with `git ls-files -- <pattern>` pathspec
 * globbing, where `*` also matches `/` (so `apps/*.json` finds `apps/a/b.json`); with Argo CD's
 * `applicationsetcontroller.enable.new.git.file.globbing` they use doublestar (`**` for any depth).
 */

function classToRegex(pattern: string, i: number): { source: string; next: number } {
  let j = i + 1;
  let negate = false;
  if (pattern[j] === '^' || pattern[j] === '!') {
    negate = true;
    j++;
  }
  let body = '';
  let first = true;
  while (j < pattern.length && (pattern[j] !== ']' || first)) {
    const c = pattern[j];
    body += c === '\\' ? '\\' + pattern[++j] : /[\]\\^]/.test(c) ? '\\' + c : c;
    j++;
    first = false;
  }
  if (j >= pattern.length) throw new Error(`syntax error in pattern '${pattern}'`);
  return { source: `[${negate ? '^' : ''}${body}]`, next: j + 1 };
}

function globToRegex(pattern: string, star: string, question: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length;) {
    const c = pattern[i];
    if (c === '*') {
      source += star;
      i++;
    } else if (c === '?') {
      source += question;
      i++;
    } else if (c === '[') {
      const cls = classToRegex(pattern, i);
      source += cls.source;
      i = cls.next;
    } else if (c === '\\' && i + 1 < pattern.length) {
      source += pattern[i + 1].replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      i += 2;
    } else {
      source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      i++;
    }
  }
  return new RegExp(`^${source}$`);
}

/** Go's `path.Match(pattern, name)`; throws on a malformed pattern. */
export function goPathMatch(pattern: string, name: string): boolean {
  return globToRegex(pattern, '[^/]*', '[^/]').test(name);
}

/** Git pathspec glob as `git ls-files -- <pattern>` applies it (fnmatch without FNM_PATHNAME). */
export function gitPathspecMatch(pattern: string, file: string): boolean {
  if (!/[*?[]/.test(pattern)) {
    const p = pattern.replace(/\/+$/, '');
    return file === p || file.startsWith(p + '/') || p === '' || p === '.';
  }
  return globToRegex(pattern, '.*', '.').test(file);
}

/** doublestar's `FilepathGlob` matching (`**` crosses directories, `*` does not). */
export function doublestarMatch(pattern: string, file: string): boolean {
  return minimatch(file, pattern, { dot: true });
}
