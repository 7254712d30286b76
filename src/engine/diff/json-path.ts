/** A path into a JSON value: object keys and array indexes. */
export type JsonPath = Array<string | number>;

/** Parses an RFC 6901 JSON pointer (`/spec/replicas`, `~1` is `/`, `~0` is `~`). */
export function parseJsonPointer(pointer: string): JsonPath {
  if (pointer === '') {
    return [];
  }
  if (!pointer.startsWith('/')) {
    throw new Error(`JSON pointer '${pointer}' must start with '/'`);
  }
  return pointer.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function getPath(obj: unknown, path: JsonPath): { found: boolean; value?: unknown } {
  let cur: any = obj;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') {
      return { found: false };
    }
    const k = Array.isArray(cur) ? Number(seg) : seg;
    if (!(k in cur)) {
      return { found: false };
    }
    cur = cur[k as any];
  }
  return { found: true, value: cur };
}

/** Removes the value at `path`; missing paths are ignored (as Argo CD's remove patches are). */
export function deletePath(obj: unknown, path: JsonPath): void {
  if (path.length === 0) {
    return;
  }
  const parent = getPath(obj, path.slice(0, -1));
  if (!parent.found || parent.value === null || typeof parent.value !== 'object') {
    return;
  }
  const last = path[path.length - 1];
  if (Array.isArray(parent.value)) {
    const i = Number(last);
    if (Number.isInteger(i) && i >= 0 && i < parent.value.length) {
      parent.value.splice(i, 1);
    }
  } else {
    delete (parent.value as Record<string, unknown>)[last as string];
  }
}

/** Sets the value at `path`, creating missing objects on the way; returns false when an array index is out of range. */
export function setPath(obj: unknown, path: JsonPath, value: unknown): boolean {
  let cur: any = obj;
  for (let i = 0; i < path.length - 1; i++) {
    const seg = path[i];
    if (Array.isArray(cur)) {
      const idx = Number(seg);
      if (!(idx >= 0 && idx < cur.length)) {
        return false;
      }
      cur = cur[idx];
    } else {
      if (cur[seg] === undefined || cur[seg] === null || typeof cur[seg] !== 'object') {
        cur[seg] = typeof path[i + 1] === 'number' ? [] : {};
      }
      cur = cur[seg];
    }
  }
  const last = path[path.length - 1];
  if (Array.isArray(cur)) {
    const idx = Number(last);
    if (!(idx >= 0 && idx <= cur.length)) {
      return false;
    }
    cur[idx] = value;
  } else {
    cur[last] = value;
  }
  return true;
}

export function deepClone<T>(v: T): T {
  return v === undefined ? v : JSON.parse(JSON.stringify(v));
}

/** Structural equality of JSON values (key order does not matter). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) {
    return true;
  }
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') {
    return false;
  }
  if (Array.isArray(a) !== Array.isArray(b)) {
    return false;
  }
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as any)[k], (b as any)[k]));
}
