import * as path from 'path';
import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { ApplicationSource, compact, renderSource, renderSourceHydrator, SourceHydrator, ApplicationSourceDirectory } from './application-source';
import { ApplicationDestination, renderDestination } from './destination';
import { gitOpsAppOf } from './gitops-app-scope';
import { autoscaledReplicasRules, coversReplicas } from './ignore-differences';
import { IgnoreDifferencesRule, ignoreDifferencesRuleErrors, renderIgnoreDifferencesRule } from './ignore-differences-rule';
import { imageUpdaterAnnotations, ImageUpdaterOptions, isImageUpdaterAnnotation } from './image-updater';
import { objectNameWithin } from './object-name';
import { SyncOption } from './sync-option';
import { renderSyncPolicy, SyncPolicy, syncPolicyErrors } from './sync-policy';
import { dns1123SubdomainError, throwIfErrors } from './validation';
import { ARGOCD_NAMESPACE } from '../argo/destination';

const APPLICATION_SYMBOL = Symbol.for('cdk8s-argocd.Application');

// jsii enums need literal values; test/argo/vocabulary.test.ts pins them to src/argo's names.
/** What Argo CD does with an Application's resources when the Application is deleted. */
export enum DeletionFinalizer {
  /** Delete the resources, waiting for dependents (`resources-finalizer.argocd.argoproj.io`). */
  FOREGROUND = 'resources-finalizer.argocd.argoproj.io',
  /** Delete the resources in the background (`resources-finalizer.argocd.argoproj.io/background`). */
  BACKGROUND = 'resources-finalizer.argocd.argoproj.io/background',
  /** Leave the resources running when the Application is deleted (no finalizer). */
  NONE = 'none',
}

/** An entry shown in the Application's info panel. */
export interface ApplicationInfo {
  /** Label. */
  readonly name: string;
  /** Value (often a URL). */
  readonly value: string;
}

/** Options of an Argo CD Application. Field names follow the Argo CD `Application` spec. */
export interface ApplicationProps {
  /**
   * Name of the Application (and of its folder in the committed directory).
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Namespace of the Application object (where Argo CD runs).
   * @default - the GitOpsApp's argocdNamespace (`argocd`)
   */
  readonly namespace?: string;
  /**
   * Argo CD project. Pass `myProject.name` for an AppProject declared in code.
   * @default 'default'
   */
  readonly project?: string;
  /**
   * Target cluster and namespace.
   * @default - the in-cluster server, no default namespace
   */
  readonly destination?: ApplicationDestination;
  /**
   * An explicit source. If the Application also contains resources, its own folder is added as a
   * further source.
   * @default - the Application's own folder in the committed directory
   */
  readonly source?: ApplicationSource;
  /**
   * Several sources (multi-source Application). Cannot be combined with `source`.
   * @default - see `source`
   */
  readonly sources?: ApplicationSource[];
  /**
   * Directory options for the Application's own folder source.
   * @default - none
   */
  readonly directory?: ApplicationSourceDirectory;
  /**
   * Render manifests with the source hydrator instead of syncing sources directly.
   * @default - no hydrator
   */
  readonly sourceHydrator?: SourceHydrator;
  /**
   * Sync policy.
   * @default - manual sync
   */
  readonly syncPolicy?: SyncPolicy;
  /**
   * Differences to ignore. More can be added with `addIgnoreDifferences()`.
   * @default - none
   */
  readonly ignoreDifferences?: IgnoreDifferencesRule[];
  /**
   * Entries for the Application's info panel.
   * @default - none
   */
  readonly info?: ApplicationInfo[];
  /**
   * Number of sync results kept in the Application's history.
   * @default - Argo CD's default (10)
   */
  readonly revisionHistoryLimit?: number;
  /**
   * What happens to the Application's resources when the Application is deleted.
   * @default DeletionFinalizer.FOREGROUND (cascade delete)
   */
  readonly deletionFinalizer?: DeletionFinalizer;
  /**
   * Labels of the Application object.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Annotations of the Application object.
   * @default - none
   */
  readonly annotations?: { [key: string]: string };
  /**
   * When an HPA or KEDA ScaledObject in this Application scales a Deployment/StatefulSet in this
   * Application, ignore that workload's `/spec/replicas` and set `RespectIgnoreDifferences=true`,
   * so syncs and self-heal stop resetting the replica count the autoscaler chose.
   * @default true
   */
  readonly autoIgnoreAutoscaledReplicas?: boolean;
  /**
   * Argo CD Image Updater annotations (`argocd-image-updater.argoproj.io/image-list`, per-image
   * update strategy and tag filters, write-back method). Image Updater updates only Helm and
   * Kustomize sources; for manifests synthesized here, pin images in an images file and run
   * `cdk8s-argocd set-image` from CI instead.
   * @default - none
   */
  readonly imageUpdater?: ImageUpdaterOptions;
}

