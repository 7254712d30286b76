/**
 * `require('cdk8s-argocd')` is what every cdk8s app using the constructs pays for: it must not
 * load the sync engine, the CLI or their dependencies (@kubernetes/client-node, commander, jq-wasm,
 * picocolors), nor start the Go template renderer's WebAssembly. bench/import-time.ts measures the
 * time; this test guards the set.
 */
import { engineModulesIn, importFootprint } from '../util/import-footprint';

describe('importing the construct library', () => {
  test('loads none of the engine\'s or the CLI\'s modules and dependencies, and no WebAssembly', () => {
    const footprint = importFootprint('./src/index.ts');
    expect(engineModulesIn(footprint)).toEqual([]);
    // The constructs are really there (an empty footprint would pass the check above).
    expect(footprint.ownModules).toEqual(expect.arrayContaining(['index', 'constructs/gitops-app', 'engine/appset/expand']));
    expect(footprint.modulesByPackage.cdk8s).toBeGreaterThan(0);
  }, 60_000);

  test('the check sees an engine module and its dependency when one is imported', () => {
    // ignore-differences is small and imports jq-wasm: what the construct library must not load.
    const footprint = importFootprint('./src/engine/diff/ignore-differences.ts');
    expect(engineModulesIn(footprint)).toEqual(expect.arrayContaining(['jq-wasm', 'src/engine/diff/ignore-differences']));
  }, 60_000);

  test('the check sees the Go template renderer start when templates are rendered', () => {
    // A Go-template ApplicationSet expanded at import time would start the worker and read the .wasm.
    const footprint = importFootprint('./test/fixtures/import-footprint/expands-at-import.ts');
    expect(engineModulesIn(footprint)).toEqual(expect.arrayContaining(['1 worker thread(s)']));
  }, 60_000);
});
