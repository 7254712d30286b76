/**
 * Argo CD's AppProject rules (pkg/apis/application/v1alpha1/app_project_types.go), as pure
 * predicates over the project's spec: which repositories, destinations and kinds its
 * Applications may use, and which namespaces may hold them. The engine enforces them on sync and
 * the constructs check them at synth, so both say the same.
 */
import { IN_CLUSTER_NAME, IN_CLUSTER_SERVER } from './destination';
import { isDenyPattern, matchStringInList, projectGlobMatch } from './glob';

/** A group/kind entry of a resource allow or deny list (`name` only in the cluster lists). */
export interface ProjectResourceEntry {
  readonly group?: string;
  readonly kind?: string;
  readonly name?: string;
}

export interface ProjectDestinationEntry {
  readonly server?: string;
  readonly name?: string;
  readonly namespace?: string;
}

export interface SyncWindowSpec {
  readonly kind?: string;
  readonly schedule?: string;
  readonly duration?: string;
  readonly applications?: readonly string[];
  readonly namespaces?: readonly string[];
  readonly clusters?: readonly string[];
  readonly manualSync?: boolean;
  readonly timeZone?: string;
  readonly andOperator?: boolean;
}

/** The parts of `AppProject.spec` that decide what its Applications may do. */
export interface AppProjectSpec {
  readonly sourceRepos?: readonly string[];
  readonly destinations?: readonly ProjectDestinationEntry[];
  readonly clusterResourceWhitelist?: readonly ProjectResourceEntry[];
  readonly clusterResourceBlacklist?: readonly ProjectResourceEntry[];
  /** nil allows every namespaced kind, `[]` none (Argo CD tells them apart). */
  readonly namespaceResourceWhitelist?: readonly ProjectResourceEntry[];
  readonly namespaceResourceBlacklist?: readonly ProjectResourceEntry[];
  readonly sourceNamespaces?: readonly string[];
  readonly syncWindows?: readonly SyncWindowSpec[];
}

export const DEFAULT_PROJECT = 'default';

/** The `default` project Argo CD creates at start-up when there is none: everything is allowed. */
export const DEFAULT_PROJECT_SPEC: AppProjectSpec = {
  sourceRepos: ['*'],
  destinations: [{ server: '*', namespace: '*' }],
  clusterResourceWhitelist: [{ group: '*', kind: '*' }],
};

