import { Duration } from 'cdk8s';
import { throwIfErrors } from './validation';

/** Retry and timeout settings shared by every smoke check. */
export interface SmokeCheckRetryOptions {
  /**
   * Name shown in the hook's log and in the failure message.
   * @default - the URL's host and path
   */
  readonly name?: string;
  /**
   * Extra attempts after the first failure (the app may still be starting).
   * @default 5
   */
  readonly retries?: number;
  /**
   * Wait between attempts.
   * @default Duration.seconds(5)
   */
  readonly retryInterval?: Duration;
  /**
   * Time limit of one attempt (connect + response).
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * Request headers.
   * @default - none
   */
  readonly headers?: { [name: string]: string };
}

/** An HTTP check: status code, and optionally the body. */
export interface HttpCheckOptions extends SmokeCheckRetryOptions {
  /** URL to request, e.g. `http://api.shop.svc.cluster.local/health`. */
  readonly url: string;
  /**
   * HTTP method.
   * @default 'GET'
   */
  readonly method?: string;
  /**
   * Request body (for POST/PUT).
   * @default - none
   */
  readonly body?: string;
  /**
   * Expected status code.
   * @default 200
   */
  readonly expectStatus?: number;
  /**
   * Expected JSON body: an object whose every key must match the response's (extra keys in the
   * response are fine; nested objects match the same way, arrays and plain values must be equal).
   * E.g. `{ status: 'ok' }`.
   * @default - the body is not checked
   */
  readonly expectJson?: { [key: string]: any };
  /**
   * Text the body must contain, e.g. `<title>Shop</title>`.
   * @default - the body is not checked
   */
  readonly expectBodyContains?: string;
}

/** A GraphQL check: POSTs a query; passes when the response has `data`, no `errors`, and the expected data. */
export interface GraphqlCheckOptions extends SmokeCheckRetryOptions {
  /** GraphQL endpoint, e.g. `http://api.shop.svc.cluster.local/graphql`. */
  readonly url: string;
  /** The query, e.g. `{ health }`. */
  readonly query: string;
  /**
   * Query variables.
   * @default - none
   */
  readonly variables?: { [name: string]: any };
  /**
   * Expected `data`, matched like `HttpCheckOptions.expectJson`, e.g. `{ health: 'ok' }`.
   * @default - any non-null `data` without `errors` passes
   */
  readonly expectData?: { [key: string]: any };
}

/** One check a SmokeTestHook runs against the just-synced app. */
export class SmokeCheck {
  /** An HTTP request that must return `expectStatus` (200) and, optionally, an expected body. */
  public static http(options: HttpCheckOptions): SmokeCheck {
    const method = (options.method ?? 'GET').toUpperCase();
    const expectStatus = options.expectStatus ?? 200;
    const name = options.name ?? defaultName(options.url);
    const errors = [
      ...commonErrors(options),
      /^[A-Z]+$/.test(method) ? undefined : `method '${options.method}' is not an HTTP method`,
      Number.isInteger(expectStatus) && expectStatus >= 100 && expectStatus <= 599 ? undefined : `expectStatus ${expectStatus} is not an HTTP status code (100-599)`,
      options.body !== undefined && (method === 'GET' || method === 'HEAD') ? `a ${method} request cannot have a body; use method 'POST'` : undefined,
      options.expectJson !== undefined && method === 'HEAD' ? 'a HEAD response has no body to match expectJson against' : undefined,
    ];
    throwIfErrors(`SmokeCheck.http '${name}'`, errors);
    return new SmokeCheck(name, {
      type: 'http',
      url: options.url,
      method,
      headers: options.headers,
      body: options.body,
      expectStatus,
      expectJson: options.expectJson,
      expectBodyContains: options.expectBodyContains,
      ...retrySpec(options),
    });
  }

  /** A GraphQL query (POST, `application/json`) that must return data and no errors. */
  public static graphql(options: GraphqlCheckOptions): SmokeCheck {
    const name = options.name ?? defaultName(options.url);
    throwIfErrors(`SmokeCheck.graphql '${name}'`, [
      ...commonErrors(options),
      (options.query ?? '').trim() === '' ? 'query is empty: give a GraphQL query such as \'{ health }\'' : undefined,
    ]);
    return new SmokeCheck(name, {
      type: 'graphql',
      url: options.url,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept': 'application/json', ...options.headers },
      body: JSON.stringify({ query: options.query, ...(options.variables ? { variables: options.variables } : {}) }),
      expectStatus: 200,
      expectData: options.expectData,
      ...retrySpec(options),
    });
  }

  private constructor(
    /** Name of the check, as shown in the hook's log. */
    public readonly name: string,
    private readonly spec: { [key: string]: any },
  ) {}

  /** What the smoke script reads for this check (see smoke-script.ts). @internal */
  public _toSpec(): { [key: string]: any } {
    const out: { [key: string]: any } = { name: this.name };
    for (const [k, v] of Object.entries(this.spec)) if (v !== undefined) out[k] = v;
    return out;
  }
}

function commonErrors(options: SmokeCheckRetryOptions & { readonly url: string }): Array<string | undefined> {
  const retries = options.retries ?? 5;
  return [
    urlError(options.url),
    Number.isInteger(retries) && retries >= 0 ? undefined : `retries ${retries} must be a non-negative integer`,
    options.timeout && options.timeout.toMilliseconds() <= 0 ? 'timeout must be positive' : undefined,
    options.retryInterval && options.retryInterval.toMilliseconds() < 0 ? 'retryInterval must not be negative' : undefined,
    options.name !== undefined && options.name.trim() === '' ? 'name must not be empty' : undefined,
  ];
}

function retrySpec(options: SmokeCheckRetryOptions): { [key: string]: any } {
  return {
    retries: options.retries ?? 5,
    intervalMs: (options.retryInterval ?? Duration.seconds(5)).toMilliseconds(),
    timeoutMs: (options.timeout ?? Duration.seconds(10)).toMilliseconds(),
  };
}

function urlError(url: string | undefined): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url ?? '');
  } catch {
    return `url '${url}' is not a valid URL: write it in full, e.g. 'http://my-api.my-namespace.svc.cluster.local/health'`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return `url '${url}' must use http or https, not ${parsed.protocol.replace(/:$/, '')}`;
  }
  return undefined;
}

function defaultName(url: string | undefined): string {
  try {
    const u = new URL(url ?? '');
    return `${u.host}${u.pathname === '/' ? '/' : u.pathname}`;
  } catch {
    return String(url);
  }
}
