import { renderFastTemplate } from '../../src/engine/appset';

describe('fasttemplate', () => {
  test.each<[string, string, any, string]>([
    ['substitutes string params', '{{cluster}}-app', { cluster: 'a' }, 'a-app'],
    ['trims spaces in tags', '{{ cluster }}', { cluster: 'a' }, 'a'],
    ['leaves unknown params as written', '{{ nope }}/{{x}}', { x: '1' }, '{{ nope }}/1'],
    ['leaves non-string params as written', '{{n}}', { n: 3 }, '{{n}}'],
    ['dotted names are plain keys', '{{path.basename}} {{metadata.labels.env}} {{path[1]}}', { 'path.basename': 'b', 'metadata.labels.env': 'prod', 'path[1]': 'x' }, 'b prod x'],
    ['leaves empty tags', '{{}}', {}, '{{}}'],
    ['does not template across lines', 'a {{\n}} b', {}, 'a {{\n}} b'],
    ['does not recurse into substituted values', '{{a}}', { a: '{{b}}', b: 'x' }, '{{b}}'],
  ])('%s', (_name, template, params, expected) => {
    expect(renderFastTemplate(template, params)).toBe(expected);
  });

  test('fails when a start tag has no end tag', () => {
    expect(() => renderFastTemplate('{{a}} {{b', { a: 'x' })).toThrow('invalid template: Cannot find end tag="}}" in the template="{{a}} {{b" starting from "b"');
  });
});
