/**
 * `npm run synth`: synthesizes every example under examples/ into its committed manifests/.
 * `npm run synth -- --check`: only compares, prints a diff and exits 1 when any is stale.
 *
 * Each example's main.ts exports `buildApp(): GitOpsApp`; they run in this one process.
 */
import * as fs from 'fs';
import * as path from 'path';

const examplesDir = path.join(__dirname, '..', 'examples');
const check = process.argv.includes('--check');
let failed = false;

for (const name of fs.readdirSync(examplesDir).sort()) {
  const main = path.join(examplesDir, name, 'main.ts');
  if (!fs.existsSync(main)) continue;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const example = require(main);
  if (typeof example.buildApp !== 'function') {
    console.error(`examples/${name}/main.ts does not export buildApp(); every example must`);
    failed = true;
    continue;
  }
  const previousExitCode = process.exitCode;
  process.exitCode = 0;
  try {
    example.buildApp().synth();
  } catch (err) {
    console.error(`examples/${name}: ${err instanceof Error ? err.message : String(err)}`);
    failed = true;
  }
  if (process.exitCode !== 0) failed = true;
  process.exitCode = previousExitCode;
}

if (failed) {
  if (check) console.error('\nSome committed manifests are stale: run `npm run synth` and commit the result.');
  process.exitCode = 1;
}
