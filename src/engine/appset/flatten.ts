import { isGoTyped } from './go-typed';
import { goSprint, isPlainObject } from './go-value';

/**
 * github.com/jeremywohl/flatten in dot style, then `fmt.Sprintf("%v")` of each leaf: how Argo CD
 * turns a parameter set into labels for `selector` matching, and git file contents into
 * fasttemplate parameters. `{a: {b: 1}, l: ['x']}` → `{'a.b': '1', 'l.0': 'x'}`. Empty maps and
 * lists produce no key.
 */
export function flattenParams(value: { [key: string]: unknown }): { [key: string]: string } {
  const out: { [key: string]: string } = {};
  const visit = (v: unknown, prefix: string): void => {
    const entries: Array<[string, unknown]> = Array.isArray(v) ? v.map((x, i) => [String(i), x]) : Object.entries(v as object);
    for (const [k, x] of entries) {
      const key = prefix ? `${prefix}.${k}` : k;
      if ((Array.isArray(x) && !isGoTyped(x)) || isPlainObject(x)) visit(x, key);
      else out[key] = goSprint(x);
    }
  };
  visit(value, '');
  return out;
}
