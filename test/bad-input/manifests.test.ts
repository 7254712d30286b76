/**
 * Bad-input corpus for what the engine reads: manifests, Application specs, kubeconfigs and
 * clusters files. Each case runs the real CLI (`diff`, then `sync`) against an API server that
 * records every request, and asserts: exit 2 from diff and a failed sync; a message naming the
 * culprit (file:line, or the kubeconfig / clusters-file entry) and what to do; no write reached
 * the API server; no file was written; no credential or Secret value was printed.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { rootCertificates } from 'tls';
import { buildProgram } from '../../src/cli/main';

const CANARY = 'bad-input-canary-k3y';
const APP = 'web';

/** One bad input: repository files (`apps/web.yaml` is the Application), optional kubeconfig / clusters file. */
interface Case {
  readonly name: string;
  /** Extra or replacement repository files; `web/cm.yaml` holds a valid ConfigMap unless replaced. */
  readonly files?: Record<string, string | Buffer>;
  /** Replaces the Application's `spec.source` / other lines (the Application file text). */
  readonly application?: string;
  /** The kubeconfig's `users[0].user` body and `clusters[0].cluster` extra lines, or its whole text. */
  readonly kubeconfig?: { user?: string; cluster?: string; text?: string };
  /** A clusters file (passed with --clusters). */
  readonly clusters?: string;
  /** Prepares the repository (symlinks). */
  readonly setup?: (repo: string) => void;
  readonly extraArgs?: string[];
  /** The one line the user sees: names the culprit and says what to do. `<repo>`, `<kubeconfig>`, `<clusters>` are replaced. */
  readonly message: RegExp | string;
}

const application = (source = `  source:\n    repoURL: https://example.com/repo.git\n    path: ${APP}\n`, destination = '    server: https://kubernetes.default.svc\n', name = APP) =>
  `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: ${name}\n  namespace: argocd\nspec:\n  project: default\n  destination:\n${destination}    namespace: ${APP}\n${source}`;
const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: "1"\n';
const pem = (s: string) => Buffer.from(s).toString('base64');

