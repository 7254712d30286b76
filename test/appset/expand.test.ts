import {
  ApplicationSetExpansionError, expandApplicationSet, ExpandOptions, InMemoryGitSource, OfflineExpansionUnsupportedError,
} from '../../src/engine/appset';

const REPO = 'https://github.com/acme/gitops.git';

function appSet(spec: any, name = 'set'): any {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: { name, namespace: 'argocd' },
    spec: {
      template: {
        metadata: { name: '{{name}}' },
        spec: { project: 'default', source: { repoURL: REPO, path: 'x' }, destination: { server: 'https://kubernetes.default.svc' } },
      },
      ...spec,
    },
  };
}

function expand(spec: any, options: ExpandOptions = {}): any[] {
  const result = expandApplicationSet(appSet(spec), options);
  expect(result.errors).toEqual([]);
  return result.applications;
}

const names = (apps: any[]): string[] => apps.map(a => a.metadata.name);

const git = new InMemoryGitSource({
  'apps/guestbook/deploy.yaml': 'x',
  'apps/my_api/deploy.yaml': 'x',
  'apps/excluded/deploy.yaml': 'x',
  'apps/.hidden/deploy.yaml': 'x',
  'clusters/staging/config.json': '{"cluster": {"name": "staging", "address": "https://1.2.3.4"}, "replicas": 2, "enabled": true}',
  'clusters/prod/eu/config.json': '[{"cluster": {"name": "prod-eu-1"}}, {"cluster": {"name": "prod-eu-2"}}]',
  'clusters/disabled/config.json': '{"cluster": {"name": "disabled"}}',
  'README.md': '# repo',
});

describe('list generator', () => {
  test('renders one Application per element, in the set\'s namespace, with the resources finalizer, sorted by name', () => {
    const apps = expand({ generators: [{ list: { elements: [{ name: 'b', env: 'prod' }, { name: 'a', env: 'dev' }] } }] });
    expect(names(apps)).toEqual(['a', 'b']);
    expect(apps[0]).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'a', namespace: 'argocd', finalizers: ['resources-finalizer.argocd.argoproj.io'] },
      spec: { project: 'default', source: { repoURL: REPO, path: 'x' }, destination: { server: 'https://kubernetes.default.svc' } },
    });
  });

  test('fasttemplate: values become values.<key>, unknown params stay as written, map keys are templated', () => {
    const apps = expand({
      generators: [{ list: { elements: [{ name: 'a', values: { tier: 'web' } }] } }],
      template: { metadata: { name: '{{name}}-{{values.tier}}', labels: { 'team-{{name}}': '{{nope}}' } }, spec: { project: 'p', destination: {} } },
    });
    expect(apps[0].metadata).toMatchObject({ name: 'a-web', labels: { 'team-a': '{{nope}}' } });
  });

  test('goTemplate: elements pass through with their types; elementsYaml elements are appended', () => {
    const apps = expand({
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: [{ list: { elements: [{ name: 'a', replicas: 2 }], elementsYaml: '- name: b\n  replicas: 3\n' } }],
      template: { metadata: { name: '{{.name}}' }, spec: { project: 'p', destination: {}, info: [{ name: 'r', value: '{{ .replicas }}' }] } },
    });
    expect(apps.map(a => [a.metadata.name, a.spec.info[0].value])).toEqual([['a', '2'], ['b', '3']]);
  });

  test('preserveResourcesOnDeletion leaves the finalizer off; finalizers in the template are kept as they are', () => {
    const [preserved] = expand({ syncPolicy: { preserveResourcesOnDeletion: true }, generators: [{ list: { elements: [{ name: 'a' }] } }] });
    expect(preserved.metadata.finalizers).toBeUndefined();
    const [own] = expand({
      generators: [{ list: { elements: [{ name: 'a' }] } }],
      template: { metadata: { name: '{{name}}', finalizers: ['resources-finalizer.argocd.argoproj.io/background'] }, spec: { project: 'p', destination: {} } },
    });
    expect(own.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io/background']);
  });

  test('an empty element renders the template untouched (Argo CD skips rendering and the finalizer)', () => {
    const [app] = expand({ generators: [{ list: { elements: [{}] } }], template: { metadata: { name: 'fixed' }, spec: { destination: {} } } });
    expect(app.metadata).toEqual({ name: 'fixed', namespace: 'argocd' });
    expect(app.spec.project).toBe('default');
  });

  test('fails when a fasttemplate list value is not a string', () => {
    expect(() => expand({ generators: [{ list: { elements: [{ name: 'a', replicas: 2 }] } }] })).toThrow(/elements\[0\]\.replicas: error parsing value as string/);
  });

  test('fails when goTemplate with missingkey=error meets a missing parameter', () => {
    expect(() => expand({
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: [{ list: { elements: [{ name: 'a' }] } }],
      template: { metadata: { name: '{{.nme}}' }, spec: { destination: {} } },
    })).toThrow(/map has no entry for key "nme"/);
  });
});

