/**
 * The functions Argo CD's ApplicationSet Go templates can call: Go's builtins, the Sprig functions
 * real sets use, and Argo CD's own (`normalize`, `slugify`, `toYaml`, `fromYaml`, `fromYamlArray`).
 * Argo CD removes `env`, `expandenv` and `getHostByName` from Sprig; so do we.
 *
 * Signatures and argument order follow Sprig (`trunc 5 .s`, `replace "a" "b" .s`), and Go's
 * strictness on argument types (a float64 where a string is expected is an error) is kept, because
 * the same template must fail here exactly when it fails in Argo CD.
 */
import { createHash } from 'crypto';
import * as path from 'path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { goSprint, goTypeName, GoInt, isGoInt, isPlainObject, isTrue, numberOf } from './go-value';
import { mergoMerge } from './mergo';
import { sanitizeName, slugifyName } from './names';

type Fn = (...args: any[]) => unknown;

/** Evaluated lazily by the executor (short-circuit), so they are not in the table. */
export const LAZY_FUNCTIONS = new Set(['and', 'or']);

/** Sprig functions that exist in Argo CD but are not implemented offline (non-deterministic or rare). */
export const SPRIG_NOT_SUPPORTED = new Set([
  'now', 'date', 'dateInZone', 'dateModify', 'mustDateModify', 'ago', 'duration', 'durationRound', 'unixEpoch', 'toDate', 'mustToDate', 'htmlDate', 'htmlDateInZone',
  'randAlpha', 'randAlphaNum', 'randAscii', 'randNumeric', 'randInt', 'randBytes', 'uuidv4', 'shuffle',
  'genPrivateKey', 'genCA', 'genCAWithKey', 'genSelfSignedCert', 'genSelfSignedCertWithKey', 'genSignedCert', 'genSignedCertWithKey', 'derivePassword', 'buildCustomCert', 'encryptAES', 'decryptAES', 'bcrypt', 'htpasswd',
  'semver', 'semverCompare', 'abbrev', 'abbrevboth', 'initials', 'wrap', 'wrapWith', 'plural', 'snakecase', 'camelcase', 'kebabcase', 'swapcase', 'shuffle',
  'regexSplit', 'mustRegexSplit', 'splitn', 'toStrings', 'seq', 'until', 'untilStep', 'adler32sum',
  'dig', 'pluck', 'chunk', 'mustChunk', 'typeOf', 'typeIs', 'typeIsLike', 'kindOf', 'kindIs', 'deepEqual', 'urlParse', 'urlJoin', 'osBase', 'osDir', 'osExt', 'osClean', 'osIsAbs', 'isAbs',
  'floor', 'ceil', 'round', 'addf', 'add1f', 'subf', 'mulf', 'divf', 'maxf', 'minf', 'biggest', 'float64', 'toDecimal', 'fromJson', 'mustFromJson', 'mustToJson', 'mustToPrettyJson', 'mustToRawJson',
  'mustRegexMatch', 'mustRegexFind', 'mustRegexFindAll', 'mustRegexReplaceAll', 'mustRegexReplaceAllLiteral', 'mustAppend', 'mustPrepend', 'mustFirst', 'mustLast', 'mustRest', 'mustInitial', 'mustUniq', 'mustWithout', 'mustHas', 'mustCompact', 'mustReverse', 'mustMerge', 'mustMergeOverwrite', 'mustDeepCopy', 'mustSlice',
  'call', 'js', 'nindentf', 'ternaryf', 'regexQuoteMeta', 'sha512sum', 'b32enc', 'b32dec', 'cat2',
]);

function wrongType(expected: string, v: unknown): Error {
  if (v === undefined || v === null) return new Error(`invalid value; expected ${expected}`);
  return new Error(`wrong type for value; expected ${expected}; got ${goTypeName(v)}`);
}

function str(v: unknown): string {
  if (typeof v === 'string') return v;
  throw wrongType('string', v);
}

function int(v: unknown): number {
  if (isGoInt(v)) return v.value;
  throw wrongType('int', v);
}

function bool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  throw wrongType('bool', v);
}

function arity(name: string, args: unknown[], want: number): void {
  if (args.length !== want) throw new Error(`wrong number of args for ${name}: want ${want} got ${args.length}`);
}

/** Sprig's strval: strings as they are, everything else as fmt.Sprintf("%v"). */
function strval(v: unknown): string {
  return typeof v === 'string' ? v : goSprint(v);
}

