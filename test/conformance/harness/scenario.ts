/**
 * Conformance scenarios: loading and validating the folders of test/conformance/scenarios/, and
 * turning the committed examples into scenarios at run time so they never drift from them.
 *
 * The contract of a scenario folder `test/conformance/scenarios/<name>/`:
 *
 *   scenario.yaml   description; timeoutSeconds (default 180: both sides must settle within it);
 *                   automated (default true; must agree with root.yaml's syncPolicy: false means
 *                   the harness asks Argo CD for a sync of the root through its `operation`);
 *                   expect: { <app>: { sync, health, phase } } both sides must reach;
 *                   differences: [{ aspect, app?, object? (Kind/namespace/name), reason }] kept
 *                   on purpose (aspect: live | result | order | sync | health | phase | message |
 *                   generated); deleteInCommit2: files of repo/ removed in the second commit;
 *                   argocdStaysRunning: [<app>] Applications whose operation real Argo CD holds
 *                   Running by design (e.g. a Prune=confirm prune nobody confirms): on Argo CD's
 *                   side such an Application counts as settled once its Running operation (phase,
 *                   message, sync, health) has held still for 15 s, instead of never;
 *                   existingNamespaces: [<namespace>] created on both clusters before the first
 *                   commit, for manifests that expect a namespace someone else made (as a
 *                   platform team's would be)
 *   repo/           the first commit: root.yaml (one Application in `argocd`, applied with kubectl
 *                   on Argo CD's side; the engine syncs the whole repository tree) and
 *                   manifests/<app>/…
 *   repo-2/         optional: files overlaid on repo/ as the second commit
 *
 * Every Application (and ApplicationSet template) names repoURL {@link CONFORMANCE_REPO_URL},
 * targetRevision `main`; names and namespaces start with `cf-<name>-` (only such namespaces are
 * deleted when a scenario is run again).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments, parseDocument, stringify } from 'yaml';

/** The repoURL every Application of a scenario names; the local Git server answers for it. */
export const CONFORMANCE_REPO_URL = 'https://git.example.test/conformance.git';
/** The branch the scenario's commits go to (every Application's targetRevision). */
export const CONFORMANCE_BRANCH = 'main';
/** Default for `timeoutSeconds`. */
export const DEFAULT_TIMEOUT_SECONDS = 180;

export const ASPECTS = ['live', 'result', 'order', 'sync', 'health', 'phase', 'message', 'generated'] as const;
export type Aspect = (typeof ASPECTS)[number];

/** What both sides must reach for one Application (any field left out is not checked). */
export interface Expectation {
  readonly sync?: string;
  readonly health?: string;
  /** `status.operationState.phase`. */
  readonly phase?: string;
}

/** A deliberate difference: reported as kept, not failed. */
export interface KeptDifference {
  readonly aspect: Aspect;
  readonly app?: string;
  /** `Kind/namespace/name` (or `Kind/name` for a cluster-scoped object); a `*` part matches any. */
  readonly object?: string;
  /** Kept only when Argo CD's side shows exactly this (e.g. `(absent)`). */
  readonly argocd?: string;
  readonly reason: string;
}

/** The kept differences of every scenario (test/conformance/kept-differences.yaml). */
export const HARNESS_KEPT_FILE = path.join(__dirname, '..', 'kept-differences.yaml');

export interface ScenarioConfig {
  readonly description: string;
  readonly timeoutSeconds: number;
  /** Argo CD syncs the root by its automated policy (true) or the harness asks for a sync (false). */
  readonly automated: boolean;
  readonly expect: Record<string, Expectation>;
  readonly differences: KeptDifference[];
  /** Files (relative to the repository) removed in the second commit. */
  readonly deleteInCommit2: string[];
  /**
   * Applications whose operation Argo CD holds Running by design: settled on Argo CD's side once
   * that Running state holds still (the engine's side is unaffected: a command always ends).
   */
  readonly argocdStaysRunning: string[];
  /** Namespaces created on both sides before the first commit (the manifests expect them to exist). */
  readonly existingNamespaces: string[];
}

