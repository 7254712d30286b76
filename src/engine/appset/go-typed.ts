/**
 * Git's `path.segments` parameter is a Go `[]string`. Argo CD's selector flattening descends only
 * into `map[string]interface{}` and `[]interface{}` (v3.5 also normalizes `map[string]string`, so
 * `values.<k>` and `metadata.labels.<k>` are matchable), so for a selector the segments are one
 * leaf printed as `[a b]`, not `path.segments.0`. A hidden marker keeps that distinction.
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
