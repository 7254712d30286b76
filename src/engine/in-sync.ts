import { createHash } from 'crypto';
import { ANNOTATION_APPLIED_HASH } from './annotations';
import { KubeObject } from './model';

function stableStringify(v: unknown): string {
  if (Array.isArray(v)) {
    return `[${v.map(stableStringify).join(',')}]`;
  }
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stableStringify((v as any)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function isSecret(obj: KubeObject): boolean {
  return obj.kind === 'Secret' && obj.apiVersion === 'v1';
}

/**
 * sha256 of the object as it will be applied, without the hash annotation itself — and, for a
 * Secret, with its key names but not its values. The annotation is readable by anyone who can
 * read metadata, and an unsalted hash over a Secret's values gives its password to a dictionary
 * attack. A keyed HMAC would also work but needs a key kept somewhere on every cluster; leaving
 * the values out of the hash and comparing them with the live `data` instead
 * ({@link unchangedSinceApply}) needs nothing new. Key names stay in the hash (Kubernetes shows
 * them in `kubectl describe`), so a key removed from the desired Secret still changes the hash.
 */
export function appliedHash(obj: KubeObject): string {
  const { [ANNOTATION_APPLIED_HASH]: _ignored, ...annotations } = obj.metadata.annotations ?? {};
  let copy: KubeObject = { ...obj, metadata: { ...obj.metadata, annotations } };
  if (isSecret(copy)) {
    const { data: _d, stringData: _s, ...rest } = copy;
    copy = { ...rest, dataKeys: Object.keys(secretData(copy)).sort() } as KubeObject;
  }
  return createHash('sha256').update(stableStringify(copy)).digest('hex').slice(0, 32);
}

/** Returns a copy of `obj` carrying {@link appliedHash} in its annotations. */
export function withAppliedHash(obj: KubeObject): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, annotations: { ...(obj.metadata.annotations ?? {}), [ANNOTATION_APPLIED_HASH]: appliedHash(obj) } } };
}

function isZeroValue(v: unknown): boolean {
  return v === 0 || v === false || v === '' || v === null
    || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);
}

/** True when every field of `desired` has the same value in `live` (lists item by item). */
export function contains(live: unknown, desired: unknown): boolean {
  if (live === undefined && isZeroValue(desired)) {
    // The API server omits Go zero values (omitempty): `hostNetwork: false`, `externalIPs: []`.
    return true;
  }
  if (desired === null) {
    return live === null || live === undefined;
  }
  if (Array.isArray(desired)) {
    return Array.isArray(live) && live.length === desired.length && desired.every((d, i) => contains(live[i], d));
  }
  if (typeof desired === 'object') {
    if (live === null || typeof live !== 'object' || Array.isArray(live)) {
      return false;
    }
    return Object.entries(desired as Record<string, unknown>).every(([k, v]) => contains((live as any)[k], v));
  }
  return live === desired;
}

/**
 * True when applying `desired` (which carries its applied hash) would change nothing: the live
 * object was last applied from the very same desired state and still contains all of it. An
 * object edited by someone else, or whose desired state changed (including removed fields, which
 * change the hash), is not unchanged. The check costs no API call.
 */
export function unchangedSinceApply(desired: KubeObject, live: KubeObject | undefined): boolean {
  if (!live || live.metadata.deletionTimestamp) {
    return false;
  }
  if (isSecret(desired)) {
    // The hash leaves a Secret's values out, so they are compared here, each exactly.
    const { data: _d, stringData: _s, ...rest } = desired;
    const liveData: Record<string, unknown> = live.data ?? {};
    return Object.entries(secretData(desired)).every(([k, v]) => k in liveData && liveData[k] === v) && contains(live, rest);
  }
  return contains(live, desired);
}

/** A Secret's `data` as the API server stores it: `stringData` folded in, base64. */
function secretData(secret: KubeObject): Record<string, unknown> {
  const data: Record<string, unknown> = { ...(secret.data ?? {}) };
  for (const [k, v] of Object.entries((secret.stringData ?? {}) as Record<string, unknown>)) {
    data[k] = typeof v === 'string' ? Buffer.from(v, 'utf8').toString('base64') : v;
  }
  return data;
}