describe('clusters generator', () => {
  const clusters: ExpandOptions['clusters'] = [
    { name: 'in-cluster', server: 'https://kubernetes.default.svc', local: true },
    { name: 'Staging_EU', server: 'https://staging', labels: { env: 'staging' }, annotations: { owner: 'team-a' }, project: 'platform' },
    { name: 'prod', server: 'https://prod', labels: { env: 'prod' } },
  ];

  test('without a selector: the local cluster and every cluster secret, with name/nameNormalized/server/project/metadata params', () => {
    const apps = expand({
      generators: [{ clusters: { values: { target: '{{name}}-{{metadata.labels.env}}' } } }],
      template: {
        metadata: { name: '{{nameNormalized}}' },
        spec: { project: '{{project}}', destination: { server: '{{server}}' }, info: [{ name: 'v', value: '{{values.target}}|{{metadata.annotations.owner}}' }] },
      },
    }, { clusters });
    expect(apps.map(a => [a.metadata.name, a.spec.project, a.spec.destination.server, a.spec.info[0].value])).toEqual([
      // The local cluster has no secret: project '' (so 'default') and no metadata parameters, which stay as written.
      ['in-cluster', 'default', 'https://kubernetes.default.svc', 'in-cluster-{{metadata.labels.env}}|{{metadata.annotations.owner}}'],
      ['prod', 'default', 'https://prod', 'prod-prod|{{metadata.annotations.owner}}'],
      ['staging-eu', 'platform', 'https://staging', 'Staging_EU-staging|team-a'],
    ]);
  });

  test('a selector skips the local cluster and matches secret labels', () => {
    const apps = expand({ generators: [{ clusters: { selector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'staging'] }] } } }] }, { clusters });
    expect(names(apps)).toEqual(['Staging_EU', 'prod']);
  });

  test('goTemplate: metadata is a map (including the secret-type label); flatList yields one parameter set', () => {
    const [app] = expand({
      goTemplate: true,
      generators: [{ clusters: { flatList: true, selector: { matchLabels: { 'argocd.argoproj.io/secret-type': 'cluster' } } } }],
      template: {
        metadata: { name: 'all' },
        spec: { destination: {}, info: [{ name: 'c', value: '{{ range .clusters }}{{ .name }}={{ index .metadata.labels "env" }};{{ end }}' }] },
      },
    }, { clusters });
    expect(app.spec.info[0].value).toBe('Staging_EU=staging;prod=prod;');
  });
});

