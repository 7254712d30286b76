import * as path from 'path';
import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { DeletionFinalizer } from './application';
import { ApplicationSetGenerator } from './application-set-generator';
import { ApplicationSetPreview, previewClusters } from './application-set-preview';
import { ApplicationSetTemplate, renderApplicationSetTemplate, TemplateDefaults } from './application-set-template';
import { compact } from './application-source';
import { gitOpsAppOf } from './gitops-app-scope';
import { dns1123SubdomainError, jsonPointerError, throwIfErrors } from './validation';
import { ARGOCD_NAMESPACE } from '../argo/destination';
import { checkGeneratedSources, expandApplicationSet, LocalGitSource } from '../engine/appset';
import { listParams } from '../engine/appset/generators/list';
import { missingKeyOption } from '../engine/appset/go-template';
import { findGitRoot } from '../git/git-root';
import { GENERATED_HEADER } from '../synth/generated-file';

const APPLICATION_SET_SYMBOL = Symbol.for('cdk8s-argocd.ApplicationSet');

/** What the ApplicationSet controller may do to the Applications it generates. */
export enum ApplicationsSyncPolicy {
  /** Only create Applications. */
  CREATE_ONLY = 'create-only',
  /** Create and update, never delete. */
  CREATE_UPDATE = 'create-update',
  /** Create and delete, never update. */
  CREATE_DELETE = 'create-delete',
  /** Create, update and delete (Argo CD's default). */
  SYNC = 'sync',
}

/** The ApplicationSet's own sync policy (not the generated Applications'). */
export interface ApplicationSetSyncPolicy {
  /**
   * Keep the generated Applications' resources when the set or an Application is deleted (no
   * resources finalizer is added to generated Applications).
   * @default false
   */
  readonly preserveResourcesOnDeletion?: boolean;
  /** @default - Argo CD's default (sync) */
  readonly applicationsSync?: ApplicationsSyncPolicy;
}

/** Operator of a RollingSync step expression. */
export enum RollingSyncOperator {
  /** The Application's label value is one of the values. */
  IN = 'In',
  /** The label is absent or its value is none of the values. */
  NOT_IN = 'NotIn',
}

/** Selects generated Applications by label for a RollingSync step. */
export interface RollingSyncMatchExpression {
  /** Label key of the generated Applications (set it in the template's labels). */
  readonly key: string;
  /** In or NotIn. */
  readonly operator: RollingSyncOperator;
  /** Label values. */
  readonly values: string[];
}

/** How many Applications of a step may sync at once. */
export class MaxUpdate {
  /** At most `n` Applications at a time (0 means the step is held). */
  public static count(n: number): MaxUpdate {
    if (!Number.isInteger(n) || n < 0) throw new Error(`maxUpdate count ${n} must be a non-negative integer`);
    return new MaxUpdate(n, false);
  }

  /** At most this percentage of the step's Applications at a time (rounded down, at least one). */
  public static percent(p: number): MaxUpdate {
    if (!Number.isInteger(p) || p < 0 || p > 100) throw new Error(`maxUpdate percent ${p} must be an integer from 0 to 100`);
    return new MaxUpdate(p, true);
  }

  private constructor(
    /** A number of Applications, or a percentage (0-100) when `isPercent`. */
    public readonly value: number,
    /** Whether `value` is a percentage of the step's Applications (`MaxUpdate.percent()`). */
    public readonly isPercent: boolean,
  ) {}

  /** The value as the manifest writes it: a number, or a percentage such as `25%`. @internal */
  public _manifestValue(): number | string {
    return this.isPercent ? `${this.value}%` : this.value;
  }
}

/** One Application an ApplicationSet generates, as `ApplicationSet.expand()` returns it. */
export interface GeneratedApplication {
  /** `metadata.name` of the Application. */
  readonly name: string;
  /** `metadata.namespace` of the Application (the ApplicationSet's namespace). */
  readonly namespace: string;
  /**
   * The whole `argoproj.io/v1alpha1` Application as the ApplicationSet controller would create it
   * (`apiVersion`, `kind`, `metadata`, `spec`), as plain JSON.
   */
  readonly manifest: { [key: string]: any };
}

