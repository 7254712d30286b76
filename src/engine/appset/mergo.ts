import { isPlainObject, isTrue } from './go-value';

/**
 * github.com/imdario/mergo's `Merge(&dst, src[, WithOverride])` on `map[string]interface{}`, which
 * Argo CD uses to combine matrix/merge parameters and Sprig uses for `merge`: maps merge
 * recursively; any other value is taken from src where dst's is empty (Go zero value), or, with
 * override, wherever src's is not empty. Mutates and returns dst.
 */
export function mergoMerge(dst: { [key: string]: unknown }, src: { [key: string]: unknown }, override: boolean): { [key: string]: unknown } {
  for (const [k, v] of Object.entries(src)) {
    const cur = dst[k];
    if (!(k in dst)) dst[k] = v;
    else if (isPlainObject(cur) && isPlainObject(v)) mergoMerge(cur, v, override);
    else if (override ? isTrue(v) : !isTrue(cur)) dst[k] = v;
  }
  return dst;
}
