import { KubeObject } from '../model';
import { isSecret } from './normalize';

/**
 * Replaces Secret values with `+` runs, as Argo CD's `HideSecretData`: equal values get equal
 * masks across the objects, different values different lengths, so a diff still shows *which*
 * keys changed but never what they contain. Mutates the (already copied) objects.
 */
export function maskSecretData(...objs: Array<KubeObject | undefined>): void {
  const secrets = objs.filter((o): o is KubeObject => isSecret(o));
  const keys = new Set<string>();
  for (const o of secrets) {
    for (const field of ['data', 'stringData']) {
      for (const k of Object.keys(o[field] ?? {})) {
        keys.add(`${field}\u0000${k}`);
      }
    }
  }
  for (const fk of keys) {
    const [field, k] = fk.split('\u0000');
    let next = '++++++++';
    const seen = new Map<string, string>();
    for (const o of secrets) {
      if (!o[field] || !(k in o[field])) {
        continue;
      }
      const v = String(o[field][k]);
      let mask = seen.get(v);
      if (!mask) {
        mask = next;
        seen.set(v, mask);
        next += '++++';
      }
      o[field][k] = mask;
    }
  }
  if (secrets.length > 0) {
    for (const o of secrets) {
      const ann = o.metadata.annotations;
      if (ann?.['kubectl.kubernetes.io/last-applied-configuration']) {
        ann['kubectl.kubernetes.io/last-applied-configuration'] = '++++++++';
      }
    }
  }
}

/**
 * Removes every Secret value (raw and base64) of `objs` from a message, e.g. an API server error
 * that echoes part of the object.
 */
export function redactSecretValues(message: string, ...objs: Array<KubeObject | undefined>): string {
  let out = message;
  for (const o of objs) {
    if (!isSecret(o)) {
      continue;
    }
    const values: string[] = [];
    for (const v of Object.values((o!.data ?? {}) as Record<string, string>)) {
      values.push(String(v));
      values.push(Buffer.from(String(v), 'base64').toString('utf8'));
    }
    for (const v of Object.values((o!.stringData ?? {}) as Record<string, string>)) {
      values.push(String(v));
      values.push(Buffer.from(String(v), 'utf8').toString('base64'));
    }
    for (const v of values.filter((x) => x.length >= 3).sort((a, b) => b.length - a.length)) {
      out = out.split(v).join('********');
    }
  }
  return out;
}
