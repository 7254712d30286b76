import { obj } from './fixtures';
import { ARGOCD_CRDS, isArgoCdKind, readArgoCdCrds } from '../../src/engine/crds/argocd-crds';
import { crdEstablished, installArgoCdCrds } from '../../src/engine/crds/install-crds';
import { LoadedApplication } from '../../src/engine/load/applications';
import { OperationPhase } from '../../src/engine/model';
import { syncApplication } from '../../src/engine/sync';
import { FakeKube } from '../util/fake-kube';

describe('the shipped Argo CD CRDs', () => {
  test('crds/ holds one CRD per Argo CD kind, named as listed', () => {
    const crds = readArgoCdCrds();
    expect(crds.map((c) => [c.kind, c.metadata.name, c.spec.names.kind, c.spec.group])).toEqual(
      ARGOCD_CRDS.map((c) => ['CustomResourceDefinition', c.name, c.kind, 'argoproj.io']));
    expect(isArgoCdKind({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application' })).toBe(true);
    expect(isArgoCdKind({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout' })).toBe(false);
  }, 60_000);

  test('installArgoCdCrds applies the namespace and the CRDs and waits until they are Established', async () => {
    const waitUntil = async (f: () => boolean) => {
      while (!f()) await new Promise((r) => setTimeout(r, 20));
    };
    let established = false;
    const fake = new FakeKube().statusOnWrite('CustomResourceDefinition', () => (established ? { conditions: [{ type: 'Established', status: 'True' }] } : undefined));
    const lines: string[] = [];
    const pending = installArgoCdCrds(fake, { log: (m) => lines.push(m), timeoutMs: 60_000 });
    // The fake parses the 1.4 MB ApplicationSet CRD: seconds on a busy machine.
    await waitUntil(() => fake.names().filter((n) => n.startsWith('CustomResourceDefinition')).length === 3);
    await new Promise((r) => setTimeout(r, 300));
    expect(lines).toEqual([]); // still waiting for Established
    established = true;
    for (const crd of ARGOCD_CRDS) {
      // A status update, as the API server makes once it serves the kind.
      await fake.merge({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: crd.name } }, { metadata: { labels: { touched: 'yes' } } });
    }
    await pending;
    expect(fake.writes().filter((w) => !w.includes('touched'))).toEqual(expect.arrayContaining([
      'apply Namespace argocd', 'apply CustomResourceDefinition applications.argoproj.io',
      'apply CustomResourceDefinition appprojects.argoproj.io', 'apply CustomResourceDefinition applicationsets.argoproj.io',
    ]));
    expect(crdEstablished(fake.peek('apiextensions.k8s.io/v1', 'CustomResourceDefinition', '', 'applications.argoproj.io'))).toBe(true);
    expect(fake.discoveryInvalidations).toBe(1);
    expect(lines).toEqual(['installed the Argo CD CRDs (applications.argoproj.io, appprojects.argoproj.io, applicationsets.argoproj.io) and namespace argocd']);
  }, 90_000);

  test('a sync that creates an Application on a cluster without the CRDs fails before anything is applied, naming install-crds', async () => {
    const fake = new FakeKube().seed(obj('v1', 'Namespace', 'kube-system'), obj('v1', 'Namespace', 'argocd'));
    const child = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'child', namespace: 'argocd' }, spec: {} };
    const app: LoadedApplication = {
      name: 'root',
      namespace: 'argocd',
      position: { file: 'm/root.yaml', line: 1 },
      revision: 'abcdef0',
      manifest: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'root', namespace: 'argocd' }, spec: { destination: { server: 'https://kubernetes.default.svc', namespace: 'argocd' } } },
      objects: [{ object: child, source: { file: 'm/apps/child.yaml', line: 1 } }],
    };
    const result = await syncApplication(fake, app, { pollMs: 1 });
    expect(result.phase).toBe(OperationPhase.FAILED);
    expect(result.message).toMatch(/m\/apps\/child\.yaml:1: Application argocd\/child: the cluster does not serve Application \(argoproj\.io\/v1alpha1\): the Argo CD CRDs are not installed; install them with `cdk8s-argocd install-crds`/);
    expect(fake.writes().filter((w) => !w.includes('Lease'))).toEqual([]);
  });
});
