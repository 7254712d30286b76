import { AppOfApps, Application, ArgoRbac, ArgoRbacProps, RbacAction, RbacEffect, RbacMatchMode, RbacResource } from '../../src';
import { RBAC_RESOURCE_ACTIONS, rbacPermissionError } from '../../src/argo/rbac';
import { manifest, testApp } from '../util/synth';

const developer = {
  name: 'role:developer',
  description: 'Developers sync staging',
  permissions: [
    { resource: RbacResource.APPLICATIONS, action: RbacAction.SYNC, object: 'staging/*' },
    { resource: RbacResource.APPLICATIONS, action: RbacAction.GET, object: '*/*' },
    { resource: RbacResource.LOGS, action: RbacAction.GET, object: 'staging/*' },
    { resource: RbacResource.APPLICATIONS, action: RbacAction.DELETE, object: 'prod/*', effect: RbacEffect.DENY },
  ],
};

function synthRbac(props: ArgoRbacProps, withRoot = true): { [file: string]: string } {
  const app = testApp();
  if (withRoot) new AppOfApps(app, 'root');
  new ArgoRbac(app, 'rbac', props);
  return app.synthFiles();
}

function rbacErrors(props: ArgoRbacProps): string {
  try {
    synthRbac(props);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('synth did not fail');
}

describe('ArgoRbac', () => {
  test('writes argocd-rbac-cm.yaml beside root.yaml with policy.csv, policy.default and scopes', () => {
    const files = synthRbac({
      defaultRole: 'role:readonly',
      roles: [developer],
      groupBindings: [{ subject: 'my-org:developers', role: 'role:developer' }, { subject: 'my-org:platform', role: 'role:admin' }],
      scopes: ['groups', 'email'],
    });
    expect(Object.keys(files)).toEqual(['argocd-rbac-cm.yaml', 'root.yaml']);
    const cm = manifest(files, 'argocd-rbac-cm.yaml');
    expect(cm.metadata).toEqual({
      name: 'argocd-rbac-cm',
      namespace: 'argocd',
      labels: { 'app.kubernetes.io/name': 'argocd-rbac-cm', 'app.kubernetes.io/part-of': 'argocd' },
    });
    expect(cm.data).toEqual({
      'policy.csv': [
        '# Developers sync staging',
        'p, role:developer, applications, sync, staging/*, allow',
        'p, role:developer, applications, get, */*, allow',
        'p, role:developer, logs, get, staging/*, allow',
        'p, role:developer, applications, delete, prod/*, deny',
        'g, my-org:developers, role:developer',
        'g, my-org:platform, role:admin',
        '',
      ].join('\n'),
      'policy.default': 'role:readonly',
      'scopes': '[groups, email]',
    });
    // Written as a block scalar, readable in review.
    expect(files['argocd-rbac-cm.yaml']).toContain('policy.csv: |');
  });

  test('follows the root manifest into its folder, and sits in the outdir without an AppOfApps', () => {
    const app = testApp();
    new AppOfApps(app, 'root', { manifestFile: 'bootstrap/root.yaml' });
    new ArgoRbac(app, 'rbac', { defaultRole: 'role:readonly' });
    expect(Object.keys(app.synthFiles())).toEqual(['bootstrap/argocd-rbac-cm.yaml', 'bootstrap/root.yaml']);
    // The root is declared after the ArgoRbac here: the place is decided at synth.
    const later = testApp();
    new ArgoRbac(later, 'rbac', { defaultRole: 'role:readonly' });
    new AppOfApps(later, 'root', { manifestFile: 'boot/root.yaml' });
    expect(Object.keys(later.synthFiles())).toEqual(['boot/argocd-rbac-cm.yaml', 'boot/root.yaml']);
    expect(Object.keys(synthRbac({ defaultRole: 'role:admin' }, false))).toEqual(['argocd-rbac-cm.yaml']);
  });

  test('typed fine-grained and resource actions, regex match mode', () => {
    const files = synthRbac({
      matchMode: RbacMatchMode.REGEX,
      roles: [{
        name: 'role:ops',
        permissions: [
          { resource: RbacResource.APPLICATIONS, action: RbacAction.resourceAction('apps', 'Deployment', 'restart'), object: '^prod/.*$' },
          { resource: RbacResource.APPLICATIONS, action: RbacAction.deleteResource('', 'Pod', '.*', '.*'), object: '^prod/.*$' },
          { resource: RbacResource.of('^(clusters|repositories)$'), action: RbacAction.GET, object: '.*' },
        ],
      }],
    });
    const cm = manifest(files, 'argocd-rbac-cm.yaml');
    expect(cm.data['policy.matchMode']).toBe('regex');
    expect(cm.data['policy.csv']).toContain('p, role:ops, applications, action/apps/Deployment/restart, ^prod/.*$, allow');
    expect(cm.data['policy.csv']).toContain('p, role:ops, applications, delete//Pod/.*/.*, ^prod/.*$, allow');
  });

  test('refuses what Argo CD does not know, naming the construct path and what to do', () => {
    const message = rbacErrors({
      defaultRole: 'role:reader',
      roles: [
        {
          name: 'role:developer',
          permissions: [
            { resource: RbacResource.of('aplications'), action: RbacAction.SYNC, object: 'staging/*' },
            { resource: RbacResource.CLUSTERS, action: RbacAction.SYNC, object: '*' },
            { resource: RbacResource.APPLICATIONS, action: RbacAction.SYNC, object: 'staging' },
            { resource: RbacResource.LOGS, action: RbacAction.of('get/x'), object: '*/*' },
          ],
        },
        { name: 'role:empty' },
      ],
      groupBindings: [{ subject: 'my-org:developers', role: 'role:developr' }, { subject: 'a,b', role: 'role:admin' }],
      scopes: ['groups', 'bad claim'],
    });
    expect(message).toContain('[rbac] role ');
    expect(message).toContain("resource 'aplications' is not one Argo CD knows: use one of applications, applicationsets,");
    expect(message).toContain("action 'sync' is not valid for resource 'clusters': use one of get, create, update, delete");
    expect(message).toContain("object 'staging' never matches: applications objects are '<project>/<application>' (e.g. 'staging/*'");
    expect(message).toContain("action 'get/x' is not valid for resource 'logs'");
    expect(message).toContain("role 'role:empty' has no permissions");
    expect(message).toContain("group binding 'g, my-org:developers, role:developr' gives role 'role:developr', which is not defined: define it in roles or use one of role:developer, role:empty, role:admin, role:readonly");
    expect(message).toContain("subject 'a,b' must not contain a comma");
    expect(message).toContain("defaultRole 'role:reader' is not defined");
    expect(message).toContain("scope 'bad claim' is not an OIDC claim name");
  });

  test('a role may get its permissions by inheriting another role', () => {
    const files = synthRbac({
      roles: [developer, { name: 'role:lead' }],
      groupBindings: [{ subject: 'role:lead', role: 'role:developer' }],
      defaultRole: 'role:lead',
    });
    expect(manifest(files, 'argocd-rbac-cm.yaml').data['policy.csv']).toContain('g, role:lead, role:developer');
  });

  test('one per app, not inside an Application, and a regex that does not compile is refused', () => {
    const app = testApp();
    new ArgoRbac(app, 'a', { defaultRole: 'role:readonly' });
    const shop = new Application(app, 'shop');
    new ArgoRbac(shop, 'b', { defaultRole: 'role:readonly' });
    expect(() => app.synthFiles()).toThrow(/\[shop\/b\] there is one argocd-rbac-cm per Argo CD, and ArgoRbac 'a' already declares it: merge the two into one\n.*declare it in the GitOpsApp, not inside Application 'shop'/);
    expect(rbacErrors({ matchMode: RbacMatchMode.REGEX, roles: [{ name: 'r', permissions: [{ resource: RbacResource.of('.*'), action: RbacAction.of('('), object: '.*' }] }] }))
      .toContain("action '(' is not a valid regular expression");
    // A glob in regex mode (Go's regexp refuses a leading '*' too).
    expect(rbacErrors({ matchMode: RbacMatchMode.REGEX, roles: [{ name: 'r', permissions: [{ resource: RbacResource.ALL, action: RbacAction.GET, object: '.*' }] }] }))
      .toMatch(/resource '\*' is not a valid regular expression .*; a glob's '\*' is '\.\*' as a regular expression/);
  });

  test('the vocabulary: every documented resource/action pair passes, a few that Argo CD refuses do not', () => {
    for (const [resource, actions] of Object.entries(RBAC_RESOURCE_ACTIONS)) {
      for (const action of actions) expect(rbacPermissionError(resource, action, '*', false)).toBeUndefined();
    }
    expect(rbacPermissionError('applications', 'update/*/Pod/*/*', 'default/prod-app', false)).toBeUndefined();
    expect(rbacPermissionError('applications', 'action/*', 'default/*', false)).toBeUndefined();
    expect(rbacPermissionError('*', '*', '*', false)).toBeUndefined();
    expect(rbacPermissionError('exec', 'get', '*/*', false)).toMatch(/action 'get' is not valid for resource 'exec': use one of create/);
    expect(rbacPermissionError('extensions', 'get', 'httpbin', false)).toMatch(/use one of invoke/);
    expect(rbacPermissionError('clusters', 'update/x', '*', false)).toMatch(/not valid/);
    expect(rbacPermissionError('repos', 'get', '*', false)).toMatch(/resource 'repos' is not one Argo CD knows/);
  });
});
