/**
 * Application status written back to the Application objects, and the commands that read it
 * (`status`/`get`, `list`, `history`, `rollback`, `wait`), against the real local control plane.
 */
import { execFileSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as path from 'path';
import { getJson, kubeconfigPath, kubectl, testNamespaces } from './cluster-fixture';
import { runInProcess } from '../cli/run-in-process';
import { configMap, deployment, job, PAUSE_IMAGE, runCli, TestApp } from '../engine/e2e-app';

jest.setTimeout(180_000);

const newNamespace = testNamespaces().create;
const AUTOMATED = { syncPolicy: { automated: { prune: true } } };
const created: string[] = [];

// The Argo CD CRDs and the argocd namespace come from the e2e cluster's setup, as `cluster up` installs them.

afterAll(async () => {
  for (const name of created) {
    await kubectl(['delete', 'application', name, '-n', 'argocd', '--ignore-not-found', '--wait=false'], { check: false });
  }
});

/** A unique Application name (Application objects share the argocd namespace across test files). */
function appName(prefix: string): string {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  created.push(name);
  return name;
}

/** Makes the TestApp's folder a Git repository; `commit()` commits everything and returns the commit id. */
function gitRepo(app: TestApp): { commit: (message: string) => string } {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: app.dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  git('init', '-q');
  return {
    commit: (message) => {
      git('add', '-A');
      git('-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', 'commit', '-q', '-m', message);
      return git('rev-parse', 'HEAD');
    },
  };
}

/** Creates the Application object from the tree, as the parent's sync (or `kubectl apply -f root.yaml`) would. */
async function bootstrap(app: TestApp): Promise<void> {
  await kubectl(['apply', '--server-side', '--field-manager=e2e', '-f', path.join(app.dir, 'apps', `${app.name}.yaml`)]);
}

const liveApp = (name: string) => getJson<any>(['application', name, '-n', 'argocd']);
const cli = (app: TestApp, ...args: string[]) => runCli(kubeconfigPath(), app, ...args);
const cluster = (...args: string[]) => runInProcess(...args, '--kubeconfig', kubeconfigPath());

describe('status written back after sync', () => {
  test('a failed automated sync leaves Argo CD\'s fields and a SyncError; the fixed sync clears it; kubectl shows SYNC STATUS and HEALTH STATUS', async () => {
    const ns = await newNamespace('st-fields');
    const app = new TestApp(appName('st-fields'), ns, AUTOMATED)
      .write('web.yaml', deployment('web', 1))
      .write('bad.yaml', { ...configMap('bad'), spec: { nope: 1 } });
    const repo = gitRepo(app);
    const rev1 = repo.commit('web and a broken ConfigMap');
    await bootstrap(app);

    const failed = await cli(app, 'sync');
    expect(failed.code).toBe(1);
    const afterFail = (await liveApp(app.name)).status;
    expect(afterFail).toMatchObject({
      sync: { status: 'OutOfSync', revision: rev1, comparedTo: { source: { path: app.name }, destination: { namespace: ns } } },
      operationState: { phase: 'Failed', operation: { sync: { revision: rev1 } }, syncResult: { revision: rev1 } },
      sourceType: 'Directory',
      controllerNamespace: 'argocd',
      resourceHealthSource: 'inline',
    });
    expect(afterFail.operationState.finishedAt).toEqual(expect.any(String));
    expect(afterFail.health).toEqual({ status: expect.any(String), lastTransitionTime: expect.any(String) });
    expect(afterFail.conditions).toEqual([{
      type: 'SyncError', message: `Failed last sync attempt to [${rev1}]: ${afterFail.operationState.message}`, lastTransitionTime: expect.any(String),
    }]);
    expect(afterFail.history ?? []).toEqual([]);

    // status/get show the failure next to the live comparison, which alone would look fine for `web`.
    const got = await runInProcess('get', app.name, '--path', app.dir, '--repo-root', app.dir, '--kubeconfig', kubeconfigPath());
    expect(got.code).toBe(0);
    expect(got.stdout).toMatch(/Last Synced:\s+never\n/);
    expect(got.stdout).toMatch(/Conditions:\s+SyncError: Failed last sync attempt to/);
    expect(got.stdout).toMatch(/Last Operation: Sync to [0-9a-f]{7}\n\s+Phase:\s+Failed\n\s+Message:\s+\S/);
    expect(got.stdout).toMatch(/Finished:\s+\d{4}-/);

    app.remove('bad.yaml');
    const rev2 = repo.commit('drop the broken ConfigMap');
    const fixed = await cli(app, 'sync', '--timeout', '60');
    expect(fixed.code).toBe(0);
    const afterFix = (await liveApp(app.name)).status;
    expect(afterFix).toMatchObject({
      sync: { status: 'Synced', revision: rev2 },
      operationState: { phase: 'Succeeded' },
      summary: { images: [PAUSE_IMAGE] },
      history: [{ id: 0, revision: rev2, source: { path: app.name } }],
    });
    expect(afterFix.conditions).toBeUndefined();
    expect(afterFix.resources.map((r: any) => `${r.kind}/${r.name}:${r.status}`)).toEqual(['Deployment/web:Synced']);

    // Nothing refreshes the object between syncs unless asked: get --refresh writes the live comparison.
    const before = (await liveApp(app.name)).status.reconciledAt;
    await kubectl(['scale', 'deployment', 'web', '--replicas=2'], { namespace: ns });
    const refreshed = await runInProcess('get', app.name, '--refresh', '--path', app.dir, '--repo-root', app.dir, '--kubeconfig', kubeconfigPath());
    expect(refreshed.stdout).toMatch(/Sync Status:\s+OutOfSync/);
    const afterRefresh = (await liveApp(app.name)).status;
    expect(afterRefresh.sync.status).toBe('OutOfSync');
    expect(afterRefresh.reconciledAt > before).toBe(true);
    expect(afterRefresh.operationState.phase).toBe('Succeeded');
    expect((await cli(app, 'sync', '--timeout', '60')).code).toBe(0);

    const table = await kubectl(['get', 'applications', '-n', 'argocd', app.name]);
    const [header, row] = table.stdout.trim().split('\n');
    expect(header).toMatch(/^NAME\s+SYNC STATUS\s+HEALTH STATUS$/);
    expect(row).toMatch(new RegExp(`^${app.name}\\s+Synced\\s+(Healthy|Progressing)$`));
  });

  test('status.resources lists the live hooks (hook, requiresPruning) and Skip objects, with no status or health, as Argo CD does', async () => {
    const ns = await newNamespace('st-hooks');
    const app = new TestApp(appName('st-hooks'), ns, AUTOMATED)
      .write('cm.yaml', configMap('a'))
      .write('skip.yaml', configMap('skipped', { a: '1' }, { 'argocd.argoproj.io/hook': 'Skip' }))
      // Kept after the sync (the default policy, BeforeHookCreation, deletes it only before the next run).
      .write('pre.yaml', job('pre', { 'argocd.argoproj.io/hook': 'PreSync' }))
      // Deleted once the operation succeeded: not listed.
      .write('post.yaml', job('post', { 'argocd.argoproj.io/hook': 'PostSync', 'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded' }));
    gitRepo(app).commit('hooks and a Skip object');
    await bootstrap(app);
    expect((await cli(app, 'sync', '--timeout', '120')).code).toBe(0);
    const expected = [
      { version: 'v1', kind: 'ConfigMap', namespace: ns, name: 'a', status: 'Synced' },
      { version: 'v1', kind: 'ConfigMap', namespace: ns, name: 'skipped' },
      { group: 'batch', version: 'v1', kind: 'Job', namespace: ns, name: 'pre', hook: true, requiresPruning: true },
    ];
    const afterSync = (await liveApp(app.name)).status;
    expect(afterSync.resources).toEqual(expected);
    expect(afterSync.sync.status).toBe('Synced');
    expect(await getJson(['configmap', 'skipped'], { namespace: ns })).toBeUndefined();
    // A refresh (the comparison path, from the live objects) lists the same rows.
    const refreshed = await runInProcess('get', app.name, '--refresh', '--path', app.dir, '--repo-root', app.dir, '--kubeconfig', kubeconfigPath());
    expect(refreshed.code).toBe(0);
    const afterRefresh = (await liveApp(app.name)).status;
    expect(afterRefresh.reconciledAt >= afterSync.reconciledAt).toBe(true);
    expect(afterRefresh.resources).toEqual(expected);
  });

  test('a parent\'s health is its child Applications\' health', async () => {
    const child = appName('st-child');
    const parent = new TestApp(appName('st-parent'), 'argocd').write('child.yaml', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: child, namespace: 'argocd' },
      spec: { project: 'default', destination: { server: 'https://kubernetes.default.svc', namespace: 'default' }, source: { repoURL: 'https://example.com/repo.git', path: 'child' } },
    });
    await bootstrap(parent);
    expect((await cli(parent, 'sync')).code).toBe(0);
    const health = async () => JSON.parse((await cli(parent, 'status', '-o', 'json')).stdout).health.status;
    // The child has reported nothing yet: the parent waits for it, as Argo CD's Application health check does.
    expect(await health()).toBe('Progressing');
    await kubectl(['patch', 'application', child, '-n', 'argocd', '--type', 'merge', '-p', JSON.stringify({ status: { health: { status: 'Degraded' } } })]);
    expect(await health()).toBe('Degraded');
    expect((await cli(parent, 'sync')).code).toBe(0);
    expect((await liveApp(parent.name)).status.health.status).toBe('Degraded');
    await kubectl(['patch', 'application', child, '-n', 'argocd', '--type', 'merge', '-p', JSON.stringify({ status: { health: { status: 'Healthy' } } })]);
    expect(await health()).toBe('Healthy');
  });
});

