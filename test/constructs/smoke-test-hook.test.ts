import { execFile } from 'child_process';
import * as http from 'http';
import { AddressInfo } from 'net';
import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Application, HookDeletePolicy, HookPhase, SmokeCheck, SmokeTestHook } from '../../src';
import { DEFAULT_SMOKE_IMAGE } from '../../src/constructs/smoke-test-hook';
import { manifest, testApp } from '../util/synth';

// These tests start Node processes; leave room for a busy machine.
jest.setTimeout(30000);

// Generous per-attempt timeout: the machine running the tests may be busy.
const fast = { retries: 0, timeout: Duration.seconds(3) };

/** Synthesizes one SmokeTestHook in Application 'shop' and returns its Job manifest. */
function hookJob(checks: SmokeCheck[], props: Partial<ConstructorParameters<typeof SmokeTestHook>[2]> = {}, file = 'shop/job-shop-smoke.yaml'): any {
  const app = testApp();
  const shop = new Application(app, 'shop', { destination: { namespace: 'shop' } });
  new SmokeTestHook(shop, 'smoke', { checks, ...props });
  return manifest(app.synthFiles(), file);
}

describe('SmokeTestHook manifest', () => {
  test('a PostSync hook Job re-created on every sync, no retries of its own, a deadline', () => {
    const job = hookJob([SmokeCheck.http({ url: 'http://web.shop.svc/' })]);
    expect(job.metadata.annotations).toEqual({
      'argocd.argoproj.io/hook': 'PostSync',
      'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
    });
    expect(job.spec.backoffLimit).toBe(0);
    expect(job.spec.activeDeadlineSeconds).toBe(420);
    const pod = job.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 });
    const container = pod.containers[0];
    expect(container.image).toBe(DEFAULT_SMOKE_IMAGE);
    expect(container.image).toMatch(/^node:\d+\.\d+\.\d+-alpine\d+\.\d+$/);
    expect(container.command.slice(0, 2)).toEqual(['node', '-e']);
    expect(container.securityContext).toMatchObject({
      runAsNonRoot: true, runAsUser: 1000, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false,
    });
    const checks = JSON.parse(container.env.find((e: any) => e.name === 'SMOKE_CHECKS').value);
    expect(checks).toEqual([{ name: 'web.shop.svc/', type: 'http', url: 'http://web.shop.svc/', method: 'GET', expectStatus: 200, retries: 5, intervalMs: 5000, timeoutMs: 10000 }]);
    expect(container.env.find((e: any) => e.name === 'SMOKE_DEADLINE_SECONDS').value).toBe('300');
  });

  test('phase, delete policies, backoffLimit, deadlines and image are configurable', () => {
    const job = hookJob([SmokeCheck.http({ url: 'http://web/' })], {
      phase: HookPhase.SYNC,
      deletePolicies: [HookDeletePolicy.BEFORE_HOOK_CREATION, HookDeletePolicy.HOOK_SUCCEEDED],
      backoffLimit: 2,
      deadline: Duration.minutes(1),
      activeDeadline: Duration.minutes(3),
      ttlAfterFinished: Duration.hours(1),
      image: 'registry.acme.com/node:22',
      runAsUser: 4000,
    });
    expect(job.metadata.annotations['argocd.argoproj.io/hook']).toBe('Sync');
    expect(job.metadata.annotations['argocd.argoproj.io/hook-delete-policy']).toBe('BeforeHookCreation,HookSucceeded');
    expect(job.spec).toMatchObject({ backoffLimit: 2, activeDeadlineSeconds: 180, ttlSecondsAfterFinished: 3600 });
    expect(job.spec.template.spec.containers[0].image).toBe('registry.acme.com/node:22');
    expect(job.spec.template.spec.securityContext.runAsUser).toBe(4000);
  });

  test('a SyncFail companion Job posts to a webhook whose URL comes from a Secret', () => {
    const app = testApp();
    const shop = new Application(app, 'shop');
    const secret = kplus.Secret.fromSecretName(shop, 'slack', 'slack-webhook');
    new SmokeTestHook(shop, 'smoke', {
      checks: [SmokeCheck.http({ url: 'http://web/' })],
      notifyOnSyncFail: { webhookUrl: kplus.EnvValue.fromSecretValue({ secret, key: 'url' }) },
    });
    const job = manifest(app.synthFiles(), 'shop/job-shop-smoke-syncfail.yaml');
    expect(job.metadata.annotations['argocd.argoproj.io/hook']).toBe('SyncFail');
    const env = job.spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'WEBHOOK_URL', valueFrom: { secretKeyRef: { name: 'slack-webhook', key: 'url' } } });
    expect(env).toContainEqual({ name: 'MESSAGE', value: 'Argo CD sync of shop failed' });
  });

  test('graphql checks POST the query as JSON', () => {
    const check = SmokeCheck.graphql({ url: 'http://api/graphql', query: '{ health }', variables: { a: 1 }, expectData: { health: 'ok' } });
    expect(check._toSpec()).toMatchObject({
      type: 'graphql',
      method: 'POST',
      body: '{"query":"{ health }","variables":{"a":1}}',
      headers: { 'content-type': 'application/json' },
      expectData: { health: 'ok' },
    });
  });
});