/** A scenario ready to run: its configuration and the files of its one or two commits. */
export interface Scenario {
  readonly name: string;
  /** Where it came from (a scenario folder, or an example's manifests folder). */
  readonly source: string;
  readonly config: ScenarioConfig;
  /** First commit: path relative to the repository → content. */
  readonly commit1: Map<string, string>;
  /** Second commit: files overlaid on the first (undefined: no second commit). */
  readonly commit2?: Map<string, string>;
  /** The root Application (from root.yaml). */
  readonly root: { readonly name: string; readonly automated: boolean; readonly prune: boolean };
}

export class ScenarioError extends Error {
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'ScenarioError';
  }
}

function readTree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) {
        walk(full);
      } else if (e.isFile()) {
        files.set(path.relative(dir, full).split(path.sep).join('/'), fs.readFileSync(full, 'utf8'));
      }
    }
  };
  walk(dir);
  return files;
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses scenario.yaml's text; errors name the file (and the line for YAML errors). */
export function parseScenarioConfig(text: string, file: string): ScenarioConfig {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ScenarioError(file, doc.errors[0].message);
  }
  const raw = doc.toJS();
  if (!isObject(raw)) {
    throw new ScenarioError(file, 'must be a mapping with at least `description`');
  }
  const known = ['description', 'timeoutSeconds', 'automated', 'expect', 'differences', 'deleteInCommit2', 'argocdStaysRunning', 'existingNamespaces'];
  const unknown = Object.keys(raw).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    throw new ScenarioError(file, `unknown field(s) ${unknown.join(', ')} (known: ${known.join(', ')})`);
  }
  if (typeof raw.description !== 'string' || raw.description.trim() === '') {
    throw new ScenarioError(file, '`description` is required (a non-empty string)');
  }
  const timeoutSeconds = raw.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1) {
    throw new ScenarioError(file, `timeoutSeconds must be a whole number of seconds ≥ 1, not ${JSON.stringify(raw.timeoutSeconds)}`);
  }
  const automated = raw.automated ?? true;
  if (typeof automated !== 'boolean') {
    throw new ScenarioError(file, `automated must be true or false, not ${JSON.stringify(raw.automated)}`);
  }
  const expect: Record<string, Expectation> = {};
  if (raw.expect !== undefined) {
    if (!isObject(raw.expect)) {
      throw new ScenarioError(file, 'expect must map Application names to { sync, health, phase }');
    }
    for (const [app, e] of Object.entries(raw.expect)) {
      if (!isObject(e)) {
        throw new ScenarioError(file, `expect.${app} must be a mapping with sync, health and/or phase`);
      }
      const bad = Object.keys(e).filter((k) => !['sync', 'health', 'phase'].includes(k));
      if (bad.length > 0) {
        throw new ScenarioError(file, `expect.${app}: unknown field(s) ${bad.join(', ')} (known: sync, health, phase)`);
      }
      for (const [k, v] of Object.entries(e)) {
        if (typeof v !== 'string') {
          throw new ScenarioError(file, `expect.${app}.${k} must be a string, not ${JSON.stringify(v)}`);
        }
      }
      expect[app] = e as Expectation;
    }
  }
  const differences = raw.differences === undefined ? [] : parseKeptDifferences(raw.differences, file, 'differences');
  const del = raw.deleteInCommit2 ?? [];
  if (!Array.isArray(del) || del.some((p: unknown) => typeof p !== 'string')) {
    throw new ScenarioError(file, 'deleteInCommit2 must be a list of paths relative to the repository');
  }
  const staysRunning = raw.argocdStaysRunning ?? [];
  if (!Array.isArray(staysRunning) || staysRunning.some((a: unknown) => typeof a !== 'string' || a === '')) {
    throw new ScenarioError(file, 'argocdStaysRunning must be a list of Application names (their operation Argo CD holds Running by design)');
  }
  const existingNamespaces = raw.existingNamespaces ?? [];
  if (!Array.isArray(existingNamespaces) || existingNamespaces.some((n: unknown) => typeof n !== 'string' || !n.startsWith('cf-'))) {
    throw new ScenarioError(file, 'existingNamespaces must be a list of namespace names starting with cf- (created on both clusters before the first commit)');
  }
  return {
    description: raw.description.trim(),
    timeoutSeconds,
    automated,
    expect,
    differences,
    deleteInCommit2: del,
    argocdStaysRunning: staysRunning,
    existingNamespaces,
  };
}

