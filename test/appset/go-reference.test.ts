import * as fs from 'fs';
import * as path from 'path';
import { renderTemplateGroups } from '../../src/engine/appset/go-template';

/**
 * The differential corpus: every case in go-reference/cases.json (hand-written, across the areas
 * where a re-implementation went wrong) and go-reference/generated-cases.json (random templates
 * and parameter maps from a fixed seed, generate-cases.ts) was rendered by go-reference/main.go,
 * natively, with the libraries Argo CD itself uses (Go text/template + Sprig v3 + Argo CD's extra
 * functions, and valyala/fasttemplate); go-reference.json holds what it printed. The expander's
 * WebAssembly renderer must print the same — output, or error with Argo CD's prefix. Regenerate with
 * `cd test/appset/go-reference && go run . cases.json generated-cases.json > go-reference.json`.
 */
interface Case { name: string; engine: 'go' | 'fast'; template: string; data: any; options?: string[] }
interface Reference { name: string; output?: string; error?: string }

const dir = path.join(__dirname, 'go-reference');
const read = (file: string): any => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
const handWritten: Case[] = read('cases.json');
const generated: Case[] = read('generated-cases.json');
const cases = [...handWritten, ...generated];
const reference = new Map<string, Reference>((read('go-reference.json') as Reference[]).map(r => [r.name, r]));

/**
 * The only cases where we print something else than native Go, and why. Each must still differ
 * (a test below), so the list cannot go stale.
 */
const KNOWN_DIFFERENCES: { [name: string]: string } = {
  'toJson floats': 'a parameter of -0.0 reaches Go as 0: JSON.stringify writes -0 as 0 (and so does every JavaScript manifest writer, cdk8s included, before Argo CD ever sees it)',
  'recursive template depth': 'Go\'s text/template limits template recursion to 1,000 levels on GOARCH=wasm instead of 100,000: a template recursing deeper than 1,000 fails here and renders (or hits the larger limit) in Argo CD',
};

/** What the expander prints for a template error: Argo CD's Render.Replace wraps Go's error. */
function expectedError(c: Case, goError: string): string {
  if (c.engine === 'fast') return `invalid template: ${goError}`;
  // Go's parse errors never name an execution point; execution errors start "template: base:L:C: executing".
  const phase = /^template: base:\d+:\d+: executing /.test(goError) || !goError.startsWith('template: ') ? 'failed to execute go template' : 'failed to parse template';
  return `${phase} ${c.template}: ${goError}`;
}

function renderAll(): Map<string, { output?: string; error?: string }> {
  const rendered = new Map<string, { output?: string; error?: string }>();
  for (const c of cases) {
    const missingKey = (c.options ?? []).map(o => o.replace('missingkey=', '')).pop() ?? 'default';
    const [[result]] = renderTemplateGroups([{ templates: [c.template], params: [c.data] }], {
      goTemplate: c.engine === 'go',
      missingKey: (missingKey === 'invalid' ? 'default' : missingKey) as any,
    });
    rendered.set(c.name, 'error' in result ? { error: result.error } : { output: result.out[0] });
  }
  return rendered;
}

describe('the WebAssembly renderer matches Go text/template + Sprig and fasttemplate, case by case', () => {
  const rendered = renderAll();

  test('the corpus is large, unique, and the reference covers every case', () => {
    expect(cases.length).toBeGreaterThanOrEqual(500);
    expect(new Set(cases.map(c => c.name)).size).toBe(cases.length);
    expect(cases.filter(c => !reference.has(c.name)).map(c => c.name)).toEqual([]);
    expect(Object.keys(KNOWN_DIFFERENCES).filter(n => !reference.has(n))).toEqual([]);
  });

  const expected = (c: Case): { output?: string; error?: string } => {
    const ref = reference.get(c.name)!;
    return ref.error === undefined ? { output: ref.output ?? '' } : { error: expectedError(c, ref.error) };
  };

  test.each(cases.filter(c => KNOWN_DIFFERENCES[c.name] === undefined).map(c => [c.name, c] as [string, Case]))('%s', (name, c) => {
    expect(rendered.get(name)).toEqual(expected(c));
  });

  test.each(Object.entries(KNOWN_DIFFERENCES))('known difference, still different: %s (%s)', name => {
    const c = cases.find(x => x.name === name)!;
    expect(rendered.get(name)).not.toEqual(expected(c));
  });
});
