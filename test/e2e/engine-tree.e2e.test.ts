/**
 * `cdk8s-argocd sync <dir>` runs the whole Application tree on the real control plane, as Argo
 * CD's application controller would: the committed examples sync whole with one command, a
 * child in a later wave waits for the earlier child to be Healthy, a Degraded child stops its
 * parent before the later wave, and every Application's status is recorded on its object.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { getJson, kubeconfigPath, kubectl, testNamespaces, waitFor } from './cluster-fixture';
import { installThirdPartyCrdStubs } from './third-party-crds';
import { simulateOperators } from '../../scripts/simulated-operators';
import { deployment, configMap, e2eClient, runCliArgs } from '../engine/e2e-app';

jest.setTimeout(300_000);

const repoRoot = path.join(__dirname, '..', '..');
const newNamespace = testNamespaces().create;

/** Stubs of the examples' third-party kinds (the Argo CD CRDs come from the global setup, as `cluster up` installs them); idempotent. */
beforeAll(async () => {
  await installThirdPartyCrdStubs();
  for (const crd of ['applications.argoproj.io', 'appprojects.argoproj.io']) {
    await waitFor(`CRD ${crd} established`, async () => (await kubectl(['get', `crd/${crd}`, '-o', 'jsonpath={.status.conditions[?(@.type=="Established")].status}'], { check: false })).stdout.trim() === 'True');
  }
  if ((await kubectl(['get', 'namespace', 'argocd'], { check: false })).code !== 0) {
    await kubectl(['create', 'namespace', 'argocd'], { check: false });
  }
}, 180_000);

interface Run {
  readonly application: string;
  readonly parent?: string;
  readonly wave: number;
  readonly action: string;
  readonly phase?: string;
  readonly sync?: string;
  readonly health?: string;
  readonly message: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
}

function sync(dir: string, root: string, ...args: string[]) {
  return runCliArgs(['sync', dir, '--repo-root', root, '--kubeconfig', kubeconfigPath(), '--timeout', '150', ...args]);
}

async function syncJson(dir: string, root: string, ...args: string[]): Promise<{ code: number; runs: Run[]; stderr: string }> {
  const res = await sync(dir, root, '-o', 'json', ...args);
  if (!res.stdout) {
    throw new Error(`no result (exit ${res.code}): ${res.stderr}`);
  }
  const doc = JSON.parse(res.stdout);
  return { code: res.code, runs: Array.isArray(doc) ? doc : [doc], stderr: res.stderr };
}

/** `name sync/health` of the Application objects, as `kubectl get applications -n argocd` shows them. */
async function applicationColumns(names: readonly string[]): Promise<string[]> {
  const list = await getJson<{ items: any[] }>(['applications', '-n', 'argocd']);
  return names.map((n) => {
    const app = list?.items.find((i) => i.metadata.name === n);
    return `${n} ${app?.status?.sync?.status}/${app?.status?.health?.status}`;
  });
}

/** Deletes Application objects (and their finalizers: no controller would remove them), leaving their resources. */
async function forgetApplications(names: readonly string[]): Promise<void> {
  for (const name of names) {
    await kubectl(['patch', 'application', name, '-n', 'argocd', '--type', 'merge', '-p', '{"metadata":{"finalizers":null}}'], { check: false });
    await kubectl(['delete', 'application', name, '-n', 'argocd', '--ignore-not-found', '--wait'], { check: false });
  }
}

/**
 * A child already Synced is only compared (as with Argo CD): a fresh annotation on every object of
 * the children's folders (under `root`/`rel`) makes each child OutOfSync, so each is synced, as on a
 * first sync, on a cluster earlier tests left them on.
 */
function stampRun(root: string, rel: string, children: readonly string[]): void {
  const run = `${Date.now()}`;
  for (const child of children) {
    for (const file of fs.readdirSync(path.join(root, rel, child))) {
      const doc = parse(fs.readFileSync(path.join(root, rel, child, file), 'utf8'));
      doc.metadata.annotations = { ...doc.metadata.annotations, 'e2e.cdk8s-argocd.io/run': run };
      fs.writeFileSync(path.join(root, rel, child, file), stringify(doc));
    }
  }
}

/** A copy of the committed folder `rel` in a temporary root, its children's objects stamped (stampRun). */
function freshCopy(rel: string, children: readonly string[]): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-tree-'));
  fs.cpSync(path.join(repoRoot, rel), path.join(root, rel), { recursive: true });
  stampRun(root, rel, children);
  return root;
}

/**
 * Runs `during` while stand-ins for the External Secrets and KEDA operators write the Ready status
 * of the tracked objects (no operator runs on kwok; the examples' waves wait for that health).
 */
