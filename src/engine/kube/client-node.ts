import type * as k8s from '@kubernetes/client-node' with { 'resolution-mode': 'import' };

/**
 * Loads `@kubernetes/client-node` (ES module only) from this CommonJS build. A plain `import()`
 * would be rewritten to `require()` by TypeScript's CommonJS output and by ts-jest, so the call
 * is hidden from them; Node then performs a real dynamic import.
 */
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const dynamicImport = new Function('s', 'return import(s)') as (s: string) => Promise<unknown>;

let cached: Promise<typeof k8s> | undefined;

export function loadClientNode(): Promise<typeof k8s> {
  cached ??= dynamicImport('@kubernetes/client-node') as Promise<typeof k8s>;
  return cached;
}

export type { k8s };
