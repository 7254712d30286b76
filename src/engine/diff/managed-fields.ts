import { JsonPath } from './json-path';

/**
 * Concrete paths of the leaf fields a `fieldsV1` set names, resolved against `obj`:
 * `f:<name>` is a key, `k:<json>` the list item whose fields equal the key, `v:<json>` the list
 * item equal to the value, `i:<n>` an index. Items not present in `obj` are skipped.
 */
export function managedFieldPaths(fieldsV1: any, obj: unknown): JsonPath[] {
  const out: JsonPath[] = [];
  const walk = (set: any, node: any, path: JsonPath) => {
    const keys = Object.keys(set ?? {}).filter((k) => k !== '.');
    if (keys.length === 0 || set['.'] !== undefined) {
      if (path.length > 0) {
        out.push(path);
      }
      if (keys.length === 0) {
        return;
      }
    }
    for (const k of keys) {
      const child = set[k];
      if (k.startsWith('f:')) {
        const name = k.slice(2);
        if (node !== null && typeof node === 'object' && !Array.isArray(node) && name in node) {
          walk(child, node[name], [...path, name]);
        }
      } else if (Array.isArray(node)) {
        let index = -1;
        if (k.startsWith('k:')) {
          const want = JSON.parse(k.slice(2)) as Record<string, unknown>;
          index = node.findIndex((item) => item && typeof item === 'object' && Object.entries(want).every(([wk, wv]) => JSON.stringify(item[wk]) === JSON.stringify(wv)));
        } else if (k.startsWith('v:')) {
          const want = k.slice(2);
          index = node.findIndex((item) => JSON.stringify(item) === want);
        } else if (k.startsWith('i:')) {
          index = Number(k.slice(2));
        }
        if (index >= 0 && index < node.length) {
          walk(child, node[index], [...path, index]);
        }
      }
    }
  };
  walk(fieldsV1, obj, []);
  return out;
}
