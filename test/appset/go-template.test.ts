import { renderGoTemplate } from '../../src/engine/appset';

// Expected outputs are what Go's text/template (+ Sprig, + Argo CD's functions) prints.
describe('Go templates', () => {
  test.each<[string, string, any, string]>([
    ['field chains', '{{.a.b}}-x', { a: { b: 'hi' } }, 'hi-x'],
    ['missing key prints <no value>', '{{.missing}}', {}, '<no value>'],
    ['missing parent prints <no value>', '{{.a.b}}', {}, '<no value>'],
    ['float64 params print like Go', '{{ .n }} {{ .big }} {{ .frac }}', { n: 3, big: 1234567, frac: 0.5 }, '3 1.234567e+06 0.5'],
    ['int constants print in full', '{{ 1000000 }}', {}, '1000000'],
    ['if / else if / else with trim markers', '  {{- if eq .env "prod" }}P{{ else if eq .env "stg" }}S{{ else }}O{{ end -}}  ', { env: 'stg' }, 'S'],
    ['range over a list with index', '{{ range $i, $e := .list }}{{$i}}={{$e}},{{ end }}', { list: ['a', 'b'] }, '0=a,1=b,'],
    ['range over a map visits sorted keys', '{{ range $k, $v := .m }}{{$k}}{{$v}};{{ end }}', { m: { b: 'y', a: 'x' } }, 'ax;by;'],
    ['range else on empty', '{{ range .l }}x{{ else }}none{{ end }}', { l: [] }, 'none'],
    ['range break and continue', '{{ range .l }}{{ if eq . "b" }}{{ continue }}{{ end }}{{ if eq . "d" }}{{ break }}{{ end }}{{ . }}{{ end }}', { l: ['a', 'b', 'c', 'd', 'e'] }, 'ac'],
    ['with sets dot', '{{ with .x }}{{ .y }}{{ else }}no{{ end }}', { x: { y: 'Y' } }, 'Y'],
    ['index for keys with dashes', '{{ index . "my-key" }} {{ index .l 1 }}', { 'my-key': 'K', 'l': ['a', 'b'] }, 'K b'],
    ['variables, assignment and $', '{{ $x := "a" }}{{ $x = "b" }}{{ $x }}{{ with .y }}{{ $.top }}{{ end }}', { y: 1, top: 'T' }, 'bT'],
    ['parenthesized pipelines with fields', '{{ (index .l 0).name }} {{ len .l }}', { l: [{ name: 'n' }] }, 'n 1'],
    ['and/or return the deciding value', '[{{ and .a .b }}] [{{ or .a .b }}] {{ not .a }}', { a: '', b: 'x' }, '[] [x] true'],
    ['comments are dropped', '{{/* c */}}a {{- /* c */ -}} b', {}, 'ab'],
    ['printf', '{{ printf "%s-%d-%v-%q" .s 3 true "q" }}', { s: 'S' }, 'S-3-true-"q"'],
    ['pipelines pass the value last', '{{ .name | lower | trunc 3 }}', { name: 'ABCDEF' }, 'abc'],
    ['normalize', '{{ normalize .n }}', { n: 'My_Cluster.Prod-' }, 'my-cluster.prod'],
    ['slugify with smart truncation', '{{ slugify 10 true "Hello World Foo" }}', {}, 'hello'],
    ['slugify defaults (50, smart)', '{{ slugify "Feature/ABC_123 new.UI" }}', {}, 'feature-abc-123-new-ui'],
    ['toYaml sorts keys and does not indent lists', '{{ toYaml .v }}', { v: { b: [1, 2], a: 'x' } }, 'a: x\nb:\n- 1\n- 2'],
    ['toYaml quotes YAML 1.1 booleans like go-yaml v2', '{{ toYaml .v }}', { v: { flag: 'yes', mode: '0755' } }, 'flag: "yes"\nmode: "0755"'],
    ['fromYaml', '{{ (fromYaml .y).a }}', { y: 'a: 1\n' }, '1'],
    ['nindent', 'x:{{ "a: 1\\nb: 2" | nindent 2 }}', {}, 'x:\n  a: 1\n  b: 2'],
    ['default, quote, replace, trimPrefix, hasPrefix', '{{ default "d" .nope }} {{ upper "a" | quote }} {{ replace "-" "_" "a-b" }} {{ trimPrefix "v" "v1" }} {{ hasPrefix "a" "abc" }}', {}, 'd "A" a_b 1 true'],
    ['split, splitList, join, list, dict', '{{ (split "/" "a/b")._1 }} {{ join "," (splitList "/" "a/b") }} {{ join "+" (list "x" "y") }} {{ (dict "k" "v").k }}', {}, 'b a,b x+y v'],
    ['toJson escapes HTML like Go', '{{ toJson .v }}', { v: { b: '<x>', a: 1 } }, '{"a":1,"b":"\\u003cx\\u003e"}'],
    ['add returns an int', '{{ add 1 .n }}', { n: 2 }, '3'],
  ])('%s', (_name, template, data, expected) => {
    expect(renderGoTemplate(template, data)).toBe(expected);
  });

  test('missingkey=error fails on a missing key', () => {
    expect(() => renderGoTemplate('{{ .missing }}', {}, 'error')).toThrow(/map has no entry for key "missing"/);
  });

  test('missingkey=error fails on a field of a missing key', () => {
    expect(() => renderGoTemplate('{{ .a.b }}', {}, 'error')).toThrow(/map has no entry for key "a"/);
  });

  test('fails when a field of nil is read', () => {
    expect(() => renderGoTemplate('{{ .a.b }}', { a: null })).toThrow(/nil pointer evaluating interface \{\}\.b/);
  });

  test('fails when a function is not defined, even in a branch that never runs', () => {
    expect(() => renderGoTemplate('{{ if false }}{{ foo }}{{ end }}', {})).toThrow(/function "foo" not defined/);
  });

  test('every Sprig function Argo CD offers is there, the clock ones too (real Sprig, not a subset)', () => {
    expect(renderGoTemplate('{{ now | date "2006" }}', {})).toBe(String(new Date().getUTCFullYear()));
    expect(renderGoTemplate('{{ semverCompare ">=1.2.0" "1.10.0" }} {{ sha256sum "a" | trunc 8 }}', {})).toBe('true ca978112');
  });

  test('fails when Argo CD removed the function (env)', () => {
    expect(() => renderGoTemplate('{{ env "HOME" }}', {})).toThrow(/function "env"/);
  });

  test('fails when an int is compared with a float64 parameter, as Go does', () => {
    expect(() => renderGoTemplate('{{ eq .n 3 }}', { n: 3 })).toThrow(/incompatible types for comparison/);
  });

  test('fails when a string function gets a number', () => {
    expect(() => renderGoTemplate('{{ lower .n }}', { n: 3 })).toThrow(/wrong type for value; expected string; got float64/);
  });

  test('fails when a field name contains a dash', () => {
    expect(() => renderGoTemplate('{{ .my-key }}', {})).toThrow(/bad character U\+002D '-'/);
  });

  test('fails when {{end}} is missing', () => {
    expect(() => renderGoTemplate('{{ if .a }}x', {})).toThrow(/failed to parse template \{\{ if \.a \}\}x: template: base:1: unexpected EOF/);
  });

  test('fails when break is used outside range', () => {
    expect(() => renderGoTemplate('{{ if true }}{{ break }}{{ end }}', {})).toThrow(/\{\{break\}\} outside \{\{range\}\}/);
  });

  test('define and template work as in Go; an undefined template fails at execution', () => {
    expect(renderGoTemplate('{{ define "x" }}<{{ . }}>{{ end }}{{ template "x" .a }}', { a: 'A' })).toBe('<A>');
    expect(() => renderGoTemplate('{{ template "x" }}', {})).toThrow(/failed to execute go template \{\{ template "x" \}\}: .*template "x" not defined/);
  });
});
