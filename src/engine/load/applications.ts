import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ApplicationManifest, ApplicationSourceSpec, CONTROL_PLANE_NAMESPACE, manifestSources } from '../application-spec';
import { DesiredObject, SourcePosition } from '../model';
import { listManifestFiles } from './directory-source';
import { ManifestError, RemoteSourceError } from './manifest-error';
import { BinaryFileError, ManifestFiles } from './manifest-file';
import { detectSourceType, renderSource } from './render-source';
import { outsideRepository } from './repository-path';
import { checkoutRevision, gitRoot } from './source-tree';

export interface LoadOptions {
  /** A manifests directory (Applications are found anywhere below it) or one Application manifest file. */
  readonly path: string;
  /** Applications to load by name; all found when empty (only with a single-file path, or with `all`). */
  readonly apps?: readonly string[];
  /** Load every Application found, whatever `apps` says (the tree sync selects from them itself). */
  readonly all?: boolean;
  /** Read the committed tree at this Git revision instead of the work tree. */
  readonly revision?: string;
  /** Repository root that `source.path` is relative to (default: the Git top level of `path`). */
  readonly repoRoot?: string;
  /** Only sources from this repoURL map to the local repository (default: any). */
  readonly repoURL?: string;
  /** The run's manifest reads, to share with the run's other reads of the same files. @default - a new one */
  readonly files?: ManifestFiles;
}

/** One chosen Application with its desired objects (or the reason they could not be loaded). */
export interface LoadedApplication {
  readonly manifest: ApplicationManifest;
  readonly name: string;
  /** The Application's own namespace (where Argo CD would keep it). */
  readonly namespace: string;
  readonly position: SourcePosition;
  /** The revision read: a commit id, or the work tree's HEAD commit when reading the work tree. */
  readonly revision: string;
  readonly objects: DesiredObject[];
  /** Argo CD's source type of each source (`Directory`, `Helm`, `Kustomize`; for `status.sourceType`). */
  readonly sourceTypes?: string[];
  /** Set when the sources could not be loaded; the Application then fails alone. */
  readonly error?: string;
  /**
   * The `error` is a source outside the repository that could not be read now (a chart
   * repository unreachable, or without that chart version): like Argo CD, commands report it
   * as this Application's ComparisonError and go on with the others, instead of refusing them all.
   */
  readonly remoteSourceError?: boolean;
}

export interface LoadResult {
  readonly applications: LoadedApplication[];
  /** The manifest files read (and parsed), for the run's later reads of the same files. */
  readonly files: ManifestFiles;
  /** Removes the temporary checkout of `--revision` (no-op for the work tree). */
  dispose(): void;
}

function headCommit(root: string): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '0000000';
  }
}

/** Every Argo CD Application manifest below `dir` (recursively), or in the one file given. */
export function findApplications(
  target: string, displayRoot: string, files = new ManifestFiles(),
): Array<{ manifest: ApplicationManifest; position: SourcePosition }> {
  const stat = fs.statSync(target);
  const paths = stat.isDirectory() ? listManifestFiles(target, { recurse: true }).map((f) => path.join(target, f)) : [target];
  const found: Array<{ manifest: ApplicationManifest; position: SourcePosition }> = [];
  for (const file of paths) {
    const shown = path.relative(displayRoot, file) || file;
    let text: string;
    try {
      text = files.text(file, shown);
    } catch (e) {
      // A binary file holds no Application; it fails only the Application whose source contains it.
      if (stat.isDirectory() && e instanceof BinaryFileError) {
        continue;
      }
      throw e;
    }
    // Cheap pre-filter: most files in a manifests directory are not Applications.
    if (stat.isDirectory() && !/kind"?\s*:\s*"?Application\b/.test(text)) {
      continue;
    }
    // Kept: an Application file is read again as part of its parent's source.
    for (const d of files.manifests(file, shown, { keep: true })) {
      if (d.object.kind === 'Application' && d.object.apiVersion.startsWith('argoproj.io/')) {
        if (typeof d.object.metadata.name !== 'string') {
          throw new ManifestError(d.source, 'an Application needs metadata.name (Argo CD does not create Applications from generateName): name it');
        }
        found.push({ manifest: d.object as unknown as ApplicationManifest, position: d.source });
      }
    }
  }
  return found;
}

