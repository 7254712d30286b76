import type * as k8s from '@kubernetes/client-node' with { 'resolution-mode': 'import' };

/**
 * Loads `@kubernetes/client-node` (ES module only) from this CommonJS build. A plain `import()`
 * would be rewritten to `require()` by TypeScript's CommonJS output and by ts-jest, so the call
 * is hidden from them; Node then performs a real dynamic import.
 */
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const dynamicImport = new Function('s', 'return import(s)') as (s: string) => Promise<unknown>;

let cached: Promise<typeof k8s> | undefined;

async function load(): Promise<typeof k8s> {
  try {
    return (await dynamicImport('@kubernetes/client-node')) as typeof k8s;
  } catch (e) {
    // Inside a vm context without --experimental-vm-modules (jest's CommonJS runtime) dynamic
    // import is unavailable. Node's own require() loads ES modules since 20.19 (require(esm)),
    // but jest replaces require and createRequire in the context, so borrow the host process's.
    if ((e as NodeJS.ErrnoException).code === 'ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING' || /experimental-vm-modules/.test(String(e))) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const nodeModule = require('module') as { _load(request: string, parent: unknown, isMain: boolean): unknown };
      return nodeModule._load(require.resolve('@kubernetes/client-node'), null, false) as typeof k8s;
    }
    throw e;
  }
}

export function loadClientNode(): Promise<typeof k8s> {
  cached ??= load();
  return cached;
}

export type { k8s };