/** One step of a RollingSync. */
export interface RollingSyncStep {
  /** Applications of this step: all expressions must match their labels. */
  readonly matchExpressions: RollingSyncMatchExpression[];
  /** @default - every Application of the step at once */
  readonly maxUpdate?: MaxUpdate;
}

/** Order in which generated Applications are deleted. */
export enum DeletionOrder {
  /** All at once (default). */
  ALL_AT_ONCE = 'AllAtOnce',
  /** RollingSync steps in reverse order. */
  REVERSE = 'Reverse',
}

/** Progressive sync of the generated Applications. */
export interface RollingSyncStrategy {
  /** Steps; step N+1 starts when every Application of steps up to N is healthy. */
  readonly steps: RollingSyncStep[];
  /** @default DeletionOrder.ALL_AT_ONCE */
  readonly deletionOrder?: DeletionOrder;
}

/** Differences in generated Applications that the controller leaves alone (e.g. fields changed by hand). */
export interface ApplicationSetIgnoreDifferences {
  /** Applications this applies to. @default - all */
  readonly name?: string;
  /** JSON pointers into the Application, e.g. `/spec/source/targetRevision`. @default - none */
  readonly jsonPointers?: string[];
  /** jq path expressions. @default - none */
  readonly jqPathExpressions?: string[];
}

/** Labels and annotations of generated Applications that the controller does not overwrite. */
export interface ApplicationSetPreservedFields {
  /** @default - none */
  readonly labels?: string[];
  /** @default - none */
  readonly annotations?: string[];
}

/** Options of an ApplicationSet. Field names follow the Argo CD `ApplicationSet` spec. */
export interface ApplicationSetProps {
  /** @default - the construct id */
  readonly name?: string;
  /** Namespace of the set; generated Applications are always created in it. @default - the GitOpsApp's argocdNamespace */
  readonly namespace?: string;
  /** Where parameter sets come from; their results are concatenated. */
  readonly generators: ApplicationSetGenerator[];
  /** The Application generated for each parameter set. */
  readonly template: ApplicationSetTemplate;
  /** Render with Go templates (`{{.param}}`) instead of fasttemplate (`{{param}}`). @default false */
  readonly goTemplate?: boolean;
  /** Go template options; `missingkey=error` is recommended. @default - none */
  readonly goTemplateOptions?: string[];
  /** A templated YAML patch applied to each generated Application (e.g. conditional fields). @default - none */
  readonly templatePatch?: string;
  /** @default - Argo CD's defaults */
  readonly syncPolicy?: ApplicationSetSyncPolicy;
  /** Progressive sync (needs progressive syncs enabled in Argo CD). @default - all at once */
  readonly rollingSync?: RollingSyncStrategy;
  /** @default - none */
  readonly ignoreApplicationDifferences?: ApplicationSetIgnoreDifferences[];
  /** @default - none */
  readonly preservedFields?: ApplicationSetPreservedFields;
  /** @default - none */
  readonly labels?: { [key: string]: string };
  /** @default - none */
  readonly annotations?: { [key: string]: string };
  /**
   * Write the Applications this set generates (expanded offline) to
   * `<outdir>/_preview/applicationset-<name>.yaml` on synth, for review. Argo CD never reads that
   * folder: it is outside every Application's source path.
   * @default - no preview
   */
  readonly preview?: ApplicationSetPreview;
}

/** Folder of the committed directory holding expansion previews; no Application can be named like it. */
export const PREVIEW_FOLDER = '_preview';
/** apiVersion/kind of a preview file: not installed anywhere, on purpose. */
export const PREVIEW_API_VERSION = 'preview.cdk8s-argocd.io/v1';
export const PREVIEW_KIND = 'ApplicationSetPreview';

/**
 * An Argo CD ApplicationSet: Applications generated from one template and typed generators.
 * At the top level its manifest goes to `apps/`; inside an Application, to that Application's folder.
 */
export class ApplicationSet extends Chart {
  /** Whether `x` is an ApplicationSet. */
  public static isApplicationSet(x: any): x is ApplicationSet {
    return x !== null && typeof x === 'object' && APPLICATION_SET_SYMBOL in x;
  }

  /** Name of the set. */
  public readonly name: string;
  /** Namespace of the set (and of the generated Applications). */
  public readonly argocdNamespace: string;
  /** The `argoproj.io/v1alpha1` ApplicationSet object. */
  public readonly resource: ApiObject;
  private readonly props: ApplicationSetProps;