const CASES: Case[] = [
  // Manifests in the source folder.
  { name: 'a name YAML 1.1 reads as a boolean', files: { 'web/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\n' }, message: 'web/cm.yaml:4: ConfigMap metadata.name is the boolean false (YAML 1.1, as kubectl and Argo CD read it, makes y/n/yes/no/on/off booleans), not a string, so Argo CD rejects it: quote the value' },
  { name: 'a namespace YAML 1.1 reads as a boolean', files: { 'web/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: off\n' }, message: /web\/cm\.yaml:5: ConfigMap metadata\.namespace is the boolean false .*quote the value/ },
  { name: 'a numeric name', files: { 'web/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 0755\n' }, message: /web\/cm\.yaml:4: ConfigMap metadata\.name is the number 493, not a string.*quote the value/ },
  { name: 'no kind', files: { 'web/cm.yaml': 'apiVersion: v1\nmetadata:\n  name: c\n' }, message: 'web/cm.yaml:1: object has no kind: add e.g. `kind: ConfigMap`' },
  { name: 'no apiVersion', files: { 'web/cm.yaml': 'kind: ConfigMap\nmetadata:\n  name: c\n' }, message: 'web/cm.yaml:1: object has no apiVersion: add e.g. `apiVersion: v1`' },
  { name: 'no metadata', files: { 'web/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\n' }, message: 'web/cm.yaml:1: ConfigMap has no metadata: add metadata.name' },
  { name: 'a numeric kind', files: { 'web/cm.yaml': 'apiVersion: v1\nkind: 1\nmetadata:\n  name: c\n' }, message: 'web/cm.yaml:2: kind is the number 1, not a string: quote it' },
  { name: 'a YAML syntax error in the second document', files: { 'web/cm.yaml': `${CM}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n` }, message: 'web/cm.yaml:10: invalid YAML: Flow map in block collection must be sufficiently indented and end with a }' },
  { name: 'the same key twice', files: { 'web/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  name: d\n' }, message: 'web/cm.yaml:5: invalid YAML: Map keys must be unique' },
  { name: 'a null map key', files: { 'web/cm.yaml': `${CM}  ~: x\n` }, message: 'web/cm.yaml:1: unsupported map key null (`~:` or an empty key); write the key as a string' },
  { name: 'an infinite number', files: { 'web/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  ratio: .inf\n' }, message: 'web/cm.yaml:1: Infinity (.inf/.nan) cannot be written as JSON, so Kubernetes cannot read it; quote it if it is a string' },
  { name: 'a list instead of an object', files: { 'web/cm.yaml': '- a\n- b\n' }, message: 'web/cm.yaml:1: expected a Kubernetes object (a mapping with apiVersion, kind and metadata)' },
  { name: 'a scalar document', files: { 'web/cm.yaml': `${CM}---\njust text\n` }, message: 'web/cm.yaml:8: expected a Kubernetes object (a mapping with apiVersion, kind and metadata)' },
  { name: 'a binary .yaml file', files: { 'web/logo.yaml': Buffer.concat([Buffer.from('# logo\n'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0xff])]) }, message: 'web/logo.yaml:2: not a text manifest (binary data at byte 7); remove it, or rename it so it does not end in .yaml' },
  { name: 'a directory source over the size limit', files: { 'web/big.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  a: "${'x'.repeat(10_000_000)}"\n` }, message: /web: the manifests add up to 10\.0 MB, more than the 10\.0 MB a directory source may hold \(Argo CD's limit; the largest is web\/big\.yaml, 10\.0 MB\); split the Application/ },
  { name: 'a manifest symlinked from outside the repository', setup: (repo) => fs.symlinkSync(outsideFile(CM), path.join(repo, 'web/stolen.yaml')), message: /web\/stolen\.yaml:1: is a symlink \(or goes through one\) to .*, outside the repository; Argo CD refuses files outside the repository: copy the file into the repository instead/ },
  // Application specs.
  { name: 'sources given as a map', application: application(`  sources:\n    repoURL: https://example.com/repo.git\n    path: ${APP}\n`), message: 'apps/web.yaml:1: Application web: spec.sources must be a list (`sources:` then `- repoURL: …` items); for one source write `source:`' },
  { name: 'source given as a list', application: application(`  source:\n  - repoURL: https://example.com/repo.git\n    path: ${APP}\n`), message: 'apps/web.yaml:1: Application web: spec.source must be a mapping (repoURL, path, …); for several sources use a `sources:` list' },
  { name: 'a numeric source.path', application: application('  source:\n    repoURL: https://example.com/repo.git\n    path: 2024\n'), message: 'apps/web.yaml:1: Application web: spec.source.path is 2024, not a string: quote it' },
  { name: 'a source.path leaving the repository', application: application('  source:\n    repoURL: https://example.com/repo.git\n    path: ../../etc\n'), message: 'apps/web.yaml:1: Application web: source.path ../../etc is outside the repository; Argo CD refuses paths outside the repository: point it at a folder in the repository' },
  { name: 'an absolute source.path', application: application('  source:\n    repoURL: https://example.com/repo.git\n    path: /etc\n'), message: 'apps/web.yaml:1: Application web: source.path /etc is absolute; Argo CD reads source.path relative to the repository root: write it relative' },
  { name: 'a source.path symlinked outside the repository', application: application('  source:\n    repoURL: https://example.com/repo.git\n    path: linked\n'), setup: (repo) => fs.symlinkSync(path.dirname(outsideFile(CM)), path.join(repo, 'linked')), message: /apps\/web\.yaml:1: Application web: source\.path linked is a symlink \(or goes through one\) to .*, outside the repository; Argo CD refuses paths outside the repository/ },
  { name: 'a missing source.path', application: application('  source:\n    repoURL: https://example.com/repo.git\n    path: nowhere\n'), message: /apps\/web\.yaml:1: Application web: source\.path nowhere is not a folder below / },
  { name: 'no destination', application: `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: ${APP}\n  namespace: argocd\nspec:\n  source:\n    path: ${APP}\n`, message: 'apps/web.yaml:1: Application web has no spec.destination' },
  { name: 'an Application with generateName', application: application().replace(`  name: ${APP}\n`, `  generateName: ${APP}-\n`), message: 'apps/web.yaml:1: an Application needs metadata.name (Argo CD does not create Applications from generateName): name it' },
  { name: 'Helm value files outside the repository', application: application('  source:\n    repoURL: https://example.com/repo.git\n    path: chart\n    helm:\n      valueFiles: [../../../root/.kube/config]\n'), files: { 'chart/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n' }, message: 'web: helm.valueFiles ../../../root/.kube/config is outside the repository; Argo CD refuses value files outside the repository' },
  // Kubeconfigs.
  { name: 'a malformed kubeconfig', kubeconfig: { user: `    token: ${CANARY}\n   password: ${CANARY}\n` }, message: 'kubeconfig <kubeconfig>:18: invalid YAML (bad indentation of a mapping entry at column 4); fix the file (its contents are not shown because it holds credentials)' },
  { name: 'a kubeconfig that is not a mapping', kubeconfig: { text: `- ${CANARY}\n` }, message: 'kubeconfig <kubeconfig> has no current cluster: set current-context (or pass --context) to a context whose cluster is defined' },
  { name: 'an exec credential plugin that fails silently', kubeconfig: { user: '    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: /bin/false\n' }, message: 'kubeconfig <kubeconfig>: the exec credential plugin of user "u1" (context ctx) failed and printed nothing; run `/bin/false` yourself to see why, or fix users[].user.exec' },
  { name: 'certificate-authority-data that is not PEM', kubeconfig: { user: '    token: t\n', cluster: `    certificate-authority-data: ${pem(`${CANARY} not PEM`)}\n` }, message: 'kubeconfig <kubeconfig>: cluster "c1" certificate-authority-data is not PEM data (no "-----BEGIN …-----" line); fix it (`kubectl config view --raw` shows what kubectl would use)' },
  { name: 'a CA certificate that cannot be read', kubeconfig: { user: '    token: t\n', cluster: `    certificate-authority-data: ${pem(`-----BEGIN CERTIFICATE-----\n${pem(CANARY)}\n-----END CERTIFICATE-----\n`)}\n` }, message: 'kubeconfig <kubeconfig>: cluster "c1" certificate-authority-data: certificate 1 cannot be read; fix it (`kubectl config view --raw` shows what kubectl would use)' },
  { name: 'a client key that is not PEM', kubeconfig: { user: `    client-certificate-data: ${pem(rootCertificates[0])}\n    client-key-data: ${pem(CANARY)}\n` }, message: 'kubeconfig <kubeconfig>: user "u1" client-key-data is not PEM data (no "-----BEGIN …-----" line); fix it (`kubectl config view --raw` shows what kubectl would use)' },
  { name: 'a context that does not exist', kubeconfig: { user: '    token: t\n' }, extraArgs: ['--context', 'nope'], message: '--context nope: no such context in kubeconfig <kubeconfig> (have: ctx); pass one it has' },
  // Clusters files.
  { name: 'a malformed clusters file', application: application(undefined, '    name: staging\n'), clusters: `clusters:\n  - name: staging\n    token: ${CANARY}\n   password: [${CANARY}\n`, message: /^<clusters>:4: invalid YAML at column \d+ \([A-Z_]+\); fix the file \(its contents are not shown because it may hold credentials\)$/ },
  { name: 'a clusters file without a clusters list', clusters: 'items: []\n', message: "--clusters <clusters>: expected a top-level 'clusters:' list (one document listing {name, server, kubeconfig, …})" },
  { name: 'a clusters entry with neither name nor server', clusters: 'clusters:\n  - name: a\n    kubeconfig: a.yaml\n  - kubeconfig: b.yaml\n', message: '<clusters>:4: clusters[1] needs a name or a server' },
  { name: 'a clusters entry label YAML 1.1 reads as a boolean', clusters: 'clusters:\n  - name: a\n    server: https://a\n    labels:\n      enabled: yes\n', message: '<clusters>:5: clusters[0].labels must map names to strings: quote the values' },
  { name: 'a destination whose clusters entry has no kubeconfig', application: application(undefined, '    name: staging\n'), clusters: 'clusters:\n  - name: staging\n    server: https://staging:6443\n', message: '<clusters>:2: the clusters file entry for destination name staging has no kubeconfig; add `kubeconfig: <file>` to sync to it' },
  { name: 'a destination missing from the clusters file', application: application(undefined, '    name: prod\n'), clusters: 'clusters:\n  - name: staging\n    kubeconfig: k.yaml\n', message: 'destination name prod is not the current cluster and is not in the clusters file <clusters>; add it there' },
];