describe('git generator', () => {
  const dirs = (extra: any = {}): any => ({ git: { repoURL: REPO, revision: 'HEAD', directories: [{ path: 'apps/*' }, { path: 'apps/excluded', exclude: true }], ...extra } });

  test('directories: path, path.basename, path.basenameNormalized, path[n] (fasttemplate); hidden and excluded directories skipped', () => {
    const apps = expand({
      generators: [dirs()],
      template: { metadata: { name: '{{path.basenameNormalized}}' }, spec: { destination: {}, source: { repoURL: REPO, path: '{{path}}' }, info: [{ name: 'i', value: '{{path[0]}}/{{path.basename}}' }] } },
    }, { git });
    expect(apps.map(a => [a.metadata.name, a.spec.source.path, a.spec.info[0].value])).toEqual([
      ['guestbook', 'apps/guestbook', 'apps/guestbook'],
      ['my-api', 'apps/my_api', 'apps/my_api'],
    ]);
  });

  test('directories (goTemplate) with pathParamPrefix: .<prefix>.path.path, .segments', () => {
    const apps = expand({
      goTemplate: true,
      generators: [dirs({ pathParamPrefix: 'app' })],
      template: { metadata: { name: '{{ .app.path.basenameNormalized }}' }, spec: { destination: {}, source: { repoURL: REPO, path: '{{ .app.path.path }}' }, info: [{ name: 's', value: '{{ index .app.path.segments 0 }}' }] } },
    }, { git });
    expect(apps.map(a => [a.metadata.name, a.spec.source.path, a.spec.info[0].value])).toEqual([['guestbook', 'apps/guestbook', 'apps'], ['my-api', 'apps/my_api', 'apps']]);
  });

  test('directory patterns follow Go path.Match: * does not cross /', () => {
    expect(names(expand({ generators: [{ git: { repoURL: REPO, revision: 'HEAD', directories: [{ path: 'clusters/*' }] } }], template: { metadata: { name: '{{path.basename}}' }, spec: { destination: {} } } }, { git })))
      .toEqual(['disabled', 'prod', 'staging']);
  });

  test('files: keys flattened with dots, path params of the file, lists give one set per item, * crosses / like git pathspecs, excluded files skipped', () => {
    const apps = expand({
      generators: [{ git: { repoURL: REPO, revision: 'HEAD', files: [{ path: 'clusters/*.json' }, { path: 'clusters/disabled/*', exclude: true }], values: { base: '{{path.basename}}' } } }],
      template: { metadata: { name: '{{cluster.name}}' }, spec: { destination: {}, info: [{ name: 'i', value: '{{path}}|{{path.filename}}|{{values.base}}|{{replicas}}|{{enabled}}|{{cluster.address}}' }] } },
    }, { git });
    expect(apps.map(a => [a.metadata.name, a.spec.info[0].value])).toEqual([
      ['prod-eu-1', 'clusters/prod/eu|config.json|eu|{{replicas}}|{{enabled}}|{{cluster.address}}'],
      ['prod-eu-2', 'clusters/prod/eu|config.json|eu|{{replicas}}|{{enabled}}|{{cluster.address}}'],
      ['staging', 'clusters/staging|config.json|staging|2|true|https://1.2.3.4'],
    ]);
  });

  test('files with newGitFileGlobbing: doublestar, * stays within one directory', () => {
    const spec = (pattern: string): any => ({
      generators: [{ git: { repoURL: REPO, revision: 'HEAD', files: [{ path: pattern }] } }],
      template: { metadata: { name: '{{cluster.name}}' }, spec: { destination: {} } },
    });
    expect(names(expand(spec('clusters/*/config.json'), { git, newGitFileGlobbing: true }))).toEqual(['disabled', 'staging']);
    expect(names(expand(spec('clusters/**/config.json'), { git, newGitFileGlobbing: true }))).toEqual(['disabled', 'prod-eu-1', 'prod-eu-2', 'staging']);
    expect(names(expand(spec('clusters/*/config.json'), { git }))).toEqual(['disabled', 'prod-eu-1', 'prod-eu-2', 'staging']);
  });

  test('files (goTemplate): the file\'s object as it is, plus .path', () => {
    const apps = expand({
      goTemplate: true,
      generators: [{ git: { repoURL: REPO, revision: 'HEAD', files: [{ path: 'clusters/staging/config.json' }] } }],
      template: { metadata: { name: '{{ .cluster.name }}-{{ .replicas }}' }, spec: { destination: {}, info: [{ name: 'p', value: '{{ .path.path }} {{ .path.filenameNormalized }}' }] } },
    }, { git });
    expect(apps.map(a => [a.metadata.name, a.spec.info[0].value])).toEqual([['staging-2', 'clusters/staging config.json']]);
  });

  test('an empty params file is one empty object: one parameter set with only the path parameters', () => {
    const repo = new InMemoryGitSource({ 'envs/dev/config.yaml': '' });
    const apps = expand({ generators: [{ git: { repoURL: REPO, revision: 'HEAD', files: [{ path: 'envs/*/config.yaml' }] } }], template: { metadata: { name: '{{path.basename}}' }, spec: { destination: {} } } }, { git: repo });
    expect(names(apps)).toEqual(['dev']);
  });

  test('fails when a git generator has no repository to read', () => {
    expect(() => expand({ generators: [dirs()] })).toThrow(/needs a repository to read/);
  });

  test('fails when a params file is not an object or a list of objects', () => {
    const bad = new InMemoryGitSource({ 'c/config.json': '"just a string"' });
    expect(() => expand({ generators: [{ git: { repoURL: REPO, revision: 'HEAD', files: [{ path: 'c/config.json' }] } }] }, { git: bad }))
      .toThrow(/unable to process file 'c\/config\.json'/);
  });
});

