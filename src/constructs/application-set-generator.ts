import { ApplicationSetTemplate, renderApplicationSetTemplate, TemplateDefaults } from './application-set-template';
import { throwIfErrors } from './validation';

/** Operator of a label selector expression. */
export enum LabelSelectorOperator {
  /** The label's value is one of `values`. */
  IN = 'In',
  /** The label is absent or its value is none of `values`. */
  NOT_IN = 'NotIn',
  /** The label is present. */
  EXISTS = 'Exists',
  /** The label is absent. */
  DOES_NOT_EXIST = 'DoesNotExist',
}

/** One expression of a label selector. */
export interface LabelSelectorRequirement {
  /** Label key (for generator selectors: a parameter name, nested keys joined with dots). */
  readonly key: string;
  /** Operator. */
  readonly operator: LabelSelectorOperator;
  /** Values for In/NotIn. @default - none (Exists/DoesNotExist) */
  readonly values?: string[];
}

/** A Kubernetes label selector. */
export interface LabelSelector {
  /** Exact matches. @default - none */
  readonly matchLabels?: { [key: string]: string };
  /** Expressions. @default - none */
  readonly matchExpressions?: LabelSelectorRequirement[];
}

/** Options every generator takes. */
export interface GeneratorOptions {
  /**
   * Keep only parameter sets whose (dot-flattened) parameters match this selector.
   * @default - every parameter set
   */
  readonly selector?: LabelSelector;
  /**
   * Template fields that override the ApplicationSet's template for this generator's Applications.
   * Not allowed on the children of a matrix or merge generator (Argo CD ignores them there).
   * @default - the ApplicationSet's template
   */
  readonly template?: ApplicationSetTemplate;
}

/** List generator options. */
export interface ListGeneratorProps extends GeneratorOptions {
  /**
   * One parameter set per element. Without `goTemplate` every value must be a string (and
   * `values` a map of strings).
   * @default - none
   */
  readonly elements?: Array<{ [key: string]: any }>;
  /** More elements as a YAML list (may itself be templated by a matrix). @default - none */
  readonly elementsYaml?: string;
}

/** Clusters generator options. */
export interface ClustersGeneratorProps extends GeneratorOptions {
  /**
   * Select cluster secrets by label. A non-empty selector excludes the local cluster (it has no secret).
   * @default - every cluster, including the local one
   */
  readonly clusterSelector?: LabelSelector;
  /** Extra parameters `values.<key>`; they may use the cluster's parameters. @default - none */
  readonly values?: { [key: string]: string };
  /** Produce one parameter set `clusters` (a list) instead of one per cluster. @default false */
  readonly flatList?: boolean;
}

/** A directory pattern of a git directories generator (Go `path.Match`: `*` stays within one directory). */
export interface GitDirectory {
  /** Pattern, e.g. `apps/*`. */
  readonly path: string;
  /** Exclude matching directories (wins over any include). @default false */
  readonly exclude?: boolean;
}

/** A file pattern of a git files generator. */
export interface GitFile {
  /** Pattern, e.g. `clusters/*.json` (git pathspec globbing: `*` also matches `/`). */
  readonly path: string;
  /** Exclude matching files. @default false */
  readonly exclude?: boolean;
}

/** Options shared by the git generators. */
export interface GitGeneratorOptions extends GeneratorOptions {
  /** Repository to read. @default - the GitOpsApp's repoURL */
  readonly repoURL?: string;
  /** Revision to read. @default - the GitOpsApp's targetRevision */
  readonly revision?: string;
  /** Put the path parameters under this prefix (`<prefix>.path`). @default - no prefix */
  readonly pathParamPrefix?: string;
  /** Extra parameters `values.<key>`; they may use the generator's parameters. @default - none */
  readonly values?: { [key: string]: string };
  /** How often Argo CD re-reads the repository, in seconds. @default - Argo CD's default (180) */
  readonly requeueAfterSeconds?: number;
}

/** Git directories generator options. */
export interface GitDirectoriesGeneratorProps extends GitGeneratorOptions {
  /** Directory patterns; each matching directory is one parameter set. */
  readonly directories: GitDirectory[];
}

/** Git files generator options. */
export interface GitFilesGeneratorProps extends GitGeneratorOptions {
  /** File patterns; each matching JSON/YAML file (or each item of a list in it) is one parameter set. */
  readonly files: GitFile[];
}

