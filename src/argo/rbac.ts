/**
 * Argo CD's RBAC vocabulary (argo-cd v3 `util/rbac`, `cmd/argocd/commands/admin/settings_rbac.go`
 * and docs/operator-manual/rbac.md): the `argocd-rbac-cm` keys, the resources and the actions
 * each accepts, the built-in roles, and the checks `argocd admin settings rbac` applies, as pure
 * functions so the constructs (and anything else) say the same.
 */
import { globMatch } from './glob';

/** The ConfigMap Argo CD reads its RBAC policy from. */
export const ARGOCD_RBAC_CONFIGMAP = 'argocd-rbac-cm';
export const RBAC_POLICY_CSV_KEY = 'policy.csv';
export const RBAC_POLICY_DEFAULT_KEY = 'policy.default';
export const RBAC_SCOPES_KEY = 'scopes';
export const RBAC_MATCH_MODE_KEY = 'policy.matchMode';
export const RBAC_GLOB_MATCH_MODE = 'glob';
export const RBAC_REGEX_MATCH_MODE = 'regex';

/** Roles Argo CD defines itself (assets/builtin-policy.csv). */
export const RBAC_BUILTIN_ROLES = ['role:admin', 'role:readonly'] as const;

export const RBAC_EFFECTS = ['allow', 'deny'] as const;

/**
 * The actions each resource accepts: the table of docs/operator-manual/rbac.md, plus `create` on
 * `accounts`, which Argo CD's own strict check (`validRBACResourcesActions`) accepts too, and
 * `write-repositories` (the source hydrator's push credentials, v3), which Argo CD enforces with
 * the CRUD actions.
 */
export const RBAC_RESOURCE_ACTIONS: { readonly [resource: string]: readonly string[] } = {
  'applications': ['get', 'create', 'update', 'delete', 'sync', 'action', 'override'],
  'applicationsets': ['get', 'create', 'update', 'delete'],
  'clusters': ['get', 'create', 'update', 'delete'],
  'projects': ['get', 'create', 'update', 'delete'],
  'repositories': ['get', 'create', 'update', 'delete'],
  'write-repositories': ['get', 'create', 'update', 'delete'],
  'accounts': ['get', 'create', 'update'],
  'certificates': ['get', 'create', 'delete'],
  'gpgkeys': ['get', 'create', 'delete'],
  'logs': ['get'],
  'exec': ['create'],
  'extensions': ['invoke'],
};

export const RBAC_RESOURCES = Object.keys(RBAC_RESOURCE_ACTIONS);

/**
 * Actions that take a path on `applications`: `action/<group>/<kind>/<action-name>` and the
 * fine-grained `update/<group>/<kind>/<ns>/<name>`, `delete/<group>/<kind>/<ns>/<name>`.
 */
export const RBAC_ACTIONS_WITH_PATH: { readonly [resource: string]: readonly string[] } = {
  applications: ['update', 'delete', 'action'],
};

/**
 * Resources whose object is `<project>/<application>` (or `<project>/<namespace>/<application>`
 * with Applications in any namespace).
 */
export const RBAC_APPLICATION_SCOPED_RESOURCES = ['applications', 'applicationsets', 'logs', 'exec'] as const;

const GLOB_CHARS = /[*?[\]{}\\]/;

/** One token as Argo CD matches it: a glob (`policy.matchMode: glob`, the default) or a regular expression. */
function tokenMatches(pattern: string, value: string, regex: boolean): boolean {
  if (!regex) return pattern === value || globMatch(pattern, value);
  try {
    // casbin's RegexMatchFunc: regexp.MatchString, not anchored.
    return new RegExp(pattern).test(value);
  } catch {
    return false;
  }
}

/**
 * What is wrong with the resource/action/object of a `p` line, or undefined. `regex` follows
 * `policy.matchMode: regex`, where the tokens are regular expressions.
 */
