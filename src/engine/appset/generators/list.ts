import { parse } from 'yaml';
import { isPlainObject } from '../go-value';
import { ExpandContext, ParamSets } from './context';

/**
 * List generator: one parameter set per element. With fasttemplate every value must be a string
 * (a `values` map becomes `values.<key>`); with Go templates elements pass through as they are.
 * `elementsYaml` elements are appended unchanged in both modes.
 */
export function listParams(list: any, ctx: ExpandContext): ParamSets {
  const res: ParamSets = [];
  (list.elements ?? []).forEach((element: unknown, i: number) => {
    if (!isPlainObject(element)) throw new Error(`elements[${i}] is not an object`);
    if (ctx.engine.goTemplate) {
      res.push(element);
      return;
    }
    const params: { [key: string]: unknown } = {};
    for (const [key, value] of Object.entries(element)) {
      if (key === 'values') {
        if (!isPlainObject(value)) throw new Error(`elements[${i}].values: error parsing values map`);
        for (const [k, v] of Object.entries(value)) {
          if (typeof v !== 'string') throw new Error(`elements[${i}].values.${k}: error parsing value as string (without goTemplate every list value must be a string; quote it or set goTemplate)`);
          params[`values.${k}`] = v;
        }
      } else {
        if (typeof value !== 'string') throw new Error(`elements[${i}].${key}: error parsing value as string (without goTemplate every list value must be a string; quote it or set goTemplate)`);
        params[key] = value;
      }
    }
    res.push(params);
  });
  if (list.elementsYaml) {
    let parsed: unknown;
    try {
      parsed = parse(list.elementsYaml, { version: '1.1' });
    } catch (e) {
      throw new Error(`error unmarshling decoded ElementsYaml: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
    if (parsed !== null && (!Array.isArray(parsed) || !parsed.every(isPlainObject))) {
      throw new Error('error unmarshling decoded ElementsYaml: it must be a YAML list of objects');
    }
    res.push(...((parsed ?? []) as ParamSets));
  }
  return res;
}
