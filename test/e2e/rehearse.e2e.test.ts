/**
 * `cdk8s-argocd rehearse` on a Git repository with several commits, each rehearsal on its own
 * throwaway local control plane (started from the cached binary, removed afterwards): an
 * unchanged tree reports no change (exit 0), an added hook shows in the timeline, a changed
 * Deployment selector is a predicted failure (exit 1), a PVC deleted from code is pruned (a
 * danger sign), an HPA-scaled Deployment without the ignore rule never settles, a CRD (untracked,
 * as in Argo CD) is still checked while desired and not pruned once removed, bad input exits 2.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { formatRehearsal } from '../../src/cli/rehearse-command';
import { processesOfDir } from '../../src/cluster/local-cluster';
import { renderMarkdown } from '../../src/rehearse/markdown';
import { FindingKind, RehearsalReport, TimelineStepKind } from '../../src/rehearse/report';
import { runInProcess } from '../cli/run-in-process';

jest.setTimeout(600_000);

function application(name: string, sourcePath: string, destination = 'server: https://kubernetes.default.svc'): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
  namespace: argocd
spec:
  project: default
  destination:
    ${destination}
    namespace: ${name}
  source:
    repoURL: https://github.com/acme/k8s.git
    path: ${sourcePath}
  syncPolicy:
    automated:
      prune: true
    syncOptions:
      - CreateNamespace=true
`;
}

function deployment(app: string, image = 'nginx:1.25'): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: ${app}
  template:
    metadata:
      labels:
        app: ${app}
    spec:
      containers:
        - name: web
          image: ${image}
`;
}

const PRE_SYNC_HOOK = `apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations:
    argocd.argoproj.io/hook: PreSync
    argocd.argoproj.io/hook-delete-policy: BeforeHookCreation
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: busybox:1.36
          command: [sh, -c, "echo migrating"]
`;

/** A volume bound by name, so the claim is Bound (Healthy) on a cluster without a provisioner. */
const VOLUME = `apiVersion: v1
kind: PersistentVolume
metadata:
  name: rehearse-db-data
spec:
  capacity:
    storage: 1Gi
  accessModes: [ReadWriteOnce]
  storageClassName: manual
  hostPath:
    path: /tmp/rehearse-db-data
`;
const CLAIM = `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: manual
  volumeName: rehearse-db-data
  resources:
    requests:
      storage: 1Gi
`;

const HPA = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
  minReplicas: 2
  maxReplicas: 4
`;

/** A Widget CRD; `required`: its spec needs a field no existing Widget has. */
function widgetCrd(required: boolean): string {
  return `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.rehearse.example.com
spec:
  group: rehearse.example.com
  scope: Namespaced
  names: { plural: widgets, singular: widget, kind: Widget, listKind: WidgetList }
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: { type: integer }
                shape: { type: string }
