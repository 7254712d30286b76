import * as fs from 'fs';
import * as path from 'path';
import { renderFastTemplate, renderGoTemplate } from '../../src/engine/appset';
import { missingKeyOption } from '../../src/engine/appset/go-template';

/**
 * Every case in go-reference/cases.json was run through the libraries Argo CD itself uses (Go
 * text/template + Sprig v3 + Argo CD's extra functions, and valyala/fasttemplate) by
 * go-reference/main.go; go-reference.json holds what they printed. Regenerate with
 * `cd test/appset/go-reference && go run . < cases.json > go-reference.json`.
 */
interface Case { name: string; engine: 'go' | 'fast'; template: string; data: any; options?: string[] }
interface Reference { name: string; output?: string; error?: string }

const dir = path.join(__dirname, 'go-reference');
const cases: Case[] = JSON.parse(fs.readFileSync(path.join(dir, 'cases.json'), 'utf8'));
const reference = new Map<string, Reference>(
  (JSON.parse(fs.readFileSync(path.join(dir, 'go-reference.json'), 'utf8')) as Reference[]).map(r => [r.name, r]),
);

// Errors whose wording we keep identical to Go's (the rest only have to fail too).
const SAME_ERROR_TEXT = new Set([
  'missing parent missingkey=zero', 'missing key missingkey=error', 'missing parent missingkey=error', 'nil field',
  'field of string', 'index out of range', 'index float', 'slice', 'len of number', 'eq int float',
  'undefined function', 'undefined function in dead branch', 'env removed', 'lower of number', 'lower of missing',
  'break outside range', 'unclosed action', 'string with newline', 'wrong arg count',
]);

function render(c: Case): string {
  if (c.engine === 'fast') return renderFastTemplate(c.template, c.data);
  return renderGoTemplate(c.template, c.data, missingKeyOption(c.options));
}

describe('template engines match Go text/template + Sprig and fasttemplate', () => {
  test('the reference covers every case', () => {
    expect(cases.filter(c => !reference.has(c.name)).map(c => c.name)).toEqual([]);
  });

  test.each(cases.map(c => [c.name, c] as [string, Case]))('%s', (name, c) => {
    const ref = reference.get(name)!;
    if (ref.error === undefined) {
      expect(render(c)).toBe(ref.output ?? '');
      return;
    }
    expect(() => render(c)).toThrow();
    if (SAME_ERROR_TEXT.has(name)) {
      // Compare the part after Go's "template: base:1:2: executing "base" at <…>:" prefix (positions differ).
      const tail = ref.error.replace(/^template: base:\d+(:\d+)?: (executing "base" at <[^>]*>: )?/, '');
      expect(() => render(c)).toThrow(tail);
    }
  });
});
