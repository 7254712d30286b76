/**
 * Test support for the engine's e2e tests (test/e2e/engine-*.e2e.test.ts): a throwaway
 * Application folder and an API client for the e2e cluster. Not a test file itself.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { ApplicationSpec } from '../../src/engine/application-spec';
import { KubeClient } from '../../src/engine/kube/client';
import { resolveKubeConfig } from '../../src/engine/kube/kubeconfig';
import { LoadedApplication, loadApplications } from '../../src/engine/load/applications';
import { KubeObject, SyncOperationResult } from '../../src/engine/model';
import { syncApplication, SyncEvent, SyncRequest } from '../../src/engine/sync';
import { CliResult, runInProcess } from '../cli/run-in-process';

/** The API client for the e2e cluster (KUBECONFIG is set by test/e2e/global-setup.ts). */
export async function e2eClient(): Promise<KubeClient> {
  const resolved = await resolveKubeConfig({ kubeconfig: process.env.CDK8S_ARGOCD_E2E_KUBECONFIG ?? process.env.KUBECONFIG });
  return KubeClient.create(resolved.config);
}

/** One API client for a test file: `use` receives it before the tests; it is closed after them. */
export function useE2eClient(use: (client: KubeClient) => void): void {
  let client: KubeClient | undefined;
  beforeAll(async () => {
    client = await e2eClient();
    use(client);
  });
  afterAll(() => client?.close());
}

/** An Application folder in a temporary repository: `apps/<name>.yaml` and `<name>/<file>.yaml`. */
export class TestApp {
  readonly dir: string;

  constructor(readonly name: string, readonly namespace: string, spec: Partial<ApplicationSpec> = {}) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-e2e-'));
    fs.mkdirSync(path.join(this.dir, 'apps'));
    fs.mkdirSync(path.join(this.dir, name));
    this.setSpec(spec);
  }

  setSpec(spec: Partial<ApplicationSpec>): void {
    const app = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: this.name, namespace: 'argocd' },
      spec: {
        project: 'default',
        destination: { server: 'https://kubernetes.default.svc', namespace: this.namespace },
        source: { repoURL: 'https://example.com/repo.git', path: this.name },
        ...spec,
      },
    };
    fs.writeFileSync(path.join(this.dir, 'apps', `${this.name}.yaml`), stringify(app, { version: '1.1' }));
  }

  write(file: string, ...objs: KubeObject[]): this {
    // YAML 1.1 quoting (`"yes"`), as the engine and kubectl read manifests with YAML 1.1 scalars.
    fs.writeFileSync(path.join(this.dir, this.name, file), objs.map((o) => stringify(o, { version: '1.1' })).join('---\n'));
    return this;
  }

  writeText(file: string, text: string): this {
    fs.writeFileSync(path.join(this.dir, this.name, file), text);
    return this;
  }

  remove(file: string): this {
    fs.rmSync(path.join(this.dir, this.name, file));
    return this;
  }

  load(): LoadedApplication {
    const app = loadApplications({ path: this.dir, apps: [this.name], repoRoot: this.dir }).applications[0];
    if (app.error) {
      throw new Error(app.error);
    }
    return app;
  }

  /** Syncs and returns the result plus every event, in order. */
  async sync(client: KubeClient, req: SyncRequest = {}): Promise<{ result: SyncOperationResult; events: SyncEvent[] }> {
    const events: SyncEvent[] = [];
    const result = await syncApplication(client, this.load(), { pollMs: 200, timeoutSeconds: 90, ...req, onEvent: (e) => events.push(e) });
    return { result, events };
  }
}

export const PAUSE_IMAGE = 'registry.k8s.io/pause:3.10';

export function configMap(name: string, data: Record<string, string> = { a: '1' }, annotations: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(Object.keys(annotations).length ? { annotations } : {}) }, data };
}

export function deployment(name: string, replicas = 1, annotations: Record<string, string> = {}, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, ...(Object.keys(annotations).length ? { annotations } : {}) },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: PAUSE_IMAGE }] } },
      ...spec,
    },
  };
}

export function job(
  name: string | { generateName: string }, annotations: Record<string, string>, podLabels: Record<string, string> = {},
): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { ...(typeof name === 'string' ? { name } : name), annotations },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: { labels: podLabels },
        spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36', command: ['true'] }] },
      },
    },
  };
}

/** Runs the CLI in this process against `kubeconfig`, capturing its output and exit code. */
export async function runCli(kubeconfig: string, app: TestApp, ...args: string[]): Promise<CliResult> {
  return runCliArgs([...args, app.dir, '--app', app.name, '--repo-root', app.dir, '--kubeconfig', kubeconfig]);
}

/** Runs the CLI in this process with exactly `args`, capturing its output and exit code. */
export async function runCliArgs(args: string[]): Promise<CliResult> {
  return runInProcess(...args);
}
