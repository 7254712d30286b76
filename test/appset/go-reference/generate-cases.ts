/**
 * Writes generated-cases.json: random templates and parameter maps from a fixed seed, so the
 * differential corpus reaches corners nobody thought of writing by hand. The output is committed
 * and rendered by main.go like the hand-written cases.
 *
 *   npx ts-node --transpile-only --project test/tsconfig.json test/appset/go-reference/generate-cases.ts [count] [seed]
 */
import * as fs from 'fs';
import * as path from 'path';

const count = Number(process.argv[2] ?? 360);
let seed = Number(process.argv[3] ?? 17);

/** mulberry32: small, seeded, the same on every machine (bit operations are the algorithm). */
/* eslint-disable no-bitwise */
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
/* eslint-enable no-bitwise */
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
const chance = (p: number): boolean => random() < p;

const STRINGS = [
  '', 'a', 'prod', 'Hello World', 'héllo', 'straße', 'İstanbul', 'a: b', '#comment', '- item', 'yes', 'No', 'on', 'null', '~',
  '0755', '1e3', '0x1F', '12', '-3.5', 'true', 'multi\nline', 'tab\tsep', ' padded ', 'quote"d', "it's", '<b>&amp;</b>',
  'my_cluster.prod-1', 'Feature/ABC_123', 'x'.repeat(70), 'a,b;c', '日本語', '😀 emoji', '${name}', '{{ not a template }}', 'a9', 'a10',
];
const NUMBERS = [0, 1, -1, 3, 0.25, 0.5, -3.14159, 1e6, 1234567, 1e21, 0.000012, 42, 443, 80, 2.5];
const KEYS = ['a', 'b', 'name', 'env', 'n', 'list', 'm', 'flag', 'x'];
const MAP_KEYS = ['a', 'b', 'a9', 'a10', '80', '443', 'z', 'A', 'key with space', 'é'];

function value(depth: number): unknown {
  const r = random();
  if (r < 0.4 || depth > 2) return pick(STRINGS);
  if (r < 0.6) return pick(NUMBERS);
  if (r < 0.68) return chance(0.5);
  if (r < 0.72) return null;
  if (r < 0.86) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
  const m: { [key: string]: unknown } = {};
  for (let i = Math.floor(random() * 4); i > 0; i--) m[pick(MAP_KEYS)] = value(depth + 1);
  return m;
}

function list(): unknown[] {
  return Array.from({ length: Math.floor(random() * 4) }, () => (chance(0.7) ? pick(STRINGS) : value(1)));
}

function map(): { [key: string]: unknown } {
  const m: { [key: string]: unknown } = {};
  for (let i = Math.floor(random() * 4); i > 0; i--) m[pick(MAP_KEYS)] = value(1);
  return m;
}

/** Most keys have one type (as generator parameters do); a, b and x are anything. */
function params(): { [key: string]: unknown } {
  const typed: { [key: string]: () => unknown } = {
    name: () => pick(STRINGS), env: () => pick(STRINGS), n: () => pick(NUMBERS), list, m: map, flag: () => chance(0.5),
  };
  const p: { [key: string]: unknown } = {};
  for (const key of KEYS) if (chance(0.85)) p[key] = (typed[key] ?? (() => value(0)))();
  return p;
}

// Well-typed arguments most of the time (a template that works), anything now and then.
const anyArg = (): string => pick(['.a', '.b', '.x', '.missing', '.m.a', '.m.a10', '(index .list 0)', '$', '.name', '.n', '.list', '.m', '.flag']);
let wanted: 'string' | 'number' | 'list' | 'map' | 'any' = 'any';
const arg = (): string => {
  if (chance(0.25)) return anyArg();
  switch (wanted) {
    case 'string': return pick(['.name', '.env', '"lit"']);
    case 'number': return pick(['.n', '3', '(len .name)']);
    case 'list': return pick(['.list', '(list "b" "a")']);
    case 'map': return pick(['.m', '(dict "a" 1)']);
    default: return anyArg();
  }
};
const literal = (): string => pick(['"x"', '"a: b"', '"Hello World"', '"héllo"', '3', '0', '-2', '1.5', 'true', '"0755"', '"a,b"']);
const int = (): string => pick(['0', '1', '3', '10', '(add 1 2)', '(len .list)', '.n', '-1']);

