/**
 * How Go values look on the JavaScript side of the template engine, and how Go prints them.
 *
 * Parameters come from JSON/YAML (Go's `encoding/json` gives float64 numbers), while integer
 * constants written in a template (and results of `len`, `add`, …) are Go `int`s. The two print
 * differently (`1e+06` vs `1000000`) and Go refuses to compare them, so integers are wrapped.
 */

/** A Go `int` (template constant or function result). Plain JS numbers are Go float64s. */
export class GoInt {
  public constructor(public readonly value: number) {}
  public toString(): string {
    return String(this.value);
  }
}

export function isGoInt(v: unknown): v is GoInt {
  return v instanceof GoInt;
}

export function isPlainObject(v: unknown): v is { [key: string]: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoInt);
}

/** The numeric value of a Go int or float64, or undefined for anything else. */
export function numberOf(v: unknown): number | undefined {
  if (v instanceof GoInt) return v.value;
  if (typeof v === 'number') return v;
  return undefined;
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

/** Go's `fmt.Sprint(v)` for the values templates handle. */
export function goSprint(v: unknown): string {
  if (v === undefined || v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof GoInt) return String(v.value);
  if (typeof v === 'number') return formatGoFloat(v);
  if (Array.isArray(v)) return `[${v.map(goSprint).join(' ')}]`;
  if (isPlainObject(v)) {
    return `map[${Object.keys(v).sort().map(k => `${k}:${goSprint(v[k])}`).join(' ')}]`;
  }
  return String(v);
}

/** What Go's text/template prints for a value: missing values and nil print `<no value>`. */
export function templatePrint(v: unknown): string {
  if (v === undefined || v === null) return '<no value>';
  return goSprint(v);
}

/** Go's template truth: false, 0, nil and empty strings, lists and maps are false. */
export function isTrue(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'number') return v !== 0;
  if (v instanceof GoInt) return v.value !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isPlainObject(v)) return Object.keys(v).length > 0;
  return true;
}

/** The Go type name used in error messages. */
export function goTypeName(v: unknown): string {
  if (v === undefined || v === null) return 'nil';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof GoInt) return 'int';
  if (typeof v === 'number') return 'float64';
  if (Array.isArray(v)) return '[]interface {}';
  if (isPlainObject(v)) return 'map[string]interface {}';
  return typeof v;
}