async function withSimulatedOperators<T>(during: () => Promise<T>): Promise<T> {
  const client = await e2eClient();
  const operators = simulateOperators(client, () => undefined, 250);
  try {
    return await during();
  } finally {
    await operators.stop();
    client.close();
  }
}

const line = (r: Run) => `${r.application}<${r.parent ?? ''}>@${r.wave}: ${r.action} ${r.phase ?? ''} ${r.sync ?? ''}/${r.health ?? ''}`;

describe('the committed examples sync whole with one command', () => {
  test('examples/app-of-apps: the root, then its four automated children, all Synced and Healthy; a re-sync compares the children and syncs none', async () => {
    const children = ['events-worker', 'notifications', 'orders-api', 'payments-api'];
    const rel = path.join('examples', 'app-of-apps', 'manifests');
    // Other tests (the demo) sync the same example into this cluster: start from OutOfSync children
    // without status, as on a first sync, whatever ran before.
    const root = freshCopy(rel, children);
    await forgetApplications(['team-commerce', ...children]);
    // events-worker's ScaledObject is Healthy once KEDA reports it Ready.
    const { code, runs } = await withSimulatedOperators(() => syncJson(path.join(root, rel), root));
    expect(runs.map(line)).toEqual([
      'team-commerce<>@0: sync Succeeded Synced/Healthy',
      ...children.map((c) => `${c}<team-commerce>@0: sync Succeeded Synced/Healthy`),
    ]);
    expect(code).toBe(0);
    expect(await applicationColumns(runs.map((r) => r.application))).toEqual(runs.map((r) => `${r.application} Synced/Healthy`));
    const child = await getJson(['application', 'orders-api', '-n', 'argocd']);
    expect(child.status.operationState.operation.initiatedBy).toEqual({ automated: true });
    expect(await getJson(['deployment', 'orders-api-app', '-n', 'commerce'])).toBeDefined();

    // As Argo CD's autoSync: a child already Synced is compared, not synced again; its status is refreshed.
    const again = await withSimulatedOperators(() => syncJson(path.join(root, rel), root));
    expect(again.code).toBe(0);
    expect(again.runs.map(line)).toEqual(['team-commerce<>@0: sync Succeeded Synced/Healthy', ...children.map((c) => `${c}<team-commerce>@0: compare  Synced/Healthy`)]);
    const after = await getJson(['application', 'orders-api', '-n', 'argocd']);
    expect(after.status.operationState).toEqual(child.status.operationState);
    expect(after.status.reconciledAt > child.status.reconciledAt).toBe(true);
  });

  test('examples/platform-waves: children wave by wave (0, 10, 20, 30), each started after the previous one was Healthy', async () => {
    // The example with its vendored External Secrets chart (the external-secrets Application's second source).
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-tree-waves-'));
    const rel = path.join('examples', 'platform-waves', 'manifests');
    fs.cpSync(path.join(repoRoot, rel), path.join(root, rel), { recursive: true });
    const charts = path.join('examples', 'platform-waves', 'charts');
    fs.cpSync(path.join(repoRoot, charts), path.join(root, charts), { recursive: true });

    // A child already Synced is only compared (as with Argo CD): see freshCopy.
    stampRun(root, rel, ['platform-foundation', 'external-secrets', 'postgres', 'shop-web']);
    // A child's health gates the next wave; on a re-sync it is already Healthy from the last run
    // (as with Argo CD), so start from Application objects without status, as on a first sync.
    await forgetApplications(['platform-root', 'platform-foundation', 'external-secrets', 'postgres', 'shop-web']);
    // The store (wave 10) and postgres' ExternalSecret (its wave -1) are Healthy once the External
    // Secrets operator reports them Ready.
    const { code, runs } = await withSimulatedOperators(() => syncJson(path.join(root, rel), root));
    expect(runs.map(line)).toEqual([
      'platform-root<>@0: sync Succeeded Synced/Healthy',
      'platform-foundation<platform-root>@0: sync Succeeded Synced/Healthy',
      'external-secrets<platform-root>@10: sync Succeeded Synced/Healthy',
      'postgres<platform-root>@20: sync Succeeded Synced/Healthy',
      'shop-web<platform-root>@30: sync Succeeded Synced/Healthy',
    ]);
    expect(code).toBe(0);
    const children = runs.slice(1);
    for (let i = 1; i < children.length; i++) {
      expect(Date.parse(children[i].startedAt!)).toBeGreaterThanOrEqual(Date.parse(children[i - 1].finishedAt!));
    }
    expect(await applicationColumns(runs.map((r) => r.application))).toEqual(runs.map((r) => `${r.application} Synced/Healthy`));
  });
});

/** A repository with a root whose source holds child Application objects, each with its own folder. */
class TestTree {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-tree-'));

  constructor(readonly root: string) {
    this.application(path.join('apps', `${root}.yaml`), root, 'children', undefined, { destination: { server: 'https://kubernetes.default.svc' } });
  }

