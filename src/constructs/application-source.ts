/** A Jsonnet external variable or top-level argument. */
export interface JsonnetVariable {
  /** Variable name. */
  readonly name: string;
  /** Variable value. */
  readonly value: string;
  /**
   * Whether the value is Jsonnet code rather than a string.
   * @default false
   */
  readonly code?: boolean;
}

/** Jsonnet options of a directory source. */
export interface DirectoryJsonnet {
  /** External variables (`--ext-str`/`--ext-code`). @default - none */
  readonly extVars?: JsonnetVariable[];
  /** Top-level arguments (`--tla-str`/`--tla-code`). @default - none */
  readonly tlas?: JsonnetVariable[];
  /** Additional library search paths. @default - none */
  readonly libs?: string[];
}

/** Options of a plain-manifests (directory) source. */
export interface ApplicationSourceDirectory {
  /** Read sub-directories too. @default false */
  readonly recurse?: boolean;
  /** Glob of files to include, e.g. `{*.yaml,*.yml}`. @default - all files */
  readonly include?: string;
  /** Glob of files to exclude. @default - none */
  readonly exclude?: string;
  /** Jsonnet options. @default - none */
  readonly jsonnet?: DirectoryJsonnet;
}

/** A Helm `--set` parameter. */
export interface HelmParameter {
  /** Parameter name, e.g. `image.tag`. */
  readonly name: string;
  /** Parameter value. */
  readonly value: string;
  /** Use `--set-string` so the value stays a string. @default false */
  readonly forceString?: boolean;
}

/** A Helm `--set-file` parameter. */
export interface HelmFileParameter {
  /** Parameter name. */
  readonly name: string;
  /** Path of the file whose content becomes the value. */
  readonly path: string;
}

/** Helm options of a source. */
export interface ApplicationSourceHelm {
  /** Values files, relative to the chart (or `$ref/…` for a multi-source ref). @default - none */
  readonly valueFiles?: string[];
  /** Values as a YAML string. Prefer `valuesObject`. @default - none */
  readonly values?: string;
  /** Values as an object. @default - none */
  readonly valuesObject?: { [key: string]: any };
  /** `--set` parameters. @default - none */
  readonly parameters?: HelmParameter[];
  /** `--set-file` parameters. @default - none */
  readonly fileParameters?: HelmFileParameter[];
  /** Helm release name. @default - the Application name */
  readonly releaseName?: string;
  /** Skip installing CRDs. @default false */
  readonly skipCrds?: boolean;
  /** Skip values schema validation. @default false */
  readonly skipSchemaValidation?: boolean;
  /** Skip rendering test manifests. @default false */
  readonly skipTests?: boolean;
  /** Do not fail on missing value files. @default false */
  readonly ignoreMissingValueFiles?: boolean;
  /** Pass repository credentials to all domains. @default false */
  readonly passCredentials?: boolean;
  /** Helm version, e.g. `v3`. @default - Argo CD's default */
  readonly version?: string;
  /** Kubernetes version passed to `helm template --kube-version`. @default - the destination's */
  readonly kubeVersion?: string;
  /** API versions passed to `helm template --api-versions`. @default - the destination's */
  readonly apiVersions?: string[];
  /** Namespace passed to `helm template --namespace`. @default - the destination namespace */
  readonly namespace?: string;
}

/** A Kustomize replica count override. */
export interface KustomizeReplica {
  /** Name of the Deployment/StatefulSet. */
  readonly name: string;
  /** Replica count. */
  readonly count: number;
}

/** Which resources a Kustomize patch applies to. */
export interface KustomizePatchTarget {
  /** @default - any */
  readonly group?: string;
  /** @default - any */
  readonly version?: string;
  /** @default - any */
  readonly kind?: string;
  /** @default - any */
  readonly name?: string;
  /** @default - any */
  readonly namespace?: string;
  /** @default - any */
  readonly labelSelector?: string;
  /** @default - any */
  readonly annotationSelector?: string;
}

/** A Kustomize patch. */
export interface KustomizePatch {
  /** Inline patch (strategic merge or JSON 6902). @default - use `path` */
  readonly patch?: string;
  /** Path of a patch file. @default - use `patch` */
  readonly path?: string;
  /** Resources to patch. @default - as the patch names */
  readonly target?: KustomizePatchTarget;
  /** Patch options, e.g. `allowNameChange`. @default - none */
  readonly options?: { [key: string]: boolean };
}