describe('matrix generator', () => {
  test('combines two children; child 0\'s params render child 1 (git files path from the directory)', () => {
    const apps = expand({
      generators: [{
        matrix: {
          generators: [
            { list: { elements: [{ env: 'staging' }, { env: 'prod' }] } },
            { git: { repoURL: REPO, revision: 'HEAD', files: [{ path: 'clusters/{{env}}/**' }] } },
          ],
        },
      }],
      template: { metadata: { name: '{{env}}-{{cluster.name}}' }, spec: { destination: {} } },
    }, { git });
    expect(names(apps)).toEqual(['prod-prod-eu-1', 'prod-prod-eu-2', 'staging-staging']);
  });

  test('goTemplate: the second child\'s values are pre-resolved with the first child\'s parameters, unknown ones kept for the child itself', () => {
    const apps = expand({
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: [{
        matrix: {
          generators: [
            { list: { elements: [{ env: 'staging' }] } },
            { clusters: { values: { fromFirst: '{{ .env }}', fromOwn: '{{ .name }}' } } },
          ],
        },
      }],
      template: { metadata: { name: '{{ .values.fromOwn }}-{{ .values.fromFirst }}' }, spec: { destination: {} } },
    });
    expect(names(apps)).toEqual(['in-cluster-staging']);
  });

  test('goTemplate: parameters deep-merge, the first child winning', () => {
    const [app] = expand({
      goTemplate: true,
      generators: [{ matrix: { generators: [{ list: { elements: [{ a: { x: '1' }, same: 'first' }] } }, { list: { elements: [{ a: { y: '2' }, same: 'second' }] } }] } }],
      template: { metadata: { name: 'm-{{ .a.x }}-{{ .a.y }}-{{ .same }}' }, spec: { destination: {} } },
    });
    expect(app.metadata.name).toBe('m-1-2-first');
  });

  test('fails when fasttemplate children give one key two values', () => {
    expect(() => expand({ generators: [{ matrix: { generators: [{ list: { elements: [{ name: 'a' }] } }, { list: { elements: [{ name: 'b' }] } }] } }] }))
      .toThrow(/found duplicate key name with different value/);
  });

  test('fails when a matrix has three children', () => {
    const list = { list: { elements: [{ name: 'a' }] } };
    expect(() => expand({ generators: [{ matrix: { generators: [list, list, list] } }] })).toThrow(/found more than two generators, Matrix support only two/);
  });

  test('selectors inside a nested matrix always apply (Argo CD 3 ignores applyNestedSelectors)', () => {
    const nested = {
      matrix: {
        generators: [
          { list: { elements: [{ env: 'dev' }, { env: 'prod' }] }, selector: { matchLabels: { env: 'prod' } } },
          { list: { elements: [{ region: 'eu' }] } },
        ],
      },
    };
    const spec = (applyNestedSelectors: boolean): any => ({
      applyNestedSelectors,
      generators: [{ matrix: { generators: [{ list: { elements: [{ app: 'x' }] } }, nested] } }],
      template: { metadata: { name: '{{app}}-{{env}}-{{region}}' }, spec: { destination: {} } },
    });
    expect(names(expand(spec(false)))).toEqual(['x-prod-eu']);
    expect(names(expand(spec(true)))).toEqual(['x-prod-eu']);
  });
});

