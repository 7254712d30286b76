/**
 * Argo CD's `argocd-cm` ConfigMap: its name and the keys of the resource settings the engine
 * honours, with Argo CD's key rules (argo-cd util/settings/settings.go, v3.5).
 */
import { globMatch } from './glob';

/** The ConfigMap Argo CD reads its settings from, in its own namespace. */
export const ARGOCD_CM_NAME = 'argocd-cm';

/** The older single-key form: a YAML map of `<group>/<Kind>` (or `<Kind>`) to `health.lua`, `ignoreDifferences`, … */
export const RESOURCE_CUSTOMIZATIONS_KEY = 'resource.customizations';
/** `resource.exclusions` and `resource.inclusions`: YAML lists of `{apiGroups, kinds, clusters}`. */
export const RESOURCE_EXCLUSIONS_KEY = 'resource.exclusions';
export const RESOURCE_INCLUSIONS_KEY = 'resource.inclusions';

/** Fields of an entry of the older `resource.customizations` block (ResourceOverride's JSON names). */
export const OVERRIDE_HEALTH_LUA = 'health.lua';
export const OVERRIDE_USE_OPEN_LIBS = 'health.lua.useOpenLibs';
export const OVERRIDE_IGNORE_DIFFERENCES = 'ignoreDifferences';

/** Customization types of the split keys `resource.customizations.<type>.<group_kind>` the engine uses. */
export const CUSTOMIZATION_HEALTH = 'health';
export const CUSTOMIZATION_USE_OPEN_LIBS = 'useOpenLibs';
export const CUSTOMIZATION_IGNORE_DIFFERENCES = 'ignoreDifferences';
/** Split-key types Argo CD knows that the engine reads but has no use for (anything else is an error in Argo CD too). */
export const CUSTOMIZATIONS_NOT_USED = ['actions', 'ignoreResourceUpdates', 'knownTypeFields'];

/** The `<group_kind>` of a split key that means every kind (`…ignoreDifferences.all`). */
export const ALL_KINDS_KEY = '*/*';

/**
 * The override key of an object's kind: `<group>/<Kind>`, or just `<Kind>` for the core group
 * (Argo CD's `GetConfigMapKey`).
 */
export function overrideKeyOf(group: string, kind: string): string {
  return group === '' ? kind : `${group}/${kind}`;
}

/**
 * A split key `resource.customizations.<type>.<group_kind>` as `{type, key}` with `key` in
 * override form (`cert-manager.io_Certificate` → `cert-manager.io/Certificate`, `ConfigMap` stays,
 * `all` → `*\/*`); undefined for keys that are not split keys. Throws Argo CD's error for a
 * `<group_kind>` with more than one `_`.
 */
export function splitCustomizationKey(dataKey: string): { type: string; key: string } | undefined {
  if (!dataKey.startsWith(`${RESOURCE_CUSTOMIZATIONS_KEY}.`)) {
    return undefined;
  }
  // Argo CD: strings.SplitN(k, ".", 4), so the group's own dots stay in the fourth part.
  const parts = dataKey.split('.');
  if (parts.length < 4) {
    return undefined;
  }
  const type = parts[2];
  const groupKind = parts.slice(3).join('.');
  const halves = groupKind.split('_');
  let key: string;
  if (halves.length === 2) {
    key = `${halves[0]}/${halves[1]}`;
  } else if (halves.length === 1 && groupKind !== '') {
    key = groupKind;
  } else {
    throw new Error(`${dataKey}: group kind should be in format \`resource.customizations.<type>.<group_kind>\` or \`resource.customizations.<type>.<kind>\`, got group kind: '${groupKind}'`);
  }
  return { type, key: key === 'all' ? ALL_KINDS_KEY : key };
}

/**
 * The override that applies to a kind: the exact key first, else the first key that matches as a
 * glob (`*.crossplane.io/*`), as Argo CD's `GetHealthScript` does. `has` says which overrides count.
 */
export function findOverride<T>(overrides: ReadonlyMap<string, T>, group: string, kind: string, has: (o: T) => boolean): T | undefined {
  const key = overrideKeyOf(group, kind);
  const exact = overrides.get(key);
  if (exact !== undefined && has(exact)) {
    return exact;
  }
  for (const [pattern, o] of overrides) {
    if (pattern !== key && has(o) && globMatch(pattern, key)) {
      return o;
    }
  }
  return undefined;
}

/** The group and kind globs of an override key (`*\/*` → both `*`; `ConfigMap` → core group). */
export function groupKindOfOverrideKey(key: string): { group: string; kind: string } {
  const slash = key.lastIndexOf('/');
  return slash < 0 ? { group: '', kind: key } : { group: key.slice(0, slash), kind: key.slice(slash + 1) };
}

/** One entry of `resource.exclusions`/`resource.inclusions` (Argo CD's FilteredResource). */
export interface FilteredResource {
  readonly apiGroups?: readonly string[];
  readonly kinds?: readonly string[];
  readonly clusters?: readonly string[];
}

/** FilteredResource.Match: group and cluster are globs, kinds exact or `*`; an empty list matches all. */
export function filteredResourceMatch(r: FilteredResource, group: string, kind: string, cluster: string): boolean {
  const groups = r.apiGroups ?? [];
  const kinds = r.kinds ?? [];
  const clusters = r.clusters ?? [];
  return (groups.length === 0 || groups.some((g) => globMatch(g, group)))
    && (kinds.length === 0 || kinds.some((k) => k === '*' || k === kind))
    && (clusters.length === 0 || clusters.some((c) => globMatch(c, cluster)));
}

/**
 * ResourcesFilter.IsExcludedResource: excluded when inclusions are set and none matches, or when
 * an exclusion matches.
 */
export function isExcludedResource(
  exclusions: readonly FilteredResource[], inclusions: readonly FilteredResource[], group: string, kind: string, cluster: string,
): boolean {
  if (inclusions.length > 0 && !inclusions.some((r) => filteredResourceMatch(r, group, kind, cluster))) {
    return true;
  }
  return exclusions.some((r) => filteredResourceMatch(r, group, kind, cluster));
}

/** Argo CD's condition message for an excluded manifest (controller/state.go, ExcludedResourceWarning). */
export function excludedResourceMessage(group: string, kind: string, name: string): string {
  return `Resource ${group}/${kind} ${name} is excluded in the settings`;
}
