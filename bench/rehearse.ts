/**
 * `npm run bench:rehearse`: `cdk8s-argocd rehearse` of the committed examples, base = HEAD~1,
 * head = HEAD, from the cached control-plane binary (built first if missing; not timed). Wall
 * time of the whole command as a user runs it (compiled JavaScript, fresh process), median of
 * `--runs` (default 3), with the summary of the report and the time to a ready control plane.
 *
 *   npm run bench:rehearse
 *   npm run bench:rehearse -- --runs 1
 *
 * The examples are taken from this repository's HEAD~1 and HEAD into a temporary Git repository
 * (two commits), made readable offline the way test/e2e/engine-tree.e2e.test.ts does it: sources
 * that are Helm charts from a chart repository (bitnami's redis, the External Secrets chart) are
 * left out, since this machine cannot reach them. The examples' third-party CRDs (KEDA, External
 * Secrets; test/fixtures/third-party-crds) are passed with `--crds`, as a user passes the CRDs
 * their clusters have.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments, stringify } from 'yaml';
import { compileEngine } from './fixtures';
import { ensureClusterBinary } from '../src/cluster/build';

const args = process.argv.slice(2).filter((a) => a !== '--');
const runs = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 3;
const root = path.resolve(__dirname, '..');
const out = path.join(__dirname, '.out');

function git(cwd: string, ...a: string[]): string {
  return execFileSync('git', a, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }).trim();
}

/** Drops sources that are charts from a chart repository (unreachable offline) from Applications and set templates. */
function offline(file: string): void {
  const text = fs.readFileSync(file, 'utf8');
  const docs = parseAllDocuments(text).map((d) => d.toJS());
  let changed = false;
  for (const doc of docs) {
    const spec = doc?.kind === 'Application' ? doc.spec : doc?.kind === 'ApplicationSet' ? doc.spec?.template?.spec : undefined;
    if (!spec?.sources) {
      continue;
    }
    const kept = spec.sources.filter((s: any) => !(s.chart && /^https?:/.test(s.repoURL ?? '')));
    if (kept.length !== spec.sources.length) {
      changed = true;
      if (kept.length === 1 && !kept[0].ref) {
        spec.source = kept[0];
        delete spec.sources;
      } else {
        spec.sources = kept;
      }
    }
  }
  if (changed) {
    fs.writeFileSync(file, docs.map((d) => stringify(d)).join('---\n'));
  }
}

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(e.name) ? [p] : [];
  });
}

/** The temporary repository: HEAD~1's and HEAD's examples (and the CRD stubs), one commit each. */
function exampleRepository(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-rehearse-repo-'));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'bench@example.com');
  git(dir, 'config', 'user.name', 'bench');
  for (const rev of ['HEAD~1', 'HEAD']) {
    for (const e of fs.readdirSync(dir)) {
      if (e !== '.git') {
        fs.rmSync(path.join(dir, e), { recursive: true, force: true });
      }
    }
    const tar = execFileSync('git', ['archive', '--format=tar', rev, 'examples', 'test/fixtures/third-party-crds'], { cwd: root, maxBuffer: 256 * 1024 * 1024 });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
    yamlFiles(path.join(dir, 'examples')).filter((f) => f.includes(`${path.sep}manifests${path.sep}`)).forEach(offline);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '--allow-empty', '-m', `examples at ${rev} (${git(root, 'rev-parse', '--short', rev)})`);
  }
  return dir;
}

function main(): void {
  // Compile the engine as users run it.
  const cli = compileEngine(root, out);
  // What the compiled engine reads next to the package root: Argo CD's CRDs and the template runtime.
  for (const shipped of ['crds', 'wasm']) {
    const link = path.join(out, shipped);
    if (!fs.existsSync(link)) {
      fs.symlinkSync(path.join(root, shipped), link);
    }
  }
  const repo = exampleRepository();
  const report = path.join(repo, '..', `${path.basename(repo)}.json`);
  const samples: Array<{ ms: number; code: number; ready: string; summary: string }> = [];
  try {
    void ensureClusterBinary({ log: () => undefined });
    for (let i = 0; i < runs; i++) {
      const load = os.loadavg()[0].toFixed(1);
      const t0 = process.hrtime.bigint();
      const res = spawnSync(process.execPath, [cli, 'rehearse', 'examples', '--base', 'HEAD~1', '--crds', 'test/fixtures/third-party-crds', '-o', 'json', '--out', report],
        { cwd: repo, encoding: 'utf8' });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const ready = /clusters ready in ([\d.]+s)/.exec(res.stderr)?.[1] ?? '?';
      let summary = res.stderr.trim().split('\n').slice(-3).join(' | ');
      if (fs.existsSync(report)) {
        const r = JSON.parse(fs.readFileSync(report, 'utf8'));
        summary = `${r.summary.applications} Applications, ${r.summary.created} created, ${r.summary.changed} changed, ${r.summary.failures} failures, ${r.summary.dangers} dangers, ${r.summary.neverSettling} never settle; ${r.applications.filter((a: any) => a.outcome === 'Succeeded').length} synced at head, ${r.timeline.length} timeline steps`;
        fs.rmSync(report);
      }
      samples.push({ ms, code: res.status ?? -1, ready, summary });
      process.stdout.write(`run ${i + 1}: ${(ms / 1000).toFixed(1)} s (exit ${res.status}, control plane ready in ${ready}, load ${load}): ${summary}\n`);
      // Where the time goes: the rehearsal's own progress lines carry their time since its start.
      const phases = res.stderr.split('\n').filter((l) => /^rehearse: [\d.]+s /.test(l)).map((l) => `    ${l.replace(/^rehearse: /, '')}`);
      process.stdout.write(`${phases.join('\n')}\n`);
    }
  } finally {
    fs.rmSync(repo, { recursive: true, force: true });
  }
  const sorted = [...samples].sort((a, b) => a.ms - b.ms);
  const median = sorted[Math.floor(sorted.length / 2)];
  process.stdout.write(`\nrehearse examples (base HEAD~1), median of ${samples.length}: ${(median.ms / 1000).toFixed(1)} s `
    + `(${samples.map((s) => (s.ms / 1000).toFixed(1)).join(', ')}); target ≤ 30 s: ${median.ms <= 30_000 ? 'met' : 'NOT met'}\n`);
}

main();
