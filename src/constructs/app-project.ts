import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { appProjectErrors } from './app-project-validation';
import { compact } from './application-source';
import { ApplicationDestination } from './destination';
import { gitOpsAppOf } from './gitops-app-scope';
import { dns1123SubdomainError, durationError, throwIfErrors } from './validation';
import { AppProjectSpec } from '../argo/app-project';
import { CronSchedule } from '../argo/cron-schedule';
import { ARGOCD_NAMESPACE } from '../argo/destination';

/** A group/kind pair in a project's resource allow or deny list. `*` matches anything. */
export interface ProjectResource {
  /** API group (`''` for the core group, `*` for any). */
  readonly group: string;
  /** Kind (`*` for any). */
  readonly kind: string;
}

/** A cluster-scoped group/kind, optionally narrowed to one name. */
export interface ProjectClusterResource {
  /** API group (`''` for the core group, `*` for any). */
  readonly group: string;
  /** Kind (`*` for any). */
  readonly kind: string;
  /** Resource name (glob). @default - any name */
  readonly name?: string;
}

/** A JWT token issued for a project role. */
export interface ProjectRoleToken {
  /** Issued-at, Unix seconds. */
  readonly iat: number;
  /** Expiry, Unix seconds. @default - no expiry */
  readonly exp?: number;
  /** Token id. @default - none */
  readonly id?: string;
}

/** A project role: RBAC policies for a group of users or tokens. */
export interface ProjectRole {
  /** Role name. */
  readonly name: string;
  /** @default - none */
  readonly description?: string;
  /**
   * Casbin policy lines, e.g. `p, proj:my-project:deployer, applications, sync, my-project/*, allow`.
   * @default - none
   */
  readonly policies?: string[];
  /** SSO groups bound to the role. @default - none */
  readonly groups?: string[];
  /** Tokens issued for the role. @default - none */
  readonly jwtTokens?: ProjectRoleToken[];
}

/** Whether a sync window allows or denies syncs. */
export enum SyncWindowKind {
  /** Syncs are allowed only inside the window. */
  ALLOW = 'allow',
  /** Syncs are denied inside the window. */
  DENY = 'deny',
}

/** A time window in which syncs are allowed or denied. */
export interface SyncWindow {
  /** Allow or deny. */
  readonly kind: SyncWindowKind;
  /** Cron schedule of the window start, e.g. `0 22 * * *`. */
  readonly schedule: string;
  /** Window length, a Go duration such as `1h`. */
  readonly duration: string;
  /** Applications the window applies to (globs). @default - none */
  readonly applications?: string[];
  /** Namespaces the window applies to (globs). @default - none */
  readonly namespaces?: string[];
  /** Clusters the window applies to (globs). @default - none */
  readonly clusters?: string[];
  /** Allow manual syncs inside a deny window. @default false */
  readonly manualSync?: boolean;
  /** Time zone of the schedule, e.g. `Europe/Berlin`. @default 'UTC' */
  readonly timeZone?: string;
  /** Require all of applications/namespaces/clusters to match, not any. @default false */
  readonly andOperator?: boolean;
  /** @default - none */
  readonly description?: string;
  /** Let a sync that started inside an allow window finish after it closes. @default false */
  readonly syncOverrun?: boolean;
}

/** A resource ignored by orphaned-resource monitoring. */
export interface OrphanedResourceKey {
  /** @default - any group */
  readonly group?: string;
  /** @default - any kind */
  readonly kind?: string;
  /** @default - any name */
  readonly name?: string;
}

/** Orphaned-resource monitoring: live resources in the project's namespaces that no Application tracks. */
export interface OrphanedResources {
  /** Show a warning condition on Applications. @default false */
  readonly warn?: boolean;
  /** Resources to ignore. @default - none */
  readonly ignore?: OrphanedResourceKey[];
}

/** The service account Argo CD impersonates when syncing to a destination. */
export interface DestinationServiceAccount {
  /** Destination server URL (glob). */
  readonly server: string;
  /** Destination namespace (glob). @default - any */
  readonly namespace?: string;
  /** Service account, optionally `namespace:name`. */
  readonly defaultServiceAccount: string;
}

