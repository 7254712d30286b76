/**
 * The resource settings of the user's `argocd-cm` the engine honours: Lua health checks
 * (`resource.customizations.health.<group_kind>`, `…useOpenLibs.<group_kind>` and the older
 * `resource.customizations` block), `resource.customizations.ignoreDifferences.<group_kind>` /
 * `.all`, and `resource.exclusions` / `resource.inclusions`.
 *
 * One set of settings is active per process, as one Argo CD instance reads one `argocd-cm`: the
 * CLI activates the one it found (see find-argocd-cm.ts) before it reconciles, and health, diff and
 * sync all read it here, so every path (hooks, waves, status, the tree, Applications an
 * ApplicationSet generates) sees the same settings without each call passing them along.
 */
import { parse } from 'yaml';
import {
  ALL_KINDS_KEY, CUSTOMIZATION_HEALTH, CUSTOMIZATION_IGNORE_DIFFERENCES, CUSTOMIZATION_USE_OPEN_LIBS, CUSTOMIZATIONS_NOT_USED,
  excludedResourceMessage, FilteredResource, findOverride, groupKindOfOverrideKey, isExcludedResource, OVERRIDE_HEALTH_LUA,
  OVERRIDE_IGNORE_DIFFERENCES, OVERRIDE_USE_OPEN_LIBS, RESOURCE_CUSTOMIZATIONS_KEY, RESOURCE_EXCLUSIONS_KEY, RESOURCE_INCLUSIONS_KEY,
  splitCustomizationKey,
} from '../../argo/argocd-cm';
import { IN_CLUSTER_NAME, IN_CLUSTER_SERVER } from '../../argo/destination';
import { ApplicationSpec, IgnoreDifferencesEntry } from '../application-spec';
import { runLuaHealth } from '../health/lua-health';
import { groupOf, HealthStatus, KubeObject } from '../model';

/** What Argo CD calls a ResourceOverride, for the fields the engine uses. */
export interface ResourceOverride {
  readonly healthLua?: string;
  readonly useOpenLibs?: boolean;
  readonly ignoreDifferences?: Pick<IgnoreDifferencesEntry, 'jsonPointers' | 'jqPathExpressions' | 'managedFieldsManagers'>;
}

export interface ResourceSettings {
  /** Where they were read, for messages: `file:line`, or the ConfigMap in the cluster. */
  readonly source: string;
  /** By override key (`<group>/<Kind>`, `<Kind>` for the core group, globs such as `*\/*`). */
  readonly overrides: ReadonlyMap<string, ResourceOverride>;
  readonly exclusions: readonly FilteredResource[];
  readonly inclusions: readonly FilteredResource[];
}

function stringList(v: unknown, where: string): string[] | undefined {
  if (v === undefined || v === null) {
    return undefined;
  }
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) {
    throw new Error(`${where} must be a list of strings`);
  }
  return v as string[];
}

