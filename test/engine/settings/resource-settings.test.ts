import { ALL_KINDS_KEY, splitCustomizationKey } from '../../../src/argo/argocd-cm';
import { matchingRules } from '../../../src/engine/diff/ignore-differences';
import { KubeObject } from '../../../src/engine/model';
import {
  activateResourceSettings, customHealth, hasCustomHealth, isExcluded, parseResourceSettings, settingsIgnoreDifferences,
} from '../../../src/engine/settings/resource-settings';

const obj = (apiVersion: string, kind: string): KubeObject => ({ apiVersion, kind, metadata: { name: 'x' } });

describe('argocd-cm key rules (util/settings/settings.go)', () => {
  test('split keys: group_kind, a core kind alone, all', () => {
    expect(splitCustomizationKey('resource.customizations.health.cert-manager.io_Certificate')).toEqual({ type: 'health', key: 'cert-manager.io/Certificate' });
    expect(splitCustomizationKey('resource.customizations.health.ConfigMap')).toEqual({ type: 'health', key: 'ConfigMap' });
    expect(splitCustomizationKey('resource.customizations.ignoreDifferences.all')).toEqual({ type: 'ignoreDifferences', key: ALL_KINDS_KEY });
    expect(splitCustomizationKey('resource.customizations.useOpenLibs.*.crossplane.io_*')).toEqual({ type: 'useOpenLibs', key: '*.crossplane.io/*' });
    expect(splitCustomizationKey('resource.customizations')).toBeUndefined();
    expect(splitCustomizationKey('resource.exclusions')).toBeUndefined();
    expect(() => splitCustomizationKey('resource.customizations.health.a_b_c')).toThrow(/group kind should be in format/);
  });

  test('split keys and the older block merge; split keys win', () => {
    const s = parseResourceSettings({
      'resource.customizations': 'example.com/Widget:\n  health.lua: |\n    return { status = "Degraded" }\n  health.lua.useOpenLibs: true\n  ignoreDifferences: |\n    jsonPointers:\n    - /spec/replicas\n',
      'resource.customizations.health.example.com_Widget': 'return { status = "Healthy" }',
    }, 'cm.yaml:1');
    expect(s.overrides.get('example.com/Widget')).toEqual({
      healthLua: 'return { status = "Healthy" }', useOpenLibs: true, ignoreDifferences: { jsonPointers: ['/spec/replicas'] },
    });
  });

  test('errors Argo CD refuses too name the ConfigMap and key', () => {
    expect(() => parseResourceSettings({ 'resource.customizations.bogus.apps_Deployment': 'x' }, 'repo/argocd-cm.yaml:3'))
      .toThrow('repo/argocd-cm.yaml:3: resource.customizations.bogus.apps_Deployment: resource customization type bogus not supported');
    expect(() => parseResourceSettings({ 'resource.customizations.useOpenLibs.apps_Deployment': 'yes' }, 'cm')).toThrow(/not a boolean/);
    expect(() => parseResourceSettings({ 'resource.exclusions': 'apiGroups: [x]' }, 'cm')).toThrow(/must be a YAML list/);
    // Types Argo CD knows but the engine has no use for are accepted.
    expect(() => parseResourceSettings({ 'resource.customizations.actions.apps_Deployment': 'x', 'resource.customizations.knownTypeFields.apps_Deployment': '[]' }, 'cm')).not.toThrow();
  });
});