let outsideDir: string;
function outsideFile(text: string): string {
  outsideDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'bad-input-outside-'));
  fs.writeFileSync(path.join(outsideDir, 'cm.yaml'), text);
  return path.join(outsideDir, 'cm.yaml');
}

/** An API server that answers every request with 404 and remembers it. */
let server: http.Server;
let serverUrl: string;
const requests: string[] = [];
beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ kind: 'Status', code: 404, reason: 'NotFound', message: 'not found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serverUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function writeTree(root: string, files: Record<string, string | Buffer>): void {
  for (const [f, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.writeFileSync(path.join(root, f), content);
  }
}

function kubeconfigText(c: Case['kubeconfig'] = {}): string {
  // Certificate cases need https (nothing listens there with TLS: no request could succeed); the rest talk to the recorder.
  const cluster = c.cluster ? `    server: ${serverUrl.replace('http:', 'https:')}\n${c.cluster}` : `    server: ${serverUrl}\n    insecure-skip-tls-verify: true\n`;
  return c.text ?? `apiVersion: v1\nkind: Config\nclusters:\n- name: c1\n  cluster:\n${cluster}contexts:\n- name: ctx\n  context:\n    cluster: c1\n    user: u1\ncurrent-context: ctx\nusers:\n- name: u1\n  user:\n${c.user ?? '    token: t\n'}`;
}

