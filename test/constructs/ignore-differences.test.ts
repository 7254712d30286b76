import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { AppProject, Application, IgnoreDifferences, SyncOption } from '../../src';
import { crdErrorsInFiles } from '../util/crd-validator';
import { manifest, testApp } from '../util/synth';

describe('IgnoreDifferences presets', () => {
  test('hpaManagedReplicas and kedaManagedReplicas ignore /spec/replicas of the workload', () => {
    expect(IgnoreDifferences.hpaManagedReplicas('Deployment', 'web')).toEqual({ group: 'apps', kind: 'Deployment', name: 'web', jsonPointers: ['/spec/replicas'] });
    expect(IgnoreDifferences.kedaManagedReplicas('StatefulSet', 'worker')).toEqual({ group: 'apps', kind: 'StatefulSet', name: 'worker', jsonPointers: ['/spec/replicas'] });
    expect(IgnoreDifferences.hpaManagedReplicas('Rollout', 'canary').group).toBe('argoproj.io');
    expect(IgnoreDifferences.hpaManagedReplicas('CloneSet', 'x', 'apps.kruise.io').group).toBe('apps.kruise.io');
  });

  test('helmLookupSecret ignores all data, or only the given keys (escaped as RFC 6901 tokens)', () => {
    expect(IgnoreDifferences.helmLookupSecret('db-credentials')).toEqual({ kind: 'Secret', name: 'db-credentials', jsonPointers: ['/data'] });
    expect(IgnoreDifferences.helmLookupSecret('db', ['password', 'tls/key', 'a~b']).jsonPointers).toEqual(['/data/password', '/data/tls~1key', '/data/a~0b']);
  });

  test('webhookCaBundle knows where each kind keeps its caBundle', () => {
    expect(IgnoreDifferences.webhookCaBundle('MutatingWebhookConfiguration', 'cert-manager-webhook')).toEqual({
      group: 'admissionregistration.k8s.io',
      kind: 'MutatingWebhookConfiguration',
      name: 'cert-manager-webhook',
      jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'],
    });
    expect(IgnoreDifferences.webhookCaBundle('CustomResourceDefinition').jsonPointers).toEqual(['/spec/conversion/webhook/clientConfig/caBundle']);
    expect(IgnoreDifferences.webhookCaBundle('APIService', 'v1beta1.metrics.k8s.io').jsonPointers).toEqual(['/spec/caBundle']);
  });

  test('fieldManager ignores fields owned by another manager', () => {
    expect(IgnoreDifferences.fieldManager('', 'ConfigMap', 'kube-controller-manager')).toEqual({ group: '', kind: 'ConfigMap', managedFieldsManagers: ['kube-controller-manager'] });
  });

  test('every preset renders into a spec that validates against the v3.5 CRD', () => {
    const app = testApp();
    new Application(app, 'all', {
      ignoreDifferences: [
        IgnoreDifferences.hpaManagedReplicas('Deployment', 'web'),
        IgnoreDifferences.helmLookupSecret('db', ['password']),
        IgnoreDifferences.webhookCaBundle('ValidatingWebhookConfiguration'),
        IgnoreDifferences.fieldManager('apps', 'Deployment', 'vpa-recommender', 'web'),
      ],
    });
    const files = app.synthFiles();
    expect(crdErrorsInFiles(files).errors).toEqual([]);
    expect(manifest(files, 'apps/all.yaml').spec.ignoreDifferences[3]).toEqual({ group: 'apps', kind: 'Deployment', name: 'web', managedFieldsManagers: ['vpa-recommender'] });
  });
});