/** Matrix generator options. */
export interface MatrixGeneratorProps extends GeneratorOptions {
  /** Exactly two generators; each parameter set of the first can be used in the second's fields. */
  readonly generators: ApplicationSetGenerator[];
}

/** Merge generator options. */
export interface MergeGeneratorProps extends GeneratorOptions {
  /** Two or more generators; later ones override the first's parameter sets with equal merge keys. */
  readonly generators: ApplicationSetGenerator[];
  /** Parameters that identify a parameter set across generators. */
  readonly mergeKeys: string[];
}

/** A key of a Kubernetes Secret in Argo CD's namespace. */
export interface SecretKeyRef {
  /** Secret name. */
  readonly secretName: string;
  /** Key in the Secret. */
  readonly key: string;
}

/** A key of a ConfigMap in Argo CD's namespace (CA certificates). */
export interface ConfigMapKeyRef {
  /** ConfigMap name. */
  readonly configMapName: string;
  /** Key in the ConfigMap. */
  readonly key: string;
}

/** Basic authentication for Bitbucket. */
export interface BasicAuth {
  /** User name. */
  readonly username: string;
  /** Password or app password. */
  readonly passwordRef: SecretKeyRef;
}

/** Bearer token authentication for Bitbucket. */
export interface BearerToken {
  /** The token. */
  readonly tokenRef: SecretKeyRef;
}

/** SCM provider: GitHub organization. */
export interface ScmProviderGithub {
  /** Organization to scan. */
  readonly organization: string;
  /** API URL (GitHub Enterprise). @default - github.com */
  readonly api?: string;
  /** Token. @default - anonymous */
  readonly tokenRef?: SecretKeyRef;
  /** GitHub App credentials secret. @default - none */
  readonly appSecretName?: string;
  /** Every branch, not only the default one. @default false */
  readonly allBranches?: boolean;
  /** Skip archived repositories. @default false */
  readonly excludeArchivedRepos?: boolean;
}

/** SCM provider: GitLab group. */
export interface ScmProviderGitlab {
  /** Group to scan. */
  readonly group: string;
  /** @default - gitlab.com */
  readonly api?: string;
  /** @default - anonymous */
  readonly tokenRef?: SecretKeyRef;
  /** @default false */
  readonly allBranches?: boolean;
  /** @default false */
  readonly includeSubgroups?: boolean;
  /** @default true */
  readonly includeSharedProjects?: boolean;
  /** @default false */
  readonly includeArchivedRepos?: boolean;
  /** @default false */
  readonly insecure?: boolean;
  /** Only projects with this topic. @default - any */
  readonly topic?: string;
  /** @default - system CAs */
  readonly caRef?: ConfigMapKeyRef;
}

/** SCM provider: Gitea owner. */
export interface ScmProviderGitea {
  /** User or organization. */
  readonly owner: string;
  /** API URL. */
  readonly api: string;
  /** @default - anonymous */
  readonly tokenRef?: SecretKeyRef;
  /** @default false */
  readonly allBranches?: boolean;
  /** @default false */
  readonly insecure?: boolean;
  /** @default false */
  readonly excludeArchivedRepos?: boolean;
}

/** SCM provider: Bitbucket Cloud workspace. */
export interface ScmProviderBitbucket {
  /** Workspace. */
  readonly owner: string;
  /** User. */
  readonly user: string;
  /** App password. */
  readonly appPasswordRef: SecretKeyRef;
  /** @default false */
  readonly allBranches?: boolean;
}

/** SCM provider: Bitbucket Server project. */
export interface ScmProviderBitbucketServer {
  /** Project key. */
  readonly project: string;
  /** API URL. */
  readonly api: string;
  /** @default - none */
  readonly basicAuth?: BasicAuth;
  /** @default - none */
  readonly bearerToken?: BearerToken;
  /** @default false */
  readonly allBranches?: boolean;
  /** @default false */
  readonly insecure?: boolean;
  /** @default - system CAs */
  readonly caRef?: ConfigMapKeyRef;
}

/** SCM provider: Azure DevOps team project. */
export interface ScmProviderAzureDevOps {
  /** Organization. */
  readonly organization: string;
  /** Team project. */
  readonly teamProject: string;
  /** Access token. */
  readonly accessTokenRef: SecretKeyRef;
  /** @default - dev.azure.com */
  readonly api?: string;
  /** @default false */
  readonly allBranches?: boolean;
}

/** A tag filter of AWS CodeCommit. */
export interface AwsCodeCommitTagFilter {
  /** Tag key. */
  readonly key: string;
  /** Tag value. @default - any */
  readonly value?: string;
}

