/**
 * How the generators see Go values on the JavaScript side: parameters come from JSON/YAML (Go's
 * `encoding/json` gives float64 numbers), and Argo CD prints or tests some of them the Go way
 * while combining parameter sets (matrix, merge, selectors). Templates themselves are rendered by
 * Go (go-template.ts).
 */

export function isPlainObject(v: unknown): v is { [key: string]: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Go's `fmt.Sprint` of a float64 (`%v` = strconv 'g' with the shortest digits): exponent form when
 * the decimal exponent is < -4 or >= 6, so `1e+06` and `1.234567e+06`, but `123456`.
 */
export function formatGoFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  // toExponential() without digits gives the shortest round-trip mantissa, like Go's -1 precision.
  const [mantissa, expText] = n.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(n);
}

/** Go's `fmt.Sprint(v)` for JSON-like values. */
export function goSprint(v: unknown): string {
  if (v === undefined || v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return formatGoFloat(v);
  if (Array.isArray(v)) return `[${v.map(goSprint).join(' ')}]`;
  if (isPlainObject(v)) {
    return `map[${Object.keys(v).sort().map(k => `${k}:${goSprint(v[k])}`).join(' ')}]`;
  }
  return String(v);
}

/** Go's template truth (mergo's emptiness test): false, 0, nil and empty strings, lists and maps. */
export function isTrue(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'number') return v !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isPlainObject(v)) return Object.keys(v).length > 0;
  return true;
}
