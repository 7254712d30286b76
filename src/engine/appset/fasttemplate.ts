/**
 * Argo CD's default (non-Go) templating: github.com/valyala/fasttemplate with `{{` `}}`.
 * A tag is replaced only when its trimmed name is a parameter whose value is a string; anything
 * else (unknown names, non-string values, `{{}}`) is written back exactly as it was.
 */

export class FastTemplateError extends Error {}

// Argo CD only templates strings matching `.*{{.*}}.*`; Go's `.` does not cross newlines either.
const IS_TEMPLATED = /\{\{.*\}\}/;

export function renderFastTemplate(template: string, params: { [key: string]: unknown }): string {
  if (!IS_TEMPLATED.test(template)) return template;
  let out = '';
  let i = 0;
  for (;;) {
    const start = template.indexOf('{{', i);
    if (start < 0) return out + template.slice(i);
    const end = template.indexOf('}}', start + 2);
    if (end < 0) {
      // fasttemplate.NewTemplate fails on a start tag without an end tag.
      throw new FastTemplateError(`invalid template: cannot find end tag "}}" in the template ${JSON.stringify(template)} starting from ${JSON.stringify(template.slice(start))}`);
    }
    out += template.slice(i, start);
    const tag = template.slice(start + 2, end);
    const name = tag.trim();
    const value = Object.prototype.hasOwnProperty.call(params, name) ? params[name] : undefined;
    out += name.length > 0 && typeof value === 'string' ? value : `{{${tag}}}`;
    i = end + 2;
  }
}
