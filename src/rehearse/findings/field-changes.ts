/**
 * Which fields the head's desired object changes on the live one, as an update by server-side
 * apply would change them. The live object carries what the API server defaulted or assigned
 * (a Service's clusterIP, a Job's controller-uid labels), so a field counts as changed only when
 * the desired object sets it to something else, or when it was ours (our field manager owns it in
 * `managedFields`) and head drops it.
 */

import { FIELD_MANAGER } from '../../engine/annotations';
import { JsonPath, getPath } from '../../engine/diff/json-path';
import { managedFieldPaths } from '../../engine/diff/managed-fields';
import { KubeObject } from '../../engine/model';

/** `spec.template.spec.containers[0].image` */
export function pathString(path: JsonPath): string {
  return path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${p}` : p), '');
}

const QUANTITY = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/;
const SUFFIX: Record<string, number> = {
  'n': 1e-9,
  'u': 1e-6,
  'm': 1e-3,
  '': 1,
  'k': 1e3,
  'M': 1e6,
  'G': 1e9,
  'T': 1e12,
  'P': 1e15,
  'E': 1e18,
  'Ki': 2 ** 10,
  'Mi': 2 ** 20,
  'Gi': 2 ** 30,
  'Ti': 2 ** 40,
  'Pi': 2 ** 50,
  'Ei': 2 ** 60,
};

/** A Kubernetes quantity (`500m`, `1Gi`, `2`) as a number, or undefined when it is not one. */
export function quantity(v: unknown): number | undefined {
  if (typeof v === 'number') {
    return v;
  }
  const m = typeof v === 'string' ? QUANTITY.exec(v.trim()) : null;
  return m ? Number(m[1]) * SUFFIX[m[2] ?? ''] : undefined;
}

/** Equal as the API server stores them: `0.5` and `500m` are the same CPU, `"1Gi"` and `1073741824` the same size. */
function sameScalar(a: unknown, b: unknown): boolean {
  if (a === b) {
    return true;
  }
  const qa = quantity(a);
  return qa !== undefined && qa === quantity(b);
}

/** Paths where `desired` sets something `live` does not hold; unset desired fields never count. */
function setDifferently(desired: unknown, live: unknown, path: JsonPath, out: JsonPath[]): void {
  if (desired === undefined) {
    return;
  }
  if (desired === null) {
    if (live !== null && live !== undefined) {
      out.push(path);
    }
    return;
  }
  if (Array.isArray(desired)) {
    if (!Array.isArray(live) || live.length !== desired.length) {
      out.push(path);
      return;
    }
    desired.forEach((d, i) => setDifferently(d, live[i], [...path, i], out));
    return;
  }
  if (typeof desired === 'object') {
    if (live === null || typeof live !== 'object' || Array.isArray(live)) {
      // An empty desired map sets nothing the server would not default.
      if (Object.keys(desired).length > 0 || live !== undefined) {
        out.push(path);
      }
      return;
    }
    for (const [k, v] of Object.entries(desired)) {
      setDifferently(v, (live as Record<string, unknown>)[k], [...path, k], out);
    }
    return;
  }
  if (!sameScalar(desired, live)) {
    out.push(path);
  }
}

/**
 * Map fields our field manager set on the live object that head no longer sets (server-side
 * apply removes them). List items are left out: their index in head may differ, and a changed
 * list already shows as set differently.
 */
function droppedFields(desired: KubeObject, live: KubeObject): JsonPath[] {
  const entries = (live.metadata.managedFields ?? []) as Array<{ manager?: string; operation?: string; fieldsV1?: unknown }>;
  const out: JsonPath[] = [];
  for (const e of entries) {
    // Only an apply's entry names exactly what was sent; an update's may include what the server defaulted.
    if (e.manager !== FIELD_MANAGER || e.operation !== 'Apply' || !e.fieldsV1) {
      continue;
    }
    for (const p of managedFieldPaths(e.fieldsV1, live)) {
      if (p.some((x) => typeof x === 'number')) {
        continue;
      }
      // A dropped parent map already covers its children.
      const parent = p.findIndex((_, i) => i > 0 && !getPath(desired, p.slice(0, i)).found);
      const at = parent > 0 ? p.slice(0, parent) : p;
      if (!getPath(desired, at).found && !out.some((o) => pathString(o) === pathString(at))) {
        out.push(at);
      }
    }
  }
  return out;
}

/** Every path under `root` that the update changes (set differently or dropped), shallowest first. */
export function changedPaths(desired: KubeObject, live: KubeObject, root: JsonPath): JsonPath[] {
  const out: JsonPath[] = [];
  setDifferently(getPath(desired, root).value, getPath(live, root).value, root, out);
  const prefix = pathString(root);
  for (const p of droppedFields(desired, live)) {
    const s = pathString(p);
    if ((s === prefix || s.startsWith(`${prefix}.`) || prefix.startsWith(`${s}.`)) && !out.some((o) => pathString(o) === s)) {
      out.push(p.length < root.length ? root : p);
    }
  }
  return out;
}

/**
 * For atomic fields with no server defaults (label selectors: server-side apply replaces them
 * whole, so a key head drops is gone even when no managedFields entry names it): every path where
 * the two differ, in either direction. Unset in desired means "not ours to say": no change.
 */
export function exactChangedPaths(desired: KubeObject, live: KubeObject, root: JsonPath): JsonPath[] {
  const d = getPath(desired, root);
  if (!d.found) {
    return [];
  }
  const l = getPath(live, root).value;
  const out: JsonPath[] = [];
  setDifferently(d.value, l, root, out);
  const reverse: JsonPath[] = [];
  setDifferently(l, d.value, root, reverse);
  for (const p of reverse) {
    if (!out.some((o) => pathString(o) === pathString(p))) {
      out.push(p);
    }
  }
  return out;
}
