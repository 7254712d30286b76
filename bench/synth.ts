/**
 * `npm run bench:synth`: the committed-directory synth against plain cdk8s, same resources, same
 * machine, same run. Each case runs in a fresh process (peak RSS is per case) and writes its files
 * to a fresh directory on tmpfs (/dev/shm), so the figures measure the work, not a disk shared with
 * other processes; `--disk` writes to the OS temp dir instead.
 *
 *   npm run bench:synth                 # 100 and 1,000 Applications × 10 ConfigMaps, 3 runs each
 *   npm run bench:synth -- 100 1000 5000 --runs 1 --gitops-only 5000
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

interface CaseResult {
  mode: string;
  applications: number;
  objects: number;
  constructMs: number;
  synthMs: number;
  totalMs: number;
  peakRssMiB: number;
}

const args = process.argv.slice(2).filter(a => a !== '--');
const runsIndex = args.indexOf('--runs');
const runs = runsIndex >= 0 ? Number(args.splice(runsIndex, 2)[1]) : 3;
const gitopsOnlyIndex = args.indexOf('--gitops-only');
const gitopsOnly = new Set(gitopsOnlyIndex >= 0 ? args.splice(gitopsOnlyIndex, 2)[1].split(',').map(Number) : []);
const diskIndex = args.indexOf('--disk');
const onDisk = diskIndex >= 0 && args.splice(diskIndex, 1).length > 0;
const sizes = args.length > 0 ? args.map(Number) : [100, 1000];
const outRoot = !onDisk && fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
if (!fs.existsSync(path.join(__dirname, '..', 'lib', 'index.js'))) {
  console.error('lib/ is missing: run `npx projen compile` first (npm run bench:synth does)');
  process.exit(2);
}

function runCase(mode: string, applications: number): CaseResult {
  const outdir = fs.mkdtempSync(path.join(outRoot, `bench-synth-${mode}-`));
  try {
    const output = execFileSync(process.execPath, [
      '-r', 'ts-node/register/transpile-only', path.join(__dirname, 'synth-case.ts'), mode, String(applications), outdir,
    ], { env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, '..', 'test', 'tsconfig.json') }, encoding: 'utf8' });
    return JSON.parse(output.trim().split('\n').pop()!);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Median by total time: robust against one slow run on a shared 2-core machine. */
function median(results: CaseResult[]): CaseResult {
  return [...results].sort((a, b) => a.totalMs - b.totalMs)[Math.floor(results.length / 2)];
}

console.log(`node ${process.version}, ${os.cpus().length} cpus, ${runs} run(s) per case (median shown), output on ${outRoot}\n`);
console.log('| Applications | objects | plain cdk8s total | cdk8s-argocd total (construct + synth) | ratio | plain peak RSS | ours peak RSS |');
console.log('|---:|---:|---:|---:|---:|---:|---:|');
const rows: Array<{ n: number; ours: CaseResult; plain?: CaseResult }> = [];
for (const n of sizes) {
  const ours = median(Array.from({ length: runs }, () => runCase('gitops', n)));
  const plain = gitopsOnly.has(n) ? undefined : median(Array.from({ length: runs }, () => runCase('cdk8s', n)));
  rows.push({ n, ours, plain });
  const ratio = plain ? (ours.totalMs / plain.totalMs).toFixed(2) + '×' : 'n/a';
  console.log(`| ${n} | ${ours.objects} | ${plain ? plain.totalMs + ' ms' : 'not run'} | ${ours.totalMs} ms (${ours.constructMs} + ${ours.synthMs}) | ${ratio} | ${plain ? plain.peakRssMiB + ' MiB' : '-'} | ${ours.peakRssMiB} MiB |`);
}
if (rows.length > 1) {
  const first = rows[0];
  const last = rows[rows.length - 1];
  const scale = last.n / first.n;
  console.log(`\ngrowth from ${first.n} to ${last.n} Applications (${scale}× the work): cdk8s-argocd ${(last.ours.synthMs / Math.max(1, first.ours.synthMs)).toFixed(1)}× synth time` +
    (first.plain && last.plain ? `, plain cdk8s ${(last.plain.totalMs / first.plain.totalMs).toFixed(1)}× total time` : ''));
}
