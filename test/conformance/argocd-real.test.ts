/**
 * Real Argo CD beside the local control plane (`cdk8s-argocd argocd up|status|down`): it starts
 * against the real cluster, reads a repository's committed manifests through the local Git server
 * under the repoURL the Application names (an https URL of a host that does not exist), syncs the
 * tree that one applied root Application hands it to Synced/Healthy, follows a new commit, leaves
 * a CRD untracked (no tracking id; not pruned once removed from Git, as the engine), and leaves no
 * process behind when stopped.
 *
 * Needs the argocd-local binary (`npm run test:conformance` builds it first; 20-40 minutes cold).
 */
import { execFileSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { ANNOTATION_TRACKING_ID } from '../../src/argo/annotations';
import { argoCdDir, argoCdProcessesOfDir, LocalArgoCd } from '../../src/argocd/local-argocd';
import { runInProcess } from '../cli/run-in-process';
import { clusterDir, getJson, kubectl, testNamespaces, waitFor } from '../e2e/cluster-fixture';

jest.setTimeout(600_000);

const newNamespace = testNamespaces().create;
/** A host that does not resolve: only the local Git server can answer for it. */
const REPO_URL = 'https://git.example.test/e2e/apps.git';
const SUFFIX = randomBytes(3).toString('hex');
const APP = `argocd-real-${SUFFIX}`;
/** A CRD in the manifests: Argo CD's repo-server never gives one its tracking id. */
const CRD_GROUP = `r${SUFFIX}.conformance.example.test`;
const CRD_NAME = `gizmos.${CRD_GROUP}`;

let repo: string;
let ns: string;

function git(...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=e2e@example.test', '-c', 'user.name=e2e', ...args], { cwd: repo, encoding: 'utf8' }).trim();
}

function writeManifests(greeting: string): void {
  const dir = path.join(repo, 'manifests', 'guestbook');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'crd.yaml'), stringify({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: CRD_NAME },
    spec: {
      group: CRD_GROUP,
      scope: 'Namespaced',
      names: { plural: 'gizmos', singular: 'gizmo', kind: 'Gizmo', listKind: 'GizmoList' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  }));
  fs.writeFileSync(path.join(dir, 'configmap.yaml'), stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'greeting' }, data: { greeting } }));
  fs.writeFileSync(path.join(dir, 'deployment.yaml'), stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
    },
  }));
}

async function application(): Promise<any> {
  return getJson(['application', APP, '-n', 'argocd']);
}

beforeAll(async () => {
  ns = await newNamespace('argocd-real');
  repo = fs.mkdtempSync(path.join(os.tmpdir(), 'argocd-real-repo-'));
  git('init', '-q', '-b', 'main');
  writeManifests('hello from git');
  fs.writeFileSync(path.join(repo, 'root.yaml'), stringify({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: APP, namespace: 'argocd' },
    spec: {
      project: 'default',
      source: { repoURL: REPO_URL, targetRevision: 'main', path: 'manifests/guestbook' },
      destination: { server: 'https://kubernetes.default.svc', namespace: ns },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    },
  }));
  git('add', '-A');
  git('commit', '-q', '-m', 'manifests and root');
  git('remote', 'add', 'origin', REPO_URL);
});

afterAll(async () => {
  await kubectl(['delete', 'application', APP, '-n', 'argocd', '--ignore-not-found', '--wait=false'], { check: false });
  await kubectl(['delete', 'crd', CRD_NAME, '--ignore-not-found', '--wait=false'], { check: false });
  await LocalArgoCd.open(clusterDir())?.stop({ log: () => undefined });
  if (repo) {
    fs.rmSync(repo, { recursive: true, force: true });
  }
});

