/**
 * `cdk8s-argocd sync | diff | status` end to end: exit codes, output formats, Secret masking.
 */
import { parse } from 'yaml';
import { kubeconfigPath, kubectl, testNamespaces } from './cluster-fixture';
import { canaryValue, SecretCanary } from './secret-canary';
import { configMap, deployment, TestApp, runCli } from '../engine/e2e-app';

jest.setTimeout(180_000);

const newNamespace = testNamespaces().create;


function secret(name: string, stringData: Record<string, string>) {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name }, type: 'Opaque', stringData };
}

/** Runs the CLI against the global test cluster. */
function cli(app: TestApp, ...args: string[]): ReturnType<typeof runCli> {
  return runCli(kubeconfigPath(), app, ...args);
}

describe('diff', () => {
  test('exits 1 with changes, 0 without, like kubectl diff', async () => {
    const ns = await newNamespace('cli-diff');
    const app = new TestApp('cdiff', ns).write('cm.yaml', configMap('settings', { level: 'debug' }));
    const before = await cli(app, 'diff');
    expect(before.code).toBe(1);
    expect(before.stdout).toMatch(/\+\s+level: debug/);
    expect((await cli(app, 'sync')).code).toBe(0);
    const after = await cli(app, 'diff');
    expect(after).toMatchObject({ code: 0, stdout: '' });
    app.write('cm.yaml', configMap('settings', { level: 'info' }));
    const changed = await cli(app, 'diff');
    expect(changed.code).toBe(1);
    expect(changed.stdout).toMatch(/-\s+level: debug\n\+\s+level: info/);
  });

  test('a Secret\'s value never appears in diff output', async () => {
    const ns = await newNamespace('cli-secret');
    const canary = new SecretCanary();
    const app = new TestApp('csecret', ns).write('s.yaml', secret('db', { password: canaryValue('old'), user: canaryValue('user') }));
    const created = await cli(app, 'diff');
    expect(created.code).toBe(1);
    const synced = await cli(app, 'sync');
    expect(synced.code).toBe(0);
    app.write('s.yaml', secret('db', { password: canaryValue('new'), user: canaryValue('user') }));
    const changed = await cli(app, 'diff');
    const json = await cli(app, 'diff', '--output', 'json');
    const status = await cli(app, 'status', '--output', 'json');
    expect(changed.code).toBe(1);
    expect(changed.stdout).toMatch(/password: \++/);
    for (const [what, run] of Object.entries({ created, synced, changed, json, status })) {
      canary.recordRun(what, run);
    }
    canary.expectNeverSeen();
  });

  test('ignoreDifferences hide a replicas change made by someone else', async () => {
    const ns = await newNamespace('cli-ignore');
    const app = new TestApp('cignore', ns, { ignoreDifferences: [{ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] }] })
      .write('web.yaml', deployment('web', 1));
    expect((await cli(app, 'sync')).code).toBe(0);
    await kubectl(['scale', 'deployment', 'web', '--replicas=2'], { namespace: ns });
    expect((await cli(app, 'diff')).code).toBe(0);
    app.setSpec({});
    expect((await cli(app, 'diff')).code).toBe(1);
  });

  test('exits 2 and names file:line when a manifest is invalid', async () => {
    const ns = await newNamespace('cli-bad');
    const app = new TestApp('cbad', ns).writeText('bad.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {}\n');
    const res = await cli(app, 'diff');
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/cbad\/bad\.yaml:1: ConfigMap has no metadata.name/);
  });
});

describe('status and sync output', () => {
  test('status reports per-resource sync status and health, and the app\'s aggregate', async () => {
    const ns = await newNamespace('cli-status');
    const app = new TestApp('cstatus', ns).write('cm.yaml', configMap('a')).write('web.yaml', deployment('web', 1));
    const missing = JSON.parse((await cli(app, 'status', '--output', 'json')).stdout);
    expect(missing).toMatchObject({ sync: 'OutOfSync', health: { status: 'Missing' } });
    expect((await cli(app, 'sync', '--timeout', '60')).code).toBe(0);
    await kubectl(['rollout', 'status', 'deployment/web', '--timeout=60s'], { namespace: ns });
    const synced = JSON.parse((await cli(app, 'status', '--output', 'json')).stdout);
    expect(synced).toMatchObject({ sync: 'Synced', health: { status: 'Healthy' } });
    expect(synced.resources.map((r: any) => `${r.kind}/${r.name}:${r.status}:${r.health?.status ?? ''}`)).toEqual(['ConfigMap/a:Synced:', 'Deployment/web:Synced:Healthy']);
    app.remove('cm.yaml');
    const text = await cli(app, 'status');
    expect(text.stdout).toMatch(/Sync Status:\s+OutOfSync/);
    expect(text.stdout).toMatch(/ConfigMap\s+\S+\s+a\s+OutOfSync\s+requires pruning/);
  });

  test('sync --output json prints the result model; plain log lines go to stderr when not a terminal', async () => {
    const ns = await newNamespace('cli-json');
    const app = new TestApp('cjson', ns).write('cm.yaml', configMap('a', { a: '1' }, { 'argocd.argoproj.io/sync-wave': '1' })).write('b.yaml', configMap('b'));
    const plain = await cli(app, 'sync');
    expect(plain.code).toBe(0);
    expect(plain.stderr).toMatch(/app=cjson phase=Sync wave=0 tasks=1\n/);
    expect(plain.stderr).toMatch(/resource="ConfigMap [^"]+\/b" phase=Sync wave=0 status=Synced message="configmap\/b created"/);
    app.write('b.yaml', configMap('b', { changed: 'yes' }));
    const res = await cli(app, 'sync', '--output', 'json');
    expect(res.code).toBe(0);
    // Only the cluster about to change goes to stderr; stdout is the JSON document alone.
    expect(res.stderr).toMatch(/^Target: context \S+, server https:\/\/127\.0\.0\.1:\d+ \(from --kubeconfig \S+\) for sync cjson\n$/);
    const result = JSON.parse(res.stdout);
    expect(result).toMatchObject({ application: 'cjson', phase: 'Succeeded', message: 'successfully synced (all tasks run)', dryRun: false });
    expect(result.resources.map((r: any) => `${r.syncWave}:${r.name}:${r.status}:${r.message}`)).toEqual(['0:b:Synced:configmap/b configured', '1:a:Synced:configmap/a unchanged']);
    expect(result.resources[0].source).toEqual({ file: 'cjson/b.yaml', line: 1 });
  });

  test('sync exits non-zero when the operation fails', async () => {
    const ns = await newNamespace('cli-fail');
    const app = new TestApp('cfail', ns).write('bad.yaml', { ...configMap('bad'), spec: { nope: 1 } });
    const res = await cli(app, 'sync');
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/operation=Failed/);
  });
});

