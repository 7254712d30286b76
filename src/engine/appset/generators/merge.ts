import { cloneParams } from '../go-typed';
import { goSprint } from '../go-value';
import { mergoMerge } from '../mergo';
import { Params } from '../template-engine';
import { ChildParams, ExpandContext, ParamSets } from './context';

/**
 * Merge generator: the first child's parameter sets are the base; each later child's sets override
 * the base set with equal `mergeKeys` values (sets that match nothing are dropped; base sets that
 * nothing matches stay). Merge keys must be unique within each child.
 */
export function mergeParams(merge: any, ctx: ExpandContext, where: string, childParams: ChildParams): ParamSets {
  const children = merge.generators ?? [];
  if (children.length < 2) throw new Error('found less than two generators, Merge requires two or more');
  const sets = children.map((child: any, i: number) => childParams(child, ctx, {}, `${where}.generators[${i}]`));
  const mergeKeys: string[] = merge.mergeKeys ?? [];
  const base = byMergeKey(mergeKeys, sets[0], `${where}.generators[0]`);
  for (let i = 1; i < sets.length; i++) {
    const overrides = byMergeKey(mergeKeys, sets[i], `${where}.generators[${i}]`);
    for (const [key, baseSet] of base) {
      const override = overrides.get(key);
      if (!override) continue;
      if (ctx.engine.goTemplate) {
        base.set(key, mergoMerge(baseSet, cloneParams(override), true));
      } else {
        const combined: Params = {};
        for (const [k, v] of Object.entries(baseSet)) combined[k] = goSprint(v);
        for (const [k, v] of Object.entries(override)) combined[k] = goSprint(v);
        base.set(key, combined);
      }
    }
  }
  return [...base.values()];
}

function byMergeKey(mergeKeys: string[], sets: ParamSets, where: string): Map<string, Params> {
  if (mergeKeys.length < 1) throw new Error('no merge keys were specified, Merge requires at least one');
  const keys = [...new Set(mergeKeys)].sort();
  const out = new Map<string, Params>();
  for (const set of sets) {
    const key = JSON.stringify(Object.fromEntries(keys.map(k => [k, set[k] ?? null])));
    if (out.has(key)) {
      throw new Error(`${where}: the parameters from a generator were not unique by the given mergeKeys, Merge requires all param sets to be unique. Duplicate key was ${key}`);
    }
    out.set(key, set);
  }
  return out;
}
