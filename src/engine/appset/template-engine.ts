/**
 * One place that renders strings with an ApplicationSet's template engine (Argo CD's
 * `Render.Replace`), and the deep walk that applies it to every string and map key of an object
 * (Argo CD's `deeplyReplace`). Rendering happens in the Go renderer, in batches: every string of
 * an object, for every parameter set, in one call.
 */
import { FastTemplateError } from './fasttemplate';
import { GoTemplateError, GroupResult, MissingKey, renderTemplateGroups } from './go-template';
import { isPlainObject } from './go-value';

export interface TemplateEngine {
  readonly goTemplate: boolean;
  readonly missingKey: MissingKey;
}

export type Params = { [key: string]: unknown };

/** The error a failed render throws: Argo CD's message, in the engine's error class. */
export function templateError(engine: TemplateEngine, message: string): Error {
  return engine.goTemplate ? new GoTemplateError(message) : new FastTemplateError(message);
}

/** Renders `template` with each parameter set (one call). Throws the first failure. */
export function replaceStrings(templates: readonly string[], paramSets: readonly Params[], engine: TemplateEngine): string[][] {
  const [results] = renderTemplateGroups([{ templates, params: paramSets }], engine);
  return results.map(r => outputOf(r, engine));
}

export function replaceString(template: string, params: Params, engine: TemplateEngine): string {
  return replaceStrings([template], [params], engine)[0][0];
}

/** The rendered strings of one result, or its error thrown. */
export function outputOf(result: GroupResult, engine: TemplateEngine): string[] {
  if ('error' in result) throw templateError(engine, result.error);
  return result.out;
}

/**
 * Every string value and map key of `value`, in walk order, without duplicates: what
 * `rebuildStrings` needs rendered. Null map entries are skipped, as Go's walk skips nil values.
 */
export function templateStrings(value: unknown): string[] {
  const seen = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {seen.add(v);} else if (Array.isArray(v)) {v.forEach(walk);} else if (isPlainObject(v)) {
      for (const [k, x] of Object.entries(v)) {
        if (x === null || x === undefined) continue;
        seen.add(k);
        walk(x);
      }
    }
  };
  walk(value);
  return [...seen];
}

/**
 * `value` with every string and map key replaced by its rendering (`rendered[i]` is the output
 * of `strings[i]`, from templateStrings). Null map entries are dropped; numbers and booleans kept.
 */
export function rebuildStrings<T>(value: T, strings: readonly string[], rendered: readonly string[]): T {
  const index = new Map(strings.map((s, i) => [s, i]));
  const render = (s: string): string => rendered[index.get(s)!];
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return render(v);
    if (Array.isArray(v)) return v.map(walk);
    if (isPlainObject(v)) {
      const out: { [key: string]: unknown } = {};
      for (const [k, x] of Object.entries(v)) {
        if (x === null || x === undefined) continue;
        out[render(k)] = walk(x);
      }
      return out;
    }
    return v;
  };
  return walk(value) as T;
}

/** Renders every string value and map key of `value` with `params` (one call). */
export function replaceDeep<T>(value: T, params: Params, engine: TemplateEngine): T {
  const strings = templateStrings(value);
  return rebuildStrings(value, strings, replaceStrings(strings, [params], engine)[0]);
}
