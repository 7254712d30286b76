import {
  AppProjectSpec, DEFAULT_PROJECT_SPEC, isAppNamespacePermitted, isDestinationPermitted, isGroupKindPermitted, isSourcePermitted, normalizeGitURL,
} from '../../src/argo/app-project';
import { globMatch, matchStringInList } from '../../src/argo/glob';

describe('Argo CD globs', () => {
  test.each([
    ['*', 'anything/at/all', '', true],
    ['https://github.com/acme/*', 'https://github.com/acme/platform', '/', true],
    ['https://github.com/acme/*', 'https://github.com/acme/team/platform', '/', false],
    ['https://github.com/acme/**', 'https://github.com/acme/team/platform', '/', true],
    ['team-?', 'team-a', '', true],
    ['team-?', 'team-ab', '', false],
    ['team-[ab]', 'team-b', '', true],
    ['team-[!ab]', 'team-b', '', false],
    ['{dev,prod}-*', 'prod-eu', '', true],
    ['{dev,prod}-*', 'qa-eu', '', false],
    ['a.b', 'axb', '', false],
    ['[unclosed', '[unclosed', '', false],
  ])('%s on %s (separators %j) is %s', (pattern, text, seps, expected) => {
    expect(globMatch(pattern, text, seps)).toBe(expected);
  });

  test('a /regexp/ entry of sourceNamespaces is a regular expression, other entries globs', () => {
    expect(matchStringInList(['/^team-[0-9]+$/'], 'team-42')).toBe(true);
    expect(matchStringInList(['/^team-[0-9]+$/'], 'team-x')).toBe(false);
    expect(matchStringInList(['team-*'], 'team-x')).toBe(true);
    expect(matchStringInList(undefined, 'team-x')).toBe(false);
  });
});

describe('sourceRepos', () => {
  const project: AppProjectSpec = { sourceRepos: ['https://github.com/acme/*', '!https://github.com/acme/secret*'] };

  test('URLs are compared normalized, as Argo CD does (case, .git suffix, scp-style SSH)', () => {
    expect(normalizeGitURL('https://GitHub.com/Acme/Platform.git')).toBe('https://github.com/acme/platform');
    expect(normalizeGitURL('git@github.com:acme/platform.git')).toBe('git@github.com/acme/platform');
    expect(isSourcePermitted({ sourceRepos: ['https://github.com/acme/platform.git'] }, 'https://github.com/ACME/platform')).toBe(true);
  });

  test('a glob allows, a ! entry denies even when another entry allows', () => {
    expect(isSourcePermitted(project, 'https://github.com/acme/platform.git')).toBe(true);
    expect(isSourcePermitted(project, 'https://github.com/acme/secrets.git')).toBe(false);
    // As in Argo CD, a ! entry matches every repository it does not deny: alone it allows the rest.
    expect(isSourcePermitted(project, 'https://gitlab.com/acme/platform.git')).toBe(true);
    expect(isSourcePermitted({ sourceRepos: ['https://github.com/acme/*'] }, 'https://gitlab.com/acme/platform.git')).toBe(false);
  });

  test('no entry allows nothing; * allows everything', () => {
    expect(isSourcePermitted({}, 'https://github.com/acme/platform')).toBe(false);
    expect(isSourcePermitted(DEFAULT_PROJECT_SPEC, 'https://anything.example/x')).toBe(true);
  });
});

describe('destinations', () => {
  const project: AppProjectSpec = {
    destinations: [
      { server: 'https://kubernetes.default.svc', namespace: 'team-*' },
      { name: 'staging', namespace: '*' },
      { server: '*', namespace: '!kube-system' },
    ],
  };

  test('server or name and the namespace must match one entry', () => {
    expect(isDestinationPermitted(project, { server: 'https://kubernetes.default.svc', name: 'in-cluster', namespace: 'team-a' })).toBe(true);
    expect(isDestinationPermitted(project, { name: 'staging', namespace: 'anything' })).toBe(true);
    expect(isDestinationPermitted({ destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'team-*' }] },
      { server: 'https://kubernetes.default.svc', namespace: 'other' })).toBe(false);
  });

  test('a ! entry denies what it does not match, whatever the other entries allow', () => {
    expect(isDestinationPermitted(project, { server: 'https://kubernetes.default.svc', namespace: 'kube-system' })).toBe(false);
    expect(isDestinationPermitted(project, { server: 'https://elsewhere', namespace: 'apps' })).toBe(true);
  });

  test('no destinations allow nothing', () => {
    expect(isDestinationPermitted({}, { server: 'https://kubernetes.default.svc', namespace: 'a' })).toBe(false);
  });
});

describe('resource allow and deny lists', () => {
  test('cluster-scoped kinds are allow-list only', () => {
    expect(isGroupKindPermitted({}, '', 'Namespace', 'a', false)).toBe(false);
    expect(isGroupKindPermitted({ clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }] }, '', 'Namespace', 'a', false)).toBe(true);
    expect(isGroupKindPermitted({ clusterResourceWhitelist: [{ group: '*', kind: '*' }], clusterResourceBlacklist: [{ group: 'rbac.authorization.k8s.io', kind: 'Cluster*' }] },
      'rbac.authorization.k8s.io', 'ClusterRole', 'admin', false)).toBe(false);
  });

  test('a cluster entry with a name allows only matching names', () => {
    const project: AppProjectSpec = { clusterResourceWhitelist: [{ group: '', kind: 'Namespace', name: 'team-*' }] };
    expect(isGroupKindPermitted(project, '', 'Namespace', 'team-a', false)).toBe(true);
    expect(isGroupKindPermitted(project, '', 'Namespace', 'kube-system', false)).toBe(false);
  });

  test('namespaced kinds: an unset allow list allows all, [] allows none, the deny list wins', () => {
    expect(isGroupKindPermitted({}, 'apps', 'Deployment', 'x', true)).toBe(true);
    expect(isGroupKindPermitted({ namespaceResourceWhitelist: [] }, 'apps', 'Deployment', 'x', true)).toBe(false);
    expect(isGroupKindPermitted({ namespaceResourceWhitelist: [{ group: 'apps', kind: '*' }] }, 'apps', 'Deployment', 'x', true)).toBe(true);
    expect(isGroupKindPermitted({ namespaceResourceWhitelist: [{ group: 'apps', kind: '*' }] }, '', 'ConfigMap', 'x', true)).toBe(false);
    expect(isGroupKindPermitted({ namespaceResourceBlacklist: [{ group: '', kind: 'Secret' }] }, '', 'Secret', 'x', true)).toBe(false);
  });
});

describe('sourceNamespaces', () => {
  test('Applications in the Argo CD namespace always; others only when listed', () => {
    expect(isAppNamespacePermitted({}, 'argocd', 'argocd')).toBe(true);
    expect(isAppNamespacePermitted({}, 'team-a', 'argocd')).toBe(false);
    expect(isAppNamespacePermitted({ sourceNamespaces: ['team-*'] }, 'team-a', 'argocd')).toBe(true);
  });
});

test('a destination given only by a cluster name matches a project whose server glob is *', () => {
  const project = { destinations: [{ server: '*', namespace: '*' }] };
  expect(isDestinationPermitted(project, { name: 'second', namespace: 'web' })).toBe(true);
  expect(isDestinationPermitted({ destinations: [{ server: 'https://prod.example.com', namespace: '*' }] }, { name: 'second', namespace: 'web' })).toBe(false);
});
