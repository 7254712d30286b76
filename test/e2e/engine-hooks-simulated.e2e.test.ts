/**
 * Hooks on the local cluster, on the real control plane: kwok runs no container, so a
 * SmokeTestHook "passes" without running; the engine says so in its text output, its JSON and the
 * Application's status. `--fail-hook` makes the hook fail on purpose (kwok's pod-fail stage) and the
 * SyncFail hook runs; an unknown name is a usage error before anything is applied.
 *
 * A failed hook's last log lines: kwok serves a pod's log from a file named by a kwok
 * `ClusterLogs` object (the local cluster enables kwok's Logs/ClusterLogs CRDs), so the hook
 * failed with `--fail-hook` shows that file's end, as a hook that really ran would show its own.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject } from 'cdk8s';
import { getJson, kubeconfigPath, kubectl, testNamespaces } from './cluster-fixture';
import { Application, GitOpsApp, SmokeCheck, SmokeTestHook } from '../../src';
import { runInProcess } from '../cli/run-in-process';
import { runCliArgs } from '../engine/e2e-app';

jest.setTimeout(300_000);

const newNamespace = testNamespaces().create;
const SIMULATED = 'simulated: the local cluster runs no containers';
/** The Job controller's condition message for a Job that completed. */
const JOB_DONE = 'Reached expected number of succeeded pods';
const apps: string[] = [];
const clusterLogs: string[] = [];

/**
 * Gives every container of the pods in `ns` the log `lines` (kwok's ClusterLogs, read by kwok as it
 * changes): a file in the CRI log format kubelets read, `<time> <stream> F <line>`.
 */
async function podLogsIn(ns: string, lines: Array<['stdout' | 'stderr', string]>): Promise<void> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hook-log-')), 'main.log');
  const t0 = Date.parse('2026-12-01T12:00:00Z');
  fs.writeFileSync(file, lines.map(([stream, line], i) => `${new Date(t0 + i * 1000).toISOString()} ${stream} F ${line}\n`).join(''));
  clusterLogs.push(ns);
  await kubectl(['apply', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'ClusterLogs',
      metadata: { name: ns },
      spec: { selector: { matchNamespaces: [ns] }, logs: [{ logsFile: file }] },
    }),
  });
}

/**
 * A repository with one Application (named as its namespace): a Job `migrate` in wave -1, a
 * ConfigMap, a SmokeTestHook (PostSync Job `<ns>-smoke`) and a SyncFail Job `on-fail`, synthesized
 * as a user would.
 */
function repository(ns: string, more?: (app: Application) => void): { root: string; manifests: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hooks-sim-'));
  const gitops = new GitOpsApp({ repoURL: 'https://github.com/acme/gitops.git', outdir: 'manifests', outdirPathInRepo: 'manifests' });
  const app = new Application(gitops, ns, { destination: { namespace: ns } });
  more?.(app);
  new ApiObject(app, 'web', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web' }, data: { a: '1' } } as any);
  new SmokeTestHook(app, 'smoke', { checks: [SmokeCheck.http({ url: `http://web.${ns}.svc/` })] });
  // Not a hook: a Job the next wave waits for.
  new ApiObject(app, 'migrate', {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'migrate', annotations: { 'argocd.argoproj.io/sync-wave': '-1' } },
    spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'migrate', image: 'busybox:1.36', command: ['true'] }] } } },
  } as any);
  new ApiObject(app, 'on-fail', {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'on-fail', annotations: { 'argocd.argoproj.io/hook': 'SyncFail' } },
    spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'notify', image: 'busybox:1.36', command: ['true'] }] } } },
  } as any);
  for (const [file, text] of Object.entries(gitops.synthFiles())) {
    fs.mkdirSync(path.dirname(path.join(root, 'manifests', file)), { recursive: true });
    fs.writeFileSync(path.join(root, 'manifests', file), text);
  }
  apps.push(ns);
  return { root, manifests: path.join(root, 'manifests') };
}