/** SCM provider: AWS CodeCommit. */
export interface ScmProviderAwsCodeCommit {
  /** @default - the controller's region */
  readonly region?: string;
  /** IAM role to assume. @default - the controller's identity */
  readonly role?: string;
  /** @default - none */
  readonly tagFilters?: AwsCodeCommitTagFilter[];
  /** @default false */
  readonly allBranches?: boolean;
}

/** A repository filter of the SCM provider generator (all conditions of one filter must hold). */
export interface ScmProviderFilter {
  /** Regex on the repository name. @default - any */
  readonly repositoryMatch?: string;
  /** Paths that must exist. @default - none */
  readonly pathsExist?: string[];
  /** Paths that must not exist. @default - none */
  readonly pathsDoNotExist?: string[];
  /** Regex on repository labels/topics. @default - any */
  readonly labelMatch?: string;
  /** Regex on the branch name. @default - any */
  readonly branchMatch?: string;
}

/** SCM provider generator options: exactly one provider. */
export interface ScmProviderGeneratorProps extends GeneratorOptions {
  /** @default - not GitHub */
  readonly github?: ScmProviderGithub;
  /** @default - not GitLab */
  readonly gitlab?: ScmProviderGitlab;
  /** @default - not Gitea */
  readonly gitea?: ScmProviderGitea;
  /** @default - not Bitbucket Cloud */
  readonly bitbucket?: ScmProviderBitbucket;
  /** @default - not Bitbucket Server */
  readonly bitbucketServer?: ScmProviderBitbucketServer;
  /** @default - not Azure DevOps */
  readonly azureDevOps?: ScmProviderAzureDevOps;
  /** @default - not CodeCommit */
  readonly awsCodeCommit?: ScmProviderAwsCodeCommit;
  /** @default - every repository */
  readonly filters?: ScmProviderFilter[];
  /** `https` or `ssh` for the `url` parameter. @default - the provider's default */
  readonly cloneProtocol?: string;
  /** @default - none */
  readonly values?: { [key: string]: string };
  /** @default - Argo CD's default (1800) */
  readonly requeueAfterSeconds?: number;
}

/** Pull requests of a GitHub repository. */
export interface PullRequestGithub {
  /** Owner. */
  readonly owner: string;
  /** Repository. */
  readonly repo: string;
  /** @default - github.com */
  readonly api?: string;
  /** @default - anonymous */
  readonly tokenRef?: SecretKeyRef;
  /** @default - none */
  readonly appSecretName?: string;
  /** Only PRs with all these labels. @default - any */
  readonly labels?: string[];
}

/** Merge requests of a GitLab project. */
export interface PullRequestGitlab {
  /** Project id or path. */
  readonly project: string;
  /** @default - gitlab.com */
  readonly api?: string;
  /** @default - anonymous */
  readonly tokenRef?: SecretKeyRef;
  /** @default - any */
  readonly labels?: string[];
  /** e.g. `opened`. @default - all */
  readonly pullRequestState?: string;
  /** @default false */
  readonly insecure?: boolean;
  /** @default - system CAs */
  readonly caRef?: ConfigMapKeyRef;
}

/** Pull requests of a Gitea repository. */
export interface PullRequestGitea {
  /** Owner. */
  readonly owner: string;
  /** Repository. */
  readonly repo: string;
  /** API URL. */
  readonly api: string;
  /** @default - anonymous */
  readonly tokenRef?: SecretKeyRef;
  /** @default false */
  readonly insecure?: boolean;
  /** @default - any */
  readonly labels?: string[];
}

/** Pull requests of a Bitbucket Server repository. */
export interface PullRequestBitbucketServer {
  /** Project key. */
  readonly project: string;
  /** Repository. */
  readonly repo: string;
  /** API URL. */
  readonly api: string;
  /** @default - none */
  readonly basicAuth?: BasicAuth;
  /** @default - none */
  readonly bearerToken?: BearerToken;
  /** @default false */
  readonly insecure?: boolean;
  /** @default - system CAs */
  readonly caRef?: ConfigMapKeyRef;
}

/** Pull requests of a Bitbucket Cloud repository. */
export interface PullRequestBitbucket {
  /** Workspace. */
  readonly owner: string;
  /** Repository. */
  readonly repo: string;
  /** @default - api.bitbucket.org */
  readonly api?: string;
  /** @default - none */
  readonly basicAuth?: BasicAuth;
  /** @default - none */
  readonly bearerToken?: BearerToken;
}

