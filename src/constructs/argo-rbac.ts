import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { bootstrapFolder } from './app-of-apps';
import { Application } from './application';
import { setFixedLocation } from './committed-directory-render';
import { gitOpsAppOf } from './gitops-app-scope';
import { ARGOCD_NAMESPACE } from '../argo/destination';
import {
  ARGOCD_RBAC_CONFIGMAP, RBAC_BUILTIN_ROLES, RBAC_GLOB_MATCH_MODE, RBAC_MATCH_MODE_KEY, RBAC_POLICY_CSV_KEY,
  RBAC_POLICY_DEFAULT_KEY, RBAC_REGEX_MATCH_MODE, RBAC_SCOPES_KEY, rbacGroupLine, rbacPermissionError, rbacPolicyLine,
  rbacScopesValue, rbacTokenError,
} from '../argo/rbac';

const ARGO_RBAC_SYMBOL = Symbol.for('cdk8s-argocd.ArgoRbac');

/** File the `argocd-rbac-cm` patch is written to, beside the root manifest. */
export const ARGOCD_RBAC_FILE = 'argocd-rbac-cm.yaml';

/** What an Argo CD RBAC permission applies to (`policy.csv` resource). */
export class RbacResource {
  /** Applications (object: `<project>/<application>`). */
  public static readonly APPLICATIONS = new RbacResource('applications');
  /** ApplicationSets (object: `<project>/<applicationset>`, the project it may create Applications in). */
  public static readonly APPLICATIONSETS = new RbacResource('applicationsets');
  /** Clusters (object: the cluster URL, or `<project>/<url>` for project-scoped clusters). */
  public static readonly CLUSTERS = new RbacResource('clusters');
  /** AppProjects (object: the project name). */
  public static readonly PROJECTS = new RbacResource('projects');
  /** Repositories (object: the repository URL, or `<project>/<url>`). */
  public static readonly REPOSITORIES = new RbacResource('repositories');
  /** Repositories the source hydrator pushes to. */
  public static readonly WRITE_REPOSITORIES = new RbacResource('write-repositories');
  /** Local accounts. */
  public static readonly ACCOUNTS = new RbacResource('accounts');
  /** Repository certificates. */
  public static readonly CERTIFICATES = new RbacResource('certificates');
  /** GnuPG keys. */
  public static readonly GPGKEYS = new RbacResource('gpgkeys');
  /** Pod logs of Applications (object: `<project>/<application>`). */
  public static readonly LOGS = new RbacResource('logs');
  /** The web terminal into Pods of Applications (object: `<project>/<application>`). */
  public static readonly EXEC = new RbacResource('exec');
  /** Proxy extensions (object: the extension name). */
  public static readonly EXTENSIONS = new RbacResource('extensions');
  /** Every resource (`*`). */
  public static readonly ALL = new RbacResource('*');

  /**
   * A resource pattern (a glob, or a regular expression with `RbacMatchMode.REGEX`); synth checks
   * that it matches a resource Argo CD knows.
   */
  public static of(pattern: string): RbacResource {
    return new RbacResource(pattern);
  }

  private constructor(
    /** The resource as written in `policy.csv`. */
    public readonly value: string,
  ) {}
}

/** What a permission allows or denies (`policy.csv` action). */
export class RbacAction {
  public static readonly GET = new RbacAction('get');
  public static readonly CREATE = new RbacAction('create');
  /** Update (on `applications`: the Application and all of its resources). */
  public static readonly UPDATE = new RbacAction('update');
  /** Delete (on `applications`: the Application and all of its resources). */
  public static readonly DELETE = new RbacAction('delete');
  /** Sync an Application. */
  public static readonly SYNC = new RbacAction('sync');
  /** Sync local manifests instead of the source (with `SYNC`). */
  public static readonly OVERRIDE = new RbacAction('override');
  /** Invoke a proxy extension. */
  public static readonly INVOKE = new RbacAction('invoke');
  /** Every action (`*`). */
  public static readonly ALL = new RbacAction('*');

  /**
   * Run a resource action: `action/<group>/<kind>/<name>` (group '' for core kinds; `*` anywhere).
   * @example RbacAction.resourceAction('apps', 'Deployment', 'restart')
   */
  public static resourceAction(group: string, kind: string, name: string): RbacAction {
    return new RbacAction(`action/${group}/${kind}/${name}`);
  }

  /** Update only matching resources of an Application: `update/<group>/<kind>/<namespace>/<name>`. */
  public static updateResource(group: string, kind: string, namespace: string, name: string): RbacAction {
    return new RbacAction(`update/${group}/${kind}/${namespace}/${name}`);
  }

  /** Delete only matching resources of an Application: `delete/<group>/<kind>/<namespace>/<name>`. */
  public static deleteResource(group: string, kind: string, namespace: string, name: string): RbacAction {
    return new RbacAction(`delete/${group}/${kind}/${namespace}/${name}`);
  }

  /** Any action as written in `policy.csv` (a glob, or a regular expression with `RbacMatchMode.REGEX`); synth checks it. */
  public static of(action: string): RbacAction {
    return new RbacAction(action);
  }