/** Sprig's strslice. */
function strslice(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter(x => x !== null && x !== undefined).map(strval);
  if (v === null || v === undefined) return [];
  return [strval(v)];
}

/** Sprig's empty(). */
function empty(v: unknown): boolean {
  return !isTrue(v);
}

/** spf13/cast ToInt64, as Sprig's math functions use it. */
function toInt64(v: unknown): number {
  if (isGoInt(v)) return v.value;
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const n = Number(v.trim());
    return Number.isFinite(n) ? Math.trunc(n) : 0;
  }
  return 0;
}

function list(v: unknown, fn: string): unknown[] {
  if (Array.isArray(v)) return v;
  throw new Error(`Cannot ${fn} on type ${goTypeName(v)}`);
}

function dict(v: unknown): { [key: string]: unknown } {
  if (isPlainObject(v)) return v;
  throw wrongType('map[string]interface {}', v);
}

function deepCopy(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(deepCopy);
  if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deepCopy(x)]));
  return v;
}

/** Go's json.Marshal: sorted keys; `<`, `>` and `&` escaped unless raw. */
function toJson(v: unknown, indent: string | undefined, escapeHtml: boolean): string {
  const normalize = (x: unknown): unknown => {
    if (isGoInt(x)) return x.value;
    if (Array.isArray(x)) return x.map(normalize);
    if (isPlainObject(x)) return Object.fromEntries(Object.keys(x).sort().map(k => [k, normalize(x[k])]));
    return x === undefined ? null : x;
  };
  let json = JSON.stringify(normalize(v), null, indent);
  if (escapeHtml) json = json.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
  return json;
}

/** Argo CD's toYaml: sigs.k8s.io/yaml (sorted keys, sequences not indented), trailing newline trimmed. */
function toYaml(v: unknown): string {
  const normalize = (x: unknown): unknown => {
    if (isGoInt(x)) return x.value;
    if (Array.isArray(x)) return x.map(normalize);
    if (isPlainObject(x)) return Object.fromEntries(Object.keys(x).sort().map(k => [k, normalize(x[k])]));
    return x === undefined ? null : x;
  };
  const value = normalize(v);
  if (value === null) return 'null';
  // YAML 1.1 quoting, like go-yaml v2 behind sigs.k8s.io/yaml: "yes", "on", "0755" stay strings.
  return stringifyYaml(value, { indentSeq: false, lineWidth: 0, version: '1.1' }).replace(/\n$/, '');
}

