/**
 * What `require()` of one module loads, measured in a fresh Node process (jest's own module
 * registry never fills `require.cache`, and a warm process would hide the cost). Used by the
 * import-footprint unit test and by bench/import-time.ts.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';

export const ROOT = path.join(__dirname, '..', '..');

/**
 * Packages only the sync engine and the CLI use. Importing the construct library (`cdk8s-argocd`,
 * src/index.ts) must load none of them: a cdk8s app pays for what it uses.
 */
export const ENGINE_ONLY_PACKAGES = ['@kubernetes/client-node', 'ajv', 'commander', 'fengari', 'jq-wasm', 'picocolors'];

/**
 * Our own modules the construct library may load, relative to src/ (or lib/): the constructs, Argo
 * CD's vocabulary, the committed-directory synth, the offline ApplicationSet expansion
 * (`ApplicationSet.expand()`), the kind order sync waves share with the engine, the pinned-images
 * file `Images.fromFile` reads, and the liveness check of the synth's lock. Everything else (the
 * sync engine, the CLI and its `set-image`, the local cluster, Go builds) is the engine's.
 */
export const CONSTRUCT_LIBRARY_MODULES = [
  /^index$/, /^constructs\//, /^argo\//, /^synth\//, /^git\//,
  /^engine\/appset\//, /^engine\/kind-order$/, /^images\/(image-reference|images-file)$/, /^cluster\/pid-alive$/,
];

export interface ImportFootprint {
  /** Milliseconds the `require()` took. */
  readonly requireMs: number;
  /** Modules loaded, by package name (`(own)` for this repository's src/ or lib/). */
  readonly modulesByPackage: { [pkg: string]: number };
  /** This repository's modules loaded, relative to src/ or lib/ and without extension. */
  readonly ownModules: string[];
  /** Worker threads started by the import (the Go template renderer runs in one). */
  readonly workersStarted: number;
  /** Files ending in .wasm read by the import. */
  readonly wasmRead: string[];
}

// Runs in the child: counts workers and .wasm reads, requires the module, reports require.cache.
const PROBE = `
const fs = require('fs');
const wt = require('worker_threads');
let workers = 0;
const Worker = wt.Worker;
wt.Worker = class extends Worker { constructor(...a) { workers++; super(...a); } };
const wasmRead = [];
for (const name of ['readFileSync', 'readFile']) {
  const original = fs[name];
  fs[name] = function (file, ...rest) { if (String(file).endsWith('.wasm')) wasmRead.push(String(file)); return original.call(this, file, ...rest); };
}
for (const preload of (process.env.FOOTPRINT_PRELOAD || '').split(',').filter(Boolean)) require(preload);
const before = new Set(Object.keys(require.cache));
const t0 = process.hrtime.bigint();
require(process.env.FOOTPRINT_ENTRY);
const requireMs = Number(process.hrtime.bigint() - t0) / 1e6;
const files = Object.keys(require.cache).filter(f => !before.has(f));
process.stdout.write(JSON.stringify({ requireMs, files, workers, wasmRead }));
`;

/**
 * Requires `entry` (a path or package name, resolved from the repository root) in a fresh Node
 * process, after `preload` (whose modules and time are left out: what the app has loaded anyway);
 * `.ts` entries are transpiled with ts-node, whose own modules are left out too.
 */
export function importFootprint(entry: string, nodeBinary: string = process.execPath, preload: string[] = []): ImportFootprint {
  const register = entry.endsWith('.ts') ? ['-r', 'ts-node/register/transpile-only'] : [];
  const out = execFileSync(nodeBinary, [...register, '-e', PROBE], {
    cwd: ROOT,
    env: { ...process.env, FOOTPRINT_ENTRY: entry, FOOTPRINT_PRELOAD: preload.join(','), TS_NODE_PROJECT: path.join(ROOT, 'test', 'tsconfig.json') },
    encoding: 'utf8',
  });
  const probe = JSON.parse(out) as { requireMs: number; files: string[]; workers: number; wasmRead: string[] };
  const modulesByPackage: { [pkg: string]: number } = {};
  const ownModules: string[] = [];
  for (const file of probe.files) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1];
    // What ts-node loads lazily while transpiling is not the entry's footprint.
    if (register.length > 0 && (pkg === 'ts-node' || pkg === 'typescript')) {
      continue;
    }
    const own = pkg === undefined ? /^(?:src|lib)\/(.+)\.(?:ts|js)$/.exec(path.relative(ROOT, file)) : undefined;
    if (own) {
      ownModules.push(own[1]);
    }
    const key = pkg ?? (own ? '(own)' : path.relative(ROOT, file));
    modulesByPackage[key] = (modulesByPackage[key] ?? 0) + 1;
  }
  return { requireMs: probe.requireMs, modulesByPackage, ownModules: ownModules.sort(), workersStarted: probe.workers, wasmRead: probe.wasmRead };
}

/** The loaded modules the construct library must not load. */
export function engineModulesIn(footprint: ImportFootprint): string[] {
  return [
    ...Object.keys(footprint.modulesByPackage).filter(p => ENGINE_ONLY_PACKAGES.includes(p)),
    ...footprint.ownModules.filter(m => !CONSTRUCT_LIBRARY_MODULES.some(allowed => allowed.test(m))).map(m => `src/${m}`),
    ...(footprint.workersStarted > 0 ? [`${footprint.workersStarted} worker thread(s)`] : []),
    ...footprint.wasmRead,
  ];
}
