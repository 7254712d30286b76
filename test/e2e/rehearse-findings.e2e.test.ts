/**
 * The rehearsal predicts IMMUTABLE_FIELD failures from kube-apiserver's field rules, without
 * writing. This checks each prediction against the real API server of the local control plane:
 * apply the base object as the engine does (server-side apply, our field manager), read it back
 * as the rehearsal does (with managedFields), predict, then send the head object as a server-side
 * dry run — the finding must appear exactly when the API server rejects the update.
 */
import { getJson, kubectl, testNamespaces, waitFor } from './cluster-fixture';
import { FIELD_MANAGER } from '../../src/engine/annotations';
import { KubeObject } from '../../src/engine/model';
import { findingsFor } from '../../src/rehearse/findings';
import { FindingKind, FindingSeverity } from '../../src/rehearse/report';

jest.setTimeout(300_000);
const namespaces = testNamespaces();
let ns: string;

beforeAll(async () => {
  ns = await namespaces.create('rehearse-immutable');
});

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

function deployment(name: string, selector: Record<string, string>, image = 'nginx:1.27'): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: { replicas: 1, selector: { matchLabels: selector }, template: { metadata: { labels: selector }, spec: { containers: [{ name: 'web', image }] } } },
  };
}

function statefulSet(name: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name },
    spec: {
      serviceName: name,
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'db', image: 'postgres:16' }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  };
}

function job(name: string, suspend = false): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: { suspend, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'r', image: 'report:1' }] } } },
  };
}

function service(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec } };
}

function pvc(name: string, size = '1Gi', storageClassName = 'standard'): KubeObject {
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], storageClassName, resources: { requests: { storage: size } } } };
}

function pod(name: string, image = 'busybox:1', value = '1'): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'd', image, env: [{ name: 'A', value }] }] } };
}

function edit(o: KubeObject, f: (c: any) => void): KubeObject {
  const c = clone(o);
  f(c);
  return c;
}

interface Case {
  readonly name: string;
  readonly base: KubeObject;
  readonly head: KubeObject;
  /** What Kubernetes does: true when it rejects the update. */
  readonly rejected: boolean;
}

const CASES: Case[] = [
  { name: 'Deployment selector changed', base: deployment('d-sel', { app: 'a' }), head: deployment('d-sel', { app: 'b' }), rejected: true },
  { name: 'Deployment image changed', base: deployment('d-img', { app: 'a' }), head: deployment('d-img', { app: 'a' }, 'nginx:1.28'), rejected: false },
  {
    name: 'Deployment selector label dropped',
    base: deployment('d-drop', { app: 'a', tier: 't' }),
    head: edit(deployment('d-drop', { app: 'a' }), (c) => { c.spec.template.metadata.labels.tier = 't'; }),
    rejected: true,
  },
  { name: 'StatefulSet volumeClaimTemplates changed', base: statefulSet('s-vct'), head: edit(statefulSet('s-vct'), (c) => { c.spec.volumeClaimTemplates[0].spec.resources.requests.storage = '2Gi'; }), rejected: true },
  { name: 'StatefulSet serviceName changed', base: statefulSet('s-svc'), head: edit(statefulSet('s-svc'), (c) => { c.spec.serviceName = 'other'; }), rejected: true },
  {
    name: 'StatefulSet replicas, template, updateStrategy, minReadySeconds, retention policy changed',
    base: statefulSet('s-ok'),
    head: edit(statefulSet('s-ok'), (c) => {
      c.spec.replicas = 2;
      c.spec.template.spec.containers[0].image = 'postgres:17';
      c.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 1 } };
      c.spec.minReadySeconds = 5;
      c.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Delete', whenScaled: 'Retain' };
    }),
    rejected: false,
  },
  { name: 'StatefulSet revisionHistoryLimit changed', base: statefulSet('s-rhl'), head: edit(statefulSet('s-rhl'), (c) => { c.spec.revisionHistoryLimit = 3; }), rejected: false },
  { name: 'StatefulSet podManagementPolicy changed', base: statefulSet('s-pmp'), head: edit(statefulSet('s-pmp'), (c) => { c.spec.podManagementPolicy = 'Parallel'; }), rejected: true },
  { name: 'Job completions changed', base: job('j-cmp'), head: edit(job('j-cmp'), (c) => { c.spec.completions = 3; }), rejected: true },
  { name: 'Job unchanged', base: job('j-same'), head: job('j-same'), rejected: false },
  { name: 'Job template changed', base: job('j-tpl'), head: edit(job('j-tpl'), (c) => { c.spec.template.spec.containers[0].image = 'report:2'; }), rejected: true },
  { name: 'suspended Job: nodeSelector added', base: job('j-susp', true), head: edit(job('j-susp', true), (c) => { c.spec.template.spec.nodeSelector = { pool: 'batch' }; }), rejected: false },
  { name: 'Service made headless', base: service('v-ip'), head: service('v-ip', { clusterIP: 'None' }), rejected: true },
  { name: 'Service type LoadBalancer', base: service('v-lb'), head: service('v-lb', { type: 'LoadBalancer' }), rejected: false },
  { name: 'headless Service to NodePort', base: service('v-hl', { clusterIP: 'None' }), head: service('v-hl', { clusterIP: 'None', type: 'NodePort' }), rejected: true },
  { name: 'PVC storage class changed', base: pvc('p-cls'), head: pvc('p-cls', '1Gi', 'fast'), rejected: true },
  { name: 'unbound PVC resized', base: pvc('p-grow'), head: pvc('p-grow', '2Gi'), rejected: true },
  { name: 'Pod image changed', base: pod('o-img'), head: pod('o-img', 'busybox:2'), rejected: false },
  { name: 'Pod env changed', base: pod('o-env'), head: pod('o-env', 'busybox:1', '2'), rejected: true },
  {
    name: 'immutable ConfigMap data changed',
    base: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c-imm' }, immutable: true, data: { a: '1' } },
    head: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c-imm' }, immutable: true, data: { a: '2' } },
    rejected: true,
  },
  {
    name: 'immutable ConfigMap unchanged',
    base: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c-same' }, immutable: true, data: { a: '1' } },
    head: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c-same' }, immutable: true, data: { a: '1' } },
    rejected: false,
  },
  {
    name: 'immutable Secret value changed through stringData',
    base: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x-imm' }, immutable: true, stringData: { password: 'old-value' } },
    head: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x-imm' }, immutable: true, stringData: { password: 'new-value' } },
    rejected: true,
  },
];

