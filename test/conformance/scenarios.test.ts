/**
 * The conformance suite: every scenario (test/conformance/scenarios/<name>/, plus the committed
 * examples converted at run time) runs through real Argo CD v3.2 on cluster A (the e2e cluster)
 * and through the engine on cluster B (a second local cluster, `<A dir>/conformance-engine`) at
 * the same time; what each left behind is compared (see harness/compare.ts) and the table
 * scenario × (Argo CD, engine, same?) is printed and written to test-reports/conformance.md.
 *
 * A scenario fails on a difference its scenario.yaml does not keep, or an `expect` either side
 * does not meet. CONFORMANCE_SCENARIOS=name,name runs only those (names or name prefixes);
 * CONFORMANCE_SCENARIOS_DIR=<dir> takes the scenario folders from another directory.
 */
import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { checkExpectations, compareSnapshots, Difference, judge, SideSnapshot, unusedKept } from './harness/compare';
import { describeExtraSyncs, OperationLog, watchOperations } from './harness/operations';
import { failureMessage, passed, renderReport, ScenarioOutcome } from './harness/report';
import {
  commit2Files, commitTree, ensureRepository, openSide, releaseScenario, resetScenario, runArgoCd, runEngine, scenarioApps, Side, snapshotPair,
  stderrLog,
} from './harness/runner';
import { CONFORMANCE_REPO_URL, exampleScenario, ExampleScenarioSpec, loadHarnessKept, loadScenario, Scenario, scenarioFolders } from './harness/scenario';
import { argoCdVersion } from '../../src/argocd/build';
import { installArgoCdObjects } from '../../src/argocd/install';
import { LocalArgoCd } from '../../src/argocd/local-argocd';
import { LocalCluster } from '../../src/cluster/local-cluster';
import { runInProcess } from '../cli/run-in-process';
import { clusterDir, kubeconfigPath } from '../e2e/cluster-fixture';

const REPO_ROOT = path.resolve(__dirname, '../..');
/** CONFORMANCE_SCENARIOS_DIR runs the scenario folders of another directory instead (e.g. a branch's, exported). */
const SCENARIOS_DIR = process.env.CONFORMANCE_SCENARIOS_DIR ? path.resolve(process.env.CONFORMANCE_SCENARIOS_DIR) : path.join(__dirname, 'scenarios');
const REPORT_DIR = path.join(REPO_ROOT, 'test-reports');
const REPORT_FILE = path.join(REPORT_DIR, 'conformance.md');
const LOG_DIR = path.join(REPORT_DIR, 'conformance');

const MISSING_CRD = 'A kind whose CRD the cluster lacks (KEDA ScaledObject): the engine\'s server-side dry run refuses the sync before anything is applied and '
  + 'names the CRD to install; Argo CD v3.2.11 finds "one or more synchronization tasks are not valid" and keeps retrying. Both leave '
  + 'events-worker unsynced; the dry-run difference is kept on purpose (README, "Verified against Argo CD v3.2.11").';

/** The committed examples run as scenarios (converted at run time: they never drift). */
const EXAMPLES: ExampleScenarioSpec[] = [
  { example: 'basic', description: 'examples/basic: one automated Application (ConfigMap, Deployment, Service) with CreateNamespace' },
  {
    example: 'app-of-apps',
    description: 'examples/app-of-apps: a root Application with four automated children (one holds a KEDA ScaledObject whose CRD neither cluster has)',
    // Argo CD's 5 retries of the missing-CRD child (5 s to 80 s apart, each after a refresh) take 4-5 minutes.
    timeoutSeconds: 420,
    differences: [
      ...(['phase', 'message', 'result', 'sync', 'health'] as const).map((aspect) => ({ aspect, app: 'cf-ex-app-of-apps-events-worker', reason: MISSING_CRD })),
      // Where a cluster has the CRD after all (left there by other tests), Argo CD applies both objects.
      { aspect: 'live', object: 'ScaledObject/cf-ex-app-of-apps-commerce/events-worker-scaler', reason: MISSING_CRD },
      { aspect: 'live', object: 'Deployment/cf-ex-app-of-apps-commerce/events-worker-app', reason: MISSING_CRD },
      ...(['message', 'result'] as const).map((aspect) => ({
        aspect,
        object: 'Namespace//cf-ex-app-of-apps-commerce',
        reason: 'Four children share one CreateNamespace namespace and sync at once: which of them finds it missing (and records it created) '
          + 'depends on timing, on both sides.',
      })),
    ],
  },
  {
    example: 'microservices',
    description: 'examples/microservices: an AppProject and four automated Applications (HPAs, ignoreDifferences with RespectIgnoreDifferences, retry, PruneLast) '
      + 'under a root of manifests/apps, in a namespace that exists first (the example expects it, as its e2e test does)',
    timeoutSeconds: 240,
    existingNamespaces: ['cf-ex-microservices-shop'],
  },
];