function parseYaml(text: string, where: string): unknown {
  try {
    return parse(text);
  } catch (e) {
    throw new Error(`${where}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
}

function ignoreDiff(v: unknown, where: string): ResourceOverride['ignoreDifferences'] {
  // In the older block the value is itself a YAML string (ResourceOverride's JSON form); accept a mapping too.
  const o = typeof v === 'string' ? parseYaml(v, where) : v;
  if (o === null || o === undefined) {
    return {};
  }
  if (typeof o !== 'object' || Array.isArray(o)) {
    throw new Error(`${where} must be a mapping with jsonPointers, jqPathExpressions or managedFieldsManagers`);
  }
  const m = o as Record<string, unknown>;
  return {
    jsonPointers: stringList(m.jsonPointers, `${where}.jsonPointers`),
    jqPathExpressions: stringList(m.jqPathExpressions, `${where}.jqPathExpressions`),
    managedFieldsManagers: stringList(m.managedFieldsManagers, `${where}.managedFieldsManagers`),
  };
}

function parseBool(v: unknown, where: string): boolean {
  // Go's strconv.ParseBool
  const s = String(v);
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  throw new Error(`${where}: '${s}' is not a boolean (true or false)`);
}

function filteredResources(text: string | undefined, where: string): FilteredResource[] {
  if (text === undefined || text.trim() === '') {
    return [];
  }
  const v = parseYaml(text, where);
  if (!Array.isArray(v)) {
    throw new Error(`${where} must be a YAML list of {apiGroups, kinds, clusters}`);
  }
  return v.map((r, i) => ({
    apiGroups: stringList(r?.apiGroups, `${where}[${i}].apiGroups`),
    kinds: stringList(r?.kinds, `${where}[${i}].kinds`),
    clusters: stringList(r?.clusters, `${where}[${i}].clusters`),
  }));
}

/**
 * The resource settings of an `argocd-cm`'s `data`, as Argo CD's GetResourceOverrides and
 * GetResourcesFilter read them. `source` names the ConfigMap in errors. Throws on what Argo CD
 * refuses too (an unknown customization type, a bad group_kind, YAML that does not parse).
 */
export function parseResourceSettings(data: Readonly<Record<string, unknown>>, source: string): ResourceSettings {
  const overrides = new Map<string, ResourceOverride>();
  const block = data[RESOURCE_CUSTOMIZATIONS_KEY];
  if (typeof block === 'string' && block.trim() !== '') {
    const where = `${source}: ${RESOURCE_CUSTOMIZATIONS_KEY}`;
    const parsed = parseYaml(block, where);
    if (parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed))) {
      throw new Error(`${where} must be a mapping of <group>/<Kind> to health.lua, ignoreDifferences, …`);
    }
    for (const [key, value] of Object.entries((parsed ?? {}) as Record<string, Record<string, unknown> | null>)) {
      const v = value ?? {};
      const lua = v[OVERRIDE_HEALTH_LUA];
      overrides.set(key, {
        ...(typeof lua === 'string' && lua !== '' ? { healthLua: lua } : {}),
        ...(v[OVERRIDE_USE_OPEN_LIBS] !== undefined ? { useOpenLibs: parseBool(v[OVERRIDE_USE_OPEN_LIBS], `${where}.${key}.${OVERRIDE_USE_OPEN_LIBS}`) } : {}),
        ...(v[OVERRIDE_IGNORE_DIFFERENCES] !== undefined ? { ignoreDifferences: ignoreDiff(v[OVERRIDE_IGNORE_DIFFERENCES], `${where}.${key}.${OVERRIDE_IGNORE_DIFFERENCES}`) } : {}),
      });
    }
  }
  for (const [dataKey, value] of Object.entries(data)) {
    const split = splitCustomizationKey(dataKey);
    if (!split) {
      continue;
    }
    const where = `${source}: ${dataKey}`;
    const text = typeof value === 'string' ? value : String(value);
    const current = overrides.get(split.key) ?? {};
    if (split.type === CUSTOMIZATION_HEALTH) {
      overrides.set(split.key, { ...current, healthLua: text });
    } else if (split.type === CUSTOMIZATION_USE_OPEN_LIBS) {
      overrides.set(split.key, { ...current, useOpenLibs: parseBool(text.trim(), where) });
    } else if (split.type === CUSTOMIZATION_IGNORE_DIFFERENCES) {
      overrides.set(split.key, { ...current, ignoreDifferences: ignoreDiff(text, where) });
    } else if (!CUSTOMIZATIONS_NOT_USED.includes(split.type)) {
      throw new Error(`${where}: resource customization type ${split.type} not supported`);
    }
  }
  const str = (k: string) => (typeof data[k] === 'string' ? data[k] as string : undefined);
  return {
    source,
    overrides,
    exclusions: filteredResources(str(RESOURCE_EXCLUSIONS_KEY), `${source}: ${RESOURCE_EXCLUSIONS_KEY}`),
    inclusions: filteredResources(str(RESOURCE_INCLUSIONS_KEY), `${source}: ${RESOURCE_INCLUSIONS_KEY}`),
  };
}

let active: ResourceSettings | undefined;

/** Makes `settings` the ones every reconcile and health check uses (undefined: none, Argo CD's defaults). */
export function activateResourceSettings(settings: ResourceSettings | undefined): void {
  active = settings;
}

/** The active settings, if any. */
export function activeResourceSettings(): ResourceSettings | undefined {
  return active;
}

const hasLua = (o: ResourceOverride) => o.healthLua !== undefined && o.healthLua !== '';

function luaOverride(obj: Pick<KubeObject, 'apiVersion' | 'kind'>): ResourceOverride | undefined {
  return active ? findOverride(active.overrides, groupOf(obj.apiVersion), obj.kind, hasLua) : undefined;
}

/** Whether the user's settings hold a Lua health check for this kind (it then has a health rule). */
export function hasCustomHealth(obj: Pick<KubeObject, 'apiVersion' | 'kind'>): boolean {
  return luaOverride(obj) !== undefined;
}

/** The user's Lua health check's verdict on `obj`, or undefined when there is none for its kind. */
export function customHealth(obj: KubeObject): HealthStatus | undefined {
  const o = luaOverride(obj);
  return o ? runLuaHealth(o.healthLua!, obj, o.useOpenLibs ?? false) : undefined;
}

/** The settings' ignoreDifferences as Application-style entries (group and kind globs). */
export function settingsIgnoreDifferences(settings: ResourceSettings | undefined = active): IgnoreDifferencesEntry[] {
  const out: IgnoreDifferencesEntry[] = [];
  for (const [key, o] of settings?.overrides ?? []) {
    if (o.ignoreDifferences) {
      const { group, kind } = key === ALL_KINDS_KEY ? { group: '*', kind: '*' } : groupKindOfOverrideKey(key);
      out.push({ group, kind, ...o.ignoreDifferences });
    }
  }
  return out;
}

/** The server URL Argo CD matches `clusters` of exclusions against, for an Application's destination. */
export function destinationServer(spec: Pick<ApplicationSpec, 'destination'>): string {
  const d = spec.destination;
  return d.server ?? (d.name === IN_CLUSTER_NAME || !d.name ? IN_CLUSTER_SERVER : d.name);
}

/** Whether the active settings exclude this kind on this cluster (never applied, never pruned). */
export function isExcluded(obj: Pick<KubeObject, 'apiVersion' | 'kind'>, server: string, settings: ResourceSettings | undefined = active): boolean {
  return settings !== undefined && isExcludedResource(settings.exclusions, settings.inclusions, groupOf(obj.apiVersion), obj.kind, server);
}

/** Argo CD's ExcludedResourceWarning for a manifest of an excluded kind. */
export function excludedWarning(obj: KubeObject): string {
  return excludedResourceMessage(groupOf(obj.apiVersion), obj.kind, obj.metadata.name ?? '');
}
