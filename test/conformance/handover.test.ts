/**
 * Zero-churn hand-over between the engine and real Argo CD v3.2.11, both ways, on one local
 * cluster and one Git repository (two copies of the committed examples/app-of-apps tree, renamed
 * so that they never share an object):
 *
 * (a) engine → Argo CD: `cdk8s-argocd sync` syncs tree `hoa`; then `argocd up` starts real Argo CD
 *     and the root is applied. Every Application is Synced and Healthy, Argo CD runs no operation,
 *     and no tracked object changes (resourceVersions equal; the Application objects' status is
 *     Argo CD's to write, so for them spec, labels, annotations and finalizers are compared). A
 *     later commit drops a label, an env var and a security-context field; Argo CD syncs it and
 *     they are gone from the live Deployment (its three-way merge reads the engine's
 *     last-applied-configuration annotation).
 * (b) Argo CD → engine: Argo CD syncs tree `hob`, then is stopped; `cdk8s-argocd sync` adopts the
 *     tree without a write (every tracked object's resourceVersion unchanged, Synced). A later
 *     commit drops the same fields; the engine syncs it and they are gone (the engine folds Argo
 *     CD's client-side apply ownership into its own before applying).
 *
 * events-worker is left out of both copies: its KEDA ScaledObject is Healthy only once an operator
 * reports it Ready, and no operator runs here. Needs the argocd-local binary (see argocd-real).
 */
import { execFileSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments, stringify } from 'yaml';
import { ANNOTATION_TRACKING_ID } from '../../src/argo/annotations';
import { LocalArgoCd } from '../../src/argocd/local-argocd';
import { runInProcess } from '../cli/run-in-process';
import { clusterDir, getJson, kubeconfigPath, kubectl, waitFor } from '../e2e/cluster-fixture';

jest.setTimeout(900_000);

const REPO_URL = 'https://github.com/acme/platform.git';
const EXAMPLE = path.join(__dirname, '..', '..', 'examples', 'app-of-apps', 'manifests');
const CHILDREN = ['notifications', 'orders-api', 'payments-api'];
const log = (m: string) => process.stderr.write(`[handover] ${m}\n`);
/** Tree prefixes, fresh per run: the cluster is reused and never wiped between runs. */
const RUN = randomBytes(2).toString('hex');
const A = `hoa-${RUN}`;
const B = `hob-${RUN}`;

let repo: string;

function git(...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=e2e@example.test', '-c', 'user.name=e2e', ...args], { cwd: repo, encoding: 'utf8' }).trim();
}

function readDocs(file: string): any[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS()).filter((d) => d);
}

/**
 * The example tree under `<prefix>/manifests`: Applications `<prefix>-<name>` deploying to
 * namespace `<prefix>-commerce`, their folders' objects as committed, plus on orders-api's
 * Deployment a label and an env var that the second commit removes.
 */
function writeTree(prefix: string): void {
  const out = path.join(repo, prefix, 'manifests');
  const rename = (app: any) => {
    app.metadata.name = `${prefix}-${app.metadata.name}`;
    app.spec.source.path = app.spec.source.path.replace('examples/app-of-apps/manifests', `${prefix}/manifests`);
    if (app.spec.destination.namespace) {
      app.spec.destination.namespace = `${prefix}-commerce`;
    }
    return app;
  };
  fs.mkdirSync(path.join(out, 'apps'), { recursive: true });
  fs.writeFileSync(path.join(out, 'root.yaml'), stringify(rename(readDocs(path.join(EXAMPLE, 'root.yaml'))[0])));
  for (const child of CHILDREN) {
    fs.writeFileSync(path.join(out, 'apps', `${child}.yaml`), stringify(rename(readDocs(path.join(EXAMPLE, 'apps', `${child}.yaml`))[0])));
    fs.cpSync(path.join(EXAMPLE, child), path.join(out, child), { recursive: true });
  }
  editOrdersDeployment(prefix, (d) => {
    d.metadata.labels = { 'handover.example/removed-later': 'label' };
    d.spec.template.spec.containers[0].env = [{ name: 'KEPT', value: '1' }, { name: 'REMOVED_LATER', value: '2' }];
  });
}