/** One action: a function applied to parameters and literals, each shape as Sprig users write it. */
function action(): string {
  wanted = pick(['string', 'string', 'number', 'list', 'map', 'any'] as const);
  const a = arg();
  const forms: Array<() => string> = [
    () => a,
    () => `${a} | upper`, () => `lower ${a}`, () => `title ${a}`, () => `${a} | quote`, () => `squote ${a}`,
    () => `toYaml ${a}`, () => `toJson ${a}`, () => `toPrettyJson ${a}`, () => `${a} | toString`,
    () => `printf "${pick(['%s', '%d', '%v', '%q', '%.1f', '%08.2f', '%x', '%T', '%5s|%-5s', '%e', '%g', '%+v', '%#v'])}" ${a}`,
    () => `trunc ${int()} ${a}`, () => `substr 0 ${int()} ${a}`, () => `repeat ${int()} ${a}`, () => `indent ${int()} ${a}`, () => `nindent 2 ${a}`,
    () => `hasKey ${a} "a"`, () => `get ${a} "a"`, () => `keys ${a} | sortAlpha`, () => `pick ${a} "a" "b"`, () => `omit ${a} "a"`,
    () => `default ${literal()} ${a}`, () => `empty ${a}`, () => `coalesce ${a} ${literal()}`, () => `ternary "y" "n" ${a}`,
    () => `normalize ${a}`, () => `slugify ${a}`, () => `slugify ${int()} ${pick(['true', 'false'])} ${a}`,
    () => `add ${a} 1`, () => `mul ${a} 2`, () => `div ${a} 2`, () => `max ${a} 3`, () => `add1 ${a}`, () => `int ${a}`, () => `float64 ${a}`,
    () => `len ${a}`, () => `first ${a}`, () => `last ${a}`, () => `rest ${a}`, () => `uniq ${a}`, () => `join "," ${a}`, () => `sortAlpha ${a}`,
    () => `kindOf ${a}`, () => `typeOf ${a}`, () => `kindIs "map" ${a}`, () => `typeIs "string" ${a}`,
    () => `regexMatch "${pick(['^a', '(?i)HELLO', '[[:digit:]]+', '\\\\pL+', '^(a+)+$'])}" ${a}`,
    () => `regexReplaceAll "${pick(['[aeiou]', '(\\\\w)(\\\\w*)', '\\\\s+'])}" ${a} "${pick(['_', '${2}$1', '$1W', ''])}"`,
    () => `b64enc ${a}`, () => `sha256sum ${a}`, () => `urlquery ${a}`, () => `html ${a}`, () => `js ${a}`,
    () => `split "," ${a}`, () => `splitList "/" ${a}`, () => `replace "a" "b" ${a}`, () => `contains "a" ${a}`, () => `hasPrefix "a" ${a}`,
    () => `trim ${a}`, () => `trimSuffix "o" ${a}`, () => `abbrev 5 ${a}`, () => `wrap 5 ${a}`, () => `camelcase ${a}`, () => `snakecase ${a}`,
    () => `fromYaml ${a}`, () => `fromYamlArray ${a}`, () => `fromJson ${a}`, () => `dig "a" "dflt" ${a}`, () => `merge (dict "z" 1) ${a}`,
    () => `eq ${a} ${literal()}`, () => `ne ${a} ${literal()}`, () => `lt ${a} ${literal()}`, () => `and ${a} ${arg()}`, () => `or ${a} ${arg()}`, () => `not ${a}`,
    () => `index ${a} ${pick(['0', '"a"', '1'])}`, () => `slice ${a} 1`, () => `list ${a} ${literal()}`, () => `dict "k" ${a} | toJson`,
  ];
  return pick(forms)();
}

function goTemplate(): string {
  const parts: string[] = [];
  for (let i = 1 + Math.floor(random() * 2); i > 0; i--) {
    const r = random();
    if (r < 0.6) parts.push(`{{ ${action()} }}`);
    else if (r < 0.75) parts.push(`{{ if ${action()} }}T{{ else }}F{{ end }}`);
    else if (r < 0.87) parts.push(`{{ range $k, $v := ${arg()} }}[{{ $k }}={{ $v }}]{{ end }}`);
    else parts.push(`{{ with ${arg()} }}<{{ ${pick(['.', 'toJson .', '. | upper', 'len .'])} }>{{ end }}`.replace(' }>', ' }}>'));
    if (chance(0.5)) parts.push(pick(['-', '/', ' ', ': ', '\n']));
  }
  return parts.join('');
}

function fastTemplate(): string {
  const tag = (): string => `{{${pick(['', ' '])}${pick([...KEYS, 'missing', 'values.a', ''])}${pick(['', ' '])}}}`;
  return Array.from({ length: 1 + Math.floor(random() * 3) }, () => `${pick(['', 'x-', '/', '{', '}'])}${tag()}`).join(pick(['', '-', '\n']));
}

const cases = Array.from({ length: count }, (_, i) => {
  const fast = chance(0.12);
  const options = fast ? undefined : pick([undefined, undefined, ['missingkey=error'], ['missingkey=zero']]);
  return {
    name: `generated ${i + 1}`,
    engine: fast ? 'fast' : 'go',
    template: fast ? fastTemplate() : goTemplate(),
    data: params(),
    ...(options ? { options } : {}),
  };
});
fs.writeFileSync(path.join(__dirname, 'generated-cases.json'), `${JSON.stringify(cases, null, 1)}\n`);
console.log(`wrote ${cases.length} cases`);
