import { parse } from 'yaml';
import { isPlainObject } from './go-value';

/**
 * Applies a rendered `templatePatch` to a generated Application as Argo CD does: YAML (or JSON) →
 * strategic merge patch. Application fields declare no merge keys, so maps merge recursively,
 * lists are replaced (except `metadata.finalizers`, which ObjectMeta merges), and `null` deletes a
 * field. The patch may not change `spec.project`.
 */
export function applyTemplatePatch(app: { [key: string]: any }, patchText: string): { [key: string]: any } {
  let patch: unknown;
  try {
    patch = parse(patchText);
  } catch (e) {
    throw new Error(`templatePatch is not valid YAML after rendering: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n${patchText}`);
  }
  if (patch === null || patch === undefined) return app;
  if (!isPlainObject(patch)) throw new Error(`templatePatch must render to a YAML mapping (an Application fragment), got: ${patchText.trim().slice(0, 200)}`);
  const merged = merge(app, patch) as { [key: string]: any };
  // ObjectMeta.finalizers is a strategic-merge list (patchStrategy merge): the patch adds to it.
  const patchFinalizers = (patch as any).metadata?.finalizers;
  if (Array.isArray(patchFinalizers) && Array.isArray(app.metadata?.finalizers)) {
    merged.metadata.finalizers = [...new Set([...app.metadata.finalizers, ...patchFinalizers])];
  }
  merged.spec = { ...(merged.spec ?? {}), project: app.spec?.project };
  if (merged.spec.project === undefined) delete merged.spec.project;
  return merged;
}

function merge(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch) || !isPlainObject(target)) return patch;
  const out: { [key: string]: unknown } = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = merge(out[k], v);
  }
  return out;
}