  /** A child Application `name` in the root's source, deploying `objects` to `namespace`. */
  child(name: string, namespace: string, wave: number, objects: object[], automated = true, project = 'default'): this {
    this.application(path.join('children', `${name}.yaml`), name, name, wave, {
      project,
      destination: { server: 'https://kubernetes.default.svc', namespace },
      ...(automated ? { syncPolicy: { automated: { prune: true } } } : {}),
    });
    fs.mkdirSync(path.join(this.dir, name), { recursive: true });
    fs.writeFileSync(path.join(this.dir, name, 'objects.yaml'), objects.map((o) => stringify(o)).join('---\n'));
    return this;
  }

  /** An AppProject `name` in the root's source (wave `wave`), allowing this repository and `namespace`. */
  appProject(name: string, namespace: string, wave: number): this {
    fs.writeFileSync(path.join(this.dir, 'children', `appproject-${name}.yaml`), stringify({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AppProject',
      metadata: { name, namespace: 'argocd', annotations: { 'argocd.argoproj.io/sync-wave': String(wave) } },
      spec: { sourceRepos: ['https://example.com/repo.git'], destinations: [{ server: 'https://kubernetes.default.svc', namespace }] },
    }));
    return this;
  }

  private application(file: string, name: string, source: string, wave: number | undefined, spec: object): void {
    fs.mkdirSync(path.dirname(path.join(this.dir, file)), { recursive: true });
    fs.writeFileSync(path.join(this.dir, file), stringify({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name, namespace: 'argocd', ...(wave !== undefined ? { annotations: { 'argocd.argoproj.io/sync-wave': String(wave) } } : {}) },
      spec: { project: 'default', source: { repoURL: 'https://example.com/repo.git', path: source }, ...spec },
    }));
  }
}

/** `timestamp` of the first plain progress line of `app` matching `what`. */
function when(stderr: string, app: string, what: RegExp): number {
  const found = stderr.split('\n').find((l) => l.includes(` app=${app} `) && what.test(l));
  if (!found) {
    throw new Error(`no line of ${app} matching ${what} in:\n${stderr}`);
  }
  return Date.parse(found.split(' ')[0]);
}

