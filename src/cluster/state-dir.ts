/**
 * Where the local cluster keeps its state (etcd data, the CA's private keys, an admin
 * kubeconfig). Never inside the user's repository, where `git add -A` would commit the keys: in a
 * per-user state directory, one per repository, so `cluster status` from any subdirectory finds
 * the same cluster and two repositories never share one.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CLUSTER_DIR_ENV } from './constants';
import { findGitRoot } from '../git/git-root';

/** The folder older versions wrote into the working directory (`<cwd>/.cdk8s-argocd/cluster`). */
export const LEGACY_STATE_FOLDER = '.cdk8s-argocd';

export interface ClusterLocation {
  /** The state directory. */
  readonly dir: string;
  /** The repository (outside Git: the working directory) the cluster belongs to; unset when `--dir` or the environment chose `dir`. */
  readonly repository?: string;
  /** What chose `dir`: `--dir`, `$CDK8S_ARGOCD_CLUSTER_DIR`, `the repository`, or an older version's state in the repository. */
  readonly chosenBy: string;
  /** Something to tell the user (state left inside the repository by an older version). */
  readonly hint?: string;
}

/** `$XDG_STATE_HOME`, else `~/.local/state` (the XDG base directory default). */
export function userStateHome(): string {
  const xdg = process.env.XDG_STATE_HOME;
  // The XDG spec ignores relative paths.
  return xdg && path.isAbsolute(xdg) ? xdg : path.join(process.env.HOME || os.homedir(), '.local', 'state');
}

/** The repository `cwd` is in (its top level, symlinks resolved), or `cwd` itself outside Git. */
export function repositoryOf(cwd: string): string {
  const real = realPath(cwd);
  return findGitRoot(real) ?? real;
}

function realPath(dir: string): string {
  try {
    return fs.realpathSync(path.resolve(dir));
  } catch {
    return path.resolve(dir); // A folder that does not exist (yet) stands for itself.
  }
}

/**
 * The per-user state directory of `repository`'s cluster:
 * `<state home>/cdk8s-argocd/clusters/<folder name>-<hash of the real path>`. The name makes it
 * recognizable in a listing, the hash keeps two checkouts named alike apart.
 */
export function repositoryClusterDir(repository: string): string {
  const hash = createHash('sha256').update(repository).digest('hex').slice(0, 12);
  const name = path.basename(repository).replace(/[^A-Za-z0-9._-]/g, '_') || 'root';
  return path.join(userStateHome(), 'cdk8s-argocd', 'clusters', `${name}-${hash}`);
}

/**
 * The cluster state an older version left inside the repository: `.cdk8s-argocd/cluster` in `cwd`
 * or a folder above it up to the repository root (it wrote relative to the working directory).
 */
function legacyDir(cwd: string, repository: string): string | undefined {
  for (let d = cwd; ; d = path.dirname(d)) {
    const dir = path.join(d, LEGACY_STATE_FOLDER, 'cluster');
    if (fs.existsSync(path.join(dir, 'state.json'))) return dir;
    if (d === repository || path.dirname(d) === d) return undefined;
  }
}

/**
 * Keeps an older version's state folder out of `git add`: a `.gitignore` of `*` inside it (also
 * ignores the `.gitignore` itself, so nothing of it is ever staged).
 */
function ignoreLegacyFolder(dir: string): void {
  const file = path.join(path.dirname(dir), '.gitignore');
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, '*\n');
  }
}

/**
 * The state directory: `--dir`, else `$CDK8S_ARGOCD_CLUSTER_DIR`, else an older version's state
 * still inside the repository (kept in use: its processes and kubeconfig name those paths; a
 * `.gitignore` is written into it and a hint says how to move it), else the repository's
 * per-user state directory.
 */
export function locateCluster(options: { readonly dir?: string; readonly cwd?: string } = {}): ClusterLocation {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  if (options.dir) {
    return { dir: path.resolve(cwd, options.dir), chosenBy: '--dir' };
  }
  const fromEnv = process.env[CLUSTER_DIR_ENV];
  if (fromEnv) {
    return { dir: path.resolve(cwd, fromEnv), chosenBy: `$${CLUSTER_DIR_ENV}` };
  }
  const repository = repositoryOf(cwd);
  const dir = repositoryClusterDir(repository);
  const legacy = fs.existsSync(path.join(dir, 'state.json')) ? undefined : legacyDir(realPath(cwd), repository);
  if (legacy) {
    ignoreLegacyFolder(legacy);
    const hint = `the local cluster's state (with its keys) is in ${legacy}, inside the repository, where an older cdk8s-argocd put it; `
      + `${path.join(path.dirname(legacy), '.gitignore')} now keeps it out of Git (if Git tracks it already: git rm -r --cached ${path.dirname(legacy)}). `
      + `To move it to ${dir}: cdk8s-argocd cluster down --purge, then cdk8s-argocd cluster up`;
    return { dir: legacy, repository, chosenBy: 'an older version\'s state in the repository', hint };
  }
  return { dir, repository, chosenBy: 'the repository' };
}

/** The state dir used when none is given (see {@link locateCluster}). */
export function defaultClusterDir(cwd: string = process.cwd()): string {
  return locateCluster({ cwd }).dir;
}
