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