/** Where the Application object itself is written, relative to the output directory. @internal */
export interface ManifestLocation {
  readonly folder: string;
  readonly fileName: string;
}

/**
 * An Argo CD Application, and the scope of its own resources.
 *
 * Kubernetes objects created anywhere beneath it (cdk8s-plus constructs, `ApiObject`s, charts) are
 * written into its own folder of the committed directory, and its source points there.
 */
export class Application extends Chart {
  /** Whether `x` is an Application (works across copies of this library). */
  public static isApplication(x: any): x is Application {
    return x !== null && typeof x === 'object' && APPLICATION_SYMBOL in x;
  }

  /** Name of the Application. */
  public readonly name: string;
  /** Namespace of the Application object. */
  public readonly argocdNamespace: string;
  /** Project of the Application. */
  public readonly project: string;
  /** Destination namespace, if set. */
  public readonly destinationNamespace?: string;
  /** The `argoproj.io/v1alpha1` Application object. */
  public readonly resource: ApiObject;

  private readonly props: ApplicationProps;
  private readonly extraIgnoreDifferences: IgnoreDifferencesRule[] = [];
  private readonly extraSyncOptions: SyncOption[] = [];
  private readonly extraInfo: ApplicationInfo[] = [];

  public constructor(scope: Construct, id: string, props: ApplicationProps = {}) {
    // Names are derived from construct paths without hash suffixes: human, stable file names.
    super(scope, id, { disableResourceNameHashes: true });
    Object.defineProperty(this, APPLICATION_SYMBOL, { value: true });
    this.props = props;
    this.name = props.name ?? id;
    this.argocdNamespace = props.namespace ?? gitOpsAppOf(this)?.argocdNamespace ?? ARGOCD_NAMESPACE;
    this.project = props.project ?? 'default';
    this.destinationNamespace = props.destination?.namespace;

    const where = `Application '${this.name}'`;
    throwIfErrors(where, [
      dns1123SubdomainError('Application name', this.name),
      dns1123SubdomainError('Application namespace', this.argocdNamespace),
      props.source && props.sources ? 'set either source or sources, not both' : undefined,
      props.revisionHistoryLimit !== undefined && (!Number.isInteger(props.revisionHistoryLimit) || props.revisionHistoryLimit < 0)
        ? `revisionHistoryLimit ${props.revisionHistoryLimit} must be a non-negative integer` : undefined,
      ...syncPolicyErrors(props.syncPolicy),
      ...(props.ignoreDifferences ?? []).flatMap(ignoreDifferencesRuleErrors),
    ]);
    // Fail fast on destination errors too; rendering repeats the check.
    renderDestination(where, props.destination);
    const imageUpdater = props.imageUpdater ? imageUpdaterAnnotations(props.imageUpdater) : undefined;
    if (imageUpdater) {
      const written = Object.keys(props.annotations ?? {}).filter(isImageUpdaterAnnotation);
      throwIfErrors(where, [
        ...imageUpdater.errors,
        written.length > 0 ? `annotations ${written.join(', ')} are set by imageUpdater: set them there, not in annotations` : undefined,
      ]);
      this.node.addValidation({ validate: () => this.imageUpdaterSourceErrors() });
    }

    const finalizer = props.deletionFinalizer ?? DeletionFinalizer.FOREGROUND;
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: this.name,
        namespace: this.argocdNamespace,
        labels: props.labels,
        annotations: imageUpdater ? { ...props.annotations, ...imageUpdater.annotations } : props.annotations,
        finalizers: finalizer === DeletionFinalizer.NONE ? undefined : [finalizer],
      },
      spec: Lazy.any({ produce: () => this._renderSpec() }),
    });
  }

  /** Folder of this Application's own resources, relative to the output directory. */
  public get folder(): string {
    return this.name;
  }

  /** Ignore differences in some fields of some resources. */
  public addIgnoreDifferences(...rules: IgnoreDifferencesRule[]): void {
    throwIfErrors(`Application '${this.name}'`, rules.flatMap(ignoreDifferencesRuleErrors));
    this.extraIgnoreDifferences.push(...rules);
  }

  /** Add a sync option (duplicates are dropped). */
  public addSyncOption(option: SyncOption): void {
    this.extraSyncOptions.push(option);
  }

  /** Add an entry to the Application's info panel. */
  public addInfo(name: string, value: string): void {
    this.extraInfo.push({ name, value });
  }

  /** The sync options in effect (from props and `addSyncOption`). */
  public get syncOptions(): SyncOption[] {
    const all = [...(this.props.syncPolicy?.syncOptions ?? []), ...this.extraSyncOptions];
    return all.filter((o, i) => all.findIndex(x => x.value === o.value) === i);
  }

  /** The ignoreDifferences rules in effect (from props and `addIgnoreDifferences`). */
  public get ignoreDifferences(): IgnoreDifferencesRule[] {
    return [...(this.props.ignoreDifferences ?? []), ...this.extraIgnoreDifferences];
  }

  /**
   * Names objects after the Application and their construct path below it, without hash suffixes
   * and without grouping scopes (see `Naming`), so `new kplus.Deployment(app, 'web')` in
   * Application `shop` is named `shop-web`, inside a SyncWave or not.
   */
  public generateObjectName(apiObject: ApiObject): string {
    return objectNameWithin(this, apiObject);
  }

  /**
   * Where this Application's own manifest is written, given the Application whose folder holds it.
   * @internal
   */
  public _manifestLocation(parent: Application | undefined): ManifestLocation {
    return { folder: parent?.folder ?? 'apps', fileName: `${this.name}.yaml` };
  }

  /**
   * Whether any manifest is written into this Application's folder (its own resources or the
   * manifests of Applications nested in it).
   * @internal
   */
  public _hasOwnManifests(): boolean {
    const contents = this._contents();
    return contents.apiObjects.length > 0 || contents.applications.length > 0;
  }

  /**
   * The Kubernetes objects in this Application's own folder (not those of nested Applications).
   * @internal
   */
  public _ownApiObjects(): ApiObject[] {
    return this._contents().apiObjects;
  }

  /**
   * What this Application holds down to the next Application level: its own Kubernetes objects
   * (not its Application resource) and the Applications nested in it (not their contents).
   * @internal
   */
  public _contents(): { apiObjects: ApiObject[]; applications: Application[] } {
    const apiObjects: ApiObject[] = [];
    const applications: Application[] = [];
    const visit = (c: IConstruct): void => {
      for (const child of c.node.children) {
        if (child === this.resource) continue;
        if (Application.isApplication(child)) {
          applications.push(child);
          continue;
        }
        if (ApiObject.isApiObject(child)) apiObjects.push(child);
        visit(child);
      }
    };
    visit(this);
    return { apiObjects, applications };
  }

  /**
   * Image Updater only changes Helm and Kustomize sources (through parameter overrides), and git
   * write-back commits to a branch.
   */
  private imageUpdaterSourceErrors(): string[] {
    const explicit = this.props.sources ?? (this.props.source ? [this.props.source] : []);
    // A hydrated Application's sources are the hydrator's business: nothing to tell from here.
    if (this.props.sourceHydrator) return [];
    if (explicit.length === 0) {
      return [`imageUpdater: Argo CD Image Updater only updates Helm and Kustomize Applications, and '${this.name}' syncs the plain manifests synthesized into its folder: pin its images in an images file (Images.fromFile) and run \`cdk8s-argocd set-image NAME=IMAGE:TAG\` from CI, or give it a Helm or Kustomize source`];
    }
    // A source of a type we can see (plugin, Jsonnet/directory options) is not one Image Updater changes;
    // a bare Git path may hold a Kustomization or a chart, which Argo CD finds itself.
    if (explicit.every(s => s.plugin !== undefined || s.directory !== undefined)) {
      return ['imageUpdater: Argo CD Image Updater only updates Helm and Kustomize sources, and every source here is a plugin or a directory: give it a Helm or Kustomize source'];
    }
    const writeBack = this.props.imageUpdater?.writeBack;
    if (writeBack?._usesTargetRevision) {
      const revision = gitOpsAppOf(this)?.targetRevision ?? 'HEAD';
      const git = explicit.filter(s => s.chart === undefined);
      if (git.length > 0 && git.every(s => (s.targetRevision ?? revision) === 'HEAD')) {
        return ['imageUpdater: git write-back commits to the source\'s targetRevision, and \'HEAD\' is not a branch: give the branch (ImageUpdaterWriteBack.git({ branch: \'main\' }))'];
      }
    }
    return [];
  }

  /** Replicas rules for autoscaled workloads in this Application; `added` omits those the user already covers. */
  private autoscaledReplicasRules(): { all: IgnoreDifferencesRule[]; added: IgnoreDifferencesRule[] } {
    if (this.props.autoIgnoreAutoscaledReplicas === false) return { all: [], added: [] };
    const explicit = this.ignoreDifferences;
    const all = autoscaledReplicasRules(this._ownApiObjects()).map(t => t.rule);
    return { all, added: all.filter(r => !coversReplicas(explicit, r)) };
  }

  /** @internal */
  public _renderSpec(): any {
    const where = `Application '${this.name}'`;
    const gitops = gitOpsAppOf(this);
    const defaults = { repoURL: gitops?.repoURL, targetRevision: gitops?.targetRevision };
    const explicit = this.props.sources ?? (this.props.source ? [this.props.source] : []);
    const sources = explicit.map(s => renderSource(where, s, defaults));
    if (!this.props.sourceHydrator && (sources.length === 0 || this._hasOwnManifests())) {
      if (!gitops) {
        throw new Error(`${where}: its own folder can only be a source inside a GitOpsApp (which knows the repoURL); create it in a GitOpsApp or give it an explicit source`);
      }
      const ownPath = path.posix.join(gitops.outdirPathInRepo, this.folder);
      sources.unshift(renderSource(where, { path: ownPath, directory: this.props.directory }, defaults));
    }
    const info = [...(this.props.info ?? []), ...this.extraInfo];
    // Ignoring replicas without respecting the ignore still lets every sync fight the autoscaler.
    const autoscaled = this.autoscaledReplicasRules();
    const extraOptions = autoscaled.all.length > 0 ? [...this.extraSyncOptions, SyncOption.RESPECT_IGNORE_DIFFERENCES] : this.extraSyncOptions;
    return compact({
      project: this.project,
      destination: renderDestination(where, this.props.destination),
      source: !this.props.sourceHydrator && sources.length === 1 ? sources[0] : undefined,
      sources: !this.props.sourceHydrator && sources.length > 1 ? sources : undefined,
      sourceHydrator: this.props.sourceHydrator && renderSourceHydrator(where, this.props.sourceHydrator, defaults),
      syncPolicy: renderSyncPolicy(this.props.syncPolicy, extraOptions),
      ignoreDifferences: [...this.ignoreDifferences, ...autoscaled.added].map(renderIgnoreDifferencesRule),
      info: info.map(i => ({ name: i.name, value: i.value })),
      revisionHistoryLimit: this.props.revisionHistoryLimit,
    });
  }
}