/** A list of kept differences (`differences:` of scenario.yaml, or the harness-wide file); `where` names it in errors. */
function parseKeptDifferences(raw: unknown, file: string, where: string): KeptDifference[] {
  if (!Array.isArray(raw)) {
    throw new ScenarioError(file, `${where} must be a list of { aspect, app?, object?, argocd?, reason }`);
  }
  return raw.map((d: unknown, i: number): KeptDifference => {
    if (!isObject(d)) {
      throw new ScenarioError(file, `${where}[${i}] must be a mapping`);
    }
    if (!ASPECTS.includes(d.aspect)) {
      throw new ScenarioError(file, `${where}[${i}].aspect must be one of ${ASPECTS.join(', ')}, not ${JSON.stringify(d.aspect)}`);
    }
    if (typeof d.reason !== 'string' || d.reason.trim() === '') {
      throw new ScenarioError(file, `${where}[${i}].reason is required: say why the difference is kept`);
    }
    for (const k of ['app', 'object', 'argocd'] as const) {
      if (d[k] !== undefined && typeof d[k] !== 'string') {
        throw new ScenarioError(file, `${where}[${i}].${k} must be a string`);
      }
    }
    if (d.object !== undefined && !/^[^/]+\/([^/]*\/)?[^/]+$/.test(d.object)) {
      throw new ScenarioError(file, `${where}[${i}].object must be Kind/namespace/name or Kind/name, not ${JSON.stringify(d.object)}`);
    }
    const unknownKeys = Object.keys(d).filter((k) => !['aspect', 'app', 'object', 'argocd', 'reason'].includes(k));
    if (unknownKeys.length > 0) {
      throw new ScenarioError(file, `${where}[${i}]: unknown field(s) ${unknownKeys.join(', ')}`);
    }
    return { aspect: d.aspect, app: d.app, object: d.object, ...(d.argocd !== undefined ? { argocd: d.argocd } : {}), reason: d.reason };
  });
}

/**
 * The harness-wide kept differences: `kept:` of test/conformance/kept-differences.yaml, matched in
 * every scenario besides its own (same entry shape as a scenario's `differences:`).
 */
