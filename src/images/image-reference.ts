/**
 * Container image references, with the grammar of the reference implementation every registry
 * client uses (github.com/distribution/reference, regexp.go): `[domain[:port]/]path[:tag][@digest]`.
 */

const ALPHANUMERIC = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALPHANUMERIC}(?:${SEPARATOR}${ALPHANUMERIC})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const NAME_MAX = 255;

/** A parsed image reference. */
export interface ImageReference {
  /** Everything before the tag and digest: `ghcr.io/acme/hello-api`. */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** Parses `ref`, or returns what is wrong with it. */
export function parseImageReference(ref: string): ImageReference | string {
  const match = REFERENCE.exec(ref);
  if (!match) {
    if (ref.trim() !== ref || /\s/.test(ref)) return `'${ref}' is not an image reference: it contains spaces`;
    // Tags may hold capitals; if lower case fixes it, the capitals are in the repository.
    if (REFERENCE.test(ref.toLowerCase())) {
      return `'${ref}' is not an image reference: the repository must be lower case`;
    }
    return `'${ref}' is not an image reference: expected [registry/]repository[:tag][@digest], e.g. ghcr.io/acme/hello-api:1.4.2`;
  }
  const [, repository, tag, digest] = match;
  if (repository.length > NAME_MAX) return `'${ref}' is not an image reference: the repository is longer than ${NAME_MAX} characters`;
  return { repository, tag, digest };
}

/** Parses a reference that pins a version (a tag or a digest), or returns what is wrong with it. */
export function parsePinnedImage(ref: string): ImageReference | string {
  const parsed = parseImageReference(ref);
  if (typeof parsed === 'string') return parsed;
  if (!parsed.tag && !parsed.digest) return `'${ref}' has no tag or digest: pin a version, e.g. ${ref}:1.4.2 (without one, every pull may get a different image)`;
  return parsed;
}