describe('merge generator', () => {
  test('overrides base parameter sets with equal mergeKeys; unmatched override sets are dropped', () => {
    const apps = expand({
      generators: [{
        merge: {
          mergeKeys: ['name'],
          generators: [
            { list: { elements: [{ name: 'a', size: 'small' }, { name: 'b', size: 'small' }] } },
            { list: { elements: [{ name: 'b', size: 'large' }, { name: 'c', size: 'large' }] } },
          ],
        },
      }],
      template: { metadata: { name: '{{name}}-{{size}}' }, spec: { destination: {} } },
    });
    expect(names(apps)).toEqual(['a-small', 'b-large']);
  });

  test('fails when a child\'s parameter sets are not unique by mergeKeys', () => {
    expect(() => expand({ generators: [{ merge: { mergeKeys: ['env'], generators: [{ list: { elements: [{ name: 'a', env: 'x' }, { name: 'b', env: 'x' }] } }, { list: { elements: [] } }] } }] }))
      .toThrow(/not unique by the given mergeKeys.*Duplicate key was \{"env":"x"\}/);
  });

  test('fails when mergeKeys are missing', () => {
    expect(() => expand({ generators: [{ merge: { mergeKeys: [], generators: [{ list: { elements: [{ name: 'a' }] } }, { list: { elements: [] } }] } }] }))
      .toThrow(/no merge keys were specified/);
  });
});

describe('selectors, template overrides, templatePatch', () => {
  test('a generator selector filters parameter sets (matchLabels and NotIn over flattened params)', () => {
    const apps = expand({
      generators: [{
        list: { elements: [{ name: 'a', env: 'prod' }, { name: 'b', env: 'dev' }, { name: 'c', env: 'prod', skip: 'yes' }] },
        selector: { matchLabels: { env: 'prod' }, matchExpressions: [{ key: 'skip', operator: 'NotIn', values: ['yes'] }] },
      }],
    });
    expect(names(apps)).toEqual(['a']);
  });

  test('selectors see values and cluster labels with both engines (v3.5 flattens map[string]string too)', () => {
    const spec = (goTemplate: boolean): any => ({
      goTemplate,
      generators: [{ clusters: { values: { env: 'prod' } }, selector: { matchLabels: { 'values.env': 'prod' } } }],
      template: { metadata: { name: goTemplate ? '{{ .name }}' : '{{name}}' }, spec: { destination: {} } },
    });
    expect(names(expand(spec(false)))).toEqual(['in-cluster']);
    expect(names(expand(spec(true)))).toEqual(['in-cluster']);
  });

  test('git path.segments is a Go []string: one selector leaf printed as [a b]', () => {
    const spec = (selector: any): any => ({
      goTemplate: true,
      generators: [{ git: { repoURL: REPO, revision: 'HEAD', directories: [{ path: 'apps/*' }] }, selector }],
      template: { metadata: { name: '{{ .path.basenameNormalized }}' }, spec: { destination: {} } },
    });
    expect(names(expand(spec({ matchLabels: { 'path.segments.1': 'guestbook' } }), { git }))).toEqual([]);
    expect(names(expand(spec({ matchLabels: { 'path.segments': '[apps guestbook]' } }), { git }))).toEqual(['guestbook']);
  });

  test('a generator\'s template overrides the set\'s template field by field', () => {
    const [app] = expand({
      generators: [{ list: { elements: [{ name: 'a' }], template: { metadata: { labels: { from: 'generator' } }, spec: { project: 'special' } } } }],
    });
    expect(app.metadata.labels).toEqual({ from: 'generator' });
    expect(app.spec.project).toBe('special');
    expect(app.spec.source.path).toBe('x');
  });

  test('templatePatch (goTemplate) adds fields conditionally but cannot change the project', () => {
    const apps = expand({
      goTemplate: true,
      generators: [{ list: { elements: [{ name: 'a', auto: true }, { name: 'b', auto: false }] } }],
      template: { metadata: { name: '{{ .name }}' }, spec: { project: 'default', destination: {} } },
      templatePatch: '{{- if .auto }}\nspec:\n  project: hacked\n  syncPolicy:\n    automated:\n      prune: true\n{{- end }}\n',
    });
    expect(apps.map(a => [a.metadata.name, a.spec.project, a.spec.syncPolicy])).toEqual([['a', 'default', { automated: { prune: true } }], ['b', 'default', undefined]]);
  });
});

