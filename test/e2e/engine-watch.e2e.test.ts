/**
 * `cdk8s-argocd watch` as a real process on the real local control plane, following a temporary
 * Git repository with an app-of-apps tree, as Argo CD's application controller follows a branch:
 * a new commit is synced without a command; `kubectl scale` of a self-healed Deployment is
 * reverted (the time from the change to the revert is logged); the same drift without selfHeal
 * leaves the Application OutOfSync; a failed revision is not retried until a new commit; the
 * metrics endpoint reports argocd_app_info; SIGINT during a hook leaves no Lease and no hook finalizer.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { getJson, kubeconfigPath, kubectl, testNamespaces, waitFor } from './cluster-fixture';
import { HOOK_FINALIZER } from '../../src/engine/annotations';
import { LOCK_NAMESPACE } from '../../src/engine/lock';

jest.setTimeout(300_000);

const ROOT = path.join(__dirname, '..', '..');
const run = Date.now().toString(36).slice(-5);
const name = (n: string) => `we-${n}-${run}`;
const APPS = { root: name('root'), healed: name('healed'), drifty: name('drifty'), flaky: name('flaky'), hooked: name('hooked') };

const newNamespace = testNamespaces().create;
let repo: string;
const ns: Record<string, string> = {};
let watch: { child: ChildProcess; stderr: () => string; exit: Promise<number> } | undefined;
let metricsPort: number;

function git(...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', ...args], { cwd: repo, encoding: 'utf8' }).trim();
}

function write(rel: string, doc: unknown): void {
  fs.mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
  fs.writeFileSync(path.join(repo, rel), stringify(doc));
}

function commit(message: string): string {
  git('add', '-A');
  git('commit', '-q', '-m', message);
  return git('rev-parse', 'HEAD');
}

function application(
  appName: string, sourcePath: string, namespace: string | undefined, automated: Record<string, unknown>, retry?: Record<string, unknown>,
) {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: appName, namespace: 'argocd' },
    spec: {
      project: 'default',
      destination: { server: 'https://kubernetes.default.svc', ...(namespace ? { namespace } : {}) },
      source: { repoURL: 'https://example.com/watch-e2e.git', path: sourcePath, targetRevision: 'HEAD' },
      syncPolicy: { automated, ...(retry ? { retry } : {}) },
    },
  };
}

function deployment(count: number, labels: Record<string, string> = { app: 'web' }) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      replicas: count,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'registry.k8s.io/pause:3.10' }] } },
    },
  };
}

function configMap(version: string) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { version } };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** GET /metrics on a fresh connection (no keep-alive left open when the tests end). */
function scrape(): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: metricsPort, path: '/metrics', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve(body));
    }).on('error', reject);
  });
}

/** The real CLI in its own process (SIGINT must reach its handler). */
function startWatch(...args: string[]) {
  // Run in the repository (as a user would), so ts-node is named by its path.
  const child = spawn(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), path.join(ROOT, 'src/cli/main.ts'), 'watch', ...args], {
    cwd: repo, env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'test/tsconfig.json') }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdout!.resume();
  const exit = new Promise<number>((resolve) => child.on('exit', (code, sig) => resolve(code ?? (sig ? 128 : 1))));
  return { child, stderr: () => err, exit };
}

function logLines(re: RegExp): string[] {
  return watch!.stderr().split('\n').filter((l) => re.test(l));
}

async function appStatus(appName: string): Promise<any> {
  return (await getJson(['application', appName, '-n', 'argocd']))?.status;
}

async function replicas(namespace: string): Promise<number | undefined> {
  return (await getJson(['deployment', 'web', '-n', namespace]))?.spec?.replicas;
}