/** Pull requests of an Azure DevOps repository. */
export interface PullRequestAzureDevOps {
  /** Organization. */
  readonly organization: string;
  /** Project. */
  readonly project: string;
  /** Repository. */
  readonly repo: string;
  /** @default - dev.azure.com */
  readonly api?: string;
  /** @default - anonymous */
  readonly tokenRef?: SecretKeyRef;
  /** @default - any */
  readonly labels?: string[];
}

/** A pull request filter (all conditions of one filter must hold). */
export interface PullRequestFilter {
  /** Regex on the source branch. @default - any */
  readonly branchMatch?: string;
  /** Regex on the target branch. @default - any */
  readonly targetBranchMatch?: string;
  /** Regex on the title. @default - any */
  readonly titleMatch?: string;
}

/** Pull request generator options: exactly one provider. */
export interface PullRequestGeneratorProps extends GeneratorOptions {
  /** @default - not GitHub */
  readonly github?: PullRequestGithub;
  /** @default - not GitLab */
  readonly gitlab?: PullRequestGitlab;
  /** @default - not Gitea */
  readonly gitea?: PullRequestGitea;
  /** @default - not Bitbucket Server */
  readonly bitbucketServer?: PullRequestBitbucketServer;
  /** @default - not Bitbucket Cloud */
  readonly bitbucket?: PullRequestBitbucket;
  /** @default - not Azure DevOps */
  readonly azureDevOps?: PullRequestAzureDevOps;
  /** @default - every pull request */
  readonly filters?: PullRequestFilter[];
  /** Produce nothing (instead of failing) when the repository does not exist. @default false */
  readonly continueOnRepoNotFoundError?: boolean;
  /** @default - none */
  readonly values?: { [key: string]: string };
  /** @default - Argo CD's default (1800) */
  readonly requeueAfterSeconds?: number;
}

/** Cluster decision resource (duck-typed placement) generator options. */
export interface ClusterDecisionResourceGeneratorProps extends GeneratorOptions {
  /** ConfigMap describing the resource kind and where its status lists clusters. */
  readonly configMapRef: string;
  /** Name of the resource. Set this or `labelSelector`. @default - use labelSelector */
  readonly name?: string;
  /** Select resources by label. @default - use name */
  readonly labelSelector?: LabelSelector;
  /** @default - none */
  readonly values?: { [key: string]: string };
  /** @default - Argo CD's default (180) */
  readonly requeueAfterSeconds?: number;
}

/** Plugin generator options. */
export interface PluginGeneratorProps extends GeneratorOptions {
  /** ConfigMap with the plugin's URL and token. */
  readonly configMapRef: string;
  /** Parameters sent to the plugin. @default - none */
  readonly parameters?: { [key: string]: any };
  /** @default - none */
  readonly values?: { [key: string]: string };
  /** @default - Argo CD's default (1800) */
  readonly requeueAfterSeconds?: number;
}

const COMBINATIONS = new Set(['matrix', 'merge']);

/**
 * A generator of an ApplicationSet: where parameter sets come from. Create one with the static
 * methods; invalid shapes (a matrix without exactly two children, nesting deeper than Argo CD
 * allows, merge without keys, several SCM providers) throw at once.
 */
export class ApplicationSetGenerator {
  /** Fixed parameter sets. */
  public static list(props: ListGeneratorProps): ApplicationSetGenerator {
    throwIfErrors('list generator', [
      props.elements === undefined && props.elementsYaml === undefined ? 'set elements or elementsYaml' : undefined,
      ...(props.elements ?? []).map((e, i) => (e === null || typeof e !== 'object' || Array.isArray(e) ? `elements[${i}] must be an object of parameters` : undefined)),
    ]);
    return new ApplicationSetGenerator('list', props, () => ({ elements: props.elements ?? [], elementsYaml: props.elementsYaml }));
  }

  /** One parameter set per cluster registered in Argo CD. */
  public static clusters(props: ClustersGeneratorProps = {}): ApplicationSetGenerator {
    throwIfErrors('clusters generator', selectorErrors('clusterSelector', props.clusterSelector));
    return new ApplicationSetGenerator('clusters', props, () => ({
      selector: props.clusterSelector && renderSelector(props.clusterSelector),
      values: props.values,
      flatList: props.flatList,
    }));
  }