function sync(repo: { root: string; manifests: string }, app: string, ...args: string[]) {
  return runCliArgs(['sync', repo.manifests, '--app', app, '--repo-root', repo.root, '--kubeconfig', kubeconfigPath(), '--timeout', '150', ...args]);
}

async function syncJson(repo: { root: string; manifests: string }, app: string, ...args: string[]) {
  const res = await sync(repo, app, '-o', 'json', ...args);
  if (!res.stdout) {
    throw new Error(`no result (exit ${res.code}): ${res.stderr}`);
  }
  const doc = JSON.parse(res.stdout);
  return { code: res.code, run: Array.isArray(doc) ? doc[0] : doc, stderr: res.stderr };
}

/** `kind/name: message` of each hook in the Application's recorded sync result. */
async function recordedHooks(app: string): Promise<Record<string, { hookPhase: string; message: string }>> {
  const live = await getJson(['application', app, '-n', 'argocd']);
  const out: Record<string, { hookPhase: string; message: string }> = {};
  for (const r of live.status.operationState.syncResult.resources.filter((x: any) => x.hookType)) {
    out[`${r.hookType} ${r.kind}/${r.name}`] = { hookPhase: r.hookPhase, message: r.message };
  }
  return out;
}

afterAll(async () => {
  for (const name of clusterLogs) {
    await kubectl(['delete', 'clusterlogs.kwok.x-k8s.io', name, '--ignore-not-found'], { check: false });
  }
  // The synthesized Applications carry Argo CD's resources finalizer: no controller would remove it.
  for (const name of apps) {
    await kubectl(['patch', 'application', name, '-n', 'argocd', '--type', 'merge', '-p', '{"metadata":{"finalizers":null}}'], { check: false });
    await kubectl(['delete', 'application', name, '-n', 'argocd', '--ignore-not-found', '--wait=false'], { check: false });
  }
});