describe('SmokeTestHook bad input', () => {
  test('fails when a check URL is invalid or not http(s)', () => {
    expect(() => SmokeCheck.http({ url: 'web/health' })).toThrow(/SmokeCheck.http 'web\/health': url 'web\/health' is not a valid URL/);
    expect(() => SmokeCheck.graphql({ url: 'ftp://x/graphql', query: '{ a }' })).toThrow(/url 'ftp:\/\/x\/graphql' must use http or https, not ftp/);
  });

  test('fails when a GraphQL query is empty', () => {
    expect(() => SmokeCheck.graphql({ url: 'http://api/graphql', query: '  ' })).toThrow(/query is empty/);
  });

  test('fails when retries, status or method are invalid', () => {
    expect(() => SmokeCheck.http({ url: 'http://a/', retries: -1 })).toThrow(/retries -1 must be a non-negative integer/);
    expect(() => SmokeCheck.http({ url: 'http://a/', expectStatus: 42 })).toThrow(/expectStatus 42 is not an HTTP status code/);
    expect(() => SmokeCheck.http({ url: 'http://a/', body: 'x' })).toThrow(/a GET request cannot have a body/);
    expect(() => SmokeCheck.http({ url: 'http://a/', timeout: Duration.millis(0) })).toThrow(/timeout must be positive/);
  });

  test('fails when the hook has no checks, duplicate names or a deadline longer than activeDeadline', () => {
    const shop = new Application(testApp(), 'shop');
    expect(() => new SmokeTestHook(shop, 'a', { checks: [] })).toThrow(/checks is empty/);
    expect(() => new SmokeTestHook(shop, 'b', { checks: [SmokeCheck.http({ url: 'http://a/x' }), SmokeCheck.http({ url: 'http://a/x' })] })).toThrow(/two checks are named 'a\/x'/);
    expect(() => new SmokeTestHook(shop, 'c', { checks: [SmokeCheck.http({ url: 'http://a/' })], deadline: Duration.minutes(10), activeDeadline: Duration.minutes(1) }))
      .toThrow(/activeDeadline \(60s\) is shorter than deadline \(600s\)/);
    expect(() => new SmokeTestHook(shop, 'd', { checks: [SmokeCheck.http({ url: 'http://a/' })], runAsUser: 0 })).toThrow(/runAsUser 0 must be a positive integer/);
  });
});