beforeAll(async () => {
  for (const key of ['healed', 'drifty', 'flaky', 'hooked']) {
    ns[key] = await newNamespace(`we-${key}`);
  }
  if ((await kubectl(['get', 'namespace', 'argocd'], { check: false })).code !== 0) {
    await kubectl(['create', 'namespace', 'argocd'], { check: false });
  }
  repo = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-watch-'));
  git('init', '-q', '-b', 'main');
  write('manifests/root.yaml', application(APPS.root, 'manifests/apps', undefined, { prune: true, selfHeal: true }));
  write('manifests/apps/healed.yaml', application(APPS.healed, 'manifests/healed', ns.healed, { prune: true, selfHeal: true }));
  write('manifests/apps/drifty.yaml', application(APPS.drifty, 'manifests/drifty', ns.drifty, { prune: true }));
  // No retries within the failed operation (an automated one retries 5 times by default, as in Argo CD).
  write('manifests/apps/flaky.yaml', application(APPS.flaky, 'manifests/flaky', ns.flaky, { prune: true }, { limit: 0 }));
  for (const key of ['healed', 'drifty', 'flaky']) {
    write(`manifests/${key}/deployment.yaml`, deployment(2));
    write(`manifests/${key}/configmap.yaml`, configMap('1'));
  }
  commit('first');
  metricsPort = await freePort();
  // A short periodic refresh, so "not retried" is seen across several full refreshes.
  watch = startWatch('manifests', '--kubeconfig', kubeconfigPath(), '--refresh-interval', '5', '--metrics-addr', `127.0.0.1:${metricsPort}`);
}, 120_000);

afterAll(async () => {
  if (watch && watch.child.exitCode === null) {
    watch.child.kill('SIGINT');
    await Promise.race([watch.exit, new Promise((r) => setTimeout(r, 30_000))]);
    if (watch.child.exitCode === null) {
      watch.child.kill('SIGKILL');
    }
  }
  for (const appName of Object.values(APPS)) {
    await kubectl(['patch', 'application', appName, '-n', 'argocd', '--type', 'merge', '-p', '{"metadata":{"finalizers":null}}'], { check: false });
    await kubectl(['delete', 'application', appName, '-n', 'argocd', '--ignore-not-found', '--wait=false'], { check: false });
  }
  if (repo) {
    fs.rmSync(repo, { recursive: true, force: true });
  }
}, 120_000);

/** The watcher's log so far, for a failing expectation. */
function withLog<T>(what: string, p: Promise<T>): Promise<T> {
  return p.catch((e) => {
    throw new Error(`${(e as Error).message}\n--- watch log (${what}) ---\n${watch?.stderr().slice(-6000)}`);
  });
}