describe('templatePatch merging', () => {
  test('lists are replaced, maps merged, null deletes, finalizers are added to (ObjectMeta merges them)', () => {
    const [app] = expand({
      generators: [{ list: { elements: [{ name: 'a' }] } }],
      template: {
        metadata: { name: '{{name}}', labels: { keep: 'yes', drop: 'yes' } },
        spec: { project: 'default', destination: {}, info: [{ name: 'x', value: '1' }], source: { repoURL: REPO, path: 'x' } },
      },
      templatePatch: 'metadata:\n  labels:\n    drop: null\n    added: "{{name}}"\n  finalizers: [example.com/hold]\nspec:\n  info: [{name: y, value: "2"}]\n',
    });
    expect(app.metadata.labels).toEqual({ keep: 'yes', added: 'a' });
    expect(app.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io', 'example.com/hold']);
    expect(app.spec.info).toEqual([{ name: 'y', value: '2' }]);
  });
});

describe('errors', () => {
  test('any generator error means no Applications at all, even when other generators succeed', () => {
    expect(() => expand({ generators: [{ list: { elements: [{ name: 'ok' }] } }, { list: { elements: [{ name: 1 }] } }] }))
      .toThrow(ApplicationSetExpansionError);
  });

  test.each(['scmProvider', 'pullRequest', 'clusterDecisionResource', 'plugin'])('fails when a %s generator is expanded offline, saying so', (kind) => {
    const spec = { generators: [{ [kind]: {} }] };
    expect(() => expand(spec)).toThrow(OfflineExpansionUnsupportedError);
    expect(() => expand(spec)).toThrow(new RegExp(`the ${kind} generator cannot be expanded offline`));
  });

  test('fails when an unsupported generator is a matrix child', () => {
    expect(() => expand({ generators: [{ matrix: { generators: [{ list: { elements: [{ a: 'b' }] } }, { pullRequest: { github: { owner: 'o', repo: 'r' } } }] } }] }))
      .toThrow(/spec\.generators\[0\]\.matrix\.generators\[1\]\.pullRequest: the pullRequest generator cannot be expanded offline/);
  });

  test('duplicate names are reported and only the first is kept, as Argo CD does', () => {
    const result = expandApplicationSet(appSet({ generators: [{ list: { elements: [{ name: 'a', x: '1' }, { name: 'a', x: '2' }] } }] }));
    expect(result.applications).toHaveLength(1);
    expect(result.errors).toEqual(['ApplicationSet set contains applications with duplicate name: a']);
  });

  test('fails when goTemplateOptions has an unknown option', () => {
    expect(() => expand({ goTemplate: true, goTemplateOptions: ['missingkey=maybe'], generators: [] })).toThrow(/unrecognized goTemplateOptions entry 'missingkey=maybe'/);
  });
});