  /** One parameter set per matching directory of a Git repository. */
  public static gitDirectories(props: GitDirectoriesGeneratorProps): ApplicationSetGenerator {
    throwIfErrors('git directories generator', [
      props.directories.length === 0 ? 'directories must not be empty' : undefined,
      props.directories.every(d => d.exclude) ? 'every directory pattern is an exclude; add at least one include pattern' : undefined,
      ...props.directories.map(d => (d.path.trim() === '' ? 'a directory pattern is empty' : undefined)),
    ]);
    return new ApplicationSetGenerator('git', props, (defaults) => ({
      ...gitCommon(props, defaults),
      directories: props.directories.map(d => compactJson({ path: d.path, exclude: d.exclude })),
    }));
  }

  /** One parameter set per matching JSON/YAML file (or list item in it) of a Git repository. */
  public static gitFiles(props: GitFilesGeneratorProps): ApplicationSetGenerator {
    throwIfErrors('git files generator', [
      props.files.length === 0 ? 'files must not be empty' : undefined,
      props.files.every(f => f.exclude) ? 'every file pattern is an exclude; add at least one include pattern' : undefined,
      ...props.files.map(f => (f.path.trim() === '' ? 'a file pattern is empty' : undefined)),
    ]);
    return new ApplicationSetGenerator('git', props, (defaults) => ({
      ...gitCommon(props, defaults),
      files: props.files.map(f => compactJson({ path: f.path, exclude: f.exclude })),
    }));
  }

  /** The cartesian product of two generators. */
  public static matrix(props: MatrixGeneratorProps): ApplicationSetGenerator {
    throwIfErrors('matrix generator', [
      props.generators.length !== 2 ? `a matrix combines exactly two generators, got ${props.generators.length}; nest a second matrix to combine more` : undefined,
      ...childErrors('matrix', props.generators),
    ]);
    return new ApplicationSetGenerator('matrix', props, (defaults) => ({ generators: props.generators.map(g => g._render(defaults)) }), props.generators);
  }

  /** Parameter sets of the first generator, overridden by later ones with equal merge keys. */
  public static merge(props: MergeGeneratorProps): ApplicationSetGenerator {
    throwIfErrors('merge generator', [
      props.generators.length < 2 ? `a merge needs at least two generators, got ${props.generators.length}` : undefined,
      props.mergeKeys.length === 0 ? 'mergeKeys must name at least one parameter' : undefined,
      ...childErrors('merge', props.generators),
    ]);
    return new ApplicationSetGenerator('merge', props, (defaults) => ({
      mergeKeys: props.mergeKeys,
      generators: props.generators.map(g => g._render(defaults)),
    }), props.generators);
  }

  /** Repositories of an SCM provider (cannot be expanded offline). */
  public static scmProvider(props: ScmProviderGeneratorProps): ApplicationSetGenerator {
    throwIfErrors('scmProvider generator', [exactlyOneProvider(props, ['github', 'gitlab', 'gitea', 'bitbucket', 'bitbucketServer', 'azureDevOps', 'awsCodeCommit'])]);
    return new ApplicationSetGenerator('scmProvider', props, () => {
      const { selector: _s, template: _t, ...rest } = props;
      return rest;
    });
  }

  /** Open pull requests of a repository (cannot be expanded offline). */
  public static pullRequest(props: PullRequestGeneratorProps): ApplicationSetGenerator {
    throwIfErrors('pullRequest generator', [exactlyOneProvider(props, ['github', 'gitlab', 'gitea', 'bitbucketServer', 'bitbucket', 'azureDevOps'])]);
    return new ApplicationSetGenerator('pullRequest', props, () => {
      const { selector: _s, template: _t, azureDevOps, ...rest } = props;
      // Argo CD spells this provider `azuredevops` in the pullRequest generator only.
      return { ...rest, azuredevops: azureDevOps };
    });
  }

  /** Clusters listed in the status of a placement resource (cannot be expanded offline). */
  public static clusterDecisionResource(props: ClusterDecisionResourceGeneratorProps): ApplicationSetGenerator {
    throwIfErrors('clusterDecisionResource generator', [
      props.name === undefined && props.labelSelector === undefined ? 'set name or labelSelector to find the decision resource' : undefined,
      ...selectorErrors('labelSelector', props.labelSelector),
    ]);
    return new ApplicationSetGenerator('clusterDecisionResource', props, () => ({
      configMapRef: props.configMapRef,
      name: props.name,
      labelSelector: props.labelSelector && renderSelector(props.labelSelector),
      values: props.values,
      requeueAfterSeconds: props.requeueAfterSeconds,
    }));
  }