const SOURCE_STRINGS = ['repoURL', 'path', 'targetRevision', 'chart', 'ref'] as const;

/** The Application's sources, after checking the shape Argo CD's CRD would enforce. */
function checkedSources(app: ApplicationManifest, position: SourcePosition): ApplicationSourceSpec[] {
  const spec = app.spec;
  const fail = (reason: string) => new ManifestError(position, `Application ${app.metadata.name}: ${reason}`);
  if (spec.sources !== undefined && !Array.isArray(spec.sources)) {
    throw fail('spec.sources must be a list (`sources:` then `- repoURL: …` items); for one source write `source:`');
  }
  if (spec.source !== undefined && (typeof spec.source !== 'object' || spec.source === null || Array.isArray(spec.source))) {
    throw fail('spec.source must be a mapping (repoURL, path, …); for several sources use a `sources:` list');
  }
  const all = spec.sources ?? (spec.source ? [spec.source] : []);
  all.forEach((source, i) => {
    const where = spec.sources ? `spec.sources[${i}]` : 'spec.source';
    if (typeof source !== 'object' || source === null || Array.isArray(source)) {
      throw fail(`${where} must be a mapping (repoURL, path, …)`);
    }
    for (const field of SOURCE_STRINGS) {
      const v = source[field];
      if (v !== undefined && typeof v !== 'string') {
        throw fail(`${where}.${field} is ${JSON.stringify(v)}, not a string: quote it`);
      }
    }
  });
  return manifestSources(spec);
}

/** The folder a source reads, refusing absolute paths and paths (or symlinks) leaving the repository. */
function sourceFolder(source: ApplicationSourceSpec, repoRoot: string, fail: (reason: string) => Error): string {
  if (source.path === undefined) {
    return repoRoot;
  }
  if (path.isAbsolute(source.path)) {
    throw fail(`source.path ${source.path} is absolute; Argo CD reads source.path relative to the repository root: write it relative`);
  }
  const dir = path.resolve(repoRoot, source.path);
  const outside = outsideRepository(repoRoot, dir);
  if (outside) {
    throw fail(`source.path ${source.path} ${outside}; Argo CD refuses paths outside the repository: point it at a folder in the repository`);
  }
  return dir;
}

function loadSources(
  app: ApplicationManifest, position: SourcePosition, repoRoot: string, options: Pick<LoadOptions, 'revision' | 'repoURL' | 'files'>,
): { objects: DesiredObject[]; sourceTypes: string[] } {
  const spec = app.spec;
  if (!spec || typeof spec !== 'object' || !spec.destination) {
    throw new ManifestError(position, `Application ${app.metadata.name} has no spec.destination`);
  }
  const sources = checkedSources(app, position);
  if (sources.length === 0) {
    throw new ManifestError(position, `Application ${app.metadata.name} has no source with a path or chart`);
  }
  const objects: DesiredObject[] = [];
  const sourceTypes: string[] = [];
  for (const [i, source] of sources.entries()) {
    if (options.repoURL && source.repoURL && source.repoURL !== options.repoURL && !source.chart) {
      throw new ManifestError(position,
        `Application ${app.metadata.name}: source repoURL ${source.repoURL} is not the local repository (${options.repoURL}); only the local repository can be read`);
    }
    const dir = sourceFolder(source, repoRoot, (reason) => new ManifestError(position, `Application ${app.metadata.name}: ${reason}`));
    if (!source.chart && (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())) {
      throw new ManifestError(position,
        `Application ${app.metadata.name}: source.path ${source.path} is not a folder below ${repoRoot}${options.revision ? ` at revision ${options.revision}` : ''}`);
    }
    const sourceField = spec.sources ? `spec.sources[${i}]` : 'spec.source';
    const context = { repoRoot, appName: app.metadata.name, namespace: spec.destination.namespace, sourceField, files: options.files };
    objects.push(...renderSource(source, dir, context));
    sourceTypes.push(detectSourceType(source, dir));
  }
  return { objects, sourceTypes };
}

