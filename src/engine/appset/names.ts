/**
 * Argo CD's name helpers: `SanitizeName` (the `normalize` function and every `…Normalized`
 * parameter) and `SlugifyName` (the `slugify` function, built on github.com/gosimple/slug).
 */

const MAX_DNS_NAME = 253;

/** Lower-case, every character outside `[-a-z0-9.]` becomes `-`, at most 253 characters, `-`/`.` trimmed. */
export function sanitizeName(name: string): string {
  let s = name.toLowerCase().replace(/[^-a-z0-9.]/g, '-');
  // Go slices bytes; after the replacement every character is one byte.
  if (s.length > MAX_DNS_NAME) s = s.slice(0, MAX_DNS_NAME);
  return s.replace(/^[-.]+|[-.]+$/g, '');
}

/**
 * `slugify [maxLength [smartTruncate]] name`: sanitizeName, then gosimple/slug.Make (only
 * `[a-z0-9-_]`, dashes collapsed and trimmed), then truncation to maxLength, at the last `-`
 * before the limit when smartTruncate is on.
 */
export function slugifyName(name: string, maxLength = 50, smartTruncate = true): string {
  let slug = sanitizeName(name).trim().toLowerCase()
    .replace(/[^a-z0-9\-_]/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
  if (maxLength > 0 && slug.length > maxLength) {
    if (smartTruncate) {
      let cut = -1;
      for (let i = maxLength; i >= 0; i--) {
        if (slug[i] === '-') {
          cut = i;
          break;
        }
      }
      slug = cut >= 0 ? slug.slice(0, cut) : slug.slice(0, maxLength);
    } else {
      slug = slug.slice(0, maxLength);
    }
  }
  return slug;
}
