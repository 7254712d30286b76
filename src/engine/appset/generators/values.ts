import { Params, replaceStrings, TemplateEngine } from '../template-engine';

/**
 * A generator's `values` map, rendered against each parameter set's own parameters (so
 * `values: {cluster: '{{name}}'}` works) and added as `values.<key>` (fasttemplate) or `.values.<key>`
 * (Go templates). Values only see parameters that already exist, never each other. All parameter
 * sets render in one call.
 */
export function appendValues(values: { [key: string]: string } | undefined, paramSets: readonly Params[], engine: TemplateEngine): void {
  if (!values || paramSets.length === 0) return;
  const keys = Object.keys(values);
  const rendered = replaceStrings(keys.map(k => values[k]), paramSets, engine);
  paramSets.forEach((params, p) => {
    const out: { [key: string]: string } = {};
    keys.forEach((key, i) => { out[key] = rendered[p][i]; });
    if (engine.goTemplate) {
      params.values = out;
    } else {
      for (const [key, value] of Object.entries(out)) params[`values.${key}`] = value;
    }
  });
}
