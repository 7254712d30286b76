/**
 * Every committed example manifest is accepted by a real kube-apiserver with strict field
 * validation (unknown fields are errors), with the Argo CD v3.5 CRDs installed: the strongest
 * evidence that what the constructs emit is valid for Argo CD and Kubernetes alike.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { kubectl, waitFor } from './cluster-fixture';
import { ARGOCD_CRDS } from '../../src/engine/crds/argocd-crds';

const root = path.join(__dirname, '..', '..');
const examplesDir = path.join(root, 'examples');

// Third-party kinds the examples use whose CRDs are not part of any example (KEDA, External
// Secrets). They are listed, not silently skipped: a new unlisted kind fails the test.
const THIRD_PARTY_KINDS = new Set(['keda.sh/ScaledObject', 'external-secrets.io/ExternalSecret', 'external-secrets.io/ClusterSecretStore']);

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return yamlFiles(full);
    return /\.ya?ml$/.test(e.name) ? [full] : [];
  });
}

// ApplicationSet expansion previews are review aids of a kind no cluster serves, by design.
const PREVIEW_KIND = 'ApplicationSetPreview';

function objectsOf(example: string): Array<{ file: string; obj: any }> {
  return yamlFiles(path.join(examplesDir, example, 'manifests')).flatMap(file =>
    parseAllDocuments(fs.readFileSync(file, 'utf8')).map(d => ({ file, obj: d.toJS() })).filter(o => o.obj?.kind && o.obj.kind !== PREVIEW_KIND));
}

/** `kubectl wait` fails outright while a new CRD has no status yet, so poll instead. */
async function waitEstablished(name: string): Promise<void> {
  await waitFor(`CRD ${name} established`, async () => {
    const res = await kubectl(['get', `crd/${name}`, '-o', 'jsonpath={.status.conditions[?(@.type=="Established")].status}'], { check: false });
    return res.stdout.trim() === 'True';
  });
}

const groupOf = (obj: any) => (obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '');

const examples = fs.readdirSync(examplesDir).filter(n => fs.existsSync(path.join(examplesDir, n, 'manifests'))).sort();

describe('committed examples on a real kube-apiserver', () => {
  // Namespaces this test created (dry-runs need the target namespace to exist).
  const created: string[] = [];
  afterAll(async () => {
    for (const name of created) await kubectl(['delete', 'namespace', name, '--wait=false'], { check: false });
  });

  beforeAll(async () => {
    // The shipped Argo CD CRDs (crds/): the global setup installed them, as `cluster up` does.
    for (const crd of ARGOCD_CRDS) {
      await waitEstablished(crd.name);
    }
  }, 120_000);

  test.each(examples)('examples/%s validates strictly (server-side dry-run)', async (example) => {
    const objects = objectsOf(example);
    expect(objects.length).toBeGreaterThan(0);

    // Namespaces the objects live in must exist for a dry-run (objects without one go to
    // `default`); CRDs of the example are applied for real so their custom resources can be validated.
    const namespaces = new Set(objects.map(o => o.obj.metadata?.namespace).filter((n: any): n is string => !!n));
    for (const name of namespaces) {
      const res = await kubectl(['create', 'namespace', name], { check: false });
      if (res.code === 0) created.push(name);
    }
    const crds = objects.filter(o => o.obj.kind === 'CustomResourceDefinition');
    for (const crd of crds) {
      await kubectl(['apply', '--server-side', '-f', crd.file]);
      await waitEstablished(crd.obj.metadata.name);
    }
    const served = new Set(crds.map(c => c.obj.spec.group).concat(['argoproj.io']));
    const thirdParty = objects.filter(o => o.obj.apiVersion.includes('.') && !served.has(groupOf(o.obj)) && !/\.k8s\.io$/.test(groupOf(o.obj)));
    for (const o of thirdParty) {
      expect(THIRD_PARTY_KINDS).toContain(`${groupOf(o.obj)}/${o.obj.kind}`);
    }
    const validated = objects.filter(o => !thirdParty.includes(o) && o.obj.kind !== 'CustomResourceDefinition');
    const input = validated.map(o => JSON.stringify(o.obj)).join('\n');
    const result = await kubectl(['apply', '--server-side', '--force-conflicts', '--dry-run=server', '--validate=strict', '--field-manager=examples-e2e', '-f', '-'],
      { input, check: false });
    // Warnings are fine (the apiserver warns about Argo CD's own finalizer name); errors are not.
    const errors = result.stderr.split('\n').filter(line => line.trim() && !line.startsWith('Warning:'));
    expect(errors).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(validated.length);
  });

  test('the dry-run rejects an unknown field, so the test above can fail', async () => {
    const bad = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'bad' }, spec: { project: 'default', destination: { server: 'https://kubernetes.default.svc' }, sourc: {} } };
    const result = await kubectl(['apply', '--server-side', '--dry-run=server', '--validate=strict', '-f', '-'], { input: JSON.stringify(bad), check: false });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/\.spec\.sourc: field not declared in schema/);
  });
});
