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
      // Values of any type (a map under stringData is invalid, but still must not be shown).
      const v = typeof o[field][k] === 'string' ? o[field][k] : JSON.stringify(o[field][k]);
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
 * Every text that reveals a Secret value of `obj`: each string or number under `data`/`stringData`
 * at any depth (a map or list there is invalid, but the API server echoes it in its error), nested
 * keys included, and each string also in base64 (or decoded from it).
 */
function secretTexts(obj: KubeObject): string[] {
  const texts: string[] = [];
  const walk = (v: unknown, encoded: boolean) => {
    if (typeof v === 'string') {
      texts.push(v);
      texts.push(encoded ? Buffer.from(v, 'base64').toString('utf8') : Buffer.from(v, 'utf8').toString('base64'));
    } else if (typeof v === 'number' || typeof v === 'bigint') {
      texts.push(String(v));
    } else if (Array.isArray(v)) {
      v.forEach((x) => walk(x, encoded));
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        texts.push(k);
        walk(x, encoded);
      }
    }
  };
  for (const [field, encoded] of [['data', true], ['stringData', false]] as const) {
    const values = obj[field];
    if (values !== null && typeof values === 'object') {
      Object.values(values as Record<string, unknown>).forEach((v) => walk(v, encoded));
    } else if (values !== undefined) {
      walk(values, encoded);
    }
  }
  return texts;
}

/**
 * Removes every Secret value (raw and base64, whatever its type) of `objs` from a message, e.g. an
 * API server error that echoes part of the object.
 */
export function redactSecretValues(message: string, ...objs: Array<KubeObject | undefined>): string {
  const texts = objs.filter((o): o is KubeObject => isSecret(o)).flatMap(secretTexts);
  let out = message;
  for (const v of [...new Set(texts)].filter((x) => x.length >= 3).sort((a, b) => b.length - a.length)) {
    out = out.split(v).join('********');
  }
  return out;
}