/** Kustomize options of a source. */
export interface ApplicationSourceKustomize {
  /** @default - none */
  readonly namePrefix?: string;
  /** @default - none */
  readonly nameSuffix?: string;
  /** Image overrides, e.g. `nginx=nginx:1.27`. @default - none */
  readonly images?: string[];
  /** @default - none */
  readonly commonLabels?: { [key: string]: string };
  /** @default - none */
  readonly commonAnnotations?: { [key: string]: string };
  /** Substitute environment variables in common annotations. @default false */
  readonly commonAnnotationsEnvsubst?: boolean;
  /** @default false */
  readonly forceCommonLabels?: boolean;
  /** @default false */
  readonly forceCommonAnnotations?: boolean;
  /** @default - none */
  readonly namespace?: string;
  /** @default - none */
  readonly replicas?: KustomizeReplica[];
  /** @default - none */
  readonly patches?: KustomizePatch[];
  /** Kustomize components. @default - none */
  readonly components?: string[];
  /** @default false */
  readonly ignoreMissingComponents?: boolean;
  /** Apply common labels without adding them to selectors. @default false */
  readonly labelWithoutSelector?: boolean;
  /** Also label pod templates when labelWithoutSelector is set. @default false */
  readonly labelIncludeTemplates?: boolean;
  /** @default - the destination's */
  readonly kubeVersion?: string;
  /** @default - the destination's */
  readonly apiVersions?: string[];
  /** Kustomize version name configured in Argo CD. @default - Argo CD's default */
  readonly version?: string;
}

/** An environment variable passed to a config management plugin. */
export interface PluginEnv {
  /** Variable name. */
  readonly name: string;
  /** Variable value. */
  readonly value: string;
}

/** A parameter passed to a config management plugin: exactly one of string, array or map. */
export interface PluginParameter {
  /** Parameter name. */
  readonly name: string;
  /** @default - not a string parameter */
  readonly string?: string;
  /** @default - not an array parameter */
  readonly array?: string[];
  /** @default - not a map parameter */
  readonly map?: { [key: string]: string };
}

/** Config management plugin options of a source. */
export interface ApplicationSourcePlugin {
  /** Plugin name. @default - discovered by Argo CD */
  readonly name?: string;
  /** @default - none */
  readonly env?: PluginEnv[];
  /** @default - none */
  readonly parameters?: PluginParameter[];
}

/**
 * Where an Application's manifests come from (Argo CD `ApplicationSource`).
 *
 * You rarely need this: an Application's own folder in the committed directory is its source by
 * default. Use it for Helm charts, other repositories, or multi-source `ref`s.
 */
export interface ApplicationSource {
  /**
   * Git or Helm repository URL.
   * @default - the GitOpsApp's repoURL
   */
  readonly repoURL?: string;
  /** Path inside a Git repository. @default - none */
  readonly path?: string;
  /**
   * Git revision, or the chart version for Helm repositories (required with `chart`).
   * @default - the GitOpsApp's targetRevision for its own repository
   */
  readonly targetRevision?: string;
  /** Helm chart name, for Helm repositories. @default - not a Helm repository source */
  readonly chart?: string;
  /** Reference name for use as `$ref/…` by other sources of a multi-source Application. @default - none */
  readonly ref?: string;
  /** Name of the source (multi-source Applications). @default - none */
  readonly name?: string;
  /** Tag prefix used when resolving semver ranges in targetRevision. @default - none */
  readonly tagPrefix?: string;
  /** Directory options. @default - none */
  readonly directory?: ApplicationSourceDirectory;
  /** Helm options. @default - none */
  readonly helm?: ApplicationSourceHelm;
  /** Kustomize options. @default - none */
  readonly kustomize?: ApplicationSourceKustomize;
  /** Config management plugin options. @default - none */
  readonly plugin?: ApplicationSourcePlugin;
}

/** The dry source of a source hydrator. */
export interface HydratorDrySource {
  /** Repository URL. @default - the GitOpsApp's repoURL */
  readonly repoURL?: string;
  /** Revision to hydrate from. @default - the GitOpsApp's targetRevision */
  readonly targetRevision?: string;
  /** Path in the repository. */
  readonly path: string;
  /** @default - none */
  readonly directory?: ApplicationSourceDirectory;
  /** @default - none */
  readonly helm?: ApplicationSourceHelm;
  /** @default - none */
  readonly kustomize?: ApplicationSourceKustomize;
  /** @default - none */
  readonly plugin?: ApplicationSourcePlugin;
}

/** Where hydrated manifests are synced from. */
export interface HydratorSyncSource {
  /** Branch holding the hydrated manifests. */
  readonly targetBranch: string;
  /** Path on that branch. */
  readonly path: string;
  /** Repository URL. @default - the dry source's */
  readonly repoURL?: string;
}