describe('history and rollback across three commits', () => {
  test('each successful sync is a history entry; rollback syncs the recorded revision and records it', async () => {
    const ns = await newNamespace('st-rollback');
    const app = new TestApp(appName('st-rollback'), ns);
    const repo = gitRepo(app);
    const revs: string[] = [];
    for (const level of ['one', 'two', 'three']) {
      app.write('cm.yaml', configMap('settings', { level }));
      revs.push(repo.commit(`level ${level}`));
      if (revs.length === 1) {
        await bootstrap(app);
      }
      expect((await cli(app, 'sync')).code).toBe(0);
    }
    const level = async () => (await getJson<any>(['configmap', 'settings'], { namespace: ns })).data.level;
    expect(await level()).toBe('three');

    const history = await cluster('history', app.name);
    expect(history.code).toBe(0);
    const rows = history.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^ID\s+DATE\s+REVISION$/);
    expect(rows.slice(1).map((r) => r.split(/\s+/).filter((_, i) => i !== 1))).toEqual([['0', revs[0]], ['1', revs[1]], ['2', revs[2]]]);

    // Default: the previous deployment, loaded from the repository at its revision.
    const back = await cluster('rollback', app.name, '--path', app.dir, '--repo-root', app.dir);
    expect(back.stderr).toContain(`rollback ${app.name} to deployment 1: revision ${revs[1]}`);
    expect(back.code).toBe(0);
    expect(await level()).toBe('two');
    const toFirst = await cluster('rollback', app.name, '0', '--path', app.dir, '--repo-root', app.dir);
    expect(toFirst.code).toBe(0);
    expect(await level()).toBe('one');
    const json = JSON.parse((await cluster('history', app.name, '-o', 'json')).stdout);
    expect(json.map((h: any) => [h.id, h.revision])).toEqual([[0, revs[0]], [1, revs[1]], [2, revs[2]], [3, revs[1]], [4, revs[0]]]);

    // The tree is at the third commit, the cluster at the first: get says so.
    const got = await runInProcess('get', app.name, '--path', app.dir, '--repo-root', app.dir, '--kubeconfig', kubeconfigPath());
    expect(got.stdout).toMatch(new RegExp(`Revision:\\s+${revs[2].slice(0, 7)}\\n`));
    expect(got.stdout).toMatch(new RegExp(`Last Synced:\\s+${revs[0].slice(0, 7)} at \\S+ \\(not the tree's revision\\)`));
    expect(got.stdout).toMatch(/Sync Status:\s+OutOfSync/);
    app.write('cm.yaml', configMap('settings', { level: 'uncommitted' }));
    expect((await runInProcess('get', app.name, '--path', app.dir, '--repo-root', app.dir, '--kubeconfig', kubeconfigPath())).stdout).toMatch(/\(dirty: uncommitted changes/);

    const unknown = await cluster('rollback', app.name, '9', '--path', app.dir, '--repo-root', app.dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`Application '${app.name}' does not have deployment id '9' in history`);
    await kubectl(['patch', 'application', app.name, '-n', 'argocd', '--type', 'merge', '-p', JSON.stringify({ spec: { syncPolicy: { automated: {} } } })]);
    const refused = await cluster('rollback', app.name, '--path', app.dir, '--repo-root', app.dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('rollback cannot be initiated when auto-sync is enabled');
    expect(await level()).toBe('one');
  });
});

describe('list and wait', () => {
  test('list shows the Application objects like argocd app list; unknown names list the known ones', async () => {
    const ns = await newNamespace('st-list');
    const app = new TestApp(appName('st-list'), ns, AUTOMATED).write('cm.yaml', configMap('a'));
    await bootstrap(app);
    expect((await cli(app, 'sync')).code).toBe(0);
    const list = await cluster('list');
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+PROJECT\s+SYNC\s+HEALTH\s+SYNC POLICY\s+CONDITIONS\s+PATH$/);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${app.name}\\s+default\\s+Synced\\s+Healthy\\s+Auto-Prune\\s+<none>\\s+${app.name}$`)));
    const wide = await cluster('list', '-o', 'wide');
    expect(wide.stdout).toMatch(new RegExp(`\\n${app.name}\\s+https://kubernetes\\.default\\.svc\\s+${ns}\\s+default\\s+Synced`));
    const json = JSON.parse((await cluster('list', '-o', 'json')).stdout);
    expect(json.find((a: any) => a.metadata.name === app.name).status.sync.status).toBe('Synced');

    const unknown = await cluster('history', 'no-such-app');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(new RegExp(`no Application named 'no-such-app' in namespace argocd of this cluster \\(found: .*\\b${app.name}\\b`));
  });

  test('wait returns once the Application objects report the state, and exits 1 naming what was not reached', async () => {
    const ns = await newNamespace('st-wait');
    const app = new TestApp(appName('st-wait'), ns).write('cm.yaml', configMap('a'));
    await bootstrap(app);
    const timedOut = await cluster('wait', app.name, '--timeout', '2');
    expect(timedOut.code).toBe(1);
    expect(timedOut.stderr).toContain(`timed out after 2s: ${app.name}: sync status not reported (waiting for Synced), health not reported (waiting for Healthy)`);

    // Another process (here: kubectl, standing in for a sync elsewhere) reports the state meanwhile.
    const report = new Promise<void>((resolve, reject) => setTimeout(() => {
      kubectl(['patch', 'application', app.name, '-n', 'argocd', '--type', 'merge', '-p', JSON.stringify({ status: { sync: { status: 'Synced' }, health: { status: 'Healthy' } } })])
        .then(() => resolve(), reject);
    }, 1500));
    const waited = await cluster('wait', app.name, '--timeout', '30');
    await report;
    expect(waited.code).toBe(0);
    expect(waited.stdout).toBe(`${app.name}: Synced Healthy\n`);
    expect((await cluster('wait', app.name, '--sync', '--timeout', '5')).code).toBe(0);
  });
});
