/**
 * One place that renders a string with an ApplicationSet's template engine (Argo CD's
 * `Render.Replace`), and the deep walk that applies it to every string and map key of an object
 * (Argo CD's `deeplyReplace`).
 */
import { renderFastTemplate } from './fasttemplate';
import { GoTemplateError, MissingKey, renderGoTemplate } from './go-template';
import { isPlainObject } from './go-value';

export interface TemplateEngine {
  readonly goTemplate: boolean;
  readonly missingKey: MissingKey;
}

export type Params = { [key: string]: unknown };

export function replaceString(template: string, params: Params, engine: TemplateEngine): string {
  if (!engine.goTemplate) return renderFastTemplate(template, params);
  try {
    return renderGoTemplate(template, params, engine.missingKey);
  } catch (e) {
    // Argo CD's wording, so a preview error reads like the ApplicationSet's status condition.
    if (!(e instanceof GoTemplateError)) throw e;
    const what = /executing "base"/.test(e.message) ? 'failed to execute go template' : 'failed to parse template';
    throw new GoTemplateError(`${what} ${template}: ${e.message}`);
  }
}

/**
 * Renders every string value and every map key in `value`. Null map entries are dropped, as Go's
 * walk skips nil map values; numbers and booleans are kept as they are.
 */
export function replaceDeep<T>(value: T, params: Params, engine: TemplateEngine): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return replaceString(v, params, engine);
    if (Array.isArray(v)) return v.map(walk);
    if (isPlainObject(v)) {
      const out: { [key: string]: unknown } = {};
      for (const [k, x] of Object.entries(v)) {
        if (x === null || x === undefined) continue;
        const rendered = walk(x);
        out[replaceString(k, params, engine)] = rendered;
      }
      return out;
    }
    return v;
  };
  return walk(value) as T;
}