describe('automatic replicas rule for autoscaled workloads', () => {
  const image = 'ghcr.io/acme/web:1.0.0';

  test('a cdk8s-plus HPA targeting a Deployment in the same Application adds the rule and RespectIgnoreDifferences', () => {
    const app = testApp();
    const shop = new Application(app, 'shop', { syncPolicy: { automated: { selfHeal: true } } });
    const web = new kplus.Deployment(shop, 'web', { containers: [{ image }] });
    new kplus.HorizontalPodAutoscaler(shop, 'web-hpa', { target: web, maxReplicas: 10 });
    const spec = manifest(app.synthFiles(), 'apps/shop.yaml').spec;
    expect(spec.ignoreDifferences).toEqual([{ group: 'apps', kind: 'Deployment', name: 'shop-web', jsonPointers: ['/spec/replicas'] }]);
    expect(spec.syncPolicy).toEqual({ automated: { selfHeal: true }, syncOptions: ['RespectIgnoreDifferences=true'] });
  });

  test('a raw autoscaling/v2 HPA and a KEDA ScaledObject (default target kind) are recognized', () => {
    const app = testApp();
    const shop = new Application(app, 'shop');
    new ApiObject(shop, 'db', { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' } });
    new ApiObject(shop, 'worker', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'worker' } });
    new ApiObject(shop, 'db-hpa', { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db' }, maxReplicas: 3 } });
    new ApiObject(shop, 'worker-keda', { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', spec: { scaleTargetRef: { name: 'worker' }, triggers: [] } });
    const spec = manifest(app.synthFiles(), 'apps/shop.yaml').spec;
    expect(spec.ignoreDifferences.map((r: any) => `${r.kind}/${r.name}`)).toEqual(['StatefulSet/db', 'Deployment/worker']);
    expect(spec.syncPolicy.syncOptions).toEqual(['RespectIgnoreDifferences=true']);
  });

  test('an HPA whose target is in another Application adds nothing', () => {
    const app = testApp();
    new ApiObject(new Application(app, 'a'), 'web', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } });
    new ApiObject(new Application(app, 'b'), 'hpa', { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 3 } });
    const spec = manifest(app.synthFiles(), 'apps/b.yaml').spec;
    expect(spec.ignoreDifferences).toBeUndefined();
    expect(spec.syncPolicy).toBeUndefined();
  });

  test('a rule the user already added is not duplicated, but RespectIgnoreDifferences is still set', () => {
    const app = testApp();
    const shop = new Application(app, 'shop');
    const web = new kplus.Deployment(shop, 'web', { containers: [{ image }] });
    new kplus.HorizontalPodAutoscaler(shop, 'hpa', { target: web, maxReplicas: 4 });
    shop.addIgnoreDifferences(IgnoreDifferences.hpaManagedReplicas('Deployment', 'shop-web'));
    const spec = manifest(app.synthFiles(), 'apps/shop.yaml').spec;
    expect(spec.ignoreDifferences).toHaveLength(1);
    expect(spec.syncPolicy.syncOptions).toEqual(['RespectIgnoreDifferences=true']);
  });

  test('autoIgnoreAutoscaledReplicas: false turns it off', () => {
    const app = testApp();
    const shop = new Application(app, 'shop', { autoIgnoreAutoscaledReplicas: false, syncPolicy: { syncOptions: [SyncOption.CREATE_NAMESPACE] } });
    const web = new kplus.Deployment(shop, 'web', { containers: [{ image }] });
    new kplus.HorizontalPodAutoscaler(shop, 'hpa', { target: web, maxReplicas: 4 });
    const spec = manifest(app.synthFiles(), 'apps/shop.yaml').spec;
    expect(spec.ignoreDifferences).toBeUndefined();
    expect(spec.syncPolicy.syncOptions).toEqual(['CreateNamespace=true']);
  });
});

describe('IgnoreDifferences bad input', () => {
  test('fails when a rule has a malformed JSON pointer', () => {
    const shop = new Application(testApp(), 'shop');
    expect(() => shop.addIgnoreDifferences({ kind: 'Deployment', jsonPointers: ['spec/replicas'] })).toThrow(/jsonPointer 'spec\/replicas' is not a JSON pointer: it must start with '\/'/);
    expect(() => shop.addIgnoreDifferences({ kind: 'Secret', jsonPointers: ['/data/a~b'] })).toThrow(/'~' must be escaped as '~0'/);
    expect(() => new Application(testApp(), 'x', { ignoreDifferences: [{ kind: 'Deployment', jsonPointers: ['/spec/~2'] }] })).toThrow(/not a JSON pointer/);
  });

  test('fails when a preset gets a kind it does not know', () => {
    expect(() => IgnoreDifferences.hpaManagedReplicas('CloneSet', 'x')).toThrow(/kind 'CloneSet' is not a known scalable workload .* pass its API group/);
    expect(() => IgnoreDifferences.webhookCaBundle('Service')).toThrow(/kind 'Service' has no caBundle field; use one of MutatingWebhookConfiguration/);
  });

  test('fails when a preset gets an invalid name or empty keys', () => {
    expect(() => IgnoreDifferences.hpaManagedReplicas('Deployment', 'Web_1')).toThrow(/Deployment name 'Web_1' is not a valid DNS-1123 name/);
    expect(() => IgnoreDifferences.helmLookupSecret('db', [])).toThrow(/keys is empty/);
    expect(() => IgnoreDifferences.helmLookupSecret('db', [''])).toThrow(/a data key must not be empty/);
    expect(() => IgnoreDifferences.fieldManager('apps', 'Deployment', '')).toThrow(/manager must not be empty/);
  });
});

describe('projects', () => {
  test('fails when an Application uses a project that is not declared while others are', () => {
    const app = testApp();
    new AppProject(app, 'team-a', { destinations: [{ server: '*', namespace: '*' }] });
    new Application(app, 'ok', { project: 'team-a' });
    new Application(app, 'default-is-fine');
    new Application(app, 'typo', { project: 'team-b' });
    expect(() => app.synthFiles()).toThrow(/Application 'typo' \('typo'\) uses project 'team-b', which is not declared in this app \(declared: team-a\)/);
  });

  test('without declared projects any project name is accepted (projects may live elsewhere)', () => {
    const app = testApp();
    new Application(app, 'x', { project: 'managed-elsewhere' });
    expect(() => app.synthFiles()).not.toThrow();
  });
});
