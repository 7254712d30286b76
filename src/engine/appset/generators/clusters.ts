import { labelSelectorError, labelSelectorMatches } from '../label-selector';
import { sanitizeName } from '../names';
import { Params } from '../template-engine';
import { ExpandContext, ParamSets } from './context';
import { appendValues } from './values';

const SECRET_TYPE_LABEL = 'argocd.argoproj.io/secret-type';

/**
 * Clusters generator over the cluster list given offline. Parameters: `name`, `nameNormalized`,
 * `server`, `project`, `metadata.labels.<k>` / `metadata.annotations.<k>` (fasttemplate) or
 * `.metadata.labels` / `.metadata.annotations` maps (Go templates), and `values`. The local cluster
 * (no secret) only takes part when the selector is empty, and comes last. `flatList` yields one parameter set
 * `{clusters: [...]}`.
 */
export function clustersParams(gen: any, ctx: ExpandContext): ParamSets {
  const selector = gen.selector ?? {};
  const invalid = labelSelectorError(selector);
  if (invalid) throw new Error(`selector: ${invalid}`);
  const emptySelector = Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
  const res: ParamSets = [];
  for (const cluster of ctx.clusters.filter(c => !c.local)) {
    const labels = { ...(cluster.labels ?? {}), [SECRET_TYPE_LABEL]: 'cluster' };
    if (!labelSelectorMatches(selector, labels)) continue;
    const annotations = cluster.annotations ?? {};
    const params: Params = {
      name: cluster.name,
      nameNormalized: sanitizeName(cluster.name),
      server: cluster.server,
      project: cluster.project ?? '',
    };
    if (ctx.engine.goTemplate) {
      const meta: Params = {};
      if (Object.keys(annotations).length > 0) meta.annotations = { ...annotations };
      meta.labels = labels;
      params.metadata = meta;
    } else {
      for (const [k, v] of Object.entries(annotations)) params[`metadata.annotations.${k}`] = v;
      for (const [k, v] of Object.entries(labels)) params[`metadata.labels.${k}`] = v;
    }
    res.push(params);
  }
  // Argo CD v3.5 adds the local cluster after the cluster secrets (visible in flatList order).
  for (const cluster of ctx.clusters.filter(c => c.local)) {
    if (!emptySelector) continue;
    const params: Params = { name: cluster.name, nameNormalized: cluster.name, server: cluster.server, project: '' };
    res.push(params);
  }
  appendValues(gen.values, res, ctx.engine);
  if (gen.flatList) return [{ clusters: res }];
  return res;
}
