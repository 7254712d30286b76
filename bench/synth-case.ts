/**
 * One benchmark case, run in its own process so peak RSS is its own:
 *   synth-case.ts <gitops|cdk8s> <applications> <outdir>
 * Prints one JSON line: { mode, applications, objects, constructMs, synthMs, totalMs, peakRssMiB }.
 */
import { performance } from 'perf_hooks';
import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
// The compiled library, as users run it (not ts-node-compiled sources): `npm run bench:synth`
// compiles first.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Application, GitOpsApp } = require('../lib') as typeof import('../src');

const RESOURCES_PER_APP = 10;
const [mode, countArg, outdir] = process.argv.slice(2);
const count = Number(countArg);
if (!['gitops', 'cdk8s'].includes(mode) || !Number.isInteger(count) || !outdir) {
  console.error('usage: synth-case.ts <gitops|cdk8s> <applications> <outdir>');
  process.exit(2);
}

function addResources(scope: Construct, index: number): void {
  for (let r = 0; r < RESOURCES_PER_APP; r++) {
    new ApiObject(scope, `config-${r}`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      data: { app: `app-${index}`, resource: String(r), payload: 'x'.repeat(64) },
    });
  }
}

process.env.CDK8S_ARGOCD_QUIET = '1';
const start = performance.now();
let app: App;
if (mode === 'gitops') {
  app = new GitOpsApp({ repoURL: 'https://github.com/acme/bench.git', outdir, outdirPathInRepo: 'manifests' });
  for (let i = 0; i < count; i++) addResources(new Application(app, `app-${i}`, { destination: { namespace: `ns-${i}` } }), i);
} else {
  app = new App({ outdir });
  for (let i = 0; i < count; i++) addResources(new Chart(app, `app-${i}`, { namespace: `ns-${i}` }), i);
}
const constructed = performance.now();
app.synth();
const done = performance.now();

console.log(JSON.stringify({
  mode,
  applications: count,
  objects: count * RESOURCES_PER_APP,
  constructMs: Math.round(constructed - start),
  synthMs: Math.round(done - constructed),
  totalMs: Math.round(done - start),
  peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
}));
