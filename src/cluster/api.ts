/**
 * A minimal HTTPS client for the few API calls `cluster up` needs (readiness
 * probes, registering fake nodes). The sync engine itself uses
 * @kubernetes/client-node; this avoids loading it (ESM) just to start a cluster.
 */
import * as http from 'http';
import * as https from 'https';

export interface TlsCredentials {
  readonly ca: string | Buffer;
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
}

export interface ApiResponse {
  readonly status: number;
  readonly body: string;
}

export class ApiClient {
  private readonly agent: https.Agent;

  constructor(
    public readonly server: string,
    credentials: TlsCredentials,
  ) {
    this.agent = new https.Agent({ ...credentials, keepAlive: false });
  }

  request(method: string, path: string, body?: unknown, timeoutMs = 5000, contentType = 'application/json'): Promise<ApiResponse> {
    const url = new URL(path, this.server);
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            Accept: 'application/json',
            ...(payload !== undefined ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) } : {}),
          },
          timeout: timeoutMs,
        },
        (res: http.IncomingMessage) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs}ms: ${method} ${url.href}`)));
      req.on('error', reject);
      if (payload !== undefined) {
        req.write(payload);
      }
      req.end();
    });
  }

  /** GET returning parsed JSON, or undefined on 404. Throws on other errors. */
  async getJson<T = any>(path: string): Promise<T | undefined> {
    const res = await this.request('GET', path);
    if (res.status === 404) {
      return undefined;
    }
    if (res.status >= 300) {
      throw new Error(`GET ${path}: HTTP ${res.status}: ${res.body}`);
    }
    return JSON.parse(res.body) as T;
  }

  /** Creates an object; an AlreadyExists conflict counts as success. */
  async create(path: string, obj: unknown): Promise<void> {
    const res = await this.request('POST', path, obj);
    if (res.status >= 300 && res.status !== 409) {
      throw new Error(`POST ${path}: HTTP ${res.status}: ${res.body}`);
    }
  }

  /**
   * Server-side apply of `obj` at `path` (the object's own URL) as field manager
   * `cdk8s-argocd-cluster`, taking over conflicting fields: the cluster's own objects follow
   * whatever the current start-up wants (e.g. the metrics-server's port of this start).
   */
  async apply(path: string, obj: unknown): Promise<void> {
    const res = await this.request('PATCH', `${path}?fieldManager=cdk8s-argocd-cluster&force=true`, obj, 5000, 'application/apply-patch+yaml');
    if (res.status >= 300) {
      throw new Error(`apply ${path}: HTTP ${res.status}: ${res.body}`);
    }
  }

  /** JSON merge patch of `path` (e.g. a status subresource). */
  async mergePatch(path: string, patch: unknown): Promise<void> {
    const res = await this.request('PATCH', path, patch, 5000, 'application/merge-patch+json');
    if (res.status >= 300) {
      throw new Error(`PATCH ${path}: HTTP ${res.status}: ${res.body}`);
    }
  }

  destroy(): void {
    this.agent.destroy();
  }
}