describe('active settings', () => {
  afterEach(() => activateResourceSettings(undefined));

  test('the exact key wins over a wildcard; wildcard groups match (*.crossplane.io/*)', () => {
    activateResourceSettings(parseResourceSettings({
      'resource.customizations.health.*.crossplane.io_*': 'return { status = "Degraded", message = "wildcard" }',
      'resource.customizations.health.s3.aws.crossplane.io_Bucket': 'return { status = "Healthy", message = "exact" }',
      'resource.customizations.health.ConfigMap': 'return { status = "Suspended" }',
    }, 'cm'));
    expect(customHealth(obj('s3.aws.crossplane.io/v1', 'Bucket'))?.message).toBe('exact');
    expect(customHealth(obj('ec2.aws.crossplane.io/v1', 'VPC'))?.message).toBe('wildcard');
    expect(customHealth(obj('v1', 'ConfigMap'))?.status).toBe('Suspended');
    expect(hasCustomHealth(obj('apps/v1', 'Deployment'))).toBe(false);
  });

  test('useOpenLibs.<group_kind> opens the libraries for that kind only', () => {
    const script = 'return { status = "Healthy", message = string.upper("ok") }';
    activateResourceSettings(parseResourceSettings({
      'resource.customizations.health.example.com_Open': script,
      'resource.customizations.useOpenLibs.example.com_Open': 'true',
      'resource.customizations.health.example.com_Closed': script,
    }, 'cm'));
    expect(customHealth(obj('example.com/v1', 'Open'))).toEqual({ status: 'Healthy', message: 'OK' });
    expect(customHealth(obj('example.com/v1', 'Closed'))?.status).toBe('Unknown');
  });

  test('ignoreDifferences customizations become rules: .all matches every kind, the core group included', () => {
    const s = parseResourceSettings({
      'resource.customizations.ignoreDifferences.all': 'managedFieldsManagers:\n- kube-controller-manager\n',
      'resource.customizations.ignoreDifferences.apps_Deployment': 'jsonPointers:\n- /spec/replicas\njqPathExpressions:\n- .spec.template.metadata.annotations\n',
      'resource.customizations.ignoreDifferences.ConfigMap': 'jsonPointers:\n- /data/generated\n',
    }, 'cm');
    const rules = settingsIgnoreDifferences(s);
    expect(rules).toEqual(expect.arrayContaining([
      { group: '*', kind: '*', managedFieldsManagers: ['kube-controller-manager'] },
      { group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'], jqPathExpressions: ['.spec.template.metadata.annotations'] },
      { group: '', kind: 'ConfigMap', jsonPointers: ['/data/generated'] },
    ]));
    expect(matchingRules(rules, obj('v1', 'ConfigMap')).map((r) => r.kind).sort()).toEqual(['*', 'ConfigMap']);
    expect(matchingRules(rules, obj('apps/v1', 'Deployment')).map((r) => r.kind).sort()).toEqual(['*', 'Deployment']);
    expect(matchingRules(rules, obj('v1', 'Secret')).map((r) => r.kind)).toEqual(['*']);
  });

  test('exclusions and inclusions as ResourcesFilter.IsExcludedResource', () => {
    const s = parseResourceSettings({
      'resource.exclusions': '- apiGroups: ["*.example.com"]\n  kinds: ["*"]\n  clusters: ["*"]\n- apiGroups: [""]\n  kinds: [ConfigMap]\n  clusters: ["https://other:6443"]\n',
    }, 'cm');
    const local = 'https://kubernetes.default.svc';
    expect(isExcluded(obj('a.example.com/v1', 'Thing'), local, s)).toBe(true);
    expect(isExcluded(obj('example.com/v1', 'Thing'), local, s)).toBe(false);
    expect(isExcluded(obj('v1', 'ConfigMap'), local, s)).toBe(false);
    expect(isExcluded(obj('v1', 'ConfigMap'), 'https://other:6443', s)).toBe(true);
    const only = parseResourceSettings({ 'resource.inclusions': '- apiGroups: ["", apps]\n  kinds: ["*"]\n' }, 'cm');
    expect(isExcluded(obj('apps/v1', 'Deployment'), local, only)).toBe(false);
    expect(isExcluded(obj('batch/v1', 'Job'), local, only)).toBe(true);
    expect(isExcluded(obj('batch/v1', 'Job'), local, undefined)).toBe(false);
  });
});