function apply(obj: KubeObject, dryRun: boolean) {
  return kubectl(['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '--force-conflicts', ...(dryRun ? ['--dry-run=server'] : []), '-f', '-'], {
    input: JSON.stringify(obj), namespace: ns, check: false,
  });
}

test.each(CASES)('$name: predicted exactly when the API server rejects it', async (c) => {
  const applied = await apply(c.base, false);
  expect(applied.stderr).toBe('');
  const list = await getJson<{ items: KubeObject[] }>(['-f', '-', '--show-managed-fields'], { input: JSON.stringify(c.base), namespace: ns });
  const live = list!.items[0];
  const app: KubeObject = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'shop', namespace: 'argocd' },
    spec: { project: 'default', destination: { server: 'https://kubernetes.default.svc', namespace: ns }, syncPolicy: { automated: { prune: true } } },
  };
  const findings = findingsFor([{ name: 'shop', base: app, head: app, live: [live], desired: [{ object: c.head, source: { file: 'head.yaml', line: 1 } }] }]);
  const predicted = findings.filter((f) => f.kind === FindingKind.IMMUTABLE_FIELD && f.severity === FindingSeverity.FAILURE);

  const dryRun = await apply(c.head, true);
  const rejected = dryRun.code !== 0;
  // A mismatch shows the prediction and the API server's answer together.
  const outcome = { rejected, predicted: predicted.length > 0 };
  if (outcome.rejected !== c.rejected || outcome.predicted !== c.rejected) {
    throw new Error(`expected rejected=predicted=${c.rejected}, got ${JSON.stringify(outcome)}\n`
      + `API server: ${dryRun.stderr.trim() || 'accepted'}\nfindings: ${JSON.stringify(findings, null, 1)}\nlive: ${JSON.stringify(live).slice(0, 1500)}`);
  }
  if (c.rejected) {
    expect(dryRun.stderr).toMatch(/immutable|Forbidden|Invalid value/);
  }
  // Secret values never appear in a message.
  expect(JSON.stringify(findings)).not.toMatch(/old-value|new-value/);
});