/** Every file below `dir` with a hash of its contents (symlinks by target), to prove nothing was written. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      if (e.isSymbolicLink()) {
        out[r] = `-> ${fs.readlinkSync(path.join(dir, r))}`;
      } else if (e.isDirectory()) {
        walk(r);
      } else {
        out[r] = crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, r))).digest('hex');
      }
    }
  };
  walk('');
  return out;
}

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const capture = (c: any) => {
    out += String(c);
    return true;
  };
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  process.exitCode = undefined;
  try {
    await buildProgram().parseAsync(['node', 'cdk8s-argocd', ...args]);
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { code, out };
}

test('the corpus has at least 25 cases over manifests, Application specs, kubeconfigs and clusters files', () => {
  expect(CASES.length).toBeGreaterThanOrEqual(25);
  expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
});

describe.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  test('diff exits 2 and sync fails, with one line naming the culprit and what to do; nothing applied or written', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bad-input-'));
    const repo = path.join(root, 'repo');
    writeTree(repo, { [`apps/${APP}.yaml`]: c.application ?? application(), [`${APP}/cm.yaml`]: CM, ...(c.files ?? {}) });
    c.setup?.(repo);
    const kubeconfig = path.join(root, 'kubeconfig');
    fs.writeFileSync(kubeconfig, kubeconfigText(c.kubeconfig));
    const clusters = path.join(root, 'clusters.yaml');
    if (c.clusters !== undefined) {
      fs.writeFileSync(clusters, c.clusters);
    }
    const args = [path.join(repo, 'apps', `${APP}.yaml`), '--repo-root', repo, '--kubeconfig', kubeconfig, ...(c.clusters !== undefined ? ['--clusters', clusters] : []), ...(c.extraArgs ?? [])];
    const before = snapshot(root);
    requests.length = 0;

    const diff = await cli(['diff', ...args]);
    const sync = await cli(['sync', ...args]);

    const expected = typeof c.message === 'string'
      ? c.message.replace(/<repo>/g, repo).replace(/<kubeconfig>/g, kubeconfig).replace(/<clusters>/g, clusters)
      : new RegExp(c.message.source.replace(/<repo>/g, escape(repo)).replace(/<kubeconfig>/g, escape(kubeconfig)).replace(/<clusters>/g, escape(clusters)));
    // `error: …` (diff, and sync before it starts), or the sync log's `operation=Error message="…"`.
    const errorLine = (out: string) => out.split('\n').find((l) => l.startsWith('error: '))?.replace(/^error: (web: )?/, '')
      ?? /operation=\w+ message=(".*")$/m.exec(out)?.[1].replace(/^"|"$/g, '') ?? out;
    for (const run of [diff, sync]) {
      const line = errorLine(run.out);
      if (typeof expected === 'string') {
        expect(line).toBe(expected);
      } else {
        expect(line).toMatch(expected);
      }
      expect(run.out).not.toContain(CANARY);
      expect(run.out).not.toContain(pem(CANARY).slice(0, 12));
    }
    expect(diff.code).toBe(2);
    expect(sync.code).not.toBe(0);
    expect(requests.filter((r) => !r.startsWith('GET '))).toEqual([]);
    expect(snapshot(root)).toEqual(before);
    fs.rmSync(root, { recursive: true, force: true });
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