  /** Parameter sets from an HTTP plugin service (cannot be expanded offline). */
  public static plugin(props: PluginGeneratorProps): ApplicationSetGenerator {
    return new ApplicationSetGenerator('plugin', props, () => ({
      configMapRef: { name: props.configMapRef },
      input: props.parameters && { parameters: props.parameters },
      values: props.values,
      requeueAfterSeconds: props.requeueAfterSeconds,
    }));
  }

  /** Generator kind as Argo CD names it (`list`, `git`, `matrix`, …). */
  public readonly kind: string;
  private readonly options: GeneratorOptions;
  private readonly body: (defaults: TemplateDefaults) => any;
  private readonly children: ApplicationSetGenerator[];

  private constructor(kind: string, options: GeneratorOptions, body: (defaults: TemplateDefaults) => any, children: ApplicationSetGenerator[] = []) {
    throwIfErrors(`${kind} generator`, selectorErrors('selector', options.selector));
    this.kind = kind;
    this.options = options;
    this.body = body;
    this.children = children;
  }

  /** Whether this is a matrix or merge generator. */
  public get isCombination(): boolean {
    return COMBINATIONS.has(this.kind);
  }

  /** @internal */
  public _hasTemplate(): boolean {
    return this.options.template !== undefined;
  }

  /** @internal */
  public _children(): ApplicationSetGenerator[] {
    return this.children;
  }

  /** The generator as it appears in `spec.generators`. @internal */
  public _render(defaults: TemplateDefaults): any {
    const body = compactJson(this.body(defaults));
    if (this.options.template) body.template = renderApplicationSetTemplate(`${this.kind} generator template`, this.options.template, defaults, true);
    const out: any = { [this.kind]: body };
    if (this.options.selector) out.selector = renderSelector(this.options.selector);
    return out;
  }
}

function childErrors(kind: string, children: ApplicationSetGenerator[]): Array<string | undefined> {
  return children.flatMap((child, i) => [
    child._hasTemplate() ? `generators[${i}] (${child.kind}) has a template override, which Argo CD ignores inside a ${kind}; set the template on the ${kind} generator instead` : undefined,
    ...child._children().map(grandchild => (child.isCombination && grandchild.isCombination
      ? `generators[${i}] (${child.kind}) contains a ${grandchild.kind} generator: Argo CD nests matrix/merge generators only one level deep`
      : undefined)),
  ]);
}

function exactlyOneProvider(props: any, providers: string[]): string | undefined {
  const set = providers.filter(p => props[p] !== undefined);
  if (set.length === 1) return undefined;
  return set.length === 0
    ? `set one provider (${providers.join(', ')})`
    : `set exactly one provider, got ${set.join(' and ')}`;
}

function selectorErrors(what: string, selector: LabelSelector | undefined): Array<string | undefined> {
  return (selector?.matchExpressions ?? []).map(e => {
    const withValues = e.operator === LabelSelectorOperator.IN || e.operator === LabelSelectorOperator.NOT_IN;
    if (!e.key) return `${what}: an expression has an empty key`;
    if (withValues && !(e.values?.length)) return `${what}: expression on '${e.key}' with ${e.operator} needs at least one value`;
    if (!withValues && e.values?.length) return `${what}: expression on '${e.key}' with ${e.operator} takes no values`;
    return undefined;
  });
}

function renderSelector(selector: LabelSelector): any {
  return compactJson({
    matchLabels: selector.matchLabels,
    matchExpressions: selector.matchExpressions?.map(e => compactJson({ key: e.key, operator: e.operator, values: e.values })),
  });
}

function gitCommon(props: GitGeneratorOptions, defaults: TemplateDefaults): any {
  const repoURL = props.repoURL ?? defaults.repoURL;
  if (!repoURL) throw new Error('git generator has no repoURL; set it, or create the ApplicationSet inside a GitOpsApp');
  return {
    repoURL,
    revision: props.revision ?? (repoURL === defaults.repoURL ? defaults.targetRevision : undefined) ?? 'HEAD',
    pathParamPrefix: props.pathParamPrefix,
    values: props.values,
    requeueAfterSeconds: props.requeueAfterSeconds,
  };
}

/** JSON without undefined fields (recursively), so the manifest holds only what was set. */
function compactJson(value: any): any {
  return JSON.parse(JSON.stringify(value));
}
