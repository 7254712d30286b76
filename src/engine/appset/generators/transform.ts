import { flattenParams } from '../flatten';
import { renderTemplateGroups } from '../go-template';
import { labelSelectorError, labelSelectorMatches } from '../label-selector';
import { mergoMerge } from '../mergo';
import { Params, replaceDeep } from '../template-engine';
import { clustersParams } from './clusters';
import { at, ExpandContext, ParamSets } from './context';
import { gitParams } from './git';
import { listParams } from './list';
import { matrixParams } from './matrix';
import { mergeParams } from './merge';
import { offlineUnsupported, OFFLINE_UNSUPPORTED_GENERATORS } from './offline-unsupported';

/** Generator kinds in the order Argo CD's Go struct declares them. */
export const GENERATOR_KINDS = ['list', 'clusters', 'git', 'scmProvider', 'clusterDecisionResource', 'pullRequest', 'matrix', 'merge', 'plugin'];

export interface TransformResult {
  readonly params: ParamSets;
  /** The generator's template merged over the ApplicationSet's (generator fields win). */
  readonly template: any;
}

/**
 * Argo CD's `Transform`: for each generator set in this entry, merge its template override,
 * interpolate it with the outer parameters (matrix child 1), generate parameters and keep those
 * the entry's `selector` matches (on the flattened parameters).
 */
export function transform(entry: any, ctx: ExpandContext, baseTemplate: any, outerParams: Params, where: string): TransformResult[] {
  const selector = entry.selector;
  if (selector) {
    const invalid = labelSelectorError(selector);
    if (invalid) throw new Error(`${where}.selector: error parsing label selector: ${invalid}`);
  }
  const results: TransformResult[] = [];
  for (const kind of GENERATOR_KINDS.filter(k => entry[k] !== undefined && entry[k] !== null)) {
    const here = `${where}.${kind}`;
    const template = mergoMerge(structuredClone(entry[kind].template ?? {}), structuredClone(baseTemplate ?? {}), false);
    let generator = entry[kind];
    if (Object.keys(outerParams).length > 0) {
      try {
        generator = interpolateGenerator(kind, generator, outerParams, ctx);
      } catch (e) {
        throw at(`${here} (interpolating the first matrix generator's parameters)`, e);
      }
    }
    let params: ParamSets;
    try {
      params = generateParams(kind, generator, ctx, here);
    } catch (e) {
      throw at(here, e);
    }
    const kept = selector ? params.filter(p => labelSelectorMatches(selector, flattenParams(p))) : params;
    results.push({ params: kept, template });
  }
  return results;
}

/** Generator kinds with a `values` map (Argo CD's generator structs with a `Values map[string]string`). */
const KINDS_WITH_VALUES = new Set(['clusters', 'git', 'scmProvider', 'clusterDecisionResource', 'pullRequest', 'plugin']);

/**
 * Argo CD's `RenderGeneratorParams`: the second matrix child rendered with the first child's
 * parameters. Its `values` are pre-resolved with `missingkey=error`, keeping a value as written when
 * it names a parameter the first child does not have, so the generator can fill it from its own
 * parameters later (e.g. `values: {target: '{{ .name }}'}` in a clusters generator).
 */
function interpolateGenerator(kind: string, generator: any, outerParams: Params, ctx: ExpandContext): any {
  const { values, ...rest } = generator;
  const rendered = replaceDeep(rest, outerParams, ctx.engine);
  if (values === undefined || values === null) return rendered;
  if (!KINDS_WITH_VALUES.has(kind) || !ctx.engine.goTemplate) {
    return { ...rendered, values: replaceDeep(values, outerParams, ctx.engine) };
  }
  // Each value on its own (one failing key must not hide the others), all in one call.
  const entries = Object.entries(values as { [key: string]: string });
  const results = renderTemplateGroups(entries.map(([, value]) => ({ templates: [value], params: [outerParams] })), { goTemplate: true, missingKey: 'error' });
  const resolved: { [key: string]: string } = {};
  entries.forEach(([key, value], i) => {
    const result = results[i][0];
    if (!('error' in result)) {
      resolved[key] = result.out[0];
    } else if (/map has no entry for key|can't evaluate field/.test(result.error)) {
      resolved[key] = value;
    } else {
      throw new Error(`failed to pre-resolve Values key ${JSON.stringify(key)}: ${result.error}`);
    }
  });
  return { ...rendered, values: resolved };
}

function generateParams(kind: string, generator: any, ctx: ExpandContext, where: string): ParamSets {
  switch (kind) {
    case 'list':
      return listParams(generator, ctx);
    case 'clusters':
      return clustersParams(generator, ctx);
    case 'git':
      return gitParams(generator, ctx);
    case 'matrix':
      return matrixParams(generator, ctx, where, childParams);
    case 'merge':
      return mergeParams(generator, ctx, where, childParams);
    default:
      if (OFFLINE_UNSUPPORTED_GENERATORS.includes(kind)) offlineUnsupported(kind);
      throw new Error(`unknown generator '${kind}'`);
  }
}

/**
 * Parameters of one child of a matrix/merge. Since Argo CD 3.0 the selectors of generators nested
 * in that child always apply (`spec.applyNestedSelectors` is ignored).
 */
export function childParams(child: any, ctx: ExpandContext, outerParams: Params, where: string): ParamSets {
  const results = transform(child, ctx, {}, outerParams, where);
  if (results.length === 0) throw new Error(`${where}: child generator generated no parameters (it names no generator)`);
  if (results.length > 1) throw new Error(`${where}: found more than one generator in one entry; give each generator its own list item`);
  return results[0].params;
}