  private constructor(
    /** The action as written in `policy.csv`. */
    public readonly value: string,
  ) {}
}

/** Whether a permission grants or restricts. A matching `deny` wins over any `allow`. */
export enum RbacEffect {
  ALLOW = 'allow',
  DENY = 'deny',
}

/** How `policy.csv` tokens are matched (`policy.matchMode`). */
export enum RbacMatchMode {
  /** Globs, `*` crossing `/` (Argo CD's default). */
  GLOB = 'glob',
  /** Regular expressions. */
  REGEX = 'regex',
}

/** One `p` line: `p, <role>, <resource>, <action>, <object>, <effect>`. */
export interface RbacPermission {
  /** What it applies to. */
  readonly resource: RbacResource;
  /** What may (or may not) be done. */
  readonly action: RbacAction;
  /**
   * Which objects: `<project>/<application>` for applications, applicationsets, logs and exec
   * (e.g. `staging/*`), otherwise the object's name or URL; `*` for all.
   */
  readonly object: string;
  /** @default RbacEffect.ALLOW */
  readonly effect?: RbacEffect;
}

/** A role of the global RBAC policy. */
export interface RbacRole {
  /** The role's name as written in `policy.csv`, by convention `role:<name>` (e.g. `role:developer`). */
  readonly name: string;
  /** Its permissions (one `p` line each). A role needs at least one, or must inherit one (a group binding from the role to another role). */
  readonly permissions?: RbacPermission[];
  /**
   * Written as a comment above its lines in `policy.csv`.
   * @default - none
   */
  readonly description?: string;
}

/** One `g` line: a user, SSO group or role gets a role. */
export interface RbacGroupBinding {
  /** An SSO group (`my-org:developers`, from the `scopes` claims), a local user, or a role (to inherit). */
  readonly subject: string;
  /** The role it gets: one of `roles`, or built-in `role:admin` / `role:readonly`. */
  readonly role: string;
}

/** Options of ArgoRbac. */
export interface ArgoRbacProps {
  /**
   * The role every authenticated user gets (`policy.default`); a deny cannot take it away.
   * @default - none: users get only what their roles grant
   */
  readonly defaultRole?: string;
  /** Roles and their permissions. @default - none */
  readonly roles?: RbacRole[];
  /** Which users, SSO groups or roles get which role. @default - none */
  readonly groupBindings?: RbacGroupBinding[];
  /**
   * OIDC claims Argo CD reads groups from (`scopes`), e.g. `['groups', 'email']`.
   * @default - not written: Argo CD uses `[groups]`
   */
  readonly scopes?: string[];
  /**
   * How tokens are matched (`policy.matchMode`).
   * @default - not written: Argo CD matches globs
   */
  readonly matchMode?: RbacMatchMode;
}

/**
 * Argo CD's global RBAC policy, `argocd-rbac-cm`, typed and checked at synth: resources, actions
 * and effects Argo CD knows, objects that can match, and every bound role defined.
 *
 * Written to `argocd-rbac-cm.yaml` beside the root manifest (`root.yaml`; the outdir when there is
 * no root AppOfApps), like the Application health-check patch: it configures the Argo CD
 * installation, so you apply it once (`kubectl apply -n argocd -f …`) and after each change; no
 * Application syncs it. Declare it directly in the GitOpsApp; one per app.
 */
export class ArgoRbac extends Chart {
  /** Whether `x` is an ArgoRbac. */
  public static isArgoRbac(x: any): x is ArgoRbac {
    return x !== null && typeof x === 'object' && ARGO_RBAC_SYMBOL in x;
  }

  /** The `argocd-rbac-cm` ConfigMap. */
  public readonly configMap: ApiObject;
  private readonly props: ArgoRbacProps;

