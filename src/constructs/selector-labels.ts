import { createHash } from 'crypto';
import { ApiObject, Names } from 'cdk8s';
import { enclosingApplicationOf, namingPath } from './naming';

/** The label cdk8s-plus puts on every pod and selects workloads' pods by. */
export const ADDRESS_LABEL = 'cdk8s.io/metadata.addr';
// ClusterRole.combine() labels aggregated roles with this prefix plus the ClusterRole's address label.
const AGGREGATE_LABEL_PREFIX = 'cdk8s.cluster-role/aggregate-to-';

/**
 * cdk8s-plus derives the `cdk8s.io/metadata.addr` value of a workload or pod from its full
 * construct path (with a hash of it), when it is created. That path changes when the construct
 * moves into a SyncWave or an AppOfApps, and a changed selector is an immutable-field error in the
 * cluster. This maps every such value to the one derived the same way from the Application's name
 * and the construct's naming path (grouping scopes left out): identical to cdk8s-plus's value for a
 * construct directly in a top-level Application, and stable under refactors.
 */
export function stableAddressLabels(apiObjects: readonly ApiObject[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const object of apiObjects) {
    const owner = object.node.scope;
    const app = owner && enclosingApplicationOf(object);
    if (!owner || !app || owner === app) continue;
    const before = Names.toLabelValue(owner);
    const after = labelValue([app.name, ...namingPath(app, owner)], object.node.root.node.id);
    if (before !== after) values.set(before, after);
  }
  return values;
}

/** Rewrites address label values (in labels, selectors, match expressions, aggregation keys) in place. */
export function rewriteAddressLabels(json: unknown, values: ReadonlyMap<string, string>): void {
  if (values.size === 0 || json === null || typeof json !== 'object') return;
  if (Array.isArray(json)) {
    for (const item of json) rewriteAddressLabels(item, values);
    return;
  }
  const record = json as Record<string, unknown>;
  if (record.key === ADDRESS_LABEL && Array.isArray(record.values)) {
    record.values = record.values.map(v => (typeof v === 'string' ? values.get(v) ?? v : v));
  }
  for (const [key, value] of Object.entries(record)) {
    if (key === ADDRESS_LABEL && typeof value === 'string' && values.has(value)) {
      record[key] = values.get(value);
    } else if (key.startsWith(AGGREGATE_LABEL_PREFIX) && values.has(key.slice(AGGREGATE_LABEL_PREFIX.length))) {
      renameKey(record, key, AGGREGATE_LABEL_PREFIX + values.get(key.slice(AGGREGATE_LABEL_PREFIX.length)));
    } else {
      rewriteAddressLabels(value, values);
    }
  }
}

/** Renames a key keeping the key order (YAML output follows it). */
function renameKey(record: Record<string, unknown>, from: string, to: string): void {
  const entries = Object.entries(record).map(([k, v]) => [k === from ? to : k, v] as const);
  for (const key of Object.keys(record)) delete record[key];
  for (const [k, v] of entries) record[k] = v;
}

// The rest reproduces cdk8s's Names.toLabelValue over a given path instead of a construct's own.
const MAX_LENGTH = 63;
const HASH_LENGTH = 8;
const LABEL_VALUE = /^(([0-9a-zA-Z][0-9a-zA-Z-_.]*)?[0-9a-zA-Z])?$/;

/** `components` as a label value, hashed with the root's id in front as a construct address is. */
function labelValue(components: string[], rootId: string): string {
  if (components.length === 1 && LABEL_VALUE.test(components[0]) && components[0].length <= MAX_LENGTH) return components[0];
  const parts = components.map(c => c.replace(/[^0-9a-zA-Z-_.]/g, '').slice(0, MAX_LENGTH));
  parts.push(constructAddress([rootId, ...components]).slice(0, HASH_LENGTH));
  const human = parts.reverse()
    .filter((value, i, all) => value !== all[i - 1])
    .join('/')
    .slice(0, MAX_LENGTH)
    .split('/')
    .reverse()
    .filter(x => x)
    .join('-')
    .split('-')
    .filter(x => x)
    .filter(x => x.toLowerCase() !== 'resource' && x.toLowerCase() !== 'default')
    .join('-');
  return human.replace(/^[^0-9a-zA-Z]+/, '');
}

/** The `constructs` library's address of a path (`node.addr`): 'c8' + sha1 of the ids, `Default` skipped. */
function constructAddress(components: string[]): string {
  const hash = createHash('sha1');
  for (const c of components) {
    if (c === 'Default') continue;
    hash.update(c);
    hash.update('\n');
  }
  return 'c8' + hash.digest('hex');
}