function editOrdersDeployment(prefix: string, edit: (d: any) => void): void {
  const file = path.join(repo, prefix, 'manifests', 'orders-api', 'deployment-orders-api-app.yaml');
  const doc = readDocs(file)[0];
  edit(doc);
  fs.writeFileSync(file, stringify(doc));
}

/** The second commit for a tree: the label, one env var and `readOnlyRootFilesystem` removed. */
function removeFields(prefix: string): string {
  editOrdersDeployment(prefix, (d) => {
    delete d.metadata.labels;
    d.spec.template.spec.containers[0].env = [{ name: 'KEPT', value: '1' }];
    delete d.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem;
  });
  git('commit', '-q', '-am', `${prefix}: fields removed`);
  return git('rev-parse', 'HEAD');
}

async function expectFieldsRemoved(prefix: string): Promise<void> {
  const d = await getJson(['deployment', 'orders-api-app', '-n', `${prefix}-commerce`]);
  const c = d.spec.template.spec.containers[0];
  expect({ labels: d.metadata.labels, env: c.env, readOnlyRootFilesystem: c.securityContext.readOnlyRootFilesystem })
    .toEqual({ labels: undefined, env: [{ name: 'KEPT', value: '1' }], readOnlyRootFilesystem: undefined });
}

const appNames = (prefix: string) => [`${prefix}-team-commerce`, ...CHILDREN.map((c) => `${prefix}-${c}`)];

async function applications(prefix: string): Promise<any[]> {
  const list = await getJson<{ items: any[] }>(['applications', '-n', 'argocd']);
  return appNames(prefix).map((n) => list?.items.find((i) => i.metadata.name === n));
}

/** The objects the tree's Applications track (tracking id of one of them), Applications included. */
async function trackedObjects(prefix: string): Promise<any[]> {
  const kinds = ['deployments.apps', 'services', 'applications.argoproj.io'];
  const out: any[] = [];
  for (const kind of kinds) {
    const list = await getJson<{ items: any[] }>([kind, '-A']);
    out.push(...(list?.items ?? []).filter((o) => (o.metadata.annotations?.[ANNOTATION_TRACKING_ID] ?? '').startsWith(`${prefix}-`)));
  }
  return out;
}

/**
 * What must not change, per tracked object: the resourceVersion, except for Application objects,
 * whose status (in the same object: the CRD has no status subresource) Argo CD and the engine write
 * on every reconciliation — for them the spec and the metadata a sync would write.
 */