  public constructor(scope: Construct, id: string, props: ArgoRbacProps = {}) {
    super(scope, id);
    Object.defineProperty(this, ARGO_RBAC_SYMBOL, { value: true });
    this.props = props;
    const data: { [key: string]: string } = {};
    const csv = this.policyCsv();
    if (csv) data[RBAC_POLICY_CSV_KEY] = csv;
    if (props.defaultRole !== undefined) data[RBAC_POLICY_DEFAULT_KEY] = props.defaultRole;
    if (props.scopes !== undefined) data[RBAC_SCOPES_KEY] = rbacScopesValue(props.scopes);
    if (props.matchMode !== undefined) data[RBAC_MATCH_MODE_KEY] = props.matchMode;
    this.configMap = new ApiObject(this, 'Resource', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: ARGOCD_RBAC_CONFIGMAP,
        namespace: gitOpsAppOf(this)?.argocdNamespace ?? ARGOCD_NAMESPACE,
        labels: { 'app.kubernetes.io/name': ARGOCD_RBAC_CONFIGMAP, 'app.kubernetes.io/part-of': 'argocd' },
      },
      data,
    });
    // Beside root.yaml, like the health-check patch: it belongs to the Argo CD installation. An
    // unresolvable folder is reported by validate() before anything is placed.
    setFixedLocation(this.configMap, () => ({ folder: bootstrapFolder(this.node.root) ?? '', fileName: ARGOCD_RBAC_FILE }));
    this.node.addValidation({ validate: () => this.validateRbac() });
  }

  /** The `policy.csv` text (roles in order, then the group bindings). */
  public policyCsv(): string {
    const lines: string[] = [];
    for (const role of this.props.roles ?? []) {
      if (role.description) lines.push(...role.description.split('\n').map(l => `# ${l}`.trimEnd()));
      for (const p of role.permissions ?? []) {
        lines.push(rbacPolicyLine(role.name, p.resource.value, p.action.value, p.object, p.effect ?? RbacEffect.ALLOW));
      }
    }
    for (const g of this.props.groupBindings ?? []) lines.push(rbacGroupLine(g.subject, g.role));
    return lines.length > 0 ? `${lines.join('\n')}\n` : '';
  }

  private validateRbac(): string[] {
    const errors: string[] = [];
    const props = this.props;
    const regex = props.matchMode === RbacMatchMode.REGEX;
    const root = this.node.root;
    const first = root.node.findAll().find(c => ArgoRbac.isArgoRbac(c));
    if (first !== this) {
      errors.push(`there is one argocd-rbac-cm per Argo CD, and ArgoRbac '${first!.node.path}' already declares it: merge the two into one`);
    }
    const inApplication = this.node.scopes.find(s => Application.isApplication(s));
    if (inApplication) {
      errors.push(`ArgoRbac configures the Argo CD installation and is applied by hand, not synced: declare it in the GitOpsApp, not inside Application '${(inApplication as Application).name}'`);
    }
    if (bootstrapFolder(root) === undefined) {
      errors.push(`the root AppOfApps write their manifests to different folders, so ${ARGOCD_RBAC_FILE} has no single place beside root.yaml: give them the same folder`);
    }
    if (![RBAC_GLOB_MATCH_MODE, RBAC_REGEX_MATCH_MODE, undefined].includes(props.matchMode)) {
      errors.push(`matchMode '${props.matchMode}' is not one Argo CD knows: use RbacMatchMode.GLOB or RbacMatchMode.REGEX`);
    }

    const defined = new Map<string, RbacRole>();
    for (const role of props.roles ?? []) {
      const bad = rbacTokenError('role name', role.name);
      if (bad) {
        errors.push(bad);
        continue;
      }
      if (defined.has(role.name)) errors.push(`role '${role.name}' is defined twice: merge its permissions into one RbacRole`);
      defined.set(role.name, role);
      (role.permissions ?? []).forEach((p, i) => {
        const effect = p.effect ?? RbacEffect.ALLOW;
        const error = rbacPermissionError(p.resource.value, p.action.value, p.object, regex)
          ?? (Object.values(RbacEffect).includes(effect) ? undefined : `effect '${effect}' is not allow or deny`);
        if (error) errors.push(`role '${role.name}' permission ${i + 1} (${rbacPolicyLine(role.name, p.resource.value, p.action.value, p.object, effect)}): ${error}`);
      });
    }
    const builtin = RBAC_BUILTIN_ROLES as readonly string[];
    const known = (role: string) => builtin.includes(role) || defined.has(role);
    const knownList = () => [...defined.keys(), ...builtin].join(', ');
    for (const g of props.groupBindings ?? []) {
      const line = rbacGroupLine(g.subject, g.role);
      const bad = rbacTokenError('subject', g.subject) ?? rbacTokenError('role', g.role);
      if (bad) {
        errors.push(`group binding '${line}': ${bad}`);
      } else if (!known(g.role)) {
        errors.push(`group binding '${line}' gives role '${g.role}', which is not defined: define it in roles or use one of ${knownList()}`);
      }
    }
    // Argo CD refuses roles without any permission, inherited ones included
    // (CheckUserDefinedRoleReferentialIntegrity: "user defined roles not found in policies").
    const hasPermissions = (role: string, seen: Set<string>): boolean => {
      if (builtin.includes(role)) return true;
      if (seen.has(role)) return false;
      seen.add(role);
      if ((defined.get(role)?.permissions ?? []).length > 0) return true;
      return (props.groupBindings ?? []).some(g => g.subject === role && hasPermissions(g.role, seen));
    };
    for (const name of defined.keys()) {
      if (!hasPermissions(name, new Set())) {
        errors.push(`role '${name}' has no permissions: give it permissions, or bind it to a role it inherits from ({ subject: '${name}', role: 'role:readonly' })`);
      }
    }
    if (props.defaultRole !== undefined && props.defaultRole !== '' && !known(props.defaultRole)) {
      errors.push(`defaultRole '${props.defaultRole}' is not defined: define it in roles or use one of ${knownList()}`);
    }
    if (props.scopes !== undefined) {
      if (props.scopes.length === 0) errors.push('scopes must not be empty: leave it out for Argo CD\'s default [groups]');
      for (const s of props.scopes) {
        if (!/^[A-Za-z0-9_.:/-]+$/.test(s)) errors.push(`scope '${s}' is not an OIDC claim name (letters, digits, '_', '.', ':', '/', '-')`);
      }
    }
    return errors;
  }
}

