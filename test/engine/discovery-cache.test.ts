/**
 * The client asks the server which group versions it serves once, until told discovery changed,
 * against a real HTTP server that counts the requests. (The real control plane: every engine e2e.)
 */
import * as http from 'http';
import * as net from 'net';
import { KubeClient } from '../../src/engine/kube/client';
import { loadClientNode } from '../../src/engine/kube/client-node';

let server: http.Server;
let url: string;
const asked: string[] = [];
let failApis = false;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    asked.push(`${req.method} ${req.url}`);
    res.setHeader('Content-Type', 'application/json');
    if (req.url === '/api') {
      res.end(JSON.stringify({ kind: 'APIVersions', versions: ['v1'] }));
    } else if (req.url === '/apis' && !failApis) {
      res.end(JSON.stringify({ kind: 'APIGroupList', groups: [{ name: 'apps', preferredVersion: { groupVersion: 'apps/v1' } }] }));
    } else {
      res.statusCode = 503;
      res.end(JSON.stringify({ kind: 'Status', reason: 'ServiceUnavailable', message: 'not now' }));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

beforeEach(() => {
  asked.length = 0;
  failApis = false;
});

async function newClient(): Promise<KubeClient> {
  const lib = await loadClientNode();
  const kc = new lib.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: url, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'x' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return KubeClient.create(kc);
}

test('the served group versions are asked once per client, shared with its scoped copies, and again after invalidateDiscovery', async () => {
  const client = await newClient();
  try {
    const [a, b] = await Promise.all([client.serverGroupVersions(), client.withLimits({ timeoutMs: 5000 }).serverGroupVersions()]);
    expect(a).toEqual(['v1', 'apps/v1']);
    expect(b).toEqual(a);
    expect(await client.serverGroupVersions()).toEqual(a);
    expect(asked.sort()).toEqual(['GET /api', 'GET /apis']);
    client.invalidateDiscovery();
    expect(await client.serverGroupVersions()).toEqual(a);
    expect(asked.length).toBe(4);
    // Another client (another run) asks for itself.
    const other = await newClient();
    try {
      await other.serverGroupVersions();
      expect(asked.length).toBe(6);
    } finally {
      other.close();
    }
  } finally {
    client.close();
  }
});

test('a failed discovery is not kept: the next caller asks the server again', async () => {
  const client = await newClient();
  try {
    failApis = true;
    await expect(client.serverGroupVersions()).rejects.toThrow(/not now/);
    failApis = false;
    expect(await client.serverGroupVersions()).toEqual(['v1', 'apps/v1']);
    expect(asked.filter((a) => a === 'GET /apis').length).toBe(2);
  } finally {
    client.close();
  }
});