function loadedApplication(
  manifest: ApplicationManifest, position: SourcePosition, root: string, revision: string, options: Pick<LoadOptions, 'revision' | 'repoURL' | 'files'>,
): LoadedApplication {
  const base = {
    manifest,
    name: manifest.metadata.name,
    namespace: manifest.metadata.namespace ?? CONTROL_PLANE_NAMESPACE,
    position,
    revision,
  };
  try {
    return { ...base, ...loadSources(manifest, position, root, options) };
  } catch (e) {
    return { ...base, objects: [], error: (e as Error).message, ...(e instanceof RemoteSourceError ? { remoteSourceError: true } : {}) };
  }
}

/** Where an in-memory Application manifest's sources are read from (`loadApplicationManifest`). */
export interface InMemoryApplicationSource {
  /** Repository root that `source.path` is relative to (an already checked-out tree). */
  readonly repoRoot: string;
  /** The revision that tree holds (a commit id). @default - the HEAD commit of `repoRoot` */
  readonly revision?: string;
  /** Only sources from this repoURL map to the local repository (default: any). */
  readonly repoURL?: string;
}

/**
 * Loads an Application manifest that exists only in memory (e.g. one an ApplicationSet generated)
 * exactly like a file-based one: its sources are read from the repository, and a source that
 * cannot be read becomes the Application's `error`. `position` names where it came from.
 */
export function loadApplicationManifest(
  manifest: ApplicationManifest, position: SourcePosition, source: InMemoryApplicationSource,
): LoadedApplication {
  const root = path.resolve(source.repoRoot);
  return loadedApplication(manifest, position, root, source.revision ?? headCommit(root), { repoURL: source.repoURL });
}

/**
 * Reads the chosen Applications and their desired objects. A manifest that cannot be parsed is
 * an error for the Application whose sources contain it (with `file:line`); an Application that
 * is asked for but not found is an error for the whole call.
 */
export function loadApplications(options: LoadOptions): LoadResult {
  const target = path.resolve(options.path);
  if (!fs.existsSync(target)) {
    throw new Error(`${options.path}: no such file or directory`);
  }
  const targetDir = fs.statSync(target).isDirectory() ? target : path.dirname(target);
  const workRoot = options.repoRoot ? path.resolve(options.repoRoot) : gitRoot(targetDir) ?? targetDir;
  let root = workRoot;
  let readTarget = target;
  let revision = headCommit(workRoot);
  let tmp: string | undefined;
  if (options.revision) {
    tmp = checkoutRevision(workRoot, options.revision);
    root = tmp;
    readTarget = path.join(tmp, path.relative(workRoot, target));
    revision = execFileSync('git', ['rev-parse', `${options.revision}^{commit}`], { cwd: workRoot, encoding: 'utf8' }).trim();
    if (!fs.existsSync(readTarget)) {
      fs.rmSync(tmp, { recursive: true, force: true });
      throw new Error(`${options.path} does not exist at revision ${options.revision}`);
    }
  }
  const dispose = () => {
    if (tmp) {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  };
  const files = options.files ?? new ManifestFiles();
  try {
    const found = findApplications(readTarget, root, files);
    const wanted = options.all ? [] : options.apps ?? [];
    let chosen = found;
    if (wanted.length > 0) {
      chosen = [];
      for (const name of wanted) {
        const matches = found.filter((f) => f.manifest.metadata.name === name);
        if (matches.length === 0) {
          const names = [...new Set(found.map((f) => f.manifest.metadata.name))].sort().join(', ') || 'none';
          throw new Error(`no Application named '${name}' in ${options.path} (found: ${names})`);
        }
        if (matches.length > 1) {
          throw new Error(`Application '${name}' is defined more than once: ${matches.map((m) => `${m.position.file}:${m.position.line}`).join(', ')}`);
        }
        chosen.push(matches[0]);
      }
    } else if (fs.statSync(readTarget).isDirectory() && !options.all) {
      throw new Error(`choose Applications with --app <name> (found in ${options.path}: ${found.map((f) => f.manifest.metadata.name).sort().join(', ') || 'none'})`);
    }
    const applications = chosen.map(({ manifest, position }) => loadedApplication(manifest, position, root, revision, { ...options, files }));
    return { applications, files, dispose };
  } catch (e) {
    dispose();
    throw e;
  }
}