describe('hooks on the local cluster only simulate', () => {
  test('a PostSync smoke hook reports simulated in the text output, the JSON and the Application status', async () => {
    const ns = await newNamespace('hook-sim');
    const repo = repository(ns);
    const text = await sync(repo, ns);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      `Simulated:      2 results only simulated (the local cluster runs no containers): Sync Job migrate Healthy, PostSync hook Job ${ns}-smoke Succeeded`);
    const row = text.stdout.split('\n').find((l) => l.startsWith('batch') && l.includes(`${ns}-smoke `))!;
    expect(row).toMatch(new RegExp(`PostSync/Succeeded\\s+${JOB_DONE} \\(${SIMULATED}\\)$`));
    // The ConfigMap really was applied: not labelled.
    expect(text.stdout.split('\n').find((l) => / web /.test(l))).not.toMatch(/simulated/);

    const { code, run } = await syncJson(repo, ns);
    expect(code).toBe(0);
    const smoke = run.resources.find((r: any) => r.name === `${ns}-smoke`);
    expect(smoke).toMatchObject({ hookType: 'PostSync', hookPhase: 'Succeeded', simulated: 'the local cluster runs no containers', message: `${JOB_DONE} (${SIMULATED})` });
    expect(run.resources.find((r: any) => r.name === 'web').simulated).toBeUndefined();
    expect(run.resources.find((r: any) => r.name === 'migrate')).toMatchObject({ message: `job.batch/migrate unchanged (${SIMULATED})`, simulated: 'the local cluster runs no containers' });
    expect(await recordedHooks(ns)).toEqual({
      [`PostSync Job/${ns}-smoke`]: { hookPhase: 'Succeeded', message: `${JOB_DONE} (${SIMULATED})` },
    });
  });

  test('--fail-hook fails the smoke hook on purpose and runs the SyncFail hook: exit 1, said in text, JSON and status', async () => {
    const ns = await newNamespace('hook-fail');
    const repo = repository(ns);
    const { code, run } = await syncJson(repo, ns, '--fail-hook', `${ns}-smoke`);
    expect(code).toBe(1);
    expect(run.phase).toBe('Failed');
    const forced = `failed on purpose: --fail-hook ${ns}-smoke`;
    expect(run.message).toContain(`Job ${ns}/${ns}-smoke: Job has reached the specified backoff limit (${forced}; ${SIMULATED})`);
    const smoke = run.resources.find((r: any) => r.name === `${ns}-smoke`);
    expect(smoke).toMatchObject({ hookPhase: 'Failed', forced: `--fail-hook ${ns}-smoke`, simulated: 'the local cluster runs no containers' });
    // A hook that ran has no sync status, as in Argo CD: its hookPhase says it failed.
    expect(smoke.status).toBeUndefined();
    expect(run.resources.find((r: any) => r.name === 'on-fail')).toMatchObject({ hookType: 'SyncFail', hookPhase: 'Succeeded', simulated: 'the local cluster runs no containers' });
    // kwok's pod-fail stage failed the pod as a kubelet would report it.
    const pods = await getJson(['pods', '-l', `job-name=${ns}-smoke`], { namespace: ns });
    expect(pods.items.map((p: any) => `${p.status.phase} ${p.status.containerStatuses[0].state.terminated?.exitCode}`)).toEqual(['Failed 1']);
    expect(await recordedHooks(ns)).toEqual({
      [`PostSync Job/${ns}-smoke`]: { hookPhase: 'Failed', message: `Job has reached the specified backoff limit (${forced}; ${SIMULATED})` },
      'SyncFail Job/on-fail': { hookPhase: 'Succeeded', message: `${JOB_DONE} (${SIMULATED})` },
    });
    const live = await getJson(['application', ns, '-n', 'argocd']);
    expect(live.status.operationState.phase).toBe('Failed');

    const text = await sync(repo, ns, '--fail-hook', `${ns}-smoke`);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`Forced:         PostSync hook Job ${ns}-smoke made to fail on purpose (--fail-hook ${ns}-smoke)`);
    expect(text.stdout).toContain('Simulated:      3 results only simulated (the local cluster runs no containers): '
      + `Sync Job migrate Healthy, PostSync hook Job ${ns}-smoke Failed, SyncFail hook Job on-fail Succeeded`);
  });

  test('--fail-hook with a name no selected hook has: exit 2 naming the hooks there are, nothing applied; a hook that did not run: a warning', async () => {
    const ns = await newNamespace('hook-unknown');
    const repo = repository(ns);
    const res = await sync(repo, ns, '--fail-hook', 'smoke-typo');
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`error: --fail-hook smoke-typo: no hook named 'smoke-typo' in the selected Applications (hooks: ${ns}: PostSync Job ${ns}-smoke; ${ns}: SyncFail Job on-fail)`);
    expect((await getJson(['configmaps', 'web'], { namespace: ns }))).toBeUndefined();
    expect(await getJson(['application', ns, '-n', 'argocd'])).toBeUndefined();
    // A known hook that does not run (a dry run runs no hook) rehearses nothing: said, not an error.
    const dry = await sync(repo, ns, '--dry-run', '--fail-hook', `${ns}-smoke`);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain(`warning: --fail-hook ${ns}-smoke: the hook did not run in this sync, so nothing failed on purpose`);
  });

  test('rollback runs hooks through the same pipeline: --fail-hook fails the hook there too (exit 1), an unknown name exits 2', async () => {
    const ns = await newNamespace('hook-rollback');
    const repo = repository(ns);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo.root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    git('init', '-q');
    git('add', '-A');
    git('-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', 'commit', '-q', '-m', 'one');
    expect((await sync(repo, ns)).code).toBe(0);
    const rollback = (...args: string[]) => runInProcess('rollback', ns, '0', '--path', repo.manifests, '--repo-root', repo.root, '--kubeconfig', kubeconfigPath(), ...args);

    const typo = await rollback('--fail-hook', 'smoke-typo');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("error: --fail-hook smoke-typo: no hook named 'smoke-typo' in the selected Applications");

    const failed = await rollback('--fail-hook', `${ns}-smoke`);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain(`Forced:         PostSync hook Job ${ns}-smoke made to fail on purpose (--fail-hook ${ns}-smoke)`);
    expect(await recordedHooks(ns)).toEqual({
      [`PostSync Job/${ns}-smoke`]: { hookPhase: 'Failed', message: `Job has reached the specified backoff limit (failed on purpose: --fail-hook ${ns}-smoke; ${SIMULATED})` },
      'SyncFail Job/on-fail': { hookPhase: 'Succeeded', message: `${JOB_DONE} (${SIMULATED})` },
    });
  });

  test('a hook failed on purpose with a log given to kwok shows its last lines, Secret values masked, in text, JSON and status', async () => {
    const ns = await newNamespace('hook-log');
    const password = 'hunter2-s3cret';
    const repo = repository(ns, (app) => {
      new ApiObject(app, 'db', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, stringData: { password } } as any);
    });
    const url = `http://web.${ns}.svc/`;
    // 22 lines, as the smoke test would print them: the hook shows the last 20.
    await podLogsIn(ns, [
      ...Array.from({ length: 19 }, (_, i): ['stdout', string] => ['stdout', `     GET ${url}: attempt ${i + 1} of 20 failed: connect ECONNREFUSED`]),
      ['stdout', `connecting with password ${password}`],
      ['stdout', `     GET ${url}: attempt 20 of 20 failed: HTTP 503`],
      ['stderr', `FAIL GET ${url}: HTTP 503 (after 20 attempts)`],
    ]);
    const tail = [
      ...Array.from({ length: 17 }, (_, i) => `     GET ${url}: attempt ${i + 3} of 20 failed: connect ECONNREFUSED`),
      'connecting with password ********',
      `     GET ${url}: attempt 20 of 20 failed: HTTP 503`,
      `FAIL GET ${url}: HTTP 503 (after 20 attempts)`,
    ];

    const { code, run } = await syncJson(repo, ns, '--fail-hook', `${ns}-smoke`);
    expect(code).toBe(1);
    const smoke = run.resources.find((r: any) => r.name === `${ns}-smoke`);
    expect(smoke.log).toEqual({ pod: expect.stringMatching(new RegExp(`^${ns}-smoke-`)), container: 'main', exit: 'exited with 1 (Error)', lines: tail });
    const pod = smoke.log.pod;
    const forced = `failed on purpose: --fail-hook ${ns}-smoke`;
    const message = [`Job has reached the specified backoff limit (${forced}; ${SIMULATED})`, `last 20 log lines of pod ${pod}, container main exited with 1 (Error):`, ...tail].join('\n');
    expect(smoke.message).toBe(message);
    // kubectl reads the same log through the API server and kwok's kubelet endpoint.
    expect((await kubectl(['logs', pod, '--tail', '1'], { namespace: ns })).stdout).toBe(`FAIL GET ${url}: HTTP 503 (after 20 attempts)\n`);
    // Only the failed hook's log is read.
    expect(run.resources.filter((r: any) => r.log).map((r: any) => r.name)).toEqual([`${ns}-smoke`]);
    expect((await recordedHooks(ns))[`PostSync Job/${ns}-smoke`]).toEqual({ hookPhase: 'Failed', message });

    const text = await sync(repo, ns, '--fail-hook', `${ns}-smoke`);
    expect(text.code).toBe(1);
    const textPod = /PostSync hook Job \S+ failed; last 20 log lines of pod (\S+), container main exited with 1 \(Error\):\n/.exec(text.stdout)?.[1];
    expect(textPod).toMatch(new RegExp(`^${ns}-smoke-`));
    expect(text.stdout).toContain(`\nPostSync hook Job ${ns}-smoke failed; last 20 log lines of pod ${textPod}, container main exited with 1 (Error):\n`
      + tail.map((l) => `  ${l}`).join('\n'));

    for (const out of [text.stdout, text.stderr, JSON.stringify(run), JSON.stringify(await getJson(['application', ns, '-n', 'argocd']))]) {
      expect(out).toContain('connecting with password ********');
      expect(out).not.toContain(password);
    }
  });
});