${required ? '              required: [shape]\n' : ''}`;
}

/** The test repository: one commit per case, each named. */
class Repo {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearse-repo-'));
  readonly commits = new Map<string, string>();

  constructor() {
    this.git('init', '-q', '-b', 'main');
    this.git('config', 'user.email', 'rehearse@example.com');
    this.git('config', 'user.name', 'rehearse');
  }

  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.dir, encoding: 'utf8' }).trim();
  }

  write(file: string, text: string): this {
    fs.mkdirSync(path.dirname(path.join(this.dir, file)), { recursive: true });
    fs.writeFileSync(path.join(this.dir, file), text);
    return this;
  }

  remove(file: string): this {
    fs.rmSync(path.join(this.dir, file));
    return this;
  }

  commit(name: string): string {
    this.git('add', '-A');
    this.git('commit', '-q', '-m', name);
    const sha = this.git('rev-parse', 'HEAD');
    this.commits.set(name, sha);
    return sha;
  }

  /** The work tree as `name` committed it. */
  restore(name: string): this {
    this.git('rm', '-r', '-q', '-f', '.');
    this.git('checkout', this.commits.get(name)!, '--', '.');
    return this;
  }
}

const repo = new Repo();
/** Where the rehearsals put their clusters and checkouts (os.tmpdir() follows TMPDIR): empty after each. */
const rehearsalTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearse-tmp-'));

beforeAll(() => {
  repo.write('manifests/web.yaml', application('web', 'workloads/web'))
    .write('workloads/web/deployment.yaml', deployment('web'))
    .write('manifests/db.yaml', application('db', 'workloads/db'))
    .write('workloads/db/volume.yaml', VOLUME)
    .write('workloads/db/claim.yaml', CLAIM)
    .write('workloads/db/config.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: db-config\ndata:\n  size: small\n')
    .write('edge/edge.yaml', application('edge', 'workloads/edge', 'name: staging'))
    .write('workloads/edge/config.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: edge-config\ndata:\n  region: eu\n')
    .write('clusters.yaml', 'clusters:\n  - name: staging\n    server: https://staging.example:6443\n')
    .write('README.md', 'v0\n')
    .commit('base');
  repo.write('README.md', 'v1\n').commit('readme');
  // A hook alone changes nothing Argo CD compares (hooks are not compared), so no automated sync
  // would run it: the commit that adds it also changes the image.
  repo.write('workloads/web/hook.yaml', PRE_SYNC_HOOK).write('workloads/web/deployment.yaml', deployment('web', 'nginx:1.26')).commit('hook');
  repo.write('workloads/web/deployment.yaml', deployment('web-v2')).commit('selector');
  repo.restore('hook').remove('workloads/db/claim.yaml').commit('drop-claim');
  repo.write('workloads/web/hpa.yaml', HPA).commit('hpa');
  // The CRD cases on a branch of their own: HEAD (main) stays at hpa for --worktree.
  repo.git('checkout', '-q', '-b', 'crds');
  repo.restore('base').write('manifests/crds.yaml', application('crds', 'workloads/crds'))
    .write('workloads/crds/crd.yaml', widgetCrd(false))
    .write('workloads/crds/widget.yaml', 'apiVersion: rehearse.example.com/v1\nkind: Widget\nmetadata:\n  name: w1\nspec:\n  size: 3\n')
    .write('workloads/crds/config.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: crds-config\ndata:\n  a: "1"\n')
    .commit('crds');
  repo.write('workloads/crds/crd.yaml', widgetCrd(true)).commit('crd-required');
  repo.restore('crds').remove('workloads/crds/crd.yaml').remove('workloads/crds/widget.yaml').commit('drop-crd');
  repo.git('checkout', '-q', 'main');
});

afterAll(() => {
  fs.rmSync(repo.dir, { recursive: true, force: true });
  fs.rmSync(rehearsalTmp, { recursive: true, force: true });
});

async function rehearse(...args: string[]): Promise<{ code: number; report?: RehearsalReport; stdout: string; stderr: string }> {
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = rehearsalTmp;
  try {
    const res = await runInProcess('rehearse', ...args);
    const report = res.stdout.trimStart().startsWith('{') ? JSON.parse(res.stdout) as RehearsalReport : undefined;
    return { ...res, report };
  } finally {
    if (saved === undefined) {
      delete process.env.TMPDIR;
    } else {
      process.env.TMPDIR = saved;
    }
    // The rehearsal's own clusters and checkouts are gone, and so are their processes.
    expect(fs.readdirSync(rehearsalTmp)).toEqual([]);
    expect(processesOfDir(rehearsalTmp)).toEqual([]);
    expect(repo.git('worktree', 'list').split('\n')).toHaveLength(1);
  }
}

const sha = (name: string) => repo.commits.get(name)!;
const app = (report: RehearsalReport, name: string) => report.applications.find((a) => a.name === name)!;
const webApp = (report: RehearsalReport) => app(report, 'web');

test('an unchanged tree reports no change (exit 0); a clusters-file destination gets its own throwaway cluster', async () => {
  const { code, report, stderr } = await rehearse(repo.dir, '--base', sha('base'), '--head', sha('readme'), '--clusters', path.join(repo.dir, 'clusters.yaml'), '-o', 'json');
  expect(stderr).toContain('starting a throwaway local control plane and 1 destination cluster(s)');
  expect(report).toBeDefined();
  expect(report!.summary).toEqual({
    applications: 3, created: 0, changed: 0, pruned: 0, requirePruning: 0, failures: 0, dangers: 0, neverSettling: 0,
  });
  expect(report!.applications.map((a) => `${a.name} ${a.change} ${a.syncStatus}/${a.healthStatus}`)).toEqual([
    'db unchanged Synced/Healthy', 'edge unchanged Synced/Healthy', 'web unchanged Synced/Healthy',
  ]);
  expect(report!.timeline).toEqual([]);
  expect(report!.exitCode).toBe(0);
  expect(code).toBe(0);

  expect(renderMarkdown(report!)).toContain('No change: every Application stays as it is.');
});

test('an added PreSync hook shows in the timeline before the Sync wave, marked simulated (exit 0)', async () => {
  const { code, report } = await rehearse(path.join(repo.dir, 'manifests'), '--base', sha('readme'), '--head', sha('hook'), '-o', 'json');
  const steps = report!.timeline.filter((s) => s.application === 'web');
  const hook = steps.find((s) => s.kind === TimelineStepKind.HOOK);
  expect(hook).toMatchObject({ phase: 'PreSync', name: 'Job/migrate', result: 'Succeeded' });
  expect(hook!.simulated).toMatch(/kwok runs no containers/);
  const sync = steps.find((s) => s.kind === TimelineStepKind.WAVE && s.phase === 'Sync');
  expect(sync).toBeDefined();
  expect(hook!.endMs).toBeLessThanOrEqual(sync!.startMs);
  expect(webApp(report!)).toMatchObject({ outcome: 'Succeeded', change: 'changed' });
  expect(webApp(report!).changed.map((c) => `${c.kind}/${c.name}`)).toEqual(['Deployment/web']);
  expect(report!.summary).toMatchObject({ failures: 0, dangers: 0, neverSettling: 0 });
  expect(code).toBe(0);
  // The HTML report draws the same timeline.
  const html = formatRehearsal(report!, 'html');
  expect(html).toMatch(/^<!DOCTYPE html>/i);
  expect(html).toContain('migrate');
});

test('a changed Deployment selector is a predicted failure (exit 1), with the changed object\'s diff', async () => {
  const { code, report } = await rehearse(path.join(repo.dir, 'manifests'), '--base', sha('hook'), '--head', sha('selector'), '-o', 'json');
  const web = app(report!, 'web');
  expect(web.outcome).toBe('Failed');
  expect(web.changed.map((c) => `${c.kind}/${c.name}`)).toEqual(['Deployment/web']);
  expect(web.changed[0].diff).toContain('+      app: web-v2');
  const failure = web.findings.find((f) => f.kind === FindingKind.SYNC_FAILED);
  expect(failure?.message).toMatch(/immutable/);
  expect(report!.outcome).toBe('Failed');
  expect(code).toBe(1);
});

test('a PVC deleted from code is pruned by the automated prune and reported', async () => {
  const { code, report } = await rehearse(path.join(repo.dir, 'manifests'), '--base', sha('hook'), '--head', sha('drop-claim'), '-o', 'json');
  const db = app(report!, 'db');
  expect(db.pruned.map((r) => `${r.kind} ${r.namespace}/${r.name}`)).toEqual(['PersistentVolumeClaim db/data']);
  expect(report!.timeline.some((s) => s.application === 'db' && s.kind === TimelineStepKind.PRUNE)).toBe(true);
  // The danger sign (from findingsFor) names the claim and the file it was deleted from.
  const danger = db.findings.filter((f) => f.kind === FindingKind.STATEFUL_PRUNE);
  expect(danger.map((f) => `${f.severity} ${f.resource?.kind} ${f.resource?.name}`)).toEqual(['danger PersistentVolumeClaim data']);
  expect(report!.outcome).toBe('Failed');
  expect(code).toBe(1);
});

test('a CRD carries no tracking id but stays the Application\'s: its changes are checked, and removed from Git it is not pruned', async () => {
  const changed = await rehearse(path.join(repo.dir, 'manifests'), '--base', sha('crds'), '--head', sha('crd-required'), '-o', 'json');
  const crds = app(changed.report!, 'crds');
  expect(crds.findings.filter((f) => f.kind === FindingKind.CRD_INVALIDATES_RESOURCES).map((f) => f.resource?.name)).toEqual(['w1']);
  const dropped = await rehearse(path.join(repo.dir, 'manifests'), '--base', sha('crds'), '--head', sha('drop-crd'), '-o', 'json');
  const after = app(dropped.report!, 'crds');
  // Argo CD does not track a CRD, so neither prunes it: only the Widget goes, and no danger sign.
  expect(after.pruned.map((r) => `${r.kind} ${r.name}`)).toEqual(['Widget w1']);
  expect(after.findings.filter((f) => f.kind === FindingKind.STATEFUL_PRUNE)).toEqual([]);
});

test('an HPA-scaled Deployment without the ignore rule never settles (exit 1)', async () => {
  const { code, report } = await rehearse(path.join(repo.dir, 'manifests'), '--base', sha('drop-claim'), '--head', sha('hpa'), '-o', 'json');
  const web = app(report!, 'web');
  const never = web.findings.filter((f) => f.kind === FindingKind.NEVER_SETTLES);
  expect(never.map((f) => `${f.resource?.kind}/${f.resource?.name} ${f.path}`)).toEqual(['Deployment/web spec.replicas']);
  expect(never[0].message).toMatch(/ignoreDifferences/);
  expect(report!.summary.neverSettling).toBe(1);
  expect(code).toBe(1);
});

test('--worktree: head is the work tree with its uncommitted changes, synced as a new revision', async () => {
  repo.restore('drop-claim').write('workloads/db/config.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: db-config\ndata:\n  size: large\n');
  try {
    const { code, report } = await rehearse(path.join(repo.dir, 'manifests'), '--base', sha('drop-claim'), '--worktree', '-o', 'json');
    expect(report!.head).toEqual({ ref: 'worktree', sha: sha('hpa'), dirty: true });
    const db = app(report!, 'db');
    expect(db.changed.map((c) => `${c.kind}/${c.name}`)).toEqual(['ConfigMap/db-config']);
    expect(db.changed[0].diff).toContain('+  size: large');
    expect(db.outcome).toBe('Succeeded');
    expect(app(report!, 'web').change).toBe('unchanged');
    expect(code).toBe(0);
  } finally {
    repo.restore('hpa');
  }
});

describe('bad input exits 2 with a clear message, before any cluster starts', () => {
  test('an unknown revision', async () => {
    const { code, stderr } = await rehearse(path.join(repo.dir, 'manifests'), '--base', 'no-such-branch');
    expect(code).toBe(2);
    expect(stderr).toMatch(/--base no-such-branch: not a commit in/);
  });

  test('not a Git repository', async () => {
    const plain = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearse-plain-'));
    try {
      const { code, stderr } = await rehearse(plain, '--base', 'HEAD');
      expect(code).toBe(2);
      expect(stderr).toMatch(/not inside a Git repository/);
    } finally {
      fs.rmSync(plain, { recursive: true, force: true });
    }
  });

  test('a bad clusters file', async () => {
    const bad = path.join(rehearsalTmp, '..', `rehearse-bad-clusters-${process.pid}.yaml`);
    fs.writeFileSync(bad, 'clusters:\n  - labels: {}\n');
    try {
      const { code, stderr } = await rehearse(path.join(repo.dir, 'manifests'), '--base', sha('base'), '--clusters', bad);
      expect(code).toBe(2);
      expect(stderr).toMatch(/needs a name or a server/);
    } finally {
      fs.rmSync(bad, { force: true });
    }
  });
});
