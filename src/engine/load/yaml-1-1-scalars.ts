import type { ScalarTag } from 'yaml';

/**
 * Plain YAML scalars resolved as Kubernetes tooling resolves them. kubectl and Argo CD's
 * repo-server turn manifests into JSON with sigs.k8s.io/yaml, which decodes with go-yaml v2:
 * YAML 1.1 rules, so `n`, `no`, `off` are false, `y`, `yes`, `on` are true and `0755` is 493.
 * This is a transcription of go-yaml v2's `resolve()` (resolve.go), kept exact because a
 * scalar read differently means the engine applies what Argo CD rejects (or the reverse);
 * test/yaml-go-reference compares it with the real Go library.
 */

const TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'true', 'True', 'TRUE']);
const FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF', 'false', 'False', 'FALSE']);
const NULL = new Set(['', '~', 'null', 'Null', 'NULL']);
const SPECIAL_FLOATS = new Map<string, number>([
  ...['.nan', '.NaN', '.NAN'].map((s): [string, number] => [s, NaN]),
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map((s): [string, number] => [s, Infinity]),
  ...['-.inf', '-.Inf', '-.INF'].map((s): [string, number] => [s, -Infinity]),
]);
/** go-yaml v2's `yamlStyleFloat`. */
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const DIGITS: Record<number, RegExp> = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ };
const INT64_MAX = BigInt('9223372036854775807');
const UINT64_MAX = BigInt('18446744073709551615');

/** Go's `strconv.ParseUint(s, base, 64)` for base 0 (prefixes 0b/0o/0x/0) or an explicit base. */
function parseGoUint(s: string, base: number): bigint | undefined {
  let digits = s;
  let radix = base;
  if (base === 0) {
    radix = 10;
    if (s[0] === '0') {
      const p = s[1]?.toLowerCase();
      if (s.length >= 3 && (p === 'b' || p === 'o' || p === 'x')) {
        radix = p === 'b' ? 2 : p === 'o' ? 8 : 16;
        digits = s.slice(2);
      } else {
        radix = 8;
        digits = s.slice(1);
        if (digits === '') {
          return BigInt(0);
        }
      }
    }
  }
  if (!DIGITS[radix].test(digits)) {
    return undefined;
  }
  const prefix = radix === 2 ? '0b' : radix === 8 ? '0o' : radix === 16 ? '0x' : '';
  const n = BigInt(`${prefix}${digits}`);
  return n <= UINT64_MAX ? n : undefined;
}

/** Go's `strconv.ParseInt(s, base, 64)`. */
function parseGoInt(s: string, base: number): bigint | undefined {
  const negative = s[0] === '-';
  const rest = s[0] === '-' || s[0] === '+' ? s.slice(1) : s;
  const n = parseGoUint(rest, base);
  if (n === undefined) {
    return undefined;
  }
  if (negative) {
    return n <= INT64_MAX + BigInt(1) ? -n : undefined;
  }
  return n <= INT64_MAX ? n : undefined;
}

/** Go's `strconv.ParseFloat`, for the forms go-yaml hands it; out of range is an error. */
function parseGoFloat(s: string): number | undefined {
  if (!YAML_STYLE_FLOAT.test(s)) {
    return undefined;
  }
  const f = Number(s);
  return Number.isFinite(f) ? f : undefined;
}

/** The value go-yaml v2 gives a plain (unquoted, untagged) scalar. */
export function resolveGoYamlScalar(text: string): string | number | boolean | null {
  if (TRUE.has(text)) {
    return true;
  }
  if (FALSE.has(text)) {
    return false;
  }
  if (NULL.has(text)) {
    return null;
  }
  const special = SPECIAL_FLOATS.get(text);
  if (special !== undefined) {
    return special;
  }
  const first = text[0];
  if (first === '.') {
    return parseGoFloat(text) ?? text;
  }
  if (first === '+' || first === '-' || (first >= '0' && first <= '9')) {
    // Timestamps would be tried here, but decoded into an untyped value go-yaml v2 keeps them as strings.
    const plain = text.replace(/_/g, '');
    const int = parseGoInt(plain, 0) ?? (plain[0] === '-' ? undefined : parseGoUint(plain, 0));
    if (int !== undefined) {
      return Number(int);
    }
    const float = parseGoFloat(plain);
    if (float !== undefined) {
      return float;
    }
    const binary = plain.startsWith('0b') ? parseGoInt(plain.slice(2), 2)
      : plain.startsWith('-0b') ? parseGoInt(`-${plain.slice(3)}`, 2) : undefined;
    if (binary !== undefined) {
      return Number(binary);
    }
  }
  return text;
}

function tag(name: string, test: RegExp | undefined, resolve: (s: string) => unknown): ScalarTag {
  return { tag: `tag:yaml.org,2002:${name}`, default: test !== undefined, test, resolve, identify: () => false };
}

/**
 * Tags for the `yaml` package that resolve plain scalars with {@link resolveGoYamlScalar}. Explicit
 * tags (`!!str yes`, `!!int '12'`) go through the same rules, as in go-yaml.
 */
export const GO_YAML_SCALAR_TAGS: ScalarTag[] = [
  tag('bool', /^(?:[yYnN]|[Yy]es|YES|[Nn]o|NO|[Oo]n|ON|[Oo]ff|OFF|[Tt]rue|TRUE|[Ff]alse|FALSE)$/, resolveGoYamlScalar),
  tag('null', /^(?:~|[Nn]ull|NULL)?$/, () => null),
  tag('float', /^\.|^[-+]\.(?:inf|Inf|INF)$/, resolveGoYamlScalar),
  tag('int', /^[-+0-9]/, resolveGoYamlScalar),
  // Explicit tags on any text (`!!float '1'`): the `yaml` package only uses a tag without `test` by name.
  ...['bool', 'null', 'float', 'int'].map((name) => tag(name, undefined, resolveGoYamlScalar)),
];
