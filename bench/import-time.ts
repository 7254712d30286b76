/**
 * `npm run bench:import`: how long `require('cdk8s-argocd')` (the compiled lib/index.js, the
 * package's `main`) takes in a fresh Node process, against what any cdk8s app loads anyway (cdk8s
 * and constructs, and cdk8s-plus-28, our peer dependency), what it adds to an app that has loaded
 * those already, and what the import leaves out: the sync engine (lib/engine/index.js) and the CLI
 * (lib/cli/main.js). Each case runs `--runs` times (default 10), each in its own process; median
 * and min–max shown (on a shared machine the minimum is the least disturbed figure). Fails when the
 * construct library's import loads an engine module (see test/util/import-footprint.ts).
 *
 *   npm run bench:import                 # compiles lib/ first
 *   npm run bench:import -- --runs 20 --node /path/to/node
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { engineModulesIn, importFootprint, ImportFootprint, ROOT } from '../test/util/import-footprint';

const args = process.argv.slice(2).filter(a => a !== '--');
function option(name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
}
const runs = Number(option('--runs') ?? 10);
const node = option('--node') ?? process.execPath;
if (!fs.existsSync(path.join(ROOT, 'lib', 'index.js'))) {
  console.error('lib/ is missing: run `npx projen compile` first (npm run bench:import does)');
  process.exit(2);
}

const cases: Array<{ label: string; entry: string; preload?: string[] }> = [
  { label: 'cdk8s (and constructs, which it loads): any cdk8s app', entry: 'cdk8s' },
  { label: 'cdk8s-plus-28 (peer dependency)', entry: 'cdk8s-plus-28' },
  { label: '**cdk8s-argocd** (`require(\'cdk8s-argocd\')`, lib/index.js)', entry: '.' },
  { label: '**cdk8s-argocd** in an app that has loaded cdk8s and cdk8s-plus-28 already (what it adds)', entry: '.', preload: ['cdk8s', 'cdk8s-plus-28'] },
  { label: 'for comparison, not loaded by the above: the sync engine (lib/engine/index.js)', entry: './lib/engine/index.js' },
  { label: 'for comparison, not loaded by the above: the CLI (lib/cli/main.js)', entry: './lib/cli/main.js' },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function topPackages(footprint: ImportFootprint): string {
  return Object.entries(footprint.modulesByPackage).sort((a, b) => b[1] - a[1]).map(([p, n]) => `${p} ${n}`).join(', ');
}

const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
console.log(`node ${version}, ${os.cpus().length} cpus, load average ${os.loadavg()[0].toFixed(1)}, ${runs} fresh processes per case (median, min–max)\n`);
console.log('| import | require() time | modules loaded | by package |');
console.log('| --- | ---: | ---: | --- |');
let ours: ImportFootprint | undefined;
for (const c of cases) {
  const results = Array.from({ length: runs }, () => importFootprint(c.entry, node, c.preload));
  const times = results.map(r => r.requireMs);
  const last = results[results.length - 1];
  const modules = Object.values(last.modulesByPackage).reduce((a, b) => a + b, 0);
  console.log(`| ${c.label} | ${median(times).toFixed(0)} ms (${Math.min(...times).toFixed(0)}–${Math.max(...times).toFixed(0)}) | ${modules} | ${topPackages(last)} |`);
  if (c.entry === '.' && !c.preload) ours = last;
}
const leaked = engineModulesIn(ours!);
if (leaked.length > 0) {
  console.error(`\nrequire('cdk8s-argocd') loaded engine modules: ${leaked.join(', ')}`);
  process.exit(1);
}
console.log('\nrequire(\'cdk8s-argocd\') loaded no engine or CLI module, no engine-only package and no WebAssembly.');
