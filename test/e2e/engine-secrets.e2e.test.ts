/**
 * Secrets end to end against the real control plane: the applied-hash annotation is not derived
 * from a Secret's values, no-op re-syncs write nothing, changed and removed keys are applied, and
 * no Secret value (even one of the wrong type, echoed back by the API server) reaches any output.
 * Every output is checked with the Secret canary.
 */
import { createHash } from 'crypto';
import { getJson, kubeconfigPath, kubectl, testNamespaces } from './cluster-fixture';
import { canaryValue, SecretCanary } from './secret-canary';
import { KubeObject } from '../../src/engine/model';
import { runCli, TestApp } from '../engine/e2e-app';

jest.setTimeout(180_000);

const canary = new SecretCanary();
const newNamespace = testNamespaces().create;

function secret(name: string, stringData: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name }, type: 'Opaque', stringData };
}

/** Runs the CLI and records everything it printed for the canary check. */
async function cli(app: TestApp, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const res = await runCli(kubeconfigPath(), app, ...args);
  canary.recordRun(args.join(' '), res);
  return res;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('Secrets applied by the engine', () => {
  test('carry no annotation derived from their values; a no-op re-sync writes nothing; changed and removed keys are applied', async () => {
    const ns = await newNamespace('secret-hash');
    const app = new TestApp('shash', ns).write('s.yaml', secret('db', { password: canaryValue('pw-1'), user: canaryValue('user') }));
    expect((await cli(app, 'sync', '-o', 'json')).code).toBe(0);
    const first = (await getJson<KubeObject>(['secret', 'db', '-o', 'json'], { namespace: ns }))!;
    expect(first.data).toEqual({ password: b64(canaryValue('pw-1')), user: b64(canaryValue('user')) });

    // No annotation is a hash of the plaintext a dictionary attack could try.
    const plaintexts = [canaryValue('pw-1'), canaryValue('user'), JSON.stringify(first.data), JSON.stringify({ password: canaryValue('pw-1'), user: canaryValue('user') })];
    const hashes = plaintexts.flatMap((p) => [createHash('sha256').update(p).digest('hex'), createHash('sha256').update(p).digest('hex').slice(0, 32)]);
    for (const value of Object.values(first.metadata.annotations ?? {})) {
      expect(hashes).not.toContain(value);
      canary.record('live annotation', value);
    }

    // A no-op re-sync makes no write.
    const again = await cli(app, 'sync', '-o', 'json');
    expect(again.code).toBe(0);
    const unchanged = (await getJson<KubeObject>(['secret', 'db', '-o', 'json'], { namespace: ns }))!;
    expect(unchanged.metadata.resourceVersion).toBe(first.metadata.resourceVersion);

    // A changed value is applied, and the annotations stay exactly as they were: they are not a function of the values.
    app.write('s.yaml', secret('db', { password: canaryValue('pw-2'), user: canaryValue('user') }));
    expect((await cli(app, 'diff')).code).toBe(1);
    expect((await cli(app, 'sync')).code).toBe(0);
    const changed = (await getJson<KubeObject>(['secret', 'db', '-o', 'json'], { namespace: ns }))!;
    expect(changed.data?.password).toBe(b64(canaryValue('pw-2')));
    expect(changed.metadata.resourceVersion).not.toBe(first.metadata.resourceVersion);
    expect(changed.metadata.annotations).toEqual(first.metadata.annotations);

    // A removed key is applied (removed from the live Secret). Written as `data`: a key removed from
    // `stringData` stays in the live Secret under server-side apply, as under kubectl apply and Argo CD,
    // because the API server never stores stringData, so no manager owns what it became.
    const keys = (data: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'keys' }, type: 'Opaque', data });
    app.write('k.yaml', keys({ a: b64(canaryValue('a')), b: b64(canaryValue('b')) }));
    expect((await cli(app, 'sync')).code).toBe(0);
    const both = (await getJson<KubeObject>(['secret', 'keys', '-o', 'json'], { namespace: ns }))!;
    app.write('k.yaml', keys({ a: b64(canaryValue('a')) }));
    expect((await cli(app, 'diff')).code).toBe(1);
    expect((await cli(app, 'sync')).code).toBe(0);
    const removed = (await getJson<KubeObject>(['secret', 'keys', '-o', 'json'], { namespace: ns }))!;
    expect(removed.data).toEqual({ a: b64(canaryValue('a')) });
    expect(removed.metadata.resourceVersion).not.toBe(both.metadata.resourceVersion);
    expect((await cli(app, 'diff')).code).toBe(0);

    // Someone else's edit of a value is seen and undone.
    await kubectl(['patch', 'secret', 'db', '--type', 'merge', '-p', JSON.stringify({ data: { password: b64(canaryValue('edited')) } })], { namespace: ns });
    expect((await cli(app, 'diff')).code).toBe(1);
    expect((await cli(app, 'sync')).code).toBe(0);
    expect((await getJson<KubeObject>(['secret', 'db', '-o', 'json'], { namespace: ns }))!.data?.password).toBe(b64(canaryValue('pw-2')));
  });

  test('a Secret value that is a map or a list is never printed: not in the sync log, -o json, diff or status', async () => {
    const ns = await newNamespace('secret-map');
    const app = new TestApp('smap', ns).write('s.yaml', secret('bad', {
      password: { nested: canaryValue('nested'), deeper: { pin: canaryValue('pin') } },
      list: [canaryValue('item')],
      plain: canaryValue('plain'),
    }));
    const own = new SecretCanary();
    const run = async (...args: string[]) => {
      const res = await cli(app, ...args);
      own.recordRun(args.join(' '), res);
      return res;
    };
    const diff = await run('diff');
    const sync = await run('sync');
    expect(sync.code).toBe(1);
    expect(sync.stderr).toMatch(/stringData/);
    const json = await run('sync', '-o', 'json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).phase).toBe('Failed');
    await run('status', '-o', 'json');
    await run('diff', '-o', 'json');
    expect(diff.code).not.toBe(0);
    own.expectNeverSeen();
  });

  test('the canary checked every output', () => {
    canary.expectNeverSeen();
    expect(canary.count).toBeGreaterThanOrEqual(20);
  });
});
