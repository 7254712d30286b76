import { isDeepStrictEqual } from 'util';
import { ANNOTATION_APPLIED_HASH } from './annotations';
import { KubeObject, SyncTask, TaskAction } from './model';
import { optionTrue } from './sync-options';
import { ANNOTATION_LAST_APPLIED, ARGOCD_FIELD_MANAGER, KUBECTL_CLIENT_SIDE_APPLY_MANAGER } from '../argo/annotations';

/**
 * Hand-over between the engine (server-side apply) and Argo CD (client-side apply by default):
 * the engine writes the `last-applied-configuration` annotation Argo CD's kubectl apply would
 * write, so Argo CD's next three-way merge removes fields the engine applied; and before the engine
 * writes an object Argo CD (or kubectl) applied client-side, the client-side managers' fields move
 * into the engine's apply entry (client-go's csaupgrade), so the engine's apply removes fields too.
 */

/** Managers whose `Update` entries are client-side applies the engine takes over. */
export const CLIENT_SIDE_APPLY_MANAGERS: readonly string[] = [ARGOCD_FIELD_MANAGER, KUBECTL_CLIENT_SIDE_APPLY_MANAGER];

/**
 * Go's `encoding/json` encoding of a decoded JSON value, as kubectl's `GetModifiedConfiguration`
 * writes it (through `unstructured.UnstructuredJSONScheme`): map keys sorted, `<`, `>`, `&`,
 * U+2028 and U+2029 escaped (json.Encoder's HTML escaping), a newline at the end. Byte-equal output
 * lets the engine recognise an object Argo CD applied from the same manifest as unchanged.
 */
export function goJson(value: unknown): string {
  return `${encode(value)}\n`;
}