describe('the generated script, run against a local HTTP server', () => {
  let server: http.Server;
  let base: string;
  let flakyCalls = 0;
  const received: any[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', c => { body += c; });
      req.on('end', () => {
        const json = (status: number, value: unknown): void => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(value));
        };
        switch (req.url) {
          case '/': res.writeHead(200, { 'content-type': 'text/html' }); res.end('<html><title>Shop</title></html>'); return;
          case '/health': return json(200, { status: 'ok', version: '1.4.2', checks: [{ name: 'db', ok: true }] });
          case '/degraded': return json(200, { status: 'degraded' });
          case '/down': return json(503, { status: 'down' });
          case '/flaky': flakyCalls++; return flakyCalls < 3 ? json(503, {}) : json(200, { status: 'ok' });
          case '/slow': return; // never answers
          case '/webhook': received.push(JSON.parse(body)); return json(200, { ok: true });
          case '/graphql': {
            const query = JSON.parse(body).query as string;
            if (req.method !== 'POST') return json(405, {});
            if (query.includes('broken')) return json(200, { errors: [{ message: 'Cannot query field "broken"' }] });
            return json(200, { data: { health: 'ok' } });
          }
          default: return json(404, {});
        }
      });
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise(resolve => server.close(resolve));
  });

  /** Runs a Job's container command with its env, exactly as synthesized. */
  function runContainer(container: any): Promise<{ code: number; out: string }> {
    expect(container.command[0]).toBe('node');
    const env: { [k: string]: string } = { PATH: process.env.PATH ?? '' };
    for (const e of container.env) env[e.name] = e.value;
    return new Promise(resolve => {
      execFile(process.execPath, container.command.slice(1), { env, timeout: 20000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, out: stdout + stderr });
      });
    });
  }

  function runHook(checks: SmokeCheck[], deadline?: Duration): Promise<{ code: number; out: string }> {
    return runContainer(hookJob(checks, { deadline }).spec.template.spec.containers[0]);
  }

  test('the SyncFail notification posts {"text": message} to the webhook', async () => {
    const job = hookJob([SmokeCheck.http({ url: 'http://web/' })], {
      notifyOnSyncFail: { webhookUrl: kplus.EnvValue.fromValue(`${base}/webhook`), message: 'shop sync failed' },
    }, 'shop/job-shop-smoke-syncfail.yaml');
    const result = await runContainer(job.spec.template.spec.containers[0]);
    expect(result.out).toContain('webhook answered HTTP 200');
    expect(result.code).toBe(0);
    expect(received).toEqual([{ text: 'shop sync failed' }]);
  });

  test('passes when the HTTP status, JSON body (partial match) and GraphQL data are as expected', async () => {
    const result = await runHook([
      SmokeCheck.http({ name: 'api-health', url: `${base}/health`, expectJson: { status: 'ok', checks: [{ ok: true }] }, ...fast }),
      SmokeCheck.http({ name: 'web', url: `${base}/`, expectBodyContains: '<title>Shop</title>', ...fast }),
      SmokeCheck.graphql({ name: 'graphql', url: `${base}/graphql`, query: '{ health }', expectData: { health: 'ok' }, ...fast }),
    ]);
    expect(result.out).toContain('PASS api-health (attempt 1 of 1)');
    expect(result.out).toContain('PASS graphql');
    expect(result.out).toContain('all 3 smoke checks passed');
    expect(result.code).toBe(0);
  });

  test('fails with exit 1 naming the check when the status is wrong', async () => {
    const result = await runHook([SmokeCheck.http({ name: 'api-down', url: `${base}/down`, ...fast })]);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/FAIL api-down: HTTP 503, expected 200/);
  });

  test('fails naming the JSON field that differs', async () => {
    const result = await runHook([SmokeCheck.http({ name: 'api-health', url: `${base}/degraded`, expectJson: { status: 'ok' }, ...fast })]);
    expect(result.code).toBe(1);
    expect(result.out).toContain('FAIL api-health: body.status is "degraded", expected "ok"');
  });

  test('fails on GraphQL errors and on unexpected data', async () => {
    const errors = await runHook([SmokeCheck.graphql({ name: 'gql', url: `${base}/graphql`, query: '{ broken }', ...fast })]);
    expect(errors.code).toBe(1);
    expect(errors.out).toContain('FAIL gql: GraphQL errors: [{"message":"Cannot query field \\"broken\\""}]');
    const data = await runHook([SmokeCheck.graphql({ name: 'gql', url: `${base}/graphql`, query: '{ health }', expectData: { health: 'fine' }, ...fast })]);
    expect(data.out).toContain('FAIL gql: data.health is "ok", expected "fine"');
  });

  test('retries until the check passes', async () => {
    flakyCalls = 0;
    const result = await runHook([SmokeCheck.http({ name: 'flaky', url: `${base}/flaky`, retries: 3, retryInterval: Duration.millis(50), timeout: Duration.seconds(3) })]);
    expect(result.out).toContain('flaky: attempt 1 of 4 failed: HTTP 503');
    expect(result.out).toContain('PASS flaky (attempt 3 of 4)');
    expect(result.code).toBe(0);
  });

  test('an attempt that gets no answer times out; the overall deadline stops the retries', async () => {
    const timeout = await runHook([SmokeCheck.http({ name: 'slow', url: `${base}/slow`, retries: 1, retryInterval: Duration.millis(10), timeout: Duration.millis(200) })]);
    expect(timeout.code).toBe(1);
    expect(timeout.out).toContain('FAIL slow: no response within 200 ms (after 2 attempts)');
    const started = Date.now();
    const deadline = await runHook([SmokeCheck.http({ name: 'slow', url: `${base}/slow`, retries: 100, retryInterval: Duration.millis(10), timeout: Duration.millis(400) })], Duration.seconds(1));
    expect(deadline.code).toBe(1);
    expect(deadline.out).toMatch(/FAIL slow: no response within \d+ ms; the overall deadline of 1s passed/);
    expect(Date.now() - started).toBeLessThan(8000);
  });

  test('a connection error is reported with its code', async () => {
    const closed = http.createServer();
    await new Promise<void>(resolve => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise(resolve => closed.close(resolve));
    const result = await runHook([SmokeCheck.http({ name: 'gone', url: `http://127.0.0.1:${port}/`, ...fast })]);
    expect(result.code).toBe(1);
    expect(result.out).toContain('FAIL gone: ECONNREFUSED');
  });
});