/** Options of an AppProject. Field names follow the Argo CD `AppProject` spec. */
export interface AppProjectProps {
  /** Project name. @default - the construct id */
  readonly name?: string;
  /** Namespace Argo CD runs in. @default - the GitOpsApp's argocdNamespace (`argocd`) */
  readonly namespace?: string;
  /** @default - none */
  readonly description?: string;
  /** Repositories Applications may use (globs). @default - the GitOpsApp's repoURL */
  readonly sourceRepos?: string[];
  /** Clusters and namespaces Applications may deploy to. @default - none (nothing can be deployed) */
  readonly destinations?: ApplicationDestination[];
  /**
   * Cluster-scoped kinds Applications may manage. Cluster-scoped kinds are allow-list only.
   * @default - none allowed
   */
  readonly clusterResourceWhitelist?: ProjectClusterResource[];
  /** Cluster-scoped kinds Applications may not manage. @default - none */
  readonly clusterResourceBlacklist?: ProjectClusterResource[];
  /**
   * Namespaced kinds Applications may manage. Unset allows every kind; an empty list allows none,
   * so it is only emitted when you set it.
   * @default - every namespaced kind allowed
   */
  readonly namespaceResourceWhitelist?: ProjectResource[];
  /** Namespaced kinds Applications may not manage. @default - none */
  readonly namespaceResourceBlacklist?: ProjectResource[];
  /** @default - none */
  readonly roles?: ProjectRole[];
  /** @default - none */
  readonly syncWindows?: SyncWindow[];
  /** @default - not monitored */
  readonly orphanedResources?: OrphanedResources;
  /** Namespaces (besides Argo CD's) whose Applications may use this project. @default - none */
  readonly sourceNamespaces?: string[];
  /** Service accounts to impersonate per destination. @default - none */
  readonly destinationServiceAccounts?: DestinationServiceAccount[];
  /** GnuPG key ids that must have signed synced commits. @default - no signature check */
  readonly signatureKeys?: string[];
  /** Only allow clusters scoped to this project. @default false */
  readonly permitOnlyProjectScopedClusters?: boolean;
}

/** Argo CD parses sync window schedules as five cron fields (robfig/cron's standard parser). */
function cronScheduleError(schedule: string): string | undefined {
  try {
    CronSchedule.parse(schedule);
    return undefined;
  } catch (e) {
    return `sync window schedule '${schedule}' is not a cron schedule Argo CD accepts (${(e as Error).message}): use five fields, e.g. '0 22 * * *'`;
  }
}

/** An Argo CD AppProject: which repositories, clusters and kinds its Applications may use. */
export class AppProject extends Chart {
  /** Project name; pass it as an Application's `project`. */
  public readonly name: string;
  /** The `argoproj.io/v1alpha1` AppProject object. */
  public readonly resource: ApiObject;
  private readonly props: AppProjectProps;

  public constructor(scope: Construct, id: string, props: AppProjectProps = {}) {
    super(scope, id);
    this.props = props;
    this.name = props.name ?? id;
    const namespace = props.namespace ?? gitOpsAppOf(this)?.argocdNamespace ?? ARGOCD_NAMESPACE;
    throwIfErrors(`AppProject '${this.name}'`, [
      dns1123SubdomainError('AppProject name', this.name),
      ...(props.syncWindows ?? []).map(w => durationError(`sync window '${w.schedule}' duration`, w.duration, false)),
      ...(props.syncWindows ?? []).map(w => cronScheduleError(w.schedule)),
      ...(props.destinations ?? []).map(d => d.server === undefined && d.name === undefined
        ? 'a destination needs server or name (use \'*\' for any)' : undefined),
      ...(props.roles ?? []).map(r => (r.policies ?? []).some(p => !/^[pg],/.test(p.trim()))
        ? `role '${r.name}' has a policy that does not start with 'p,' or 'g,'` : undefined),
    ]);
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AppProject',
      metadata: { name: this.name, namespace },
      spec: Lazy.any({ produce: () => this.renderSpec() }),
    });
    // Argo CD would refuse an Application this project does not permit: say so at synth.
    const controllerNamespace = gitOpsAppOf(this)?.argocdNamespace ?? ARGOCD_NAMESPACE;
    this.node.addValidation({
      validate: () => appProjectErrors(this.node.root, this.name, this.renderSpec() as AppProjectSpec, controllerNamespace),
    });
  }

  private renderSpec(): any {
    const p = this.props;
    const repoURL = gitOpsAppOf(this)?.repoURL;
    const spec = compact({
      description: p.description,
      sourceRepos: p.sourceRepos ?? (repoURL ? [repoURL] : undefined),
      destinations: p.destinations?.map(d => compact({ ...d })),
      clusterResourceWhitelist: p.clusterResourceWhitelist?.map(r => compact({ ...r })),
      clusterResourceBlacklist: p.clusterResourceBlacklist?.map(r => compact({ ...r })),
      namespaceResourceBlacklist: p.namespaceResourceBlacklist?.map(r => ({ group: r.group, kind: r.kind })),
      roles: p.roles?.map(r => compact({ ...r, jwtTokens: r.jwtTokens?.map(t => compact({ ...t })) })),
      syncWindows: p.syncWindows?.map(w => compact({ ...w })),
      orphanedResources: p.orphanedResources && compact({ ...p.orphanedResources, ignore: p.orphanedResources.ignore?.map(i => compact({ ...i })) }),
      sourceNamespaces: p.sourceNamespaces,
      destinationServiceAccounts: p.destinationServiceAccounts?.map(d => compact({ ...d })),
      signatureKeys: p.signatureKeys?.map(keyID => ({ keyID })),
      permitOnlyProjectScopedClusters: p.permitOnlyProjectScopedClusters,
    });
    // nil allows every namespaced kind, [] allows none: emit exactly what was set, even [].
    if (p.namespaceResourceWhitelist !== undefined) {
      spec.namespaceResourceWhitelist = p.namespaceResourceWhitelist.map(r => ({ group: r.group, kind: r.kind }));
    }
    // orphanedResources: {} turns monitoring on, so keep it when set.
    if (p.orphanedResources && !spec.orphanedResources) spec.orphanedResources = {};
    return spec;
  }
}
