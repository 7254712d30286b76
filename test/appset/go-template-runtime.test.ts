import * as fs from 'fs';
import { renderGoTemplate } from '../../src/engine/appset';
import { renderTemplateGroups } from '../../src/engine/appset/go-template';
import { callGoTemplateRenderer, GoTemplateRuntimeError, GO_TEMPLATE_WASM } from '../../src/engine/appset/go-template-runtime';

// A template must never hang synth or the engine.
describe('the Go template renderer (WebAssembly in a worker thread)', () => {
  test('the renderer is the built Go program', () => {
    expect(fs.existsSync(GO_TEMPLATE_WASM)).toBe(true);
    expect(renderGoTemplate('{{ regexReplaceAll "(?i)A(?P<rest>.)" "xaBAc" "${rest}" }}', {})).toBe('xBc');
  });

  test('a catastrophic regular expression finishes promptly: RE2 is linear, unlike JavaScript backtracking', () => {
    renderGoTemplate('{{ .x }}', { x: 'warm up' });
    const long = `${'a'.repeat(50_000)}!`;
    const started = Date.now();
    expect(renderGoTemplate('{{ regexMatch "^(a+)+$" .s }}', { s: long })).toBe('false');
    // JavaScript's /^(a+)+$/ on 30 characters already takes seconds; Go answers in milliseconds.
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  test('a template that runs too long is stopped at the time limit, and the next call works', () => {
    const loop = '{{ range until 100000 }}{{ range until 100000 }}x{{ end }}{{ end }}';
    const started = Date.now();
    expect(() => callGoTemplateRenderer(JSON.stringify({ goTemplate: true, options: [], groups: [{ templates: [loop], params: [{ a: 1 }] }] }), 500))
      .toThrow(GoTemplateRuntimeError);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(renderGoTemplate('{{ .a }}', { a: 'after' })).toBe('after');
  });

  test('the time limit error says what happened', () => {
    const loop = '{{ range until 100000 }}{{ range until 100000 }}x{{ end }}{{ end }}';
    expect(() => renderTemplateGroups([{ templates: [loop], params: [{ a: 1 }] }], { goTemplate: true, missingKey: 'default' }, 300))
      .toThrow(/rendering the templates took longer than 0.3 s and was stopped/);
  });

  test('a batch renders every template with every parameter set; a failure stops only its own set', () => {
    const results = renderTemplateGroups([
      { templates: ['{{ .a }}', '{{ .a | upper }}'], params: [{ a: 'x' }, { b: 'y' }, { a: 'z' }] },
      { templates: ['{{ .b }}'], params: [{ b: 'B' }] },
    ], { goTemplate: true, missingKey: 'error' });
    expect(results[0][0]).toEqual({ out: ['x', 'X'] });
    expect(results[0][1]).toEqual({ error: expect.stringContaining('map has no entry for key "a"'), index: 0 });
    expect(results[0][2]).toEqual({ out: ['z', 'Z'] });
    expect(results[1]).toEqual([{ out: ['B'] }]);
  });
});