/** Argo CD's `git.NormalizeGitURL`: lower case, `git@host:path` as `git@host/path`, no `.git` suffix. */
export function normalizeGitURL(repo: string): string {
  let r = repo.trim().toLowerCase();
  if (/^[\w.-]+@[\w.-]+:(?!\d+\/)/.test(r) && !r.includes('://')) {
    r = r.replace(':', '/');
  }
  r = r.replace(/^ssh:\/\//, '');
  return r.endsWith('.git') ? r.slice(0, -4) : r;
}

/** `IsSourcePermitted`: some entry matches the repository and no `!entry` excludes it. */
export function isSourcePermitted(project: AppProjectSpec, repoURL: string): boolean {
  const src = normalizeGitURL(repoURL);
  let matched = false;
  for (const entry of project.sourceRepos ?? []) {
    const pattern = isDenyPattern(entry) ? `!${normalizeGitURL(entry.slice(1))}` : normalizeGitURL(entry);
    if (projectGlobMatch(pattern, src, true, '/')) {
      matched = true;
    } else if (isDenyPattern(pattern)) {
      return false;
    }
  }
  return matched;
}

/** A destination as Argo CD resolves it: the cluster's server URL and name, and a namespace. */
export interface ResolvedDestination {
  readonly server?: string;
  readonly name?: string;
  readonly namespace: string;
}

/** An Application's destination with both server and name where the in-cluster alias tells them. */
export function resolveDestination(destination: ProjectDestinationEntry | undefined): ResolvedDestination {
  const d = destination ?? {};
  const server = d.server ?? (d.name === IN_CLUSTER_NAME ? IN_CLUSTER_SERVER : undefined);
  const name = d.name ?? (d.server === IN_CLUSTER_SERVER ? IN_CLUSTER_NAME : undefined);
  return { server, name, namespace: d.namespace ?? '' };
}

/** `isDestinationMatched`: some entry matches server or name and the namespace; no `!` entry excludes it. */
export function isDestinationPermitted(project: AppProjectSpec, dst: ResolvedDestination): boolean {
  let matched = false;
  let denied = false;
  for (const item of project.destinations ?? []) {
    const nameMatched = !!dst.name && projectGlobMatch(item.name, dst.name, true);
    // A destination given by name resolves to some server (Argo CD infers it from its cluster
    // list); where the engine does not know it, a server glob of `*` still matches whatever it is.
    const serverMatched = dst.server ? projectGlobMatch(item.server, dst.server, true) : !!dst.name && item.server === '*';
    const namespaceMatched = projectGlobMatch(item.namespace, dst.namespace, true);
    if ((serverMatched || nameMatched) && namespaceMatched) {
      matched = true;
    } else if ((!nameMatched && isDenyPattern(item.name)) || (!serverMatched && isDenyPattern(item.server))
      || (!namespaceMatched && isDenyPattern(item.namespace))) {
      denied = true;
    }
  }
  return matched && !denied;
}

// Group and kind are matched like Go's filepath.Match (no `/` in either); the name as a glob, empty = any.
function inList(list: readonly ProjectResourceEntry[], group: string, kind: string, name?: string): boolean {
  return list.some((e) => projectGlobMatch(e.kind ?? '', kind, false, '/')
    && projectGlobMatch(e.group ?? '', group, false, '/')
    && (name === undefined || !e.name || projectGlobMatch(e.name, name, false)));
}

/**
 * `IsGroupKindNamePermitted`: cluster-scoped kinds must be in the cluster allow list (an empty list
 * allows none); namespaced kinds are allowed unless a set allow list leaves them out; deny lists win.
 */
export function isGroupKindPermitted(project: AppProjectSpec, group: string, kind: string, name: string, namespaced: boolean): boolean {
  if (namespaced) {
    const allow = project.namespaceResourceWhitelist;
    const allowed = allow === undefined || (allow.length > 0 && inList(allow, group, kind));
    return allowed && !inList(project.namespaceResourceBlacklist ?? [], group, kind);
  }
  return inList(project.clusterResourceWhitelist ?? [], group, kind, name) && !inList(project.clusterResourceBlacklist ?? [], group, kind, name);
}

/** `IsAppNamespacePermitted`: Applications in Argo CD's namespace always; others when `sourceNamespaces` matches. */
export function isAppNamespacePermitted(project: AppProjectSpec, appNamespace: string, controllerNamespace: string): boolean {
  return !appNamespace || appNamespace === controllerNamespace || matchStringInList(project.sourceNamespaces, appNamespace);
}

// Argo CD's messages, word for word, so users can search for them.

export function sourceNotPermittedMessage(repoURL: string, project: string): string {
  return `application repo ${repoURL} is not permitted in project '${project}'`;
}

export function destinationNotPermittedMessage(server: string, namespace: string, project: string): string {
  return `application destination server '${server}' and namespace '${namespace}' do not match any of the allowed destinations in project '${project}'`;
}

export function resourceNotPermittedMessage(group: string, kind: string, project: string): string {
  return `resource ${group}:${kind} is not permitted in project ${project}`;
}

export function namespaceNotPermittedMessage(namespace: string, project: string): string {
  return `namespace ${namespace} is not permitted in project '${project}'`;
}

export function projectNotPermittedMessage(app: string, appNamespace: string, project: string): string {
  return `application '${app}' in namespace '${appNamespace}' is not permitted to use project '${project}'`;
}

export function projectMissingMessage(project: string): string {
  return `Application referencing project ${project} which does not exist`;
}
