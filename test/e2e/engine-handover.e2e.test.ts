/**
 * Hand-over between the engine and Argo CD's client-side apply, on the real control plane. Argo CD
 * (unless ServerSideApply=true) applies through kubectl's apply library with field manager
 * `argocd-controller` (gitops-engine resource_ops.go passes its manager to client-side apply too);
 * here the real `kubectl apply --field-manager=argocd-controller` plays that part with the object
 * Argo CD would apply (the manifest with its tracking id and namespace). The conformance test
 * (test/conformance/handover.test.ts) does the same with real Argo CD.
 *
 * - engine → Argo CD: Argo CD's apply of the manifests the engine synced is `unchanged` (no
 *   write: the engine's last-applied annotation is byte-equal to kubectl's), and a field a later
 *   manifest drops is removed by Argo CD's three-way merge although the engine applied it.
 * - Argo CD → engine: the engine adopts what Argo CD applied without a write, and a field a later
 *   manifest drops is removed by the engine although Argo CD's client-side apply owned it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { getJson, kubeconfigPath, kubectl, testNamespaces, waitFor } from './cluster-fixture';
import { ANNOTATION_LAST_APPLIED, ANNOTATION_TRACKING_ID } from '../../src/argo/annotations';
import { KubeObject } from '../../src/engine/model';
import { configMap, deployment, runCli, TestApp } from '../engine/e2e-app';

jest.setTimeout(240_000);

const newNamespace = testNamespaces().create;

function objects(full: boolean): KubeObject[] {
  const cm = configMap('settings', full ? { kept: 'yes', dropped: 'soon' } : { kept: 'yes' });
  cm.metadata.labels = full ? { team: 'a', tier: 'gone-later' } : { team: 'a' };
  const web = deployment('web');
  const container = (web.spec as any).template.spec.containers[0];
  container.env = full ? [{ name: 'KEPT', value: '1' }, { name: 'DROPPED', value: '2' }] : [{ name: 'KEPT', value: '1' }];
  const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, type: 'Opaque', data: full ? { user: 'dQ==', old: 'bw==' } : { user: 'dQ==' } };
  return [cm, web, secret];
}

/** What Argo CD applies for a manifest: the tracking id added, the destination namespace set. */
function asArgoCdApplies(app: TestApp, obj: KubeObject): KubeObject {
  const id = `${app.name}:${obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : ''}/${obj.kind}:${app.namespace}/${obj.metadata.name}`;
  const annotations = { ...(obj.metadata.annotations ?? {}), [ANNOTATION_TRACKING_ID]: id };
  return { ...obj, metadata: { ...obj.metadata, namespace: app.namespace, annotations } };
}

/** `kubectl apply` (client-side) as Argo CD's controller runs it; returns kubectl's per-object lines. */
async function argoCdApply(app: TestApp, objs: KubeObject[]): Promise<string[]> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'handover-')), 'objects.yaml');
  fs.writeFileSync(file, objs.map((o) => stringify(asArgoCdApplies(app, o), { version: '1.1' })).join('---\n'));
  const res = await kubectl(['apply', '--field-manager=argocd-controller', '-f', file]);
  return res.stdout.trim().split('\n');
}

async function live(ns: string): Promise<Record<string, KubeObject>> {
  return {
    cm: (await getJson(['configmap', 'settings', '--show-managed-fields'], { namespace: ns }))!,
    web: (await getJson(['deployment', 'web', '--show-managed-fields'], { namespace: ns }))!,
    secret: (await getJson(['secret', 'creds', '--show-managed-fields'], { namespace: ns }))!,
  };
}

/** resourceVersion of each object once the Deployment's controller has finished with it. */
async function settledVersions(ns: string): Promise<Record<string, string>> {
  await waitFor('Deployment web rolled out', async () => {
    const d = await getJson(['deployment', 'web'], { namespace: ns });
    return d?.status?.observedGeneration === d?.metadata.generation && d?.status?.updatedReplicas === 1 && d?.status?.availableReplicas === 1;
  }, 90_000, 500);
  const l = await live(ns);
  return Object.fromEntries(Object.entries(l).map(([k, o]) => [k, o.metadata.resourceVersion!]));
}

function managers(obj: KubeObject): string[] {
  return ((obj.metadata.managedFields ?? []) as any[]).filter((e) => !e.subresource).map((e) => `${e.manager} ${e.operation}`).sort();
}

const env = (d: KubeObject) => (d.spec as any).template.spec.containers[0].env;

