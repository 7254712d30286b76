/**
 * Some parameters are typed Go containers in Argo CD (`values` and cluster `metadata.labels` are
 * `map[string]string`, git `path.segments` is `[]string`). Argo CD's selector flattening only
 * descends into `map[string]interface{}` and `[]interface{}`, so for a selector these typed values
 * are single leaves printed as `map[k:v]` / `[a b]`; a selector on `values.env` therefore never
 * matches with Go templates. A hidden marker keeps that distinction.
 */
const GO_TYPED = Symbol.for('cdk8s-argocd.goTypedContainer');

export function markGoTyped<T extends object>(value: T): T {
  Object.defineProperty(value, GO_TYPED, { value: true, enumerable: false });
  return value;
}

export function isGoTyped(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as any)[GO_TYPED] === true;
}

/** A deep copy that keeps the typed-container markers (structuredClone would drop them). */
export function cloneParams<T>(value: T): T {
  if (Array.isArray(value)) {
    const out = value.map(cloneParams);
    return (isGoTyped(value) ? markGoTyped(out) : out) as T;
  }
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    const out: { [key: string]: unknown } = {};
    for (const [k, v] of Object.entries(value)) out[k] = cloneParams(v);
    return (isGoTyped(value) ? markGoTyped(out) : out) as T;
  }
  return value;
}