test('argocd up starts every component healthy, serving the repository under its origin URL', async () => {
  const t0 = Date.now();
  const up = await runInProcess('argocd', 'up', '--dir', clusterDir(), '--repo-root', repo);
  expect({ code: up.code, stderr: up.code === 0 ? '' : up.stderr }).toEqual({ code: 0, stderr: '' });
  process.stderr.write(`argocd up: ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
  expect(up.stdout).toContain(`served as ${REPO_URL}`);

  const st = await runInProcess('argocd', 'status', '--dir', clusterDir(), '-o', 'json');
  expect(st.code).toBe(0);
  const doc = JSON.parse(st.stdout);
  expect(doc.components.map((c: any) => `${c.name} ${c.running} ${c.healthy}`)).toEqual([
    'redis true true',
    'git-http true true',
    'argocd-repo-server true true',
    'argocd-application-controller true true',
    'argocd-applicationset-controller true true',
  ]);
  expect(doc.repository).toBe(fs.realpathSync(repo));
});

test('the applied root Application is synced by real Argo CD from the committed manifests: Synced, Healthy, at HEAD', async () => {
  const head = git('rev-parse', 'HEAD');
  const t0 = Date.now();
  await kubectl(['apply', '-f', path.join(repo, 'root.yaml')]);
  const app = await waitFor(`Application ${APP} Synced and Healthy`, async () => {
    const a = await application();
    return a?.status?.sync?.status === 'Synced' && a?.status?.health?.status === 'Healthy' && a?.status?.operationState?.phase === 'Succeeded' ? a : undefined;
  }, 300_000, 1000).catch(async (e) => {
    throw new Error(`${(e as Error).message}\nApplication status: ${JSON.stringify((await application())?.status, null, 2)}\n${LocalArgoCd.open(clusterDir())?.logTails(30)}`);
  });
  process.stderr.write(`root.yaml applied -> Synced/Healthy: ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
  expect(app.status.sync.revision).toBe(head);
  // Every resource of the directory, as Argo CD compares it (the last operation's syncResult may
  // hold fewer: a self-heal sync applies only what was OutOfSync).
  expect(app.status.resources.map((r: any) => `${r.kind}/${r.namespace ?? ''}/${r.name} ${r.status}`).sort()).toEqual([
    `ConfigMap/${ns}/greeting Synced`,
    `CustomResourceDefinition//${CRD_NAME} Synced`,
    `Deployment/${ns}/web Synced`,
  ]);
  expect(app.status.history?.[0]?.revision).toBe(head);
  const cm = await getJson(['configmap', 'greeting', '-n', ns]);
  expect(cm.data).toEqual({ greeting: 'hello from git' });
  // Argo CD v3's tracking annotation, written by its own apply.
  expect(cm.metadata.annotations?.[ANNOTATION_TRACKING_ID]).toBe(`${APP}:/ConfigMap:${ns}/greeting`);
  // …but never on a CRD (repo-server `GenerateManifests`: `!kube.IsCRD(target)`); the engine does the same.
  expect((await getJson(['crd', CRD_NAME])).metadata.annotations?.[ANNOTATION_TRACKING_ID]).toBeUndefined();

  const st = await runInProcess('argocd', 'status', '--dir', clusterDir());
  expect(st.stdout).toMatch(new RegExp(`argocd/${APP}\\s+Synced\\s+Healthy\\s+Succeeded\\s+${head.slice(0, 12)}`));
});

test('a new commit reaches the cluster through the Git server; uncommitted edits do not', async () => {
  writeManifests('hello again');
  git('commit', '-q', '-am', 'new greeting');
  const head = git('rev-parse', 'HEAD');
  writeManifests('never committed');
  // Ask for a refresh instead of waiting for Argo CD's 120 s reconciliation timeout.
  await kubectl(['annotate', 'application', APP, '-n', 'argocd', 'argocd.argoproj.io/refresh=normal', '--overwrite']);
  await waitFor('the new commit synced', async () => {
    const a = await application();
    return a?.status?.sync?.revision === head && a?.status?.sync?.status === 'Synced' && a?.status?.operationState?.phase === 'Succeeded';
  }, 180_000, 1000);
  const cm = await getJson(['configmap', 'greeting', '-n', ns]);
  expect(cm.data).toEqual({ greeting: 'hello again' });
});

test('a CRD removed from Git is not pruned by Argo CD (automated prune): it never tracked it', async () => {
  git('rm', '-q', path.join('manifests', 'guestbook', 'crd.yaml'));
  git('commit', '-q', '-m', 'drop the CRD');
  const head = git('rev-parse', 'HEAD');
  await kubectl(['annotate', 'application', APP, '-n', 'argocd', 'argocd.argoproj.io/refresh=normal', '--overwrite']);
  const app = await waitFor('the CRD removal synced', async () => {
    const a = await application();
    return a?.status?.sync?.revision === head && a?.status?.sync?.status === 'Synced' && a?.status?.operationState?.phase === 'Succeeded' ? a : undefined;
  }, 180_000, 1000);
  expect(app.status.resources.map((r: any) => r.kind).sort()).toEqual(['ConfigMap', 'Deployment']);
  expect(await getJson(['crd', CRD_NAME])).toBeDefined();
});

test('progressive syncs are on: a RollingSync ApplicationSet rolls out step by step, its Application synced by the set controller', async () => {
  const set = `${APP}-rolling`;
  const target = await newNamespace('argocd-rolling');
  await kubectl(['apply', '-f', '-'], {
    input: stringify({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: { name: set, namespace: 'argocd' },
      spec: {
        goTemplate: true,
        generators: [{ list: { elements: [{ name: 'guestbook', stage: 'first' }] } }],
        strategy: { type: 'RollingSync', rollingSync: { steps: [{ matchExpressions: [{ key: 'stage', operator: 'In', values: ['first'] }] }] } },
        template: {
          metadata: { name: `${set}-{{ .name }}`, labels: { stage: '{{ .stage }}' } },
          spec: {
            project: 'default',
            source: { repoURL: REPO_URL, targetRevision: 'main', path: 'manifests/{{ .name }}' },
            destination: { server: 'https://kubernetes.default.svc', namespace: target },
            syncPolicy: { automated: { prune: true } },
          },
        },
      },
    }),
  });
  try {
    // Without ARGOCD_APPLICATIONSET_CONTROLLER_ENABLE_PROGRESSIVE_SYNCS the controller ignores the
    // strategy: no applicationStatus, and the Application keeps its automated policy.
    const status = await waitFor(`ApplicationSet ${set}'s rollout complete`, async () => {
      const s = (await getJson(['applicationset', set, '-n', 'argocd']))?.status;
      return s?.applicationStatus?.[0]?.status === 'Healthy' ? s : undefined;
    }, 180_000, 1000);
    expect(status.applicationStatus.map((a: any) => `${a.application} step ${a.step} ${a.status}`)).toEqual([`${set}-guestbook step 1 Healthy`]);
    const app = await getJson(['application', `${set}-guestbook`, '-n', 'argocd']);
    // v3.2.11 removes the automated policy of a RollingSync set's Applications (newer releases set enabled: false).
    expect(app.spec.syncPolicy?.automated).toBeUndefined();
    expect(app.status.operationState.operation.initiatedBy).toEqual({ username: 'applicationset-controller', automated: true });
    expect(app.status.sync.status).toBe('Synced');
  } finally {
    await kubectl(['delete', 'applicationset', set, '-n', 'argocd', '--ignore-not-found', '--wait=false'], { check: false });
  }
});

test('argocd down stops every process; status then says stopped and exits 1', async () => {
  const down = await runInProcess('argocd', 'down', '--dir', clusterDir());
  expect(down.code).toBe(0);
  expect(argoCdProcessesOfDir(argoCdDir(clusterDir()))).toEqual([]);
  const st = await runInProcess('argocd', 'status', '--dir', clusterDir(), '-o', 'json');
  expect(st.code).toBe(1);
  expect(JSON.parse(st.stdout).components.map((c: any) => c.running)).toEqual([false, false, false, false, false]);
});