describe('child waves are gated by the health each child records', () => {
  test('the wave-1 child starts only after the wave-0 child (a rollout taking seconds) is Healthy', async () => {
    const ns = await newNamespace('tree-gate');
    // minReadySeconds keeps the Deployment Progressing for a few seconds after its pod is Ready.
    const slow = deployment('slow', 1, {}, { minReadySeconds: 4 });
    const tree = new TestTree(`${ns}-root`)
      .child(`${ns}-first`, ns, 0, [slow])
      .child(`${ns}-second`, ns, 1, [configMap('after')]);
    const res = await sync(tree.dir, tree.dir);
    expect(res.code).toBe(0);
    const firstHealthy = when(res.stderr, `${ns}-first`, /finished .*health=Healthy/);
    const waited = when(res.stderr, `${ns}-first`, /waiting for health: Deployment\/slow is Progressing/);
    const secondStarted = when(res.stderr, `${ns}-second`, /started action=sync parent=/);
    expect(waited).toBeLessThanOrEqual(firstHealthy);
    expect(secondStarted).toBeGreaterThanOrEqual(firstHealthy);
    expect(res.stdout).toMatch(new RegExp(`${ns}-second\\s+${ns}-root\\s+1\\s+sync\\s+Succeeded\\s+Synced\\s+Healthy`));
    expect(await applicationColumns([`${ns}-root`, `${ns}-first`, `${ns}-second`])).toEqual([
      `${ns}-root Synced/Healthy`, `${ns}-first Synced/Healthy`, `${ns}-second Synced/Healthy`,
    ]);
  });

  test('a Degraded child fails its parent before the later wave: the later child is never created', async () => {
    const ns = await newNamespace('tree-degraded');
    // Its pod can never be scheduled, so the rollout exceeds its deadline: Degraded.
    const doomed = deployment('doomed', 1, {}, { progressDeadlineSeconds: 3 });
    (doomed as any).spec.template.spec.nodeSelector = { 'example.com/no-such-node': 'true' };
    const tree = new TestTree(`${ns}-root`)
      .child(`${ns}-bad`, ns, 0, [doomed])
      .child(`${ns}-later`, ns, 1, [configMap('never')]);
    const { code, runs } = await syncJson(tree.dir, tree.dir);
    expect(code).toBe(1);
    expect(runs.map(line)).toEqual([
      `${ns}-root<>@0: sync Failed OutOfSync/Degraded`,
      `${ns}-bad<${ns}-root>@0: sync Succeeded Synced/Degraded`,
      `${ns}-later<${ns}-root>@1: skipped  /`,
    ]);
    expect(runs[0].message).toMatch(new RegExp(`Application argocd/${ns}-bad: Degraded`));
    expect((await kubectl(['get', 'application', `${ns}-later`, '-n', 'argocd'], { check: false })).code).not.toBe(0);
    expect((await kubectl(['get', 'configmap', 'never', '-n', ns], { check: false })).code).not.toBe(0);
    expect(await applicationColumns([`${ns}-root`, `${ns}-bad`])).toEqual([`${ns}-root OutOfSync/Degraded`, `${ns}-bad Synced/Degraded`]);
  });

  test('a manual child is compared and reported OutOfSync; --include-manual syncs it', async () => {
    const ns = await newNamespace('tree-manual');
    const tree = new TestTree(`${ns}-root`).child(`${ns}-manual`, ns, 0, [configMap('m')], false);
    const first = await syncJson(tree.dir, tree.dir);
    expect(first.runs.map(line)).toEqual([`${ns}-root<>@0: sync Succeeded Synced/Healthy`, `${ns}-manual<${ns}-root>@0: compare  OutOfSync/Healthy`]);
    expect(first.code).toBe(0);
    expect(await applicationColumns([`${ns}-manual`])).toEqual([`${ns}-manual OutOfSync/Healthy`]);
    const second = await syncJson(tree.dir, tree.dir, '--include-manual');
    expect(second.runs.map(line)[1]).toBe(`${ns}-manual<${ns}-root>@0: sync Succeeded Synced/Healthy`);
    expect(await getJson(['configmap', 'm', '-n', ns])).toBeDefined();
  });

  test('children whose AppProject the root applies in the same sync (same wave, earlier wave) wait for it and sync', async () => {
    const ns = await newNamespace('tree-project');
    // In one wave, objects of kinds without a rank are applied by name (gitops-engine's order): the
    // child `…-same` before the project `…-zz-project`, so the child waits for it (Argo CD's next refresh finds it).
    const project = `${ns}-zz-project`;
    const tree = new TestTree(`${ns}-root`)
      .child(`${ns}-same`, ns, 0, [configMap('same')], true, project)
      .child(`${ns}-later`, ns, 1, [configMap('later')], true, project)
      .appProject(project, ns, 0);
    const { code, runs, stderr } = await syncJson(tree.dir, tree.dir);
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    expect(runs.map(line)).toEqual([
      `${ns}-root<>@0: sync Succeeded Synced/Healthy`,
      `${ns}-same<${ns}-root>@0: sync Succeeded Synced/Healthy`,
      `${ns}-later<${ns}-root>@1: sync Succeeded Synced/Healthy`,
    ]);
    expect(await applicationColumns([`${ns}-same`, `${ns}-later`])).toEqual([`${ns}-same Synced/Healthy`, `${ns}-later Synced/Healthy`]);
    const same = await getJson<any>(['application', `${ns}-same`, '-n', 'argocd']);
    expect(same.status.conditions ?? []).toEqual([]);
    expect(await getJson(['configmap', 'same', '-n', ns])).toBeDefined();
  });

  test('a child whose AppProject never appears gets Argo CD\'s InvalidSpecError once its parent\'s sync is done', async () => {
    const ns = await newNamespace('tree-noproject');
    const tree = new TestTree(`${ns}-root`).child(`${ns}-orphan`, ns, 0, [configMap('orphan')], true, `${ns}-missing`);
    const { runs } = await syncJson(tree.dir, tree.dir);
    expect(runs.map(line)[1]).toBe(`${ns}-orphan<${ns}-root>@0: compare  Unknown/Unknown`);
    const orphan = await getJson<any>(['application', `${ns}-orphan`, '-n', 'argocd']);
    expect(orphan.status.conditions).toEqual([
      expect.objectContaining({ type: 'InvalidSpecError', message: `Application referencing project ${ns}-missing which does not exist` }),
    ]);
  });

  test('sync --dry-run of the tree goes through the same path and changes nothing', async () => {
    const ns = await newNamespace('tree-dry');
    const tree = new TestTree(`${ns}-root`).child(`${ns}-child`, ns, 0, [configMap('dry')]);
    const { code, runs } = await syncJson(tree.dir, tree.dir, '--dry-run');
    expect(code).toBe(0);
    expect(runs.map((r) => `${r.application}: ${r.action} ${r.phase}`)).toEqual([`${ns}-root: sync Succeeded`, `${ns}-child: sync Succeeded`]);
    expect((await kubectl(['get', 'application', `${ns}-root`, '-n', 'argocd'], { check: false })).code).not.toBe(0);
    expect((await kubectl(['get', 'configmap', 'dry', '-n', ns], { check: false })).code).not.toBe(0);
  });
});
