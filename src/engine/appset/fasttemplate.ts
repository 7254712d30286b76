/**
 * Argo CD's default (non-Go) templating: github.com/valyala/fasttemplate with `{{` `}}`, run by
 * the same WebAssembly renderer as Go templates. A tag is replaced only when its trimmed name is a
 * parameter whose value is a string; anything else is written back exactly as it was.
 */
import { renderTemplateGroups } from './go-template';

export class FastTemplateError extends Error {}

export function renderFastTemplate(template: string, params: { [key: string]: unknown }): string {
  const [[result]] = renderTemplateGroups([{ templates: [template], params: [params] }], { goTemplate: false, missingKey: 'default' });
  if ('error' in result) throw new FastTemplateError(result.error);
  return result.out[0];
}
