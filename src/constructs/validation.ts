import { durationHint, parseArgoDuration } from '../argo/duration';

/**
 * Input checks shared by the constructs. Each returns a message (or undefined) so callers can
 * either throw at construction or collect them in a `node.addValidation`.
 */

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Kubernetes object names (and Argo CD Application names) are DNS-1123 subdomains. */
export function dns1123SubdomainError(what: string, value: string): string | undefined {
  if (value.length === 0) return `${what} must not be empty`;
  if (value.length > 253) return `${what} '${value}' is longer than 253 characters`;
  if (!DNS1123_SUBDOMAIN.test(value)) {
    return `${what} '${value}' is not a valid DNS-1123 name: use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit`;
  }
  return undefined;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Namespaces (and Namespace names) are DNS-1123 labels. */
export function dns1123LabelError(what: string, value: string): string | undefined {
  if (value.length === 0) return `${what} must not be empty`;
  if (value.length > 63 || !DNS1123_LABEL.test(value)) {
    return `${what} '${value}' is not a valid DNS-1123 label: at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit`;
  }
  return undefined;
}

// RBAC objects are validated as path segment names only (e.g. `system:controller:job-controller`).
const PATH_SEGMENT_NAME_KINDS = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'].map(k => `rbac.authorization.k8s.io/${k}`));

/**
 * The name rule the API server applies to an object of `groupKind` (`group/Kind`, core group ''):
 * Namespaces are DNS-1123 labels, Services DNS-1035 labels, RBAC objects path segments, everything
 * else (custom resources included) DNS-1123 subdomains.
 */
export function objectNameError(groupKind: string, name: string): string | undefined {
  const what = 'metadata.name';
  if (groupKind === '/Namespace') return dns1123LabelError(what, name);
  if (groupKind === '/Service') {
    return name.length <= 63 && DNS1035_LABEL.test(name) ? undefined
      : `${what} '${name}' is not a valid Service name (DNS-1035 label): at most 63 lower-case letters, digits and '-', starting with a letter`;
  }
  if (PATH_SEGMENT_NAME_KINDS.has(groupKind)) {
    if (name === '' || name === '.' || name === '..' || /[/%]/.test(name)) {
      return `${what} '${name}' is not a valid name: it must not be empty, '.' or '..', or contain '/' or '%'`;
    }
    return name.length > 253 ? `${what} '${name}' is longer than 253 characters` : undefined;
  }
  return dns1123SubdomainError(what, name);
}

/** Argo CD durations (retry backoff, sync windows) are Go durations such as `5s`, `3m`, `1h30m`. */
export function durationError(what: string, value: string, allowBareSeconds = true): string | undefined {
  const ms = parseArgoDuration(value, { bareSeconds: allowBareSeconds });
  if (ms === undefined) return `${what} '${value}' is not a valid duration: ${durationHint(allowBareSeconds)}`;
  if (ms < 0) return `${what} '${value}' is negative: ${durationHint(allowBareSeconds)}`;
  return undefined;
}

/** RFC 6901 JSON pointer: empty, or '/'-separated tokens where '~' is only used as '~0' or '~1'. */
export function jsonPointerError(what: string, value: string): string | undefined {
  if (value === '') return undefined;
  if (!value.startsWith('/')) {
    return `${what} '${value}' is not a JSON pointer: it must start with '/' (e.g. '/spec/replicas')`;
  }
  if (/~(?![01])/.test(value)) {
    return `${what} '${value}' is not a JSON pointer: '~' must be escaped as '~0' ('~') or '~1' ('/')`;
  }
  return undefined;
}

/** Throws one error listing every message, if there are any. */
export function throwIfErrors(context: string, errors: Array<string | undefined>): void {
  const real = errors.filter((e): e is string => e !== undefined);
  if (real.length === 1) throw new Error(`${context}: ${real[0]}`);
  if (real.length > 1) throw new Error(`${context}:\n  - ${real.join('\n  - ')}`);
}
