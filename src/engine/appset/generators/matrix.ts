import { cloneParams } from '../go-typed';
import { goSprint } from '../go-value';
import { mergoMerge } from '../mergo';
import { Params } from '../template-engine';
import { ChildParams, ExpandContext, ParamSets } from './context';

/**
 * Matrix generator: the cartesian product of exactly two children, where each parameter set of
 * child 0 renders child 1's spec. Go templates: parameters deep-merged with child 0 winning;
 * fasttemplate: string maps combined, a key with two different values is an error.
 */
export function matrixParams(matrix: any, ctx: ExpandContext, where: string, childParams: ChildParams): ParamSets {
  const children = matrix.generators ?? [];
  if (children.length < 2) throw new Error('found less than two generators, Matrix support only two');
  if (children.length > 2) throw new Error('found more than two generators, Matrix support only two');
  const res: ParamSets = [];
  const first = childParams(children[0], ctx, {}, `${where}.generators[0]`);
  for (const a of first) {
    const second = childParams(children[1], ctx, a, `${where}.generators[1]`);
    for (const b of second) {
      if (ctx.engine.goTemplate) {
        const tmp: Params = {};
        mergoMerge(tmp, cloneParams(b), true);
        mergoMerge(tmp, cloneParams(a), true);
        res.push(tmp);
      } else {
        res.push(combineStringMaps(a, b));
      }
    }
  }
  return res;
}

function combineStringMaps(a: Params, b: Params): Params {
  const res: Params = {};
  for (const [k, v] of Object.entries(a)) res[k] = goSprint(v);
  for (const [k, v] of Object.entries(b)) {
    const value = goSprint(v);
    if (k in res && res[k] !== value) {
      throw new Error(`failed to combine string maps with merging params for the matrix generator: found duplicate key ${k} with different value, a: ${res[k]} ,b: ${value}`);
    }
    res[k] = value;
  }
  return res;
}
