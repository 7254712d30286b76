import { ANNOTATION_APPLIED_HASH } from '../annotations';
import { KubeObject } from '../model';
import { deepClone } from './json-path';

/** Server-maintained metadata that never counts as a difference (Argo CD's diff normalization). */
const SERVER_METADATA = ['creationTimestamp', 'managedFields', 'resourceVersion', 'uid', 'generation', 'selfLink'];

/**
 * A copy of `obj` for comparison: no status, no server-maintained metadata, our bookkeeping
 * annotation removed, and a Secret's `stringData` folded into `data` (base64).
 */
export function normalizeForDiff(obj: KubeObject): KubeObject {
  const out = deepClone(obj);
  delete out.status;
  for (const f of SERVER_METADATA) {
    delete out.metadata[f];
  }
  if (out.metadata.annotations) {
    delete out.metadata.annotations[ANNOTATION_APPLIED_HASH];
    delete out.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'];
    if (Object.keys(out.metadata.annotations).length === 0) {
      delete out.metadata.annotations;
    }
  }
  if (isSecret(out) && out.stringData) {
    out.data = { ...(out.data ?? {}) };
    for (const [k, v] of Object.entries(out.stringData as Record<string, string>)) {
      out.data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    }
    delete out.stringData;
  }
  return out;
}

export function isSecret(obj: KubeObject | undefined): boolean {
  return obj?.kind === 'Secret' && obj.apiVersion === 'v1';
}

/**
 * A dry-run create's result with only the fields the write itself set, plus the object's identity.
 * On a create every managedFields entry comes from that one request, so a field no entry names
 * was assigned or defaulted by the API server (a Service's clusterIP — `10.0.0.0` from a dry-run
 * allocation —, clusterIPs, ipFamilies, a pod template's dnsPolicy, …). Argo CD shows the
 * manifest for a resource to create, never server-generated fields; fields the server dropped
 * (unknown ones under Validate=false) stay dropped. Without managedFields the object is returned
 * as it is.
 */
export function ownedFieldsOnly(obj: KubeObject): KubeObject {
  const entries = (obj.metadata?.managedFields ?? []) as Array<{ fieldsV1?: FieldSet }>;
  const owned = entries.reduce<FieldSet | undefined>((all, e) => (e.fieldsV1 ? unionFieldSets(all ?? {}, e.fieldsV1) : all), undefined);
  if (!owned) {
    return obj;
  }
  if (isSecret(obj) && owned['f:stringData']) {
    // stringData is write-only: the server turns it into data, but managedFields keep naming stringData.
    owned['f:data'] = unionFieldSets(owned['f:data'] ?? {}, owned['f:stringData']);
  }
  const picked = pickFields(obj, owned) as KubeObject;
  const identity = { name: obj.metadata.name, namespace: obj.metadata.namespace };
  return {
    ...picked,
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: { ...Object.fromEntries(Object.entries(identity).filter(([, v]) => v !== undefined)), ...(picked.metadata ?? {}) },
  };
}

/** A `fieldsV1` set: `f:<field>`, `k:<key json>`, `v:<value json>`, `i:<index>` → subset; `.` = the node itself. */
interface FieldSet {
  [key: string]: FieldSet;
}

function unionFieldSets(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = { ...a };
  for (const [k, v] of Object.entries(b)) {
    out[k] = out[k] ? unionFieldSets(out[k], v) : v;
  }
  return out;
}

/** The parts of `value` that `set` names; a set without children (a leaf or an atomic value) keeps the whole value. */
function pickFields(value: any, set: FieldSet): any {
  const keys = Object.keys(set).filter((k) => k !== '.');
  if (keys.length === 0) {
    return deepClone(value);
  }
  if (Array.isArray(value)) {
    const out: any[] = [];
    value.forEach((item, i) => {
      const key = keys.find((k) => listItemMatches(k, item, i));
      if (key) out.push(pickFields(item, set[key]));
    });
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const name = k.slice(2);
      if (k.startsWith('f:') && name in value) {
        out[name] = pickFields(value[name], set[k]);
      }
    }
    return out;
  }
  return value;
}

function listItemMatches(key: string, item: any, index: number): boolean {
  if (key.startsWith('k:')) {
    const want = JSON.parse(key.slice(2)) as Record<string, unknown>;
    return item !== null && typeof item === 'object' && Object.entries(want).every(([k, v]) => JSON.stringify(item[k]) === JSON.stringify(v));
  }
  if (key.startsWith('v:')) {
    return JSON.stringify(item) === key.slice(2);
  }
  return key === `i:${index}`;
}