describe('one exit-code contract', () => {
  test('a bad flag exits 2 and applies nothing, for sync and diff alike', async () => {
    const ns = await newNamespace('cli-usage');
    const app = new TestApp('cusage', ns).write('cm.yaml', configMap('untouched'));
    for (const args of [['sync', '--concurrency', '0'], ['sync', '--timeout', 'abc'], ['sync', '--bogus'], ['sync', '-o', 'xml'], ['diff', '-o', 'xml'], ['diff', '--bogus']]) {
      const res = await cli(app, ...args);
      expect(res.code).toBe(2);
      expect(res.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(res.stderr).toContain(`'${args[1]}`);
    }
    const listed = (await kubectl(['get', 'configmaps', '-o', 'name'], { namespace: ns })).stdout;
    expect(listed).not.toContain('untouched');
    // The same Application is fine: only the flags were bad.
    expect((await cli(app, 'diff')).code).toBe(1);
  });

  test('sync says which cluster and context it changes before the first change', async () => {
    const ns = await newNamespace('cli-target');
    const app = new TestApp('ctarget', ns).write('cm.yaml', configMap('a'));
    const res = await cli(app, 'sync');
    expect(res.code).toBe(0);
    const lines = res.stderr.split('\n');
    expect(lines[0]).toMatch(/^Target: context \S+, server https:\/\/127\.0\.0\.1:\d+ \(from --kubeconfig \S+\) for sync ctarget$/);
    expect(lines.findIndex((l) => l.includes('status=Synced'))).toBeGreaterThan(0);
    // diff changes nothing and the cluster was named with --kubeconfig: nothing to say.
    expect(await cli(app, 'diff')).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  test('sync, diff and status print yaml and wide output', async () => {
    const ns = await newNamespace('cli-formats');
    const app = new TestApp('cformats', ns).write('cm.yaml', configMap('a'));
    const diff = await cli(app, 'diff', '-o', 'wide');
    expect(diff.code).toBe(1);
    expect(diff.stdout).toMatch(/===== cformats: ConfigMap\/\S+\/a \(cformats\/cm\.yaml:1\) =====/);
    const sync = await cli(app, 'sync', '-o', 'yaml');
    expect(sync.code).toBe(0);
    expect(parse(sync.stdout)).toMatchObject({ application: 'cformats', phase: 'Succeeded' });
    const text = await cli(app, 'sync');
    expect(text.stdout).toMatch(/Phase:\s+Succeeded\n/);
    expect(text.stdout).toMatch(/\n\s+ConfigMap\s+\S+\s+a\s+Synced\s+configmap\/a unchanged/);
    const wide = await cli(app, 'status', '-o', 'wide');
    expect(wide.code).toBe(0);
    expect(wide.stdout).toMatch(/\n\s+v1\s+ConfigMap\s+\S+\s+a\s+Synced\s+cformats\/cm\.yaml:1/);
    expect(parse((await cli(app, 'status', '-o', 'yaml')).stdout)).toMatchObject({ sync: 'Synced' });
  });

  test('without a terminal a wait is logged once per reason, not on every health poll', async () => {
    const ns = await newNamespace('cli-wait');
    // No node matches its pods, so the Deployment stays Progressing with the same message until the timeout.
    const web = deployment('web', 1) as any;
    web.spec.template.spec.nodeSelector = { 'cdk8s-argocd.io/no-such-node': 'true' };
    const app = new TestApp('cwait', ns).write('web.yaml', web).write('cm.yaml', configMap('after', { a: '1' }, { 'argocd.argoproj.io/sync-wave': '1' }));
    const res = await cli(app, 'sync', '--timeout', '4');
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/operation=Failed message="timed out after 4s waiting for healthy state of apps\/Deployment\/web/);
    const waits = res.stderr.split('\n').filter((l) => / app=cwait waiting for /.test(l)).map((l) => l.replace(/^\S+ /, ''));
    expect(waits.length).toBeGreaterThan(0);
    waits.slice(1).forEach((w, i) => expect(w).not.toBe(waits[i]));
  });
});