interface Entry {
  readonly name: string;
  readonly scenario?: Scenario;
  readonly error?: string;
}

function load(name: string, fn: () => Scenario): Entry {
  try {
    return { name, scenario: fn() };
  } catch (e) {
    return { name, error: (e as Error).message };
  }
}

const only = (process.env.CONFORMANCE_SCENARIOS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
// Loaded while the file is collected: an invalid scenario is a failing test naming its file.
const entries: Entry[] = [
  ...EXAMPLES.map((spec) => load(`ex-${spec.example}`, () => exampleScenario(REPO_ROOT, spec))),
  ...scenarioFolders(SCENARIOS_DIR).map((dir) => load(path.basename(dir), () => loadScenario(dir))),
].filter((e) => only.length === 0 || only.some((o) => e.name === o || e.name.startsWith(o)));

const outcomes: ScenarioOutcome[] = [];
let argocd: Side | undefined;
let engine: Side | undefined;
let repo: string;
let engineCluster: LocalCluster | undefined;
let stopEngineCluster = false;
let setupSeconds = 0;
const suiteStart = Date.now();

beforeAll(async () => {
  const t0 = Date.now();
  const dirA = clusterDir();
  const dirB = path.join(dirA, 'conformance-engine');
  // Cluster B: reused when running (a second run is then warm), else started and stopped after.
  stopEngineCluster = (await LocalCluster.open(dirB)?.status())?.running !== true;
  engineCluster = await LocalCluster.start({ dir: dirB, log: (m) => stderrLog(`engine cluster: ${m}`) });
  engine = await openSide('engine', engineCluster.kubeconfigPath);
  // What `argocd up` installs on A (CRDs, argocd-cm and the other ConfigMaps with Argo CD's
  // defaults, the default AppProject the API server would create): the engine reads the same
  // settings and projects on B as Argo CD on A.
  await installArgoCdObjects(engine.api, (m) => stderrLog(`engine cluster: ${m}`));
  repo = path.join(dirA, 'conformance-repo');
  ensureRepository(repo);
  await LocalArgoCd.start({ clusterDir: dirA, repository: repo, repoURLs: [CONFORMANCE_REPO_URL], log: (m) => stderrLog(`Argo CD: ${m}`) });
  argocd = await openSide('argocd', kubeconfigPath());
  setupSeconds = (Date.now() - t0) / 1000;
  stderrLog(`clusters and Argo CD ready in ${setupSeconds.toFixed(1)}s`);
}, 900_000);

afterAll(async () => {
  if (outcomes.length) {
    const header = [
      `Argo CD ${argoCdVersion()} (cluster A) vs the engine (cluster B), ${new Date().toISOString()}.`,
      `Set-up ${setupSeconds.toFixed(0)}s; whole file ${((Date.now() - suiteStart) / 1000).toFixed(0)}s.`,
      'Compared: live objects of every tracked resource (normalized: no uid, resourceVersion, generation, creationTimestamp, managedFields, status, ' +
        "cluster IPs; kubectl's last-applied-configuration counted, not compared), per-resource sync results and their order, sync/health/phase/message " +
        'per Application, per-resource sync/health, and the Applications each ApplicationSet generated.',
    ];
    const report = renderReport(outcomes, header);
    fs.mkdirSync(REPORT_DIR, { recursive: true });
    fs.writeFileSync(REPORT_FILE, report);
    fs.writeSync(1, `\n${report}\n(written to ${path.relative(REPO_ROOT, REPORT_FILE)}; engine logs in ${path.relative(REPO_ROOT, LOG_DIR)}/)\n`);
  }
  argocd?.api.close();
  engine?.api.close();
  await LocalArgoCd.open(clusterDir())?.stop({ log: () => undefined });
  if (stopEngineCluster) {
    await engineCluster?.stop({ log: () => undefined });
  }
}, 300_000);

/** Each side's Applications of the scenario as left (with managedFields and annotations), for diagnosis. */
async function dumpApps(s: Scenario): Promise<void> {
  fs.mkdirSync(LOG_DIR, { recursive: true });
  for (const side of [argocd!, engine!]) {
    const { apps } = await scenarioApps(side.api, s.root.name);
    fs.writeFileSync(path.join(LOG_DIR, `${s.name}-${side.label}-applications.yaml`), [...apps.values()].map((a) => stringify(a)).join('---\n'));
  }
}

async function runScenario(s: Scenario): Promise<ScenarioOutcome> {
  const a = argocd!;
  const b = engine!;
  const base = { scenario: s.name, description: s.config.description, root: s.root.name, differences: [], expectations: [], unusedKept: [] };
  // Every operation Argo CD finishes meanwhile: its engine-comparable one is the first at a revision.
  const operations = new OperationLog();
  let stopWatch: (() => Promise<void>) | undefined;
  try {
    await Promise.all([resetScenario(a, s, stderrLog), resetScenario(b, s, stderrLog)]);
    stopWatch = watchOperations(a.api, operations, (e) => stderrLog(`${s.name}: watch of Argo CD's Applications: ${e.message}`));
    const sha1 = commitTree(repo, s.commit1, `${s.name}: commit 1`);
    stderrLog(`${s.name}: commit 1 ${sha1.slice(0, 7)}: Argo CD and the engine start`);
    const [a1, e1] = await Promise.all([runArgoCd(a, s, sha1, 1, stderrLog), runEngine(b, s, repo, sha1, 1, runInProcess, LOG_DIR, stderrLog)]);
    let seconds = { argocd: a1.seconds, engine: e1.seconds };
    let errors = { argocd: a1.error, engine: e1.error };
    const files2 = commit2Files(s);
    const found: Difference[] = [];
    const extraSyncs: string[] = [];
    let revision = sha1;
    if (files2 && !a1.error && !e1.error) {
      // The first commit's state too: the second commit's operation replaces its results.
      const first = await snapshotPair(a, b, s.root.name, {}, { log: operations, revision: sha1 });
      found.push(...compareSnapshots(s.name, first.argocd, first.engine, 1));
      extraSyncs.push(...describeExtraSyncs(first.extraSyncs).map((l) => `commit 1: ${l}`));
      const sha2 = commitTree(repo, files2, `${s.name}: commit 2`);
      revision = sha2;
      stderrLog(`${s.name}: commit 2 ${sha2.slice(0, 7)}`);
      const [a2, e2] = await Promise.all([runArgoCd(a, s, sha2, 2, stderrLog), runEngine(b, s, repo, sha2, 2, runInProcess, LOG_DIR, stderrLog)]);
      seconds = { argocd: seconds.argocd + a2.seconds, engine: seconds.engine + e2.seconds };
      errors = { argocd: a2.error, engine: e2.error };
    }
    const { extraSyncs: extra, ...sides }: { argocd: SideSnapshot; engine: SideSnapshot; extraSyncs: Record<string, number> } =
      await snapshotPair(a, b, s.root.name, errors, { log: operations, revision });
    const twoCommits = files2 && !a1.error && !e1.error;
    found.push(...compareSnapshots(s.name, sides.argocd, sides.engine, twoCommits ? 2 : undefined));
    extraSyncs.push(...describeExtraSyncs(extra).map((l) => (twoCommits ? `commit 2: ${l}` : l)));
    // The scenario's own kept differences first, then the harness-wide ones (kept-differences.yaml).
    const differences = judge(found, [...s.config.differences, ...loadHarnessKept()]);
    return {
      ...base,
      ...sides,
      differences,
      expectations: checkExpectations(s.config.expect, sides),
      unusedKept: unusedKept(differences, s.config.differences),
      extraSyncs,
      seconds,
    };
  } catch (e) {
    return { ...base, error: (e as Error).stack ?? String(e) };
  } finally {
    await stopWatch?.();
    await dumpApps(s).catch(() => undefined);
    // Argo CD must stop acting on this scenario's Applications before the next commit replaces the tree.
    await releaseScenario(a, s).catch((e) => stderrLog(`${s.name}: could not release its Applications on A: ${(e as Error).message}`));
  }
}

if (entries.length === 0) {
  test('no scenario selected', () => {
    throw new Error(`CONFORMANCE_SCENARIOS=${process.env.CONFORMANCE_SCENARIOS} selects none of the scenarios`);
  });
}

for (const entry of entries) {
  const s = entry.scenario;
  const timeout = s ? (s.config.timeoutSeconds * (s.commit2 ? 2 : 1) + 300) * 1000 : 10_000;
  test(`${entry.name}: Argo CD and the engine leave the same cluster`, async () => {
    if (!s) {
      outcomes.push({ scenario: entry.name, description: '(invalid scenario)', root: '', differences: [], expectations: [], unusedKept: [], error: entry.error });
      throw new Error(entry.error);
    }
    const outcome = await runScenario(s);
    outcomes.push(outcome);
    if (!passed(outcome)) {
      throw new Error(failureMessage(outcome));
    }
  }, timeout);
}
