/**
 * Argo CD's glob matching (util/glob over gobwas/glob): `*` any run of characters except the
 * separators, `**` any run including them, `?` one non-separator character, `[abc]`, `[a-z]`,
 * `[!abc]`, `{a,b}` alternatives, `\` escapes. A pattern that does not compile matches nothing,
 * as in Argo CD.
 */

const cache = new Map<string, RegExp | null>();

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** The pattern as an anchored regular expression, or null when it does not compile. */
function compile(pattern: string, separators: string): RegExp | null {
  const notSep = separators ? `[^${escapeRegExp(separators)}]` : '[\\s\\S]';
  let out = '';
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      if (i + 1 >= pattern.length) return null;
      out += escapeRegExp(pattern[++i]);
    } else if (c === '*') {
      if (pattern[i + 1] === '*') {
        out += '[\\s\\S]*';
        i++;
      } else {
        out += `${notSep}*`;
      }
    } else if (c === '?') {
      out += notSep;
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) return null;
      let body = pattern.slice(i + 1, end);
      const negated = body.startsWith('!');
      if (negated) body = body.slice(1);
      if (body === '') return null;
      out += `[${negated ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else if (c === '{') {
      depth++;
      out += '(?:';
    } else if (c === '}' && depth > 0) {
      depth--;
      out += ')';
    } else if (c === ',' && depth > 0) {
      out += '|';
    } else {
      out += escapeRegExp(c);
    }
  }
  if (depth !== 0) return null;
  try {
    return new RegExp(`^${out}$`);
  } catch {
    return null;
  }
}

/** Whether `text` matches the glob `pattern`; `separators` are the characters `*` and `?` do not cross. */
export function globMatch(pattern: string, text: string, separators = ''): boolean {
  const key = `${separators}\u0000${pattern}`;
  let re = cache.get(key);
  if (re === undefined) {
    re = compile(pattern, separators);
    cache.set(key, re);
  }
  return re !== null && re.test(text);
}

/** A `!pattern` entry of an AppProject list: it denies what it matches. */
export function isDenyPattern(pattern: string | undefined): boolean {
  return !!pattern && pattern.startsWith('!');
}

/**
 * Argo CD's project glob (`app_project_types.go` globMatch): `*` matches everything, and with
 * `allowNegation` a `!pattern` matches what `pattern` does not.
 */
export function projectGlobMatch(pattern: string | undefined, text: string, allowNegation: boolean, separators = ''): boolean {
  const p = pattern ?? '';
  if (allowNegation && isDenyPattern(p)) {
    return !globMatch(p.slice(1), text, separators);
  }
  return p === '*' || globMatch(p, text, separators);
}

/**
 * Argo CD's `glob.MatchStringInList(list, item, REGEXP)`: an entry wrapped in `/…/` is a regular
 * expression, any other entry a glob.
 */
export function matchStringInList(list: readonly string[] | undefined, item: string): boolean {
  return (list ?? []).some((entry) => {
    if (entry.length > 1 && entry.startsWith('/') && entry.endsWith('/')) {
      try {
        if (new RegExp(entry.slice(1, -1)).test(item)) return true;
      } catch {
        // An invalid expression matches nothing (Argo CD ignores it too).
      }
    }
    return globMatch(entry, item);
  });
}
