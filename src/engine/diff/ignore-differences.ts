import * as jq from 'jq-wasm';
import { minimatch } from 'minimatch';
import { IgnoreDifferencesEntry } from '../application-spec';
import { groupOf, KubeObject } from '../model';
import { deletePath, getPath, JsonPath, parseJsonPointer, setPath } from './json-path';
import { managedFieldPaths } from './managed-fields';

/**
 * jq-wasm's Emscripten runtime sets `process.exitCode` to jq's exit status (5 on a jq error),
 * which would leak into the CLI's (and jest's) exit code; keep ours.
 */
async function runJq(input: unknown, filter: string): Promise<unknown> {
  const exitCode = process.exitCode;
  try {
    return await jq.json(input as object, filter, ['-c']);
  } finally {
    process.exitCode = exitCode;
  }
}

/** The ignoreDifferences entries that apply to an object (group and kind are globs, as in Argo CD). */
export function matchingRules(rules: readonly IgnoreDifferencesEntry[], obj: KubeObject): IgnoreDifferencesEntry[] {
  const group = groupOf(obj.apiVersion);
  // `*` also matches the core group's empty name (Argo CD's gobwas glob; minimatch never matches '').
  return rules.filter((r) => (r.group === '*' || minimatch(group, r.group ?? '')) && minimatch(obj.kind, r.kind)
    && (!r.name || r.name === obj.metadata.name) && (!r.namespace || r.namespace === (obj.metadata.namespace ?? '')));
}

/**
 * Paths of `obj` that the rules ignore. jq expressions are evaluated as `path(expr)` (Argo CD
 * evaluates `del(expr)`, which deletes exactly those paths); an expression that fails on this
 * object ignores nothing, as in Argo CD. Managed-fields rules take the field sets of those
 * managers from `live` (only the live object has managedFields).
 */
export async function ignoredPaths(rules: readonly IgnoreDifferencesEntry[], obj: KubeObject, live: KubeObject | undefined): Promise<JsonPath[]> {
  const out: JsonPath[] = [];
  for (const rule of matchingRules(rules, live ?? obj)) {
    for (const p of rule.jsonPointers ?? []) {
      out.push(parseJsonPointer(p));
    }
    for (const expr of rule.jqPathExpressions ?? []) {
      try {
        const res = await runJq(obj, `[path(${expr})]`);
        for (const path of (res as JsonPath[] | null) ?? []) {
          out.push(path);
        }
      } catch {
        // Argo CD logs and ignores jq errors for objects the expression does not fit.
      }
    }
    const managers = rule.managedFieldsManagers ?? [];
    if (managers.length > 0 && live) {
      for (const entry of live.metadata.managedFields ?? []) {
        if (managers.includes(entry.manager) && entry.fieldsType === 'FieldsV1') {
          out.push(...managedFieldPaths(entry.fieldsV1, obj));
        }
      }
    }
  }
  // Delete deepest and highest array indexes first so earlier deletions do not shift later paths.
  return out.sort((a, b) => b.length - a.length || String(b[b.length - 1]).localeCompare(String(a[a.length - 1]), undefined, { numeric: true }));
}

/** Removes ignored paths from a (normalized copy of an) object. */
export async function removeIgnored(rules: readonly IgnoreDifferencesEntry[], obj: KubeObject, live: KubeObject | undefined): Promise<void> {
  for (const p of await ignoredPaths(rules, obj, live)) {
    deletePath(obj, p);
  }
}

/**
 * `RespectIgnoreDifferences=true`: the desired object takes the live values of ignored fields,
 * so applying it leaves them alone (e.g. replicas scaled by an HPA). Only for existing objects.
 */
export async function respectIgnoredLiveValues(rules: readonly IgnoreDifferencesEntry[], desired: KubeObject, live: KubeObject): Promise<KubeObject> {
  const out = JSON.parse(JSON.stringify(desired)) as KubeObject;
  for (const p of await ignoredPaths(rules, live, live)) {
    const v = getPath(live, p);
    if (v.found) {
      setPath(out, p, v.value);
    }
  }
  for (const p of await ignoredPaths(rules, out, live)) {
    if (!getPath(live, p).found) {
      deletePath(out, p);
    }
  }
  return out;
}