/** Argo CD source hydrator (render manifests into a branch, then sync from it). */
export interface SourceHydrator {
  /** The source to render. */
  readonly drySource: HydratorDrySource;
  /** Where to sync from. */
  readonly syncSource: HydratorSyncSource;
  /** Staging branch to push hydrated manifests to first. @default - push to syncSource.targetBranch */
  readonly hydrateToBranch?: string;
}

/** Defaults for sources that do not name a repository. */
export interface SourceDefaults {
  readonly repoURL?: string;
  readonly targetRevision?: string;
}

/** Renders one source as Argo CD expects it, or throws with a message naming the problem. */
export function renderSource(where: string, source: ApplicationSource, defaults: SourceDefaults): any {
  const repoURL = source.repoURL ?? defaults.repoURL;
  if (!repoURL) {
    throw new Error(`${where}: source has no repoURL; set it, or create the Application inside a GitOpsApp`);
  }
  if (source.path === undefined && source.chart === undefined && source.ref === undefined) {
    throw new Error(`${where}: source for '${repoURL}' has none of path, chart or ref; set 'path' for a Git directory, 'chart' for a Helm repository, or 'ref' for a values-only source`);
  }
  if (source.path !== undefined && source.chart !== undefined) {
    throw new Error(`${where}: source for '${repoURL}' sets both path and chart; a source is either a Git path or a Helm chart`);
  }
  if (source.chart !== undefined && !source.targetRevision) {
    throw new Error(`${where}: Helm chart '${source.chart}' has no targetRevision; set it to the chart version (e.g. '1.2.3' or '1.*')`);
  }
  if (source.ref !== undefined && !/^[a-zA-Z0-9_-]+$/.test(source.ref)) {
    throw new Error(`${where}: source ref '${source.ref}' may only contain letters, digits, '_' and '-'`);
  }
  const targetRevision = source.targetRevision ?? (repoURL === defaults.repoURL ? defaults.targetRevision : undefined);
  for (const p of source.plugin?.parameters ?? []) {
    const kinds = [p.string, p.array, p.map].filter(v => v !== undefined).length;
    if (kinds !== 1) {
      throw new Error(`${where}: plugin parameter '${p.name}' must set exactly one of string, array or map`);
    }
  }
  return compact({
    repoURL,
    path: source.path,
    targetRevision,
    chart: source.chart,
    ref: source.ref,
    name: source.name,
    tagPrefix: source.tagPrefix,
    directory: source.directory && renderDirectory(source.directory),
    helm: source.helm && renderHelm(source.helm),
    kustomize: source.kustomize && renderKustomize(source.kustomize),
    plugin: source.plugin && compact({ ...source.plugin }),
  });
}

export function renderSourceHydrator(where: string, hydrator: SourceHydrator, defaults: SourceDefaults): any {
  const dry = hydrator.drySource;
  const repoURL = dry.repoURL ?? defaults.repoURL;
  const targetRevision = dry.targetRevision ?? defaults.targetRevision;
  if (!repoURL || !targetRevision) {
    throw new Error(`${where}: sourceHydrator.drySource needs repoURL and targetRevision (or a GitOpsApp to default them)`);
  }
  return compact({
    drySource: compact({
      repoURL,
      targetRevision,
      path: dry.path,
      directory: dry.directory && renderDirectory(dry.directory),
      helm: dry.helm && renderHelm(dry.helm),
      kustomize: dry.kustomize && renderKustomize(dry.kustomize),
      plugin: dry.plugin && compact({ ...dry.plugin }),
    }),
    syncSource: compact({ ...hydrator.syncSource }),
    hydrateTo: hydrator.hydrateToBranch ? { targetBranch: hydrator.hydrateToBranch } : undefined,
  });
}

function renderDirectory(d: ApplicationSourceDirectory): any {
  return compact({ ...d, jsonnet: d.jsonnet && compact({ ...d.jsonnet }) });
}

function renderHelm(h: ApplicationSourceHelm): any {
  return compact({ ...h });
}

function renderKustomize(k: ApplicationSourceKustomize): any {
  return compact({ ...k, patches: k.patches?.map(p => compact({ ...p, target: p.target && compact({ ...p.target }) })) });
}

/** Drops undefined values and empty arrays/objects, which Argo CD treats like absent fields. */
export function compact(obj: { [key: string]: any }): any {
  const out: { [key: string]: any } = {};
  for (const [key, value] of Object.entries(obj)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) continue;
    out[key] = value;
  }
  return out;
}