  public constructor(scope: Construct, id: string, props: ApplicationSetProps) {
    super(scope, id, { disableResourceNameHashes: true });
    Object.defineProperty(this, APPLICATION_SET_SYMBOL, { value: true });
    this.props = props;
    this.name = props.name ?? id;
    this.argocdNamespace = props.namespace ?? gitOpsAppOf(this)?.argocdNamespace ?? ARGOCD_NAMESPACE;
    throwIfErrors(`ApplicationSet '${this.name}'`, [
      dns1123SubdomainError('ApplicationSet name', this.name),
      dns1123SubdomainError('ApplicationSet namespace', this.argocdNamespace),
      props.generators.length === 0 ? 'generators must not be empty' : undefined,
      goTemplateOptionsError(props.goTemplateOptions),
      props.goTemplateOptions?.length && !props.goTemplate ? 'goTemplateOptions only take effect with goTemplate: true' : undefined,
      props.template.deletionFinalizer === DeletionFinalizer.NONE && !props.syncPolicy?.preserveResourcesOnDeletion
        ? 'template.deletionFinalizer NONE needs syncPolicy.preserveResourcesOnDeletion: true (otherwise Argo CD adds the resources finalizer)' : undefined,
      ...(props.rollingSync?.steps ?? []).flatMap((step, i) => [
        step.matchExpressions.length === 0 ? `rollingSync.steps[${i}] has no matchExpressions, so it selects no Application` : undefined,
        ...step.matchExpressions.map(e => (e.values.length === 0 ? `rollingSync.steps[${i}]: expression on '${e.key}' needs at least one value` : undefined)),
      ]),
      props.rollingSync && props.rollingSync.steps.length === 0 ? 'rollingSync.steps must not be empty' : undefined,
      ...(props.ignoreApplicationDifferences ?? []).flatMap(d => (d.jsonPointers ?? []).map(p => jsonPointerError('ignoreApplicationDifferences jsonPointer', p))),
    ]);
    // Fail fast on template errors; rendering repeats the checks with the GitOpsApp's defaults.
    const template = renderApplicationSetTemplate(`ApplicationSet '${this.name}' template`, props.template, this.defaults(), false);
    throwIfErrors(`ApplicationSet '${this.name}'`, engineMismatchErrors(props, template, this.defaults()));

    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: { name: this.name, namespace: this.argocdNamespace, labels: props.labels, annotations: props.annotations },
      spec: Lazy.any({ produce: () => this._renderSpec() }),
    });
  }

  /**
   * The Applications this set generates, expanded offline as Argo CD would (see the README for
   * what can be expanded). Git generators read the local checkout; clusters come from `options`.
   * Throws when any generator fails or needs a live service.
   */
  public expand(options: ApplicationSetPreview = {}): GeneratedApplication[] {
    return this.expandWith(options, this.previewGit(options))
      .map(manifest => ({ name: manifest.metadata.name, namespace: manifest.metadata.namespace, manifest }));
  }

  private previewGit(options: ApplicationSetPreview): LocalGitSource {
    return new LocalGitSource({
      root: this.repositoryRoot(),
      revision: options.gitRevision,
      repoURLs: gitOpsAppOf(this) ? [gitOpsAppOf(this)!.repoURL] : undefined,
    });
  }

  private expandWith(options: ApplicationSetPreview, git: LocalGitSource): any[] {
    const result = expandApplicationSet(this.resource.toJson(), { clusters: previewClusters(options.clusters), git });
    if (result.errors.length > 0) throw new Error(`ApplicationSet '${this.name}': ${result.errors.join('; ')}`);
    return result.applications;
  }

  /**
   * Preview files written on synth (`props.preview`). The Applications are wrapped in an object of
   * a kind no cluster has (`ApplicationSetPreview`), so neither Argo CD, kubectl nor the sync
   * engine (which finds Applications anywhere below the outdir) can apply them by mistake.
   * @internal
   */
  public _previewFiles(written: string[] = []): { [relativePath: string]: string } {
    if (!this.props.preview) return {};
    const git = this.previewGit(this.props.preview);
    const applications = this.expandWith(this.props.preview, git);
    // A sync of a generated Application fails on a missing source path or value file: say so now.
    // `written` (paths in the repository) is what this synth writes, present once it is committed.
    const missing = checkGeneratedSources(this.name, applications, git, { extraFiles: written });
    if (missing.length > 0) throw new Error(`Synth failed: the preview of ApplicationSet '${this.name}' found paths a sync would not find:\n  ${missing.join('\n  ')}`);
    const preview = {
      apiVersion: PREVIEW_API_VERSION,
      kind: PREVIEW_KIND,
      metadata: { name: this.name, namespace: this.argocdNamespace },
      applications,
    };
    const header = [
      GENERATED_HEADER,
      `# Preview: the Applications ApplicationSet '${this.name}' generates, expanded offline. No cluster has this kind, so nothing applies it.`,
    ].join('\n');
    return { [path.posix.join(PREVIEW_FOLDER, `applicationset-${this.name}.yaml`)]: `${header}\n${stringify(preview, { lineWidth: 0, version: '1.1' })}` };
  }

  /** @internal */
  public _renderSpec(): any {
    const p = this.props;
    const defaults = this.defaults();
    const rolling = p.rollingSync && {
      type: 'RollingSync',
      rollingSync: {
        steps: p.rollingSync.steps.map(s => compact({
          matchExpressions: s.matchExpressions.map(e => ({ key: e.key, operator: e.operator, values: [...e.values] })),
          maxUpdate: s.maxUpdate?._manifestValue(),
        })),
      },
      deletionOrder: p.rollingSync.deletionOrder,
    };
    return compact({
      goTemplate: p.goTemplate,
      goTemplateOptions: p.goTemplateOptions,
      generators: p.generators.map(g => g._render(defaults)),
      template: renderApplicationSetTemplate(`ApplicationSet '${this.name}' template`, p.template, defaults, false),
      templatePatch: p.templatePatch,
      syncPolicy: p.syncPolicy && compact({ ...p.syncPolicy }),
      strategy: rolling && compact(rolling),
      ignoreApplicationDifferences: p.ignoreApplicationDifferences?.map(d => compact({ ...d })),
      preservedFields: p.preservedFields && compact({ ...p.preservedFields }),
    });
  }

  private defaults(): TemplateDefaults {
    const gitops = gitOpsAppOf(this);
    return { repoURL: gitops?.repoURL, targetRevision: gitops?.targetRevision };
  }

  private repositoryRoot(): string {
    const gitops = gitOpsAppOf(this);
    const start = gitops ? path.resolve(gitops.outdir) : process.cwd();
    // The outdir may not exist before the first synth; its nearest existing parent is in the same repository.
    return findGitRoot(path.dirname(start)) ?? findGitRoot(start) ?? process.cwd();
  }
}

