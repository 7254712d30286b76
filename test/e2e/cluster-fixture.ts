/**
 * Helpers for e2e tests that run against the local control plane started by
 * test/e2e/global-setup.ts (one cluster per test run).
 *
 *   import { kubectl, useTestNamespace, waitFor } from './cluster-fixture';
 *   const ns = useTestNamespace('deploy');     // fresh namespace per describe block
 *   await kubectl(['apply', '--server-side', '-f', '-'], { input: yaml, namespace: ns.name });
 *
 * The global setup exports KUBECONFIG (and E2E_KUBECONFIG_ENV) for the workers, so
 * @kubernetes/client-node's `loadFromDefault()` and kubectl both target the test cluster.
 */
import { spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import { POD_FAIL_LABEL, POD_FAIL_LABEL_VALUE } from '../../src/cluster/constants';
import { LocalCluster } from '../../src/cluster/local-cluster';

export { POD_FAIL_LABEL, POD_FAIL_LABEL_VALUE };

/** Set by the global setup: state dir of the test cluster. */
export const E2E_CLUSTER_DIR_ENV = 'CDK8S_ARGOCD_E2E_CLUSTER_DIR';
/** Set by the global setup: admin kubeconfig of the test cluster. */
export const E2E_KUBECONFIG_ENV = 'CDK8S_ARGOCD_E2E_KUBECONFIG';
/** Label put on every namespace created by {@link createTestNamespace}. */
export const TEST_NAMESPACE_LABEL = 'cdk8s-argocd.io/e2e';

/** Namespaces created in this worker, reported when a test fails (see cluster-environment.ts). */
export const NAMESPACES_GLOBAL = '__cdk8sArgocdE2eNamespaces';

function requireEnv(name: string): string {
  const v = process.env[name];
  if (!v) {
    throw new Error(
      `${name} is not set: e2e tests need the cluster from test/e2e/global-setup.ts (run them with 'npm run test:e2e')`,
    );
  }
  return v;
}

/** State dir of the test cluster. */
export function clusterDir(): string {
  return requireEnv(E2E_CLUSTER_DIR_ENV);
}

/** Admin kubeconfig of the test cluster. */
export function kubeconfigPath(): string {
  return requireEnv(E2E_KUBECONFIG_ENV);
}

/** The running test cluster (server URL, log files, status). */
export function testCluster(): LocalCluster {
  const c = LocalCluster.open(clusterDir());
  if (!c) {
    throw new Error(`no cluster state in ${clusterDir()}`);
  }
  return c;
}

export interface KubectlOptions {
  /** Written to kubectl's stdin (use with `-f -`). */
  readonly input?: string;
  /** Adds `--namespace`. */
  readonly namespace?: string;
  /** Throw when kubectl exits non-zero (default true). */
  readonly check?: boolean;
  /** Kill kubectl after this long (default 60s). */
  readonly timeoutMs?: number;
}

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs kubectl against the test cluster. */
export function kubectl(args: string[], options: KubectlOptions = {}): Promise<KubectlResult> {
  const full = [`--kubeconfig=${kubeconfigPath()}`, ...(options.namespace ? [`--namespace=${options.namespace}`] : []), ...args];
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', full, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run kubectl (is it on PATH?): ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const res = { code: code ?? (signal ? 128 : 1), stdout, stderr };
      if (res.code !== 0 && options.check !== false) {
        reject(new Error(`kubectl ${args.join(' ')} failed (exit ${res.code}${signal ? `, ${signal}` : ''}):\n${stderr}${stdout}`));
      } else {
        resolve(res);
      }
    });
    child.stdin.end(options.input ?? '');
  });
}

/** `kubectl get -o json`, parsed; undefined if the object does not exist. */
export async function getJson<T = any>(args: string[], options: Omit<KubectlOptions, 'check'> = {}): Promise<T | undefined> {
  const res = await kubectl(['get', ...args, '-o', 'json'], { ...options, check: false });
  if (res.code !== 0) {
    if (/NotFound|not found/.test(res.stderr)) {
      return undefined;
    }
    throw new Error(`kubectl get ${args.join(' ')} failed: ${res.stderr}`);
  }
  return JSON.parse(res.stdout) as T;
}

/**
 * Polls `check` until it returns a truthy value and returns that value.
 * On timeout the error names `what` and the last value or error seen.
 */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 60_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) {
        return v;
      }
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what} (last: ${detail})`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function recordNamespace(name: string, add: boolean): void {
  const g = globalThis as unknown as Record<string, Set<string> | undefined>;
  const set = (g[NAMESPACES_GLOBAL] ??= new Set<string>());
  if (add) {
    set.add(name);
  } else {
    set.delete(name);
  }
}

/** Creates a uniquely named namespace `<prefix>-<random>` and returns its name. */
export async function createTestNamespace(prefix = 'e2e'): Promise<string> {
  const base = prefix.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'e2e';
  const name = `${base}-${randomBytes(3).toString('hex')}`;
  const manifest = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { [TEST_NAMESPACE_LABEL]: 'true' } },
  });
  await kubectl(['create', '-f', '-'], { input: manifest });
  recordNamespace(name, true);
  return name;
}

/** Deletes a namespace; with `wait`, until it is gone. */
export async function deleteNamespace(name: string, options: { wait?: boolean } = {}): Promise<void> {
  await kubectl(['delete', 'namespace', name, '--ignore-not-found', `--wait=${options.wait ? 'true' : 'false'}`], { timeoutMs: 120_000 });
  recordNamespace(name, false);
}

/**
 * Gives the enclosing describe block its own namespace: created in beforeAll,
 * deleted (without waiting) in afterAll. Read `.name` inside tests.
 */
export function useTestNamespace(prefix = 'e2e'): { readonly name: string } {
  let name: string | undefined;
  beforeAll(async () => {
    name = await createTestNamespace(prefix);
  });
  afterAll(async () => {
    if (name) {
      await deleteNamespace(name);
    }
  });
  return {
    get name(): string {
      if (!name) {
        throw new Error('useTestNamespace(): the namespace exists only inside tests (after beforeAll)');
      }
      return name;
    },
  };
}

/**
 * Namespaces for one test file: `create` makes one, `track` adopts one made otherwise; all are
 * deleted (without waiting) after the file's tests.
 */
export function testNamespaces(): { create: (prefix: string) => Promise<string>; track: (name: string) => void } {
  const names: string[] = [];
  afterAll(async () => {
    for (const ns of names) {
      await deleteNamespace(ns).catch(() => undefined);
    }
  });
  return {
    create: async (prefix) => {
      const ns = await createTestNamespace(prefix);
      names.push(ns);
      return ns;
    },
    track: (name) => {
      names.push(name);
    },
  };
}

/** The last lines of every component log of the test cluster. */
export function componentLogTails(lines = 40): string {
  const dir = process.env[E2E_CLUSTER_DIR_ENV];
  if (!dir || !fs.existsSync(dir)) {
    return '(no test cluster)';
  }
  return LocalCluster.open(dir)?.logTails(lines) ?? '(no test cluster state)';
}
