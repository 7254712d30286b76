import { Params, replaceString, TemplateEngine } from '../template-engine';

/**
 * A generator's `values` map, rendered against the generator's own parameters (so
 * `values: {cluster: '{{name}}'}` works) and added as `values.<key>` (fasttemplate) or `.values.<key>`
 * (Go templates). Values only see parameters that already exist, never each other.
 */
export function appendValues(values: { [key: string]: string } | undefined, params: Params, engine: TemplateEngine): void {
  if (!values) return;
  const rendered: { [key: string]: string } = {};
  for (const [key, value] of Object.entries(values)) rendered[key] = replaceString(value, params, engine);
  if (engine.goTemplate) {
    params.values = rendered;
  } else {
    for (const [key, value] of Object.entries(rendered)) params[`values.${key}`] = value;
  }
}
