import { AppProject, SyncWindowKind } from '../../src';
import { crdErrorsInFiles } from '../util/crd-validator';
import { manifest, REPO, testApp } from '../util/synth';

describe('AppProject', () => {
  test('defaults: source repo of the GitOpsApp, no namespaceResourceWhitelist', () => {
    const app = testApp();
    new AppProject(app, 'team-a', { destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'team-a-*' }] });
    const files = app.synthFiles();
    const project = manifest(files, 'apps/appproject-team-a.yaml');
    expect(project.metadata).toEqual({ name: 'team-a', namespace: 'argocd' });
    expect(project.spec).toEqual({
      sourceRepos: [REPO],
      destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'team-a-*' }],
    });
    expect('namespaceResourceWhitelist' in project.spec).toBe(false);
  });

  test('nil vs empty: an explicit empty namespaceResourceWhitelist is emitted, an unset one is not', () => {
    const app = testApp();
    new AppProject(app, 'locked', { namespaceResourceWhitelist: [] });
    new AppProject(app, 'open', {});
    const files = app.synthFiles();
    expect(manifest(files, 'apps/appproject-locked.yaml').spec.namespaceResourceWhitelist).toEqual([]);
    expect(manifest(files, 'apps/appproject-open.yaml').spec).not.toHaveProperty('namespaceResourceWhitelist');
  });

  test('every field validates strictly against the v3.5 CRD', () => {
    const app = testApp();
    new AppProject(app, 'full', {
      description: 'everything',
      sourceRepos: ['https://github.com/acme/*'],
      destinations: [{ name: 'prod', namespace: '*' }, { server: 'https://kubernetes.default.svc', namespace: 'x' }],
      clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }, { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'team-*' }],
      clusterResourceBlacklist: [{ group: '*', kind: 'CustomResourceDefinition' }],
      namespaceResourceWhitelist: [{ group: 'apps', kind: 'Deployment' }],
      namespaceResourceBlacklist: [{ group: '', kind: 'ResourceQuota' }],
      roles: [{ name: 'deployer', description: 'CI', policies: ['p, proj:full:deployer, applications, sync, full/*, allow'], groups: ['acme:ci'], jwtTokens: [{ iat: 1700000000, exp: 1800000000, id: 't1' }] }],
      syncWindows: [{ kind: SyncWindowKind.DENY, schedule: '0 22 * * *', duration: '8h', applications: ['*'], namespaces: ['prod'], clusters: ['prod'], manualSync: true, timeZone: 'Europe/Berlin', andOperator: true, description: 'nightly freeze', syncOverrun: true }],
      orphanedResources: { warn: true, ignore: [{ group: 'cilium.io', kind: 'CiliumIdentity', name: '*' }] },
      sourceNamespaces: ['team-a'],
      destinationServiceAccounts: [{ server: 'https://kubernetes.default.svc', namespace: 'x', defaultServiceAccount: 'deployer' }],
      signatureKeys: ['4AEE18F83AFDEB23'],
      permitOnlyProjectScopedClusters: true,
    });
    const result = crdErrorsInFiles(app.synthFiles());
    expect(result.errors).toEqual([]);
    expect(result.checked).toBe(1);
  });

  test('orphanedResources: {} is kept, because it turns monitoring on', () => {
    const app = testApp();
    new AppProject(app, 'p', { orphanedResources: {} });
    expect(manifest(app.synthFiles(), 'apps/appproject-p.yaml').spec.orphanedResources).toEqual({});
  });

  test('fails when a sync window duration is invalid', () => {
    expect(() => new AppProject(testApp(), 'p', { syncWindows: [{ kind: SyncWindowKind.ALLOW, schedule: '* * * * *', duration: 'one hour' }] }))
      .toThrow(/sync window '\* \* \* \* \*' duration 'one hour' is not a valid duration/);
  });

  test('fails when the name is not DNS-1123', () => {
    expect(() => new AppProject(testApp(), 'Team A')).toThrow(/AppProject name 'Team A' is not a valid DNS-1123 name/);
  });

  test('fails when a role policy is not a casbin line', () => {
    expect(() => new AppProject(testApp(), 'p', { roles: [{ name: 'r', policies: ['applications, get'] }] })).toThrow(/role 'r' has a policy that does not start with 'p,' or 'g,'/);
  });
});

describe('CRD validator self-check', () => {
  test('rejects an unknown field, so the strict tests above can fail', () => {
    const bad = 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: x\nspec:\n  project: default\n  destination: {server: a}\n  sourc: {}\n';
    expect(crdErrorsInFiles({ 'x.yaml': bad }).errors.join()).toMatch(/must NOT have additional properties 'sourc'/);
  });
});
