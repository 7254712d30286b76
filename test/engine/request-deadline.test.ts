/**
 * The client's per-request deadline and cancellation, against a real socket that accepts
 * connections and never answers (what a SIGSTOPped or black-holed API server looks like).
 * The same behaviour against the real control plane: test/e2e/engine-faults.e2e.test.ts.
 */
import * as net from 'net';
import { requestTimeoutMs } from '../../src/engine/interruption';
import { KubeClient, RequestInterruptedError, RequestTimeoutError } from '../../src/engine/kube/client';
import { loadClientNode } from '../../src/engine/kube/client-node';

let server: net.Server;
let sockets: net.Socket[] = [];
let url: string;

beforeAll(async () => {
  server = net.createServer((s) => sockets.push(s)); // accept, read nothing, answer nothing
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});

afterAll(async () => {
  sockets.forEach((s) => s.destroy());
  sockets = [];
  await new Promise((r) => server.close(r));
});

async function clientFor(server_: string): Promise<KubeClient> {
  const lib = await loadClientNode();
  const kc = new lib.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: server_, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'x' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return KubeClient.create(kc);
}

test('a request to a server that never answers fails after the deadline, naming the server', async () => {
  const client = (await clientFor(url)).withLimits({ timeoutMs: 300 });
  const t0 = Date.now();
  try {
    const err = await client.request('GET', '/api/v1/namespaces?limit=500').catch((e) => e);
    expect(err).toBeInstanceOf(RequestTimeoutError);
    expect(err.message).toBe(`the API server at ${url} did not answer GET /api/v1/namespaces within 0.3s (is it hung or unreachable?)`);
    expect(Date.now() - t0).toBeLessThan(3000);
  } finally {
    client.close();
  }
});

test('an aborted signal stops new requests before they are sent', async () => {
  const interrupt = new AbortController();
  interrupt.abort(new Error('interrupted by SIGTERM'));
  const before = sockets.length;
  const client = (await clientFor(url)).withLimits({ signal: interrupt.signal });
  try {
    await expect(client.request('PATCH', '/api/v1/namespaces/x', {})).rejects.toThrow(new RequestInterruptedError('interrupted by SIGTERM').message);
    expect(sockets.length).toBe(before);
  } finally {
    client.close();
  }
});

test('the per-request deadline follows the operation timeout, with a default when there is none', () => {
  expect(requestTimeoutMs(undefined)).toBe(30_000);
  expect(requestTimeoutMs(5)).toBe(5_000);
  expect(requestTimeoutMs(600)).toBe(30_000);
});