describe('CRD changes', () => {
  const crd = (specProps: Record<string, unknown>, required: string[] = [], versions = ['v1']) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'gadgets.rehearse.example.com' },
    spec: {
      group: 'rehearse.example.com',
      scope: 'Namespaced',
      names: { kind: 'Gadget', plural: 'gadgets', singular: 'gadget', listKind: 'GadgetList' },
      versions: versions.map((name, i) => ({
        name,
        served: true,
        storage: i === versions.length - 1,
        schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: specProps, ...(required.length ? { required } : {}) } } } },
      })),
    },
  });
  const base = crd({ size: { type: 'integer' }, color: { type: 'string', enum: ['red', 'blue'] } });
  const gadget = { apiVersion: 'rehearse.example.com/v1', kind: 'Gadget', metadata: { name: 'g1' }, spec: { size: 3, color: 'blue' } };
  const app: KubeObject = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'crds', namespace: 'argocd' },
    spec: { project: 'default', destination: { server: 'https://kubernetes.default.svc', namespace: '' }, syncPolicy: { automated: { prune: true } } },
  };

  afterAll(async () => {
    await kubectl(['delete', 'crd', 'gadgets.rehearse.example.com', '--ignore-not-found', '--wait=false'], { check: false });
  });

  test('a new required field and a narrowed enum are predicted, and the API server then rejects writes of the resource\'s spec', async () => {
    expect((await apply(base, false)).stderr).toBe('');
    await waitFor('the Gadget CRD to be established', async () => (await kubectl(['get', 'gadgets', '-n', ns], { check: false })).code === 0, 180_000);
    expect((await apply(gadget as KubeObject, false)).stderr).toBe('');
    const liveCrd = await getJson<KubeObject>(['crd', 'gadgets.rehearse.example.com', '--show-managed-fields']);
    const liveGadget = (await getJson<{ items: KubeObject[] }>(['-f', '-'], { input: JSON.stringify(gadget), namespace: ns }))!.items[0];
    const head = crd({ size: { type: 'integer' }, color: { type: 'string', enum: ['red'] }, shape: { type: 'string' } }, ['shape']);
    const gadgets = { ...app, metadata: { name: 'gadgets', namespace: 'argocd' }, spec: { ...app.spec, destination: { server: 'https://kubernetes.default.svc', namespace: ns } } };

    const findings = findingsFor([
      { name: 'crds', base: app, head: app, live: [liveCrd!], desired: [{ object: head, source: { file: 'crds.yaml', line: 1 } }] },
      { name: 'gadgets', base: gadgets, head: gadgets, live: [liveGadget], desired: [{ object: gadget as KubeObject, source: { file: 'g.yaml', line: 1 } }] },
    ]);
    expect(findings.map((f) => `${f.kind} ${f.resource?.name}`)).toEqual(['CrdInvalidatesResources g1']);
    expect(findings[0].message).toContain('/spec/shape is required');
    expect(findings[0].message).toContain('/spec/color must be one of ["red"]');

    // The API server takes the CRD. It ratchets: a write that leaves the invalid fields as they
    // are still passes, but one that changes the resource's spec, or re-creates it, is refused.
    expect((await apply(head as KubeObject, false)).stderr).toBe('');
    const copy = { ...gadget, metadata: { name: 'g2' } };
    const created = await waitFor('the new schema to apply', async () => {
      const r = await apply(copy as KubeObject, true);
      return r.code !== 0 ? r : undefined;
    }, 30_000);
    expect(created.stderr).toMatch(/spec.shape: Required value/);
    const resized = await apply({ ...gadget, spec: { ...gadget.spec, size: 4 } } as KubeObject, true);
    expect(resized.stderr).toMatch(/spec.shape: Required value/);
    const relabelled = await apply({ ...gadget, metadata: { name: 'g1', labels: { touched: 'yes' } } } as KubeObject, true);
    expect(relabelled.stderr).toBe('');
  });

  test('dropping the stored version is predicted, and the API server rejects the CRD', async () => {
    const liveCrd = await getJson<KubeObject>(['crd', 'gadgets.rehearse.example.com', '--show-managed-fields']);
    const head = crd({ size: { type: 'integer' } }, [], ['v2']);
    const findings = findingsFor([{ name: 'crds', base: app, head: app, live: [liveCrd!], desired: [{ object: head, source: { file: 'crds.yaml', line: 1 } }] }]);
    expect(findings.map((f) => f.path)).toEqual(['spec.versions']);
    const r = await apply(head as KubeObject, true);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/storedVersions/);
  });
});