test('engine → Argo CD: Argo CD’s client-side apply of the synced manifests writes nothing, and a field a later manifest drops is removed', async () => {
  const ns = await newNamespace('handover-to-argo');
  const app = new TestApp(ns, ns).write('objects.yaml', ...objects(true));
  const sync = await runCli(kubeconfigPath(), app, 'sync');
  expect({ code: sync.code, stderr: sync.code === 0 ? '' : sync.stderr }).toEqual({ code: 0, stderr: '' });
  const synced = await live(ns);
  // The annotation Argo CD's apply would write, for everything but the Secret (values never go into metadata).
  expect(synced.cm.metadata.annotations?.[ANNOTATION_LAST_APPLIED]).toMatch(/^\{"apiVersion":"v1","data":\{"dropped":"soon","kept":"yes"\},"kind":"ConfigMap".*\}\n$/);
  expect(synced.secret.metadata.annotations?.[ANNOTATION_LAST_APPLIED]).toBeUndefined();
  const before = await settledVersions(ns);

  // Argo CD applies the same manifests: kubectl finds nothing to patch.
  expect(await argoCdApply(app, objects(true))).toEqual(['configmap/settings unchanged', 'deployment.apps/web unchanged', 'secret/creds configured']);
  const after = await settledVersions(ns);
  // The Secret has no annotation from the engine, so kubectl's first apply adds its own (a write).
  expect({ ...after, secret: undefined }).toEqual({ ...before, secret: undefined });

  // A later commit drops a ConfigMap key, a label and an env var; Argo CD applies it.
  await argoCdApply(app, objects(false));
  const dropped = await live(ns);
  expect(dropped.cm.data).toEqual({ kept: 'yes' });
  expect(dropped.cm.metadata.labels).toEqual({ team: 'a' });
  expect(env(dropped.web)).toEqual([{ name: 'KEPT', value: '1' }]);
  expect(dropped.secret.data).toEqual({ user: 'dQ==' });
});

test('Argo CD → engine: the engine adopts what Argo CD applied without a write, and removes a field a later manifest drops', async () => {
  const ns = await newNamespace('handover-from-argo');
  const app = new TestApp(ns, ns).write('objects.yaml', ...objects(true));
  expect(await argoCdApply(app, objects(true))).toEqual(['configmap/settings created', 'deployment.apps/web created', 'secret/creds created']);
  const before = await settledVersions(ns);
  expect(managers((await live(ns)).cm)).toEqual(['argocd-controller Update']);

  const adopt = await runCli(kubeconfigPath(), app, 'sync', '-o', 'json');
  expect({ code: adopt.code, stderr: adopt.code === 0 ? '' : adopt.stderr }).toEqual({ code: 0, stderr: '' });
  const doc = JSON.parse(adopt.stdout);
  expect(doc.resources.map((r: any) => `${r.kind}/${r.name} ${r.status} ${r.message}`).sort()).toEqual([
    'ConfigMap/settings Synced configmap/settings unchanged',
    'Deployment/web Synced deployment.apps/web unchanged',
    'Secret/creds Synced secret/creds unchanged',
  ]);
  expect(await settledVersions(ns)).toEqual(before);

  // A later commit drops the same fields: the engine's comparison sees them go (although a dry
  // run keeps fields Argo CD owns), then its sync removes them.
  app.write('objects.yaml', ...objects(false));
  const status = JSON.parse((await runCli(kubeconfigPath(), app, 'status', '-o', 'json')).stdout);
  expect(status.resources.map((r: any) => `${r.kind}/${r.name} ${r.status}`).sort())
    .toEqual(['ConfigMap/settings OutOfSync', 'Deployment/web OutOfSync', 'Secret/creds OutOfSync']);
  const sync = await runCli(kubeconfigPath(), app, 'sync');
  expect({ code: sync.code, stderr: sync.code === 0 ? '' : sync.stderr }).toEqual({ code: 0, stderr: '' });
  const dropped = await live(ns);
  expect(dropped.cm.data).toEqual({ kept: 'yes' });
  expect(dropped.cm.metadata.labels).toEqual({ team: 'a' });
  expect(env(dropped.web)).toEqual([{ name: 'KEPT', value: '1' }]);
  expect(dropped.secret.data).toEqual({ user: 'dQ==' });
  // Argo CD's client-side entry was folded into the engine's (client-go csaupgrade).
  expect(managers(dropped.cm)).toEqual(['cdk8s-argocd Apply']);
  // And Argo CD takes it back without a write: the engine's annotation is what kubectl would write.
  const rv = dropped.cm.metadata.resourceVersion;
  expect(await argoCdApply(app, [objects(false)[0]])).toEqual(['configmap/settings unchanged']);
  expect((await live(ns)).cm.metadata.resourceVersion).toBe(rv);
});