async function snapshot(prefix: string): Promise<Record<string, string>> {
  await waitFor(`${prefix}: every Deployment rolled out`, async () => {
    const list = await getJson<{ items: any[] }>(['deployments', '-n', `${prefix}-commerce`]);
    const settled = (d: any) => d.status?.observedGeneration === d.metadata.generation
      && d.status?.updatedReplicas === d.spec.replicas && d.status?.availableReplicas === d.spec.replicas;
    return list?.items.length === CHILDREN.length && list.items.every(settled);
  }, 180_000, 1000);
  const entries = (await trackedObjects(prefix)).map((o) => {
    const key = `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    if (o.kind !== 'Application') {
      return [key, o.metadata.resourceVersion];
    }
    const { labels, annotations, finalizers } = o.metadata;
    return [key, JSON.stringify({ spec: o.spec, labels, annotations, finalizers })];
  });
  return Object.fromEntries(entries.sort());
}

async function waitSyncedHealthy(prefix: string, what: string, extra: (a: any) => boolean = () => true): Promise<any[]> {
  return waitFor(`${prefix}: ${what}`, async () => {
    const apps = await applications(prefix);
    return apps.every((a) => a?.status?.sync?.status === 'Synced' && a?.status?.health?.status === 'Healthy' && extra(a)) ? apps : undefined;
  }, 420_000, 2000).catch(async (e) => {
    const apps = await applications(prefix);
    throw new Error(`${(e as Error).message}\n${apps.map((a) => `${a?.metadata?.name}: ${JSON.stringify({ sync: a?.status?.sync, health: a?.status?.health, op: a?.status?.operationState?.phase, message: a?.status?.operationState?.message, conditions: a?.status?.conditions })}`).join('\n')}\n${LocalArgoCd.open(clusterDir())?.logTails(20)}`);
  });
}

async function refresh(names: string[]): Promise<void> {
  for (const n of names) {
    await kubectl(['annotate', 'application', n, '-n', 'argocd', 'argocd.argoproj.io/refresh=normal', '--overwrite']);
  }
}

async function engineSync(prefix: string, ...args: string[]): Promise<any[]> {
  const res = await runInProcess('sync', path.join(repo, prefix, 'manifests'), '--repo-root', repo, '--repo-url', REPO_URL,
    '--kubeconfig', kubeconfigPath(), '--timeout', '300', '-o', 'json', ...args);
  if (res.code !== 0) {
    throw new Error(`cdk8s-argocd sync ${prefix} exited ${res.code}:\n${res.stderr}\n${res.stdout}`);
  }
  const doc = JSON.parse(res.stdout);
  return Array.isArray(doc) ? doc : [doc];
}

const resultLines = (runs: any[]) => runs.flatMap((r) => (r.resources ?? []).map((x: any) => `${r.application}: ${x.kind}/${x.name} ${x.status} ${x.message}`));

beforeAll(async () => {
  repo = fs.mkdtempSync(path.join(os.tmpdir(), 'handover-repo-'));
  git('init', '-q', '-b', 'main');
  writeTree(A);
  writeTree(B);
  git('add', '-A');
  git('commit', '-q', '-m', 'two copies of examples/app-of-apps');
  git('remote', 'add', 'origin', REPO_URL);
});

afterAll(async () => {
  await LocalArgoCd.open(clusterDir())?.stop({ log: () => undefined });
  if (repo) {
    fs.rmSync(repo, { recursive: true, force: true });
  }
});

describe('engine → Argo CD', () => {
  let before: Record<string, string>;
  let argoStarted: string;

  test('the engine syncs the tree', async () => {
    const runs = await engineSync(A);
    expect(runs.map((r) => `${r.application} ${r.phase} ${r.sync}/${r.health}`)).toEqual(appNames(A).map((n) => `${n} Succeeded Synced/Healthy`));
    before = await snapshot(A);
    log(`tracked objects recorded: ${Object.keys(before).length}`);
  });

  test('real Argo CD takes the tree over: every Application Synced and Healthy, no operation, no tracked object changed', async () => {
    argoStarted = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
    const up = await runInProcess('argocd', 'up', '--dir', clusterDir(), '--repo-root', repo, '--repo-url', REPO_URL);
    expect({ code: up.code, stderr: up.code === 0 ? '' : up.stderr }).toEqual({ code: 0, stderr: '' });
    await kubectl(['apply', '-f', path.join(repo, A, 'manifests', 'root.yaml')]);
    // Reconciled by Argo CD: reconciledAt after it started, at the committed revision.
    const head = git('rev-parse', 'HEAD');
    const apps = await waitSyncedHealthy(A, 'reconciled by Argo CD, Synced and Healthy',
      (a) => a.status.reconciledAt >= argoStarted && a.status.sync.revision === head);
    // No operation: the last one is still the engine's, started before Argo CD was.
    for (const a of apps) {
      expect({ app: a.metadata.name, operation: a.operation, startedBefore: (a.status.operationState?.startedAt ?? '') < argoStarted })
        .toEqual({ app: a.metadata.name, operation: undefined, startedBefore: true });
    }
    // Every Application compared Synced: each resource of each Application Synced.
    expect(apps.flatMap((a) => a.status.resources.map((r: any) => r.status)).every((s: string) => s === 'Synced')).toBe(true);
    // Let a few more reconciliations pass, then nothing may have changed.
    await refresh(appNames(A));
    await waitSyncedHealthy(A, 'refreshed again', (a) => !a.metadata.annotations?.['argocd.argoproj.io/refresh']);
    const after = await snapshot(A);
    const changed = Object.keys(before).filter((k) => before[k] !== after[k]);
    log(`after Argo CD reconciled: ${Object.keys(after).length} tracked objects, ${changed.length} changed ${JSON.stringify(changed)}`);
    expect(Object.keys(after)).toEqual(Object.keys(before));
    expect(changed).toEqual([]);
  });

  test('a later commit removing fields, synced by Argo CD, removes them from the live object', async () => {
    const head = removeFields(A);
    await refresh([`${A}-orders-api`]);
    await waitSyncedHealthy(A, 'the commit synced by Argo CD',
      // The other Applications pick the new revision up at their next refresh; only orders-api changed.
      (a) => a.metadata.name !== `${A}-orders-api`
        || (a.status.sync.revision === head && a.status.operationState?.phase === 'Succeeded' && a.status.operationState.syncResult?.revision === head));
    await expectFieldsRemoved(A);
  });
});

describe('Argo CD → engine', () => {
  let before: Record<string, string>;

  test('Argo CD syncs the tree, then stops', async () => {
    await kubectl(['apply', '-f', path.join(repo, B, 'manifests', 'root.yaml')]);
    await waitSyncedHealthy(B, 'synced by Argo CD', (a) => a.status.operationState?.phase === 'Succeeded');
    before = await snapshot(B);
    log(`tracked objects recorded: ${Object.keys(before).length}`);
    const down = await runInProcess('argocd', 'down', '--dir', clusterDir());
    expect(down.code).toBe(0);
  });

  test('the engine adopts it without a write: every tracked object unchanged, Synced', async () => {
    const runs = await engineSync(B);
    log(`engine adoption:\n  ${[...runs.map((r) => `${r.application} ${r.action} ${r.phase ?? ''} ${r.sync}/${r.health}`), ...resultLines(runs)].join('\n  ')}`);
    expect(runs.map((r) => `${r.application} ${r.sync}/${r.health}`)).toEqual(appNames(B).map((n) => `${n} Synced/Healthy`));
    // Whatever the root's sync reports, no child object was written.
    expect(resultLines(runs).filter((l) => !/ unchanged$/.test(l))).toEqual([]);
    // The children were compared (Argo CD left them Synced); a sync of each writes nothing either.
    const direct = await engineSync(B, ...CHILDREN.flatMap((c) => ['--app', `${B}-${c}`]));
    log(`engine sync of each child:\n  ${resultLines(direct).join('\n  ')}`);
    expect(resultLines(direct).length).toBe(2 * CHILDREN.length);
    expect(resultLines(direct).filter((l) => !/ Synced \S+ unchanged$/.test(l))).toEqual([]);
    const after = await snapshot(B);
    const changed = Object.keys(before).filter((k) => before[k] !== after[k]);
    log(`after the engine's adoption: ${Object.keys(after).length} tracked objects, ${changed.length} changed ${JSON.stringify(changed)}`);
    expect(Object.keys(after)).toEqual(Object.keys(before));
    expect(changed).toEqual([]);
  });

  test('a later commit removing fields, synced by the engine, removes them from the live object', async () => {
    removeFields(B);
    const runs = await engineSync(B);
    expect(runs.map((r) => `${r.application} ${r.sync}/${r.health}`)).toEqual(appNames(B).map((n) => `${n} Synced/Healthy`));
    await expectFieldsRemoved(B);
    const d = await getJson(['deployment', 'orders-api-app', '-n', `${B}-commerce`, '--show-managed-fields']);
    expect(d.metadata.managedFields.filter((e: any) => !e.subresource).map((e: any) => `${e.manager} ${e.operation}`).sort())
      .not.toContain('argocd-controller Update');
  });
});