function compare(a: unknown, b: unknown, name: string): number {
  const na = numberOf(a);
  const nb = numberOf(b);
  if (na !== undefined && nb !== undefined) {
    if (isGoInt(a) !== isGoInt(b)) throw new Error(`incompatible types for comparison: ${goTypeName(a)} and ${goTypeName(b)}`);
    return na < nb ? -1 : na > nb ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (name !== 'eq' && name !== 'ne') throw new Error('invalid type for comparison');
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : 1;
  if ((a === null || a === undefined) && (b === null || b === undefined)) return 0;
  if (a === null || a === undefined || b === null || b === undefined) return 1;
  throw new Error('incompatible types for comparison');
}

function eq(...args: unknown[]): boolean {
  if (args.length < 2) throw new Error('missing argument for comparison');
  const [first, ...rest] = args;
  return rest.some(b => compare(first, b, 'eq') === 0);
}

/** fmt.Sprintf for the verbs templates use. */
function sprintf(format: string, args: unknown[]): string {
  let argIndex = 0;
  const out = format.replace(/%([-+ 0#]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g, (_m, flags: string, width: string | undefined, precision: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    if (argIndex >= args.length) return `%!${verb}(MISSING)`;
    const arg = args[argIndex++];
    let s: string;
    const n = numberOf(arg);
    switch (verb) {
      case 'v':
      case 's':
        s = typeof arg === 'string' ? arg : verb === 's' && n !== undefined ? `%!s(${goTypeName(arg)}=${goSprint(arg)})` : goSprint(arg);
        if (precision !== undefined && typeof arg === 'string') s = s.slice(0, Number(precision));
        break;
      case 'q':
        s = typeof arg === 'string' ? JSON.stringify(arg) : `%!q(${goTypeName(arg)}=${goSprint(arg)})`;
        break;
      case 'd':
        s = isGoInt(arg) ? String(arg.value) : `%!d(${goTypeName(arg)}=${goSprint(arg)})`;
        break;
      case 'f':
      case 'F':
        s = n !== undefined && !isGoInt(arg) ? n.toFixed(precision !== undefined ? Number(precision) : 6) : `%!f(${goTypeName(arg)}=${goSprint(arg)})`;
        break;
      case 't':
        s = typeof arg === 'boolean' ? String(arg) : `%!t(${goTypeName(arg)}=${goSprint(arg)})`;
        break;
      case 'x':
        s = isGoInt(arg) ? arg.value.toString(16) : typeof arg === 'string' ? Buffer.from(arg).toString('hex') : `%!x(${goTypeName(arg)}=${goSprint(arg)})`;
        break;
      default:
        s = `%!${verb}(${goTypeName(arg)}=${goSprint(arg)})`;
    }
    if (width !== undefined && s.length < Number(width)) {
      const pad = (flags.includes('0') && !flags.includes('-') ? '0' : ' ').repeat(Number(width) - s.length);
      s = flags.includes('-') ? s + pad : pad + s;
    }
    return s;
  });
  if (argIndex < args.length) {
    return `${out}%!(EXTRA ${args.slice(argIndex).map(a => `${goTypeName(a)}=${goSprint(a)}`).join(', ')})`;
  }
  return out;
}

/** fmt.Sprint: a space between operands when neither is a string. */
function sprint(args: unknown[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += goSprint(a);
  });
  return out;
}

function goRegex(pattern: string): RegExp {
  // RE2 and JS regexps agree on the syntax sets use; (?P<name>…) is RE2-only.
  return new RegExp(pattern.replace(/\(\?P</g, '(?<'));
}

export const GO_TEMPLATE_FUNCTIONS: { [name: string]: Fn } = {
  // Go text/template builtins
  not: (...a) => { arity('not', a, 1); return !isTrue(a[0]); },
  len: (...a) => {
    arity('len', a, 1);
    const v = a[0];
    if (typeof v === 'string') return new GoInt(Buffer.byteLength(v));
    if (Array.isArray(v)) return new GoInt(v.length);
    if (isPlainObject(v)) return new GoInt(Object.keys(v).length);
    throw new Error(`len of type ${goTypeName(v)}`);
  },
  index: (item: unknown, ...indices: unknown[]) => {
    let v = item;
    for (const index of indices) {
      if (v === null || v === undefined) throw new Error('index of untyped nil');
      if (Array.isArray(v) || typeof v === 'string') {
        if (!isGoInt(index)) throw new Error(`cannot index slice/array with type ${goTypeName(index)}`);
        if (index.value < 0 || index.value >= v.length) throw new Error(`index out of range: ${index.value}`);
        v = typeof v === 'string' ? new GoInt(Buffer.from(v)[index.value]) : v[index.value];
      } else if (isPlainObject(v)) {
        if (typeof index !== 'string') throw new Error(`value has type ${goTypeName(index)}; should be string`);
        v = Object.prototype.hasOwnProperty.call(v, index) ? v[index] : undefined;
      } else {
        throw new Error(`can't index item of type ${goTypeName(v)}`);
      }
    }
    return v;
  },
  // Sprig's slice replaces Go's builtin: lists only.
  slice: (item: unknown, ...indices: unknown[]) => {
    if (!Array.isArray(item)) throw new Error(`list should be type of slice or array but ${goTypeName(item)}`);
    const bounds = indices.map(toInt64);
    return item.slice(bounds[0] ?? 0, bounds[1] ?? item.length);
  },
  print: (...a) => sprint(a),
  println: (...a) => a.map(goSprint).join(' ') + '\n',
  printf: (format: unknown, ...a) => sprintf(str(format), a),
  eq,
  ne: (...a) => { arity('ne', a, 2); return compare(a[0], a[1], 'ne') !== 0; },
  lt: (...a) => { arity('lt', a, 2); return compare(a[0], a[1], 'lt') < 0; },
  le: (...a) => { arity('le', a, 2); return compare(a[0], a[1], 'le') <= 0; },
  gt: (...a) => { arity('gt', a, 2); return compare(a[0], a[1], 'gt') > 0; },
  ge: (...a) => { arity('ge', a, 2); return compare(a[0], a[1], 'ge') >= 0; },
  html: (...a) => sprint(a).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;'),
  urlquery: (...a) => encodeURIComponent(sprint(a)).replace(/%20/g, '+'),

  // Argo CD's additions
  normalize: (...a) => { arity('normalize', a, 1); return sanitizeName(str(a[0])); },
  slugify: (...a) => {
    let maxSize = 50;
    let smart = true;
    let name = '';
    a.forEach((arg, i) => {
      if (i === a.length - 1) name = str(arg);
      else if (i === 0) maxSize = int(arg);
      else if (i === 1) smart = bool(arg);
    });
    return slugifyName(name, maxSize, smart);
  },
  toYaml: (...a) => { arity('toYaml', a, 1); return toYaml(a[0]); },
  fromYaml: (...a) => {
    arity('fromYaml', a, 1);
    const v = parseYaml(str(a[0]), { version: '1.1' });
    if (v === null || v === undefined) return {};
    if (!isPlainObject(v)) throw new Error(`unable to unmarshal YAML to map: got ${Array.isArray(v) ? 'an array' : typeof v}`);
    return v;
  },
  fromYamlArray: (...a) => {
    arity('fromYamlArray', a, 1);
    const v = parseYaml(str(a[0]), { version: '1.1' });
    if (v === null || v === undefined) return [];
    if (!Array.isArray(v)) throw new Error('unable to unmarshal YAML to array: not a YAML list');
    return v;
  },

  // Sprig: strings
  lower: (...a) => { arity('lower', a, 1); return str(a[0]).toLowerCase(); },
  upper: (...a) => { arity('upper', a, 1); return str(a[0]).toUpperCase(); },
  title: (...a) => { arity('title', a, 1); return str(a[0]).replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, p: string, c: string) => p + c.toUpperCase()); },
  untitle: (...a) => { arity('untitle', a, 1); return str(a[0]).replace(/(^|\s)(\p{L})/gu, (_m, p: string, c: string) => p + c.toLowerCase()); },
  trim: (...a) => { arity('trim', a, 1); return str(a[0]).trim(); },
  trimAll: (...a) => { arity('trimAll', a, 2); const cut = [...str(a[0])]; const s = [...str(a[1])]; let i = 0; let j = s.length; while (i < j && cut.includes(s[i])) i++; while (j > i && cut.includes(s[j - 1])) j--; return s.slice(i, j).join(''); },
  trimPrefix: (...a) => { arity('trimPrefix', a, 2); const p = str(a[0]); const s = str(a[1]); return p && s.startsWith(p) ? s.slice(p.length) : s; },
  trimSuffix: (...a) => { arity('trimSuffix', a, 2); const p = str(a[0]); const s = str(a[1]); return p && s.endsWith(p) ? s.slice(0, s.length - p.length) : s; },
  trunc: (...a) => {
    arity('trunc', a, 2);
    const c = int(a[0]);
    const s = str(a[1]);
    if (c < 0 && s.length + c > 0) return s.slice(s.length + c);
    if (c >= 0 && s.length > c) return s.slice(0, c);
    return s;
  },
  replace: (...a) => { arity('replace', a, 3); return str(a[2]).split(str(a[0])).join(str(a[1])); },
  repeat: (...a) => { arity('repeat', a, 2); return str(a[1]).repeat(Math.max(0, int(a[0]))); },
  substr: (...a) => {
    arity('substr', a, 3);
    const start = int(a[0]);
    const end = int(a[1]);
    const s = str(a[2]);
    if (start < 0) return s.slice(0, end);
    if (end < 0 || end > s.length) return s.slice(start);
    return s.slice(start, end);
  },
  nospace: (...a) => { arity('nospace', a, 1); return str(a[0]).replace(/\s/g, ''); },
  contains: (...a) => { arity('contains', a, 2); return str(a[1]).includes(str(a[0])); },
  hasPrefix: (...a) => { arity('hasPrefix', a, 2); return str(a[1]).startsWith(str(a[0])); },
  hasSuffix: (...a) => { arity('hasSuffix', a, 2); return str(a[1]).endsWith(str(a[0])); },
  quote: (...a) => a.filter(x => x !== null && x !== undefined).map(x => JSON.stringify(strval(x))).join(' '),
  squote: (...a) => a.filter(x => x !== null && x !== undefined).map(x => `'${strval(x)}'`).join(' '),
  cat: (...a) => a.filter(x => x !== null && x !== undefined).map(strval).join(' '),
  indent: (...a) => { arity('indent', a, 2); const pad = ' '.repeat(int(a[0])); return pad + str(a[1]).replace(/\n/g, '\n' + pad); },
  nindent: (...a) => { arity('nindent', a, 2); const pad = ' '.repeat(int(a[0])); return '\n' + pad + str(a[1]).replace(/\n/g, '\n' + pad); },
  split: (...a) => { arity('split', a, 2); return Object.fromEntries(str(a[1]).split(str(a[0])).map((p, i) => [`_${i}`, p])); },
  splitList: (...a) => { arity('splitList', a, 2); return str(a[1]).split(str(a[0])); },
  join: (...a) => { arity('join', a, 2); return strslice(a[1]).join(str(a[0])); },
  toString: (...a: unknown[]) => { arity('toString', a, 1); return strval(a[0]); },
  b64enc: (...a) => { arity('b64enc', a, 1); return Buffer.from(str(a[0])).toString('base64'); },
  b64dec: (...a) => { arity('b64dec', a, 1); return Buffer.from(str(a[0]), 'base64').toString('utf8'); },
  sha256sum: (...a) => { arity('sha256sum', a, 1); return createHash('sha256').update(str(a[0])).digest('hex'); },
  sha1sum: (...a) => { arity('sha1sum', a, 1); return createHash('sha1').update(str(a[0])).digest('hex'); },
  regexMatch: (...a) => { arity('regexMatch', a, 2); return goRegex(str(a[0])).test(str(a[1])); },
  regexFind: (...a) => { arity('regexFind', a, 2); return goRegex(str(a[0])).exec(str(a[1]))?.[0] ?? ''; },
  regexFindAll: (...a) => {
    arity('regexFindAll', a, 3);
    const all = str(a[1]).match(new RegExp(goRegex(str(a[0])).source, 'g')) ?? [];
    const n = int(a[2]);
    return n < 0 ? all : all.slice(0, n);
  },
  regexReplaceAll: (...a) => { arity('regexReplaceAll', a, 3); return str(a[1]).replace(new RegExp(goRegex(str(a[0])).source, 'g'), str(a[2]).replace(/\$\{(\w+)\}/g, '$$$1')); },
  regexReplaceAllLiteral: (...a) => { arity('regexReplaceAllLiteral', a, 3); const repl = str(a[2]); return str(a[1]).replace(new RegExp(goRegex(str(a[0])).source, 'g'), () => repl); },
  base: (...a) => { arity('base', a, 1); const s = str(a[0]); return s === '' ? '.' : path.posix.basename(s.replace(/\/+$/, '')) || '/'; },
  dir: (...a) => { arity('dir', a, 1); return path.posix.dirname(str(a[0])); },
  ext: (...a) => { arity('ext', a, 1); return path.posix.extname(str(a[0])); },
  clean: (...a) => { arity('clean', a, 1); const s = str(a[0]); return s === '' ? '.' : path.posix.normalize(s).replace(/(.)\/$/, '$1'); },

  // Sprig: defaults and flow
  default: (d: unknown, ...given: unknown[]) => (given.length === 0 || empty(given[0]) ? d : given[0]),
  empty: (...a) => { arity('empty', a, 1); return empty(a[0]); },
  coalesce: (...a) => a.find(x => !empty(x)) ?? null,
  ternary: (...a) => { arity('ternary', a, 3); return bool(a[2]) ? a[0] : a[1]; },
  toJson: (...a) => { arity('toJson', a, 1); return toJson(a[0], undefined, true); },
  toPrettyJson: (...a) => { arity('toPrettyJson', a, 1); return toJson(a[0], '  ', true); },
  toRawJson: (...a) => { arity('toRawJson', a, 1); return toJson(a[0], undefined, false); },

  // Sprig: lists
  list: (...a) => [...a],
  first: (...a) => { arity('first', a, 1); const l = list(a[0], 'first'); return l.length ? l[0] : null; },
  last: (...a) => { arity('last', a, 1); const l = list(a[0], 'last'); return l.length ? l[l.length - 1] : null; },
  rest: (...a) => { arity('rest', a, 1); const l = list(a[0], 'rest'); return l.length ? l.slice(1) : null; },
  initial: (...a) => { arity('initial', a, 1); const l = list(a[0], 'initial'); return l.length ? l.slice(0, -1) : null; },
  append: (...a) => { arity('append', a, 2); return [...list(a[0], 'append'), a[1]]; },
  push: (...a) => { arity('push', a, 2); return [...list(a[0], 'push'), a[1]]; },
  prepend: (...a) => { arity('prepend', a, 2); return [a[1], ...list(a[0], 'prepend')]; },
  concat: (...a) => a.flatMap(l => list(l, 'concat')),
  uniq: (...a) => {
    arity('uniq', a, 1);
    const out: unknown[] = [];
    for (const x of list(a[0], 'uniq')) if (!out.some(y => JSON.stringify(y) === JSON.stringify(x))) out.push(x);
    return out;
  },
  has: (...a) => { arity('has', a, 2); return a[1] !== null && list(a[1], 'has').some(x => JSON.stringify(x) === JSON.stringify(a[0])); },
  without: (l: unknown, ...omit: unknown[]) => list(l, 'without').filter(x => !omit.some(o => JSON.stringify(o) === JSON.stringify(x))),
  compact: (...a) => { arity('compact', a, 1); return list(a[0], 'compact').filter(x => !empty(x)); },
  reverse: (...a) => { arity('reverse', a, 1); return [...list(a[0], 'reverse')].reverse(); },
  sortAlpha: (...a) => { arity('sortAlpha', a, 1); return strslice(a[0]).sort(); },

  // Sprig: dicts
  dict: (...a) => {
    const out: { [key: string]: unknown } = {};
    for (let i = 0; i < a.length; i += 2) out[strval(a[i])] = i + 1 < a.length ? a[i + 1] : '';
    return out;
  },
  get: (...a) => { arity('get', a, 2); const d = dict(a[0]); const k = str(a[1]); return k in d ? d[k] : ''; },
  set: (...a) => { arity('set', a, 3); const d = dict(a[0]); d[str(a[1])] = a[2]; return d; },
  unset: (...a) => { arity('unset', a, 2); const d = dict(a[0]); delete d[str(a[1])]; return d; },
  hasKey: (...a) => { arity('hasKey', a, 2); return str(a[1]) in dict(a[0]); },
  // Go map order is random, so Sprig's keys/values are unordered; sorted here for stable output.
  keys: (...a) => a.flatMap(d => Object.keys(dict(d))).sort(),
  values: (...a) => { arity('values', a, 1); const d = dict(a[0]); return Object.keys(d).sort().map(k => d[k]); },
  pick: (d: unknown, ...ks: unknown[]) => { const m = dict(d); return Object.fromEntries(ks.map(str).filter(k => k in m).map(k => [k, m[k]])); },
  omit: (d: unknown, ...ks: unknown[]) => {
    const drop = ks.map(str);
    return Object.fromEntries(Object.entries(dict(d)).filter(([k]) => !drop.includes(k)));
  },
  merge: (dst: unknown, ...srcs: unknown[]) => { const d = dict(dst); for (const s of srcs) mergoMerge(d, dict(s), false); return d; },
  mergeOverwrite: (dst: unknown, ...srcs: unknown[]) => { const d = dict(dst); for (const s of srcs) mergoMerge(d, dict(s), true); return d; },
  deepCopy: (...a) => { arity('deepCopy', a, 1); return deepCopy(a[0]); },

  // Sprig: numbers (int64 arithmetic)
  int: (...a) => { arity('int', a, 1); return new GoInt(toInt64(a[0])); },
  int64: (...a) => { arity('int64', a, 1); return new GoInt(toInt64(a[0])); },
  atoi: (...a) => { arity('atoi', a, 1); const n = Number(str(a[0])); return new GoInt(Number.isInteger(n) ? n : 0); },
  add: (...a) => new GoInt(a.reduce((s: number, x) => s + toInt64(x), 0)),
  add1: (...a) => { arity('add1', a, 1); return new GoInt(toInt64(a[0]) + 1); },
  sub: (...a) => { arity('sub', a, 2); return new GoInt(toInt64(a[0]) - toInt64(a[1])); },
  mul: (first: unknown, ...rest: unknown[]) => new GoInt(rest.reduce((p: number, x) => p * toInt64(x), toInt64(first))),
  div: (...a) => { arity('div', a, 2); const d = toInt64(a[1]); if (d === 0) throw new Error('runtime error: integer divide by zero'); return new GoInt(Math.trunc(toInt64(a[0]) / d)); },
  mod: (...a) => { arity('mod', a, 2); const d = toInt64(a[1]); if (d === 0) throw new Error('runtime error: integer divide by zero'); return new GoInt(toInt64(a[0]) % d); },
  max: (first: unknown, ...rest: unknown[]) => new GoInt(Math.max(toInt64(first), ...rest.map(toInt64))),
  min: (first: unknown, ...rest: unknown[]) => new GoInt(Math.min(toInt64(first), ...rest.map(toInt64))),
};

/** The function called `name`, if templates may call it (own properties only: no `constructor`). */
export function goTemplateFunction(name: string): Fn | undefined {
  return Object.prototype.hasOwnProperty.call(GO_TEMPLATE_FUNCTIONS, name) ? GO_TEMPLATE_FUNCTIONS[name] : undefined;
}