function encode(v: unknown): string {
  if (Array.isArray(v)) {
    return `[${v.map(encode).join(',')}]`;
  }
  if (v !== null && typeof v === 'object') {
    // Go sorts map keys by their bytes (UTF-8); for the ASCII keys of manifests that is code-unit order.
    const keys = Object.keys(v).filter((k) => (v as any)[k] !== undefined).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((k) => `${encodeString(k)}:${encode((v as any)[k])}`).join(',')}}`;
  }
  if (typeof v === 'string') {
    return encodeString(v);
  }
  return JSON.stringify(v ?? null);
}

function encodeString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The annotation value kubectl apply writes for `obj`: the object without that annotation, encoded. */
export function lastAppliedConfiguration(obj: KubeObject): string {
  const { [ANNOTATION_LAST_APPLIED]: _previous, ...annotations } = obj.metadata.annotations ?? {};
  return goJson({ ...obj, metadata: { ...obj.metadata, annotations } });
}

/**
 * True when the engine writes the annotation for a task, as Argo CD's client-side apply would:
 * resources applied with the default apply, not with ServerSideApply=true (Argo CD's server-side
 * apply writes no annotation) and not a Secret (the annotation would hold its values in metadata,
 * which the engine never writes; see in-sync.ts). Hooks are created, run and deleted, not handed over.
 */
export function writesLastApplied(task: Pick<SyncTask, 'action' | 'options' | 'autoNamespace'>, obj: KubeObject): boolean {
  return task.action === TaskAction.APPLY && !task.autoNamespace && !optionTrue(task.options, 'ServerSideApply')
    && !optionTrue(task.options, 'Replace') && !isSecret(obj);
}

/** `obj` carrying the annotation kubectl apply would write for it. */
export function withLastApplied(obj: KubeObject): KubeObject {
  const annotations = { ...(obj.metadata.annotations ?? {}), [ANNOTATION_LAST_APPLIED]: lastAppliedConfiguration(obj) };
  return { ...obj, metadata: { ...obj.metadata, annotations } };
}

function isSecret(obj: KubeObject): boolean {
  return obj.kind === 'Secret' && obj.apiVersion === 'v1';
}

/** One `metadata.managedFields` entry, as the API server returns it. */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

function managedFields(obj: KubeObject): ManagedFieldsEntry[] {
  return (obj.metadata.managedFields ?? []) as ManagedFieldsEntry[];
}

/** True when a client-side apply manager owns fields of `live` (a write must migrate them first). */
export function hasClientSideApplyManagers(live: KubeObject | undefined): boolean {
  return !!live && managedFields(live).some((e) => isClientSideEntry(e, undefined));
}

function isClientSideEntry(e: ManagedFieldsEntry, manager: string | undefined): boolean {
  return (manager === undefined ? CLIENT_SIDE_APPLY_MANAGERS.includes(e.manager ?? '') : e.manager === manager)
    && e.operation === 'Update' && !e.subresource;
}

/** Union of two FieldsV1 sets (each a trie of `f:`/`k:`/`v:`/`i:` path elements, `.` the node itself). */
function unionFields(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    out[k] = k in out ? unionFields(out[k] as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

/**
 * client-go's `csaupgrade.UpgradeManagedFields` for each client-side apply manager: the manager's
 * `Update` entry (of the same API version) is folded into `ssaManager`'s `Apply` entry — which is
 * created from the most recent client-side entry when the engine has none — and the client-side
 * entries are dropped. Undefined when there is nothing to migrate.
 */
export function upgradedManagedFields(entries: readonly ManagedFieldsEntry[], ssaManager: string): ManagedFieldsEntry[] | undefined {
  let fields = entries.map((e) => ({ ...e }));
  for (const csa of CLIENT_SIDE_APPLY_MANAGERS) {
    let target = fields.findIndex((e) => e.manager === ssaManager && e.operation === 'Apply' && !e.subresource);
    if (target < 0) {
      // Entries are sorted most recent first, so the first one is the latest client-side apply.
      target = fields.findIndex((e) => isClientSideEntry(e, csa));
      if (target < 0) {
        continue;
      }
      fields[target] = { ...fields[target], manager: ssaManager, operation: 'Apply' };
    }
    const apiVersion = fields[target].apiVersion;
    const source = fields.find((e) => isClientSideEntry(e, csa) && e.apiVersion === apiVersion);
    if (source) {
      fields[target] = { ...fields[target], fieldsV1: unionFields(fields[target].fieldsV1 ?? {}, source.fieldsV1 ?? {}) };
    }
    fields = fields.filter((e) => !isClientSideEntry(e, csa));
  }
  return isDeepStrictEqual(fields, entries) ? undefined : fields;
}

/**
 * The JSON patch csaupgrade's `UpgradeManagedFieldsPatch` sends: the new managedFields, and the
 * resourceVersion read with them (replaced rather than tested, so a concurrent change is a 409
 * Conflict from storage). Undefined when there is nothing to migrate.
 */
export function managedFieldsUpgradePatch(live: KubeObject, ssaManager: string): unknown[] | undefined {
  const upgraded = upgradedManagedFields(managedFields(live), ssaManager);
  if (!upgraded) {
    return undefined;
  }
  return [
    { op: 'replace', path: '/metadata/managedFields', value: upgraded },
    { op: 'replace', path: '/metadata/resourceVersion', value: live.metadata.resourceVersion },
  ];
}

/**
 * `obj` without what the API server maintains on every write, nor the engine's own bookkeeping.
 * `generation` goes too: it moves only with the spec (compared) or, for a Deployment, with its
 * annotations — where the applied hash the engine would add bumps it in the dry run.
 */
function withoutWriteBookkeeping(obj: KubeObject): KubeObject {
  const { managedFields: _m, resourceVersion: _r, generation: _g, ...metadata } = obj.metadata;
  const { [ANNOTATION_APPLIED_HASH]: _h, ...annotations } = metadata.annotations ?? {};
  return { ...obj, metadata: { ...metadata, annotations } };
}

/**
 * True when writing would change nothing but managedFields and resourceVersion: the dry-run result
 * equals the live object apart from those (and from the engine's applied-hash annotation, which
 * only speeds up the next comparison, and the generation it bumps), and no client-side apply manager owns fields the desired
 * state dropped — those stay in a dry run (the migration happens only in the real write), so an
 * object Argo CD last applied from other manifests (its annotation differs from what the engine
 * would write) is written. kubectl and Argo CD report such an apply as `unchanged`.
 */
export function noOpWrite(prepared: KubeObject, predicted: KubeObject, live: KubeObject): boolean {
  if (!isDeepStrictEqual(withoutWriteBookkeeping(predicted), withoutWriteBookkeeping(live))) {
    return false;
  }
  if (!hasClientSideApplyManagers(live)) {
    return true;
  }
  const { [ANNOTATION_APPLIED_HASH]: _h, ...annotations } = prepared.metadata.annotations ?? {};
  const ours = lastAppliedConfiguration({ ...prepared, metadata: { ...prepared.metadata, annotations } });
  return live.metadata.annotations?.[ANNOTATION_LAST_APPLIED] === ours;
}

/**
 * A dry run's prediction with what the real write also removes: fields Argo CD's client-side apply
 * last applied (its annotation on `live`) that `prepared` no longer has. The dry run keeps them
 * (their owner is still the client-side manager; the write migrates ownership first, see
 * resource-writer.ts), so without this `diff`, `status` and an automated child's comparison would
 * miss the change. Maps are followed key by key and lists of named items (containers, env, ports,
 * volumes) item by name, as kubectl's three-way merge does for them; other lists are left as
 * predicted.
 */
export function withClientSideRemovals(predicted: KubeObject, prepared: KubeObject, live: KubeObject | undefined): KubeObject {
  const previous = live?.metadata.annotations?.[ANNOTATION_LAST_APPLIED];
  if (!previous || !hasClientSideApplyManagers(live)) {
    return predicted;
  }
  const { [ANNOTATION_APPLIED_HASH]: _h, [ANNOTATION_LAST_APPLIED]: _l, ...annotations } = prepared.metadata.annotations ?? {};
  const desired = { ...prepared, metadata: { ...prepared.metadata, annotations } };
  let old: unknown;
  try {
    old = JSON.parse(previous);
  } catch {
    return predicted;
  }
  const out = JSON.parse(JSON.stringify(predicted)) as KubeObject;
  removeDropped(out, old, desired);
  return out;
}

type Json = Record<string, unknown>;
const isMap = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const named = (v: unknown): v is Json[] => Array.isArray(v) && v.length > 0 && v.every((i) => isMap(i) && typeof i.name === 'string');

function removeDropped(target: unknown, old: unknown, desired: unknown): void {
  if (isMap(target) && isMap(old) && isMap(desired)) {
    for (const k of Object.keys(old)) {
      if (k in desired) {
        removeDropped(target[k], old[k], desired[k]);
      } else if (isMap(old[k]) || named(old[k])) {
        // Only what was applied goes (a label someone else added stays, as in the engine's apply).
        removeDropped(target[k], old[k], isMap(old[k]) ? {} : []);
        if (isMap(target[k]) ? Object.keys(target[k] as Json).length === 0 : (target[k] as unknown[] | undefined)?.length === 0) {
          delete target[k];
        }
      } else {
        delete target[k];
      }
    }
  } else if (Array.isArray(target) && named(old) && (named(desired) || (Array.isArray(desired) && desired.length === 0))) {
    for (const item of old) {
      const want = (desired as Json[]).find((d) => d.name === item.name);
      const at = target.findIndex((t) => isMap(t) && t.name === item.name);
      if (at < 0) {
        continue;
      }
      if (want) {
        removeDropped(target[at], item, want);
      } else {
        target.splice(at, 1);
      }
    }
  }
}