/**
 * Mistakes that Argo CD would only report at run time (or not at all): Go-template placeholders
 * without goTemplate (fasttemplate leaves `{{ .x }}` in the Applications as written), and list
 * values that fasttemplate cannot use (it accepts only strings).
 */
function engineMismatchErrors(props: ApplicationSetProps, template: any, defaults: TemplateDefaults): Array<string | undefined> {
  if (props.goTemplate) return [];
  const errors: Array<string | undefined> = [];
  const goStyle = [JSON.stringify(template), props.templatePatch ?? ''].join('\n').match(/\{\{-?\s*\.[A-Za-z_][\w.]*\s*-?\}\}/);
  if (goStyle) {
    errors.push(`template uses the Go-template placeholder '${goStyle[0]}' but goTemplate is not set: set goTemplate: true, or write '{{${goStyle[0].replace(/^\{\{-?\s*\./, '').replace(/\s*-?\}\}$/, '')}}}' for fasttemplate`);
  }
  const visit = (generators: any[], where: string): void => generators.forEach((g, i) => {
    const here = `${where}[${i}]`;
    if (g.list) {
      try {
        listParams(g.list, { engine: { goTemplate: false, missingKey: 'default' }, clusters: [] });
      } catch (e) {
        errors.push(`${here}.list: ${(e as Error).message}`);
      }
    }
    for (const combination of ['matrix', 'merge']) if (g[combination]) visit(g[combination].generators ?? [], `${here}.${combination}.generators`);
  });
  visit(props.generators.map(g => g._render(defaults)), 'generators');
  return errors;
}

function goTemplateOptionsError(options: string[] | undefined): string | undefined {
  try {
    missingKeyOption(options);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