describe('watch follows the branch and the cluster', () => {
  test('at start the whole tree is synced by its automated policies', async () => {
    await withLog('first sync', waitFor('every Application Synced and Healthy', async () => {
      for (const app of [APPS.root, APPS.healed, APPS.drifty, APPS.flaky]) {
        const s = await appStatus(app);
        if (s?.sync?.status !== 'Synced' || s?.health?.status !== 'Healthy') {
          return false;
        }
      }
      return true;
    }, 120_000));
  });
  test('kubectl scale of a self-healed Deployment is reverted, as a selective self-heal sync', async () => {
    const t0 = Date.now();
    await kubectl(['scale', 'deployment', 'web', '-n', ns.healed, '--replicas=5']);
    await withLog('self-heal', waitFor('the revert of spec.replicas', async () => (await replicas(ns.healed)) === 2, 60_000, 50));
    const seconds = (Date.now() - t0) / 1000;
    process.stderr.write(`[engine-watch] kubectl scale → reverted in ${seconds.toFixed(2)}s (Argo CD's first self-heal after a sync waits 0 s, then 2 s, 6 s, …)\n`);
    expect(logLines(new RegExp(`app=${APPS.healed} event=sync-started reason="self-heal`)).length).toBeGreaterThan(0);
    const s = await withLog('self-heal status', waitFor('the self-heal recorded', async () => {
      const st = await appStatus(APPS.healed);
      return st?.operationState?.operation?.sync?.autoHealAttemptsCount >= 1 ? st : undefined;
    }, 30_000));
    expect(s.operationState.operation.initiatedBy).toEqual({ automated: true });
    expect(s.operationState.operation.sync.resources).toEqual([{ group: 'apps', kind: 'Deployment', name: 'web', namespace: ns.healed }]);
    expect(seconds).toBeLessThan(15);
  });
  test('the same drift on an Application without selfHeal leaves it OutOfSync, and it stays so', async () => {
    await kubectl(['scale', 'deployment', 'web', '-n', ns.drifty, '--replicas=5']);
    await withLog('no self-heal', waitFor('the Application to turn OutOfSync', async () => (await appStatus(APPS.drifty))?.sync?.status === 'OutOfSync', 30_000));
    // Two periodic refreshes (5 s) later it is still drifted and OutOfSync.
    await new Promise((r) => setTimeout(r, 11_000));
    expect(await replicas(ns.drifty)).toBe(5);
    expect((await appStatus(APPS.drifty)).sync.status).toBe('OutOfSync');
    expect(logLines(new RegExp(`app=${APPS.drifty} event=out-of-sync .*selfHeal is off`)).length).toBeGreaterThan(0);
    expect(logLines(new RegExp(`app=${APPS.drifty} event=sync-started reason="self-heal`))).toEqual([]);
  });
  test('the metrics endpoint reports argocd_app_info with Argo CD\'s labels, syncs and reconciles', async () => {
    const text = await scrape();
    const info = text.split('\n').filter((l) => l.startsWith('argocd_app_info{') && l.includes(`name="${APPS.healed}"`));
    expect(info).toEqual([
      `argocd_app_info{namespace="argocd",name="${APPS.healed}",project="default",autosync_enabled="true",repo="https://example.com/watch-e2e",`
      + `dest_server="https://kubernetes.default.svc",dest_namespace="${ns.healed}",sync_status="Synced",health_status="Healthy",operation=""} 1`,
    ]);
    expect(text).toMatch(new RegExp(`argocd_app_info\\{namespace="argocd",name="${APPS.drifty}",.*sync_status="OutOfSync"`));
    expect(text).toMatch(new RegExp(`argocd_app_sync_total\\{namespace="argocd",name="${APPS.healed}",project="default",dest_server="https://kubernetes.default.svc",phase="Succeeded",dry_run="false"\\} 2`));
    expect(text).toMatch(/argocd_app_reconcile_bucket\{le="0.25",namespace="argocd",dest_server="https:\/\/kubernetes.default.svc"\}/);
  });
  test('a new commit is synced without a command (and, being a new revision, syncs the drifted Application too, as Argo CD\'s autoSync does)', async () => {
    write('manifests/healed/configmap.yaml', configMap('2'));
    const rev = commit('version 2');
    const t0 = Date.now();
    await withLog('new commit', waitFor('the new commit in the cluster', async () => (await getJson(['configmap', 'settings', '-n', ns.healed]))?.data?.version === '2', 60_000, 100));
    process.stderr.write(`[engine-watch] commit → synced in ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
    const status = await withLog('status', waitFor('the status of the new revision', async () => {
      const s = await appStatus(APPS.healed);
      return s?.operationState?.syncResult?.revision === rev && s.sync?.status === 'Synced' ? s : undefined;
    }, 30_000));
    expect(status.operationState.operation.initiatedBy).toEqual({ automated: true });
    expect(status.operationState.phase).toBe('Succeeded');
    expect(status.sync.revision).toBe(rev);
    expect(status.reconciledAt).toBeDefined();
    expect(status.history.at(-1).revision).toBe(rev);
    expect(logLines(/event=commit revision=/).length).toBeGreaterThan(0);
    // The drifted Application without selfHeal: its last sync was to the previous revision, so the new one is synced (alreadyAttemptedSync compares revisions).
    await withLog('new revision', waitFor('the drifted Application synced to the new revision', async () => (await replicas(ns.drifty)) === 2, 30_000));
    expect((await appStatus(APPS.drifty)).operationState.syncResult.revision).toBe(rev);
  });
  test('a failed revision is not retried until a new commit', async () => {
    // The selector does not match the template's labels: the API server refuses the Deployment.
    write('manifests/flaky/deployment.yaml', deployment(2, { app: 'other' }));
    const bad = commit('broken flaky');
    const failed = await withLog('failed sync', waitFor('the failed sync of the broken revision', async () => {
      const s = await appStatus(APPS.flaky);
      return s?.operationState?.syncResult?.revision === bad && ['Failed', 'Error'].includes(s.operationState.phase) ? s : undefined;
    }, 60_000));
    expect(failed.sync.status).toBe('OutOfSync');
    const attempts = () => logLines(new RegExp(`app=${APPS.flaky} event=sync-started`)).length;
    const before = attempts();
    // Several periodic refreshes: compared each time, never synced again.
    await new Promise((r) => setTimeout(r, 12_000));
    expect(attempts()).toBe(before);
    const metrics = await scrape();
    expect(metrics).toMatch(new RegExp(`argocd_app_sync_total\\{namespace="argocd",name="${APPS.flaky}",project="default",dest_server="https://kubernetes.default.svc",phase="Failed",dry_run="false"\\} 1`));
    expect(logLines(new RegExp(`app=${APPS.flaky} event=out-of-sync .*last sync attempt to ${bad} failed`)).length).toBeGreaterThan(1);
    expect((await appStatus(APPS.flaky)).conditions?.map((c: any) => c.type)).toContain('SyncError');
    write('manifests/flaky/deployment.yaml', deployment(3));
    const fixed = commit('fix flaky');
    await withLog('fixed', waitFor('the fixed revision synced', async () => {
      const s = await appStatus(APPS.flaky);
      return s?.operationState?.syncResult?.revision === fixed && s.operationState.phase === 'Succeeded';
    }, 60_000));
    expect(await replicas(ns.flaky)).toBe(3);
  });
  test('SIGINT while a hook runs: the watcher stops, leaving no Lease and no hook finalizer', async () => {
    // A PreSync hook no node can run: the sync waits on it until interrupted.
    write('manifests/apps/hooked.yaml', application(APPS.hooked, 'manifests/hooked', ns.hooked, { prune: true }));
    write('manifests/hooked/pre.yaml', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'pre', annotations: { 'argocd.argoproj.io/hook': 'PreSync' } },
      spec: { nodeSelector: { 'e2e.cdk8s-argocd.io/no-such-node': 'true' }, containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.10' }] },
    });
    write('manifests/hooked/configmap.yaml', configMap('1'));
    commit('hooked');
    const lease = () => getJson(['lease', `cdk8s-argocd-sync-${APPS.hooked}`], { namespace: LOCK_NAMESPACE });
    await withLog('hook', waitFor('the hook to run under the sync Lease', async () => (await getJson(['pod', 'pre', '-n', ns.hooked]))?.metadata.finalizers?.includes(HOOK_FINALIZER) && await lease(), 60_000));
    watch!.child.kill('SIGINT');
    const code = await Promise.race([watch!.exit, new Promise<number>((r) => setTimeout(() => r(-1), 60_000))]);
    expect(code).toBe(0);
    expect(watch!.stderr()).toMatch(/event=stopping SIGINT/);
    expect(watch!.stderr()).toMatch(new RegExp(`app=${APPS.hooked} event=sync-finished phase=Failed message="interrupted: interrupted by SIGINT`));
    expect(watch!.stderr()).toMatch(/event=stopped/);
    expect(await lease()).toBeUndefined();
    const leases = await getJson<{ items: any[] }>(['leases', '-n', LOCK_NAMESPACE]);
    expect(leases!.items.map((l) => l.metadata.name).filter((n: string) => n.includes(`-${run}`))).toEqual([]);
    expect((await getJson(['pod', 'pre', '-n', ns.hooked]))?.metadata.finalizers ?? []).not.toContain(HOOK_FINALIZER);
  });
});

describe('watch --worktree', () => {
  test('a saved, uncommitted change in the manifests directory is synced', async () => {
    const wt = await newNamespace('we-wt');
    const appName = name('worktree');
    const saved = repo;
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-watch-wt-'));
    const dir = repo;
    git('init', '-q', '-b', 'main');
    write('manifests/worktree.yaml', application(appName, 'manifests/app', wt, { prune: true }));
    write('manifests/app/configmap.yaml', configMap('1'));
    commit('first');
    repo = saved;
    const p = spawn(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), path.join(ROOT, 'src/cli/main.ts'), 'watch', 'manifests', '--worktree', '--kubeconfig', kubeconfigPath()], {
      cwd: dir, env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'test/tsconfig.json') }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    p.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    const exit = new Promise<number>((resolve) => p.on('exit', (code) => resolve(code ?? 1)));
    try {
      await waitFor('the first sync', async () => (await getJson(['configmap', 'settings', '-n', wt]))?.data?.version === '1', 90_000)
        .catch((e) => Promise.reject(new Error(`${(e as Error).message}\n${err}`)));
      // Saved, not committed.
      fs.writeFileSync(path.join(dir, 'manifests', 'app', 'configmap.yaml'), stringify(configMap('2')));
      await waitFor('the saved change in the cluster', async () => (await getJson(['configmap', 'settings', '-n', wt]))?.data?.version === '2', 60_000)
        .catch((e) => Promise.reject(new Error(`${(e as Error).message}\n${err}`)));
      expect(err).toMatch(/event=saved file=.*configmap\.yaml/);
    } finally {
      p.kill('SIGINT');
      expect(await exit).toBe(0);
      await kubectl(['delete', 'application', appName, '-n', 'argocd', '--ignore-not-found', '--wait=false'], { check: false });
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