export function loadHarnessKept(file = HARNESS_KEPT_FILE): KeptDifference[] {
  const doc = parseDocument(fs.readFileSync(file, 'utf8'), { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ScenarioError(file, doc.errors[0].message);
  }
  const raw = doc.toJS();
  if (!isObject(raw) || Object.keys(raw).some((k) => k !== 'kept')) {
    throw new ScenarioError(file, 'must be a mapping with one field, `kept` (a list of { aspect, app?, object?, argocd?, reason })');
  }
  return parseKeptDifferences(raw.kept ?? [], file, 'kept');
}

function yamlDocs(text: string, file: string): any[] {
  const docs = parseAllDocuments(text);
  const out: any[] = [];
  for (const d of docs) {
    if (d.errors.length > 0) {
      throw new ScenarioError(file, d.errors[0].message);
    }
    const v = d.toJS();
    if (v !== null && v !== undefined) {
      out.push(v);
    }
  }
  return out;
}

const isManifest = (p: string) => /\.(ya?ml|json)$/i.test(p);

/**
 * Checks one commit's files: root.yaml holds exactly one Application in `argocd`; every
 * Application and ApplicationSet template names the conformance repoURL and branch. Returns the root.
 */
export function checkCommit(files: Map<string, string>, label: string): Scenario['root'] {
  const rootText = files.get('root.yaml');
  if (rootText === undefined) {
    throw new ScenarioError(`${label}/root.yaml`, 'missing: the root Application applied with kubectl to hand the tree to Argo CD');
  }
  const rootDocs = yamlDocs(rootText, `${label}/root.yaml`);
  if (rootDocs.length !== 1 || rootDocs[0]?.kind !== 'Application') {
    throw new ScenarioError(`${label}/root.yaml`, `must hold exactly one Application (found ${rootDocs.map((d) => d?.kind ?? '?').join(', ') || 'nothing'})`);
  }
  const root = rootDocs[0];
  if (root.metadata?.namespace !== 'argocd') {
    throw new ScenarioError(`${label}/root.yaml`, `the root Application must be in namespace argocd (found ${JSON.stringify(root.metadata?.namespace)})`);
  }
  for (const [p, text] of files) {
    if (!isManifest(p) || p.endsWith('.json')) {
      continue;
    }
    for (const doc of yamlDocs(text, `${label}/${p}`)) {
      const sources: any[] = [];
      if (doc?.kind === 'Application' && String(doc.apiVersion ?? '').startsWith('argoproj.io/')) {
        sources.push(...[doc.spec?.source, ...(doc.spec?.sources ?? [])].filter(Boolean));
      } else if (doc?.kind === 'ApplicationSet') {
        const spec = doc.spec?.template?.spec;
        sources.push(...[spec?.source, ...(spec?.sources ?? [])].filter(Boolean));
      }
      for (const s of sources) {
        // Templated values (an ApplicationSet's `{{...}}`) and chart repositories are left alone.
        if (s.chart || /\{\{/.test(String(s.repoURL ?? ''))) {
          continue;
        }
        if (s.repoURL !== CONFORMANCE_REPO_URL) {
          throw new ScenarioError(`${label}/${p}`, `${doc.kind} ${doc.metadata?.name}: repoURL must be ${CONFORMANCE_REPO_URL} (found ${JSON.stringify(s.repoURL)})`);
        }
        if (s.targetRevision !== undefined && !/\{\{/.test(String(s.targetRevision)) && s.targetRevision !== CONFORMANCE_BRANCH) {
          throw new ScenarioError(`${label}/${p}`, `${doc.kind} ${doc.metadata?.name}: targetRevision must be ${CONFORMANCE_BRANCH} (found ${JSON.stringify(s.targetRevision)})`);
        }
      }
    }
  }
  const automated = root.spec?.syncPolicy?.automated;
  return {
    name: String(root.metadata?.name ?? ''),
    automated: isObject(automated) && automated.enabled !== false,
    prune: isObject(automated) && automated.enabled !== false && automated.prune === true,
  };
}

/**
 * Loads `<dir>` (a scenario folder):
 *
 *   scenario.yaml   description, timeoutSeconds, automated, expect, differences, deleteInCommit2,
 *                   argocdStaysRunning
 *   repo/           the first commit (root.yaml + manifests/<app>/...)
 *   repo-2/         optional: files overlaid as the second commit
 */
export function loadScenario(dir: string): Scenario {
  const name = path.basename(dir);
  const configFile = path.join(dir, 'scenario.yaml');
  if (!fs.existsSync(configFile)) {
    throw new ScenarioError(configFile, 'missing (every scenario folder needs a scenario.yaml with at least `description`)');
  }
  const config = parseScenarioConfig(fs.readFileSync(configFile, 'utf8'), configFile);
  const repoDir = path.join(dir, 'repo');
  if (!fs.existsSync(repoDir)) {
    throw new ScenarioError(repoDir, 'missing: the content of the first commit (root.yaml and manifests/)');
  }
  const commit1 = readTree(repoDir);
  const root = checkCommit(commit1, repoDir);
  if (root.automated !== config.automated) {
    throw new ScenarioError(configFile, `automated: ${config.automated} but ${repoDir}/root.yaml's syncPolicy ${root.automated ? 'is' : 'is not'} automated; make them agree`);
  }
  const repo2 = path.join(dir, 'repo-2');
  let commit2: Map<string, string> | undefined;
  if (fs.existsSync(repo2) || config.deleteInCommit2.length > 0) {
    commit2 = fs.existsSync(repo2) ? readTree(repo2) : new Map();
    for (const p of config.deleteInCommit2) {
      if (!commit1.has(p)) {
        throw new ScenarioError(configFile, `deleteInCommit2: ${p} is not a file of repo/`);
      }
    }
    checkCommit(secondCommitFiles(commit1, commit2, config.deleteInCommit2), repo2);
  }
  const appNames = new Set<string>();
  for (const files of [commit1, commit2 ?? new Map<string, string>()]) {
    for (const [p, text] of files) {
      if (/\.ya?ml$/i.test(p)) {
        yamlDocs(text, path.join(dir, p)).filter((d) => d?.kind === 'Application').forEach((d) => appNames.add(d.metadata?.name));
      }
    }
  }
  const unknownApps = config.argocdStaysRunning.filter((a) => !appNames.has(a));
  if (unknownApps.length > 0) {
    throw new ScenarioError(configFile, `argocdStaysRunning: ${unknownApps.join(', ')} is not an Application of the scenario`);
  }
  return { name, source: dir, config, commit1, commit2, root };
}

/** The whole tree of the second commit: the first, minus deleteInCommit2, plus repo-2/. */
export function secondCommitFiles(commit1: Map<string, string>, overlay: Map<string, string>, deleted: readonly string[]): Map<string, string> {
  const out = new Map(commit1);
  for (const p of deleted) {
    out.delete(p);
  }
  for (const [p, t] of overlay) {
    out.set(p, t);
  }
  return out;
}

/** Every scenario folder below `root` (folders holding a scenario.yaml), sorted by name. */
export function scenarioFolders(root: string): string[] {
  if (!fs.existsSync(root)) {
    return [];
  }
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => path.join(root, e.name))
    .sort();
}

// ---------------------------------------------------------------------------------------------
// The committed examples as scenarios.

/** An example turned into a scenario at run time. */
export interface ExampleScenarioSpec {
  /** Folder under examples/ (its manifests/ is read). */
  readonly example: string;
  readonly description: string;
  readonly differences?: KeptDifference[];
  readonly expect?: Record<string, Expectation>;
  readonly timeoutSeconds?: number;
  /** Namespaces (prefixed names) created on both sides first: what the example expects to exist. */
  readonly existingNamespaces?: string[];
}

/**
 * Converts `examples/<example>/manifests` into a scenario named `ex-<example>`: Applications get
 * the conformance repoURL and branch, `source.path` relative to the scenario's repository
 * (`examples/<x>/manifests/<folder>` → `manifests/<folder>`), and, like every namespace an object
 * names, the prefix `cf-ex-<example>-` on their names and destination namespaces so scenarios
 * never collide (AppProjects too, with their destinations and source repositories). The root is
 * `manifests/root.yaml`, else the example's only Application, else a root Application of the one
 * folder that holds the Applications.
 */
export function exampleScenario(repoRoot: string, spec: ExampleScenarioSpec): Scenario {
  const name = `ex-${spec.example}`;
  const prefix = `cf-${name}-`;
  const manifestsDir = path.join(repoRoot, 'examples', spec.example, 'manifests');
  const files = readTree(manifestsDir);
  const examplePath = `examples/${spec.example}/manifests`;
  const rewriteDoc = (doc: any): any => {
    if (!isObject(doc)) {
      return doc;
    }
    const out = structuredClone(doc);
    if (out.kind === 'AppProject') {
      out.metadata.name = prefix + out.metadata.name;
      for (const d of out.spec?.destinations ?? []) {
        if (d.namespace && d.namespace !== '*') {
          d.namespace = prefix + d.namespace;
        }
      }
      if (out.spec?.sourceRepos) {
        out.spec.sourceRepos = out.spec.sourceRepos.map((r: string) => (r.includes('*') ? r : CONFORMANCE_REPO_URL));
      }
      return out;
    }
    if (out.kind === 'Application' && String(out.apiVersion ?? '').startsWith('argoproj.io/')) {
      out.metadata.name = prefix + out.metadata.name;
      if (out.spec?.project && out.spec.project !== 'default') {
        out.spec.project = prefix + out.spec.project;
      }
      const dest = out.spec?.destination;
      if (dest?.namespace) {
        dest.namespace = prefix + dest.namespace;
      }
      for (const s of [out.spec?.source, ...(out.spec?.sources ?? [])].filter(Boolean)) {
        if (s.chart) {
          continue;
        }
        s.repoURL = CONFORMANCE_REPO_URL;
        s.targetRevision = CONFORMANCE_BRANCH;
        if (typeof s.path === 'string' && s.path.startsWith(examplePath)) {
          s.path = `manifests${s.path.slice(examplePath.length)}`;
        }
      }
      return out;
    }
    if (out.kind === 'Namespace') {
      out.metadata.name = prefix + out.metadata.name;
    } else if (out.metadata?.namespace) {
      out.metadata.namespace = prefix + out.metadata.namespace;
    }
    return out;
  };
  const commit1 = new Map<string, string>();
  let rootText: string | undefined;
  const apps: string[] = [];
  for (const [p, text] of files) {
    if (!isManifest(p)) {
      continue;
    }
    const docs = yamlDocs(text, path.join(manifestsDir, p)).map(rewriteDoc);
    const out = docs.map((d) => stringify(d)).join('---\n');
    if (p === 'root.yaml') {
      rootText = out;
      continue;
    }
    if (docs.some((d) => d?.kind === 'Application')) {
      apps.push(p);
    }
    commit1.set(`manifests/${p}`, out);
  }
  if (rootText === undefined) {
    const folders = [...new Set(apps.map((p) => path.posix.dirname(p)))];
    if (apps.length === 1) {
      rootText = commit1.get(`manifests/${apps[0]}`)!;
      commit1.delete(`manifests/${apps[0]}`);
    } else if (folders.length === 1 && folders[0] !== '.') {
      // What the example's README has users `kubectl apply -f manifests/<folder>/`: here a root
      // Application of that folder hands it to Argo CD (and to the engine's tree sync).
      rootText = stringify({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { name: `${prefix}root`, namespace: 'argocd' },
        spec: {
          project: 'default',
          source: { repoURL: CONFORMANCE_REPO_URL, targetRevision: CONFORMANCE_BRANCH, path: `manifests/${folders[0]}` },
          destination: { server: 'https://kubernetes.default.svc', namespace: 'argocd' },
          syncPolicy: { automated: { prune: true } },
        },
      });
    } else {
      throw new ScenarioError(manifestsDir, `has no root.yaml and ${apps.length} files with Applications in ${folders.length} folders: cannot tell the root`);
    }
  }
  commit1.set('root.yaml', rootText);
  const root = checkCommit(commit1, `${manifestsDir} (as scenario ${name})`);
  return {
    name,
    source: manifestsDir,
    config: {
      description: spec.description,
      timeoutSeconds: spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
      automated: true,
      expect: spec.expect ?? {},
      differences: spec.differences ?? [],
      deleteInCommit2: [],
      argocdStaysRunning: [],
      existingNamespaces: spec.existingNamespaces ?? [],
    },
    commit1,
    root,
  };
}