export function rbacPermissionError(resource: string, action: string, object: string, regex: boolean): string | undefined {
  for (const [what, token] of [['resource', resource], ['action', action], ['object', object]] as const) {
    const bad = rbacTokenError(what, token);
    if (bad) return bad;
  }
  if (regex) {
    for (const [what, token] of [['resource', resource], ['action', action], ['object', object]] as const) {
      try {
        new RegExp(token);
      } catch (e) {
        const hint = token.startsWith('*') ? '; a glob\'s \'*\' is \'.*\' as a regular expression' : '';
        return `${what} '${token}' is not a valid regular expression (policy.matchMode is regex): ${(e as Error).message}${hint}`;
      }
    }
  }
  const resources = RBAC_RESOURCES.filter(r => tokenMatches(resource, r, regex));
  if (resources.length === 0) {
    return `resource '${resource}' is not one Argo CD knows${regex ? ' (the regular expression matches none)' : ''}: use one of ${RBAC_RESOURCES.join(', ')}`;
  }
  const slash = action.indexOf('/');
  const base = slash < 0 ? action : action.slice(0, slash);
  const hasPath = slash >= 0;
  const valid = resources.some(r => RBAC_RESOURCE_ACTIONS[r].some(a => {
    // `*` (or any pattern without a path) matches the actions with their paths too.
    if (!hasPath) return tokenMatches(action, a, regex);
    return tokenMatches(base, a, regex) && (RBAC_ACTIONS_WITH_PATH[r] ?? []).includes(a);
  }));
  if (!valid) {
    const known = resources.length === 1 ? RBAC_RESOURCE_ACTIONS[resources[0]] : [...new Set(resources.flatMap(r => RBAC_RESOURCE_ACTIONS[r]))];
    const paths = resources.flatMap(r => (RBAC_ACTIONS_WITH_PATH[r] ?? []).map(a => `${a}/…`));
    return `action '${action}' is not valid for ${resources.length === 1 ? `resource '${resources[0]}'` : `resource '${resource}'`}: use one of ${[...known, ...paths].join(', ')}${paths.length ? ' (action/<group>/<kind>/<name>, update|delete/<group>/<kind>/<namespace>/<name>)' : ''}`;
  }
  // An Application-scoped object is `<project>/<application>`: a plain name without '/' and
  // without any pattern never matches (`staging` for `staging/*`).
  if (!regex && resources.every(r => (RBAC_APPLICATION_SCOPED_RESOURCES as readonly string[]).includes(r))
    && !object.includes('/') && !GLOB_CHARS.test(object)) {
    return `object '${object}' never matches: ${resources.join('/')} objects are '<project>/<application>' (e.g. '${object}/*' for every Application of project '${object}')`;
  }
  return undefined;
}

/**
 * A subject, role or token of `policy.csv` that Argo CD's CSV reading would split, cut or skip:
 * empty, with a comma, quote or line break, surrounding spaces, or starting with `#`.
 */
export function rbacTokenError(what: string, token: string): string | undefined {
  if (token.length === 0) return `${what} must not be empty`;
  if (/[,"\r\n]/.test(token)) return `${what} '${token}' must not contain a comma, a quote or a line break (policy.csv is comma-separated)`;
  if (token.trim() !== token) return `${what} '${token}' must not start or end with spaces`;
  if (token.startsWith('#')) return `${what} '${token}' must not start with '#' (policy.csv treats it as a comment)`;
  return undefined;
}

/** A `p` line of `policy.csv`. */
export function rbacPolicyLine(subject: string, resource: string, action: string, object: string, effect: string): string {
  return `p, ${subject}, ${resource}, ${action}, ${object}, ${effect}`;
}

/** A `g` line of `policy.csv`: `subject` gets `role`. */
export function rbacGroupLine(subject: string, role: string): string {
  return `g, ${subject}, ${role}`;
}

/** The `scopes` value: the OIDC claims Argo CD reads groups from, as `[groups, email]`. */
export function rbacScopesValue(scopes: readonly string[]): string {
  return `[${scopes.join(', ')}]`;
}

/** Whether `token` uses glob syntax (so it matches more than itself). */
export function isRbacPattern(token: string): boolean {
  return GLOB_CHARS.test(token);
}
