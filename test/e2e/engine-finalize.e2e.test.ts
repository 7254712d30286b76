/**
 * Deleting Applications on the real control plane as Argo CD's controller does: a root whose
 * sync prunes a child Application finalizes it in the same run (foreground waits for the
 * resources' dependents, background does not; without a finalizer the resources stay), and
 * `delete` with and without cascade, and CRDs (untracked, never pruned once removed unless they carry
 * a legacy tracking id, never cascade-deleted). test/engine/finalize.test.ts has the rules in detail.
 */
import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { getJson, kubeconfigPath, kubectl, testNamespaces, waitFor } from './cluster-fixture';
import { RESOURCES_FINALIZER, RESOURCES_FINALIZER_BACKGROUND } from '../../src/argo/annotations';
import { FIELD_MANAGER } from '../../src/engine/annotations';
import { compareApplication } from '../../src/engine/compare-app';
import { KubeClient } from '../../src/engine/kube/client';
import { loadApplications } from '../../src/engine/load/applications';
import { KubeObject, OperationPhase, SyncOperationResult, SyncStatusCode } from '../../src/engine/model';
import { syncApplication } from '../../src/engine/sync';
import { runInProcess } from '../cli/run-in-process';
import { configMap, deployment, TestApp, useE2eClient } from '../engine/e2e-app';

jest.setTimeout(240_000);

const newNamespace = testNamespaces().create;
let client: KubeClient;
useE2eClient((c) => (client = c));

const BLOCK = 'e2e.cdk8s-argocd.io/block';

/** A root Application whose folder holds one child Application with its own folder. */
class Tree {
  readonly root: TestApp;

  constructor(readonly child: string, readonly namespace: string, finalizers: string[]) {
    // The root keeps a resource of its own: a prune that removes everything is refused (allowEmpty).
    this.root = new TestApp(`root-${namespace}`, namespace).write('marker.yaml', configMap('root-marker'));
    this.root.write('child.yaml', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: child, namespace: 'argocd', ...(finalizers.length ? { finalizers } : {}) },
      spec: {
        project: 'default',
        destination: { server: 'https://kubernetes.default.svc', namespace },
        source: { repoURL: 'https://example.com/repo.git', path: child },
      },
    });
    fs.mkdirSync(path.join(this.root.dir, child));
    this.writeChild('objects.yaml', deployment('web'), configMap('owner'));
  }

  writeChild(file: string, ...objs: KubeObject[]): void {
    fs.writeFileSync(path.join(this.root.dir, this.child, file), objs.map((o) => stringify(o, { version: '1.1' })).join('---\n'));
  }

  async sync(name: string, prune = false): Promise<SyncOperationResult> {
    const loaded = loadApplications({ path: this.root.dir, apps: [name], repoRoot: this.root.dir });
    try {
      return await syncApplication(client, loaded.applications[0], { prune, pollMs: 200, timeoutSeconds: 120 });
    } finally {
      loaded.dispose();
    }
  }

  /** Root and child synced: the child Application and its resources exist. */
  async deploy(): Promise<void> {
    expect(await this.sync(this.root.name)).toMatchObject({ phase: OperationPhase.SUCCEEDED });
    expect(await this.sync(this.child)).toMatchObject({ phase: OperationPhase.SUCCEEDED });
    expect(await this.application()).toBeDefined();
    expect(await getJson(['deployment', 'web'], { namespace: this.namespace })).toBeDefined();
  }

  /** An untracked ConfigMap owned by the child's `owner` ConfigMap, kept alive by a finalizer. */
  async addBlockedDependent(): Promise<void> {
    const owner = await getJson<any>(['configmap', 'owner'], { namespace: this.namespace });
    const dependent = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'dependent',
        finalizers: [BLOCK],
        ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid, blockOwnerDeletion: true }],
      },
    };
    await kubectl(['create', '-f', '-'], { input: JSON.stringify(dependent), namespace: this.namespace });
  }

  async unblock(): Promise<void> {
    await kubectl(['patch', 'configmap', 'dependent', '--type=merge', '-p', '{"metadata":{"finalizers":null}}'], { namespace: this.namespace, check: false });
  }

  /** Removes the child from the root's folder, as re-synthesizing without it would. */
  removeChild(): void {
    this.root.remove('child.yaml');
  }

  application(): Promise<any> {
    return getJson(['applications.argoproj.io', this.child], { namespace: 'argocd' });
  }

  async resources(): Promise<string[]> {
    const list = await getJson<any>(['deployments,configmaps', '-l', '!e2e-none'], { namespace: this.namespace });
    return list.items.map((o: any) => `${o.kind}/${o.metadata.name}`).filter((n: string) => !['ConfigMap/kube-root-ca.crt', 'ConfigMap/root-marker'].includes(n)).sort();
  }
}

describe('a sync that prunes a child Application finalizes it (Argo CD\'s controller would)', () => {
  test('foreground: the child\'s resources are deleted, their dependents first, then the child Application disappears', async () => {
    const ns = await newNamespace('fin-fg');
    const tree = new Tree(`child-${ns}`, ns, [RESOURCES_FINALIZER]);
    await tree.deploy();
    await tree.addBlockedDependent();
    tree.removeChild();

    const pruning = tree.sync(tree.root.name, true);
    // Foreground: the owner waits for its blocked dependent, and the Application for the owner.
    await waitFor('the owner ConfigMap to be deleting', async () => (await getJson<any>(['configmap', 'owner'], { namespace: ns }))?.metadata.deletionTimestamp);
    await new Promise((r) => setTimeout(r, 1500));
    const waiting = await tree.application();
    expect(waiting?.metadata.deletionTimestamp).toBeDefined();
    expect(waiting?.metadata.finalizers).toContain(RESOURCES_FINALIZER);
    await tree.unblock();

    const result = await pruning;
    expect(result).toMatchObject({ phase: OperationPhase.SUCCEEDED });
    expect(result.resources.find((r) => r.name === tree.child)).toMatchObject({ status: 'Pruned', message: 'pruned (and its 2 resource(s))' });
    expect(await tree.application()).toBeUndefined();
    expect(await tree.resources()).toEqual([]);
  });

  test('background: the resources go at once, their dependents later; the child Application disappears without waiting for them', async () => {
    const ns = await newNamespace('fin-bg');
    const tree = new Tree(`child-${ns}`, ns, [RESOURCES_FINALIZER_BACKGROUND]);
    await tree.deploy();
    await tree.addBlockedDependent();
    tree.removeChild();
    try {
      const result = await tree.sync(tree.root.name, true);
      expect(result).toMatchObject({ phase: OperationPhase.SUCCEEDED });
      expect(await tree.application()).toBeUndefined();
      expect(await getJson(['configmap', 'owner'], { namespace: ns })).toBeUndefined();
      expect(await getJson(['deployment', 'web'], { namespace: ns })).toBeUndefined();
      // The blocked dependent is still there: nothing waited for it.
      expect(await getJson(['configmap', 'dependent'], { namespace: ns })).toBeDefined();
    } finally {
      await tree.unblock();
    }
  });

  test('without a finalizer the child Application goes and its resources stay', async () => {
    const ns = await newNamespace('fin-none');
    const tree = new Tree(`child-${ns}`, ns, []);
    await tree.deploy();
    tree.removeChild();
    const result = await tree.sync(tree.root.name, true);
    expect(result).toMatchObject({ phase: OperationPhase.SUCCEEDED });
    await waitFor('the child Application to be gone', async () => (await tree.application()) === undefined);
    expect(await tree.resources()).toEqual(['ConfigMap/owner', 'Deployment/web']);
  });
});

describe('delete', () => {
  test('--cascade=false removes the finalizer first: the Application goes, its resources stay', async () => {
    const ns = await newNamespace('del-keep');
    const tree = new Tree(`child-${ns}`, ns, [RESOURCES_FINALIZER]);
    await tree.deploy();
    const res = await runInProcess('delete', tree.child, '--cascade=false', '--kubeconfig', kubeconfigPath());
    expect(res.stdout).toBe(`Application argocd/${tree.child} deleted; its resources stay\n`);
    expect(res.code).toBe(0);
    expect(await tree.application()).toBeUndefined();
    expect(await tree.resources()).toEqual(['ConfigMap/owner', 'Deployment/web']);
  });

  test('cascade (the default) deletes the resources, also of an Application without a finalizer', async () => {
    const ns = await newNamespace('del-cascade');
    const tree = new Tree(`child-${ns}`, ns, []);
    await tree.deploy();
    const res = await runInProcess('delete', tree.child, '--kubeconfig', kubeconfigPath());
    expect(res.stderr).toMatch(new RegExp(`^Target: context \\S+, server https://127\\.0\\.0\\.1:\\d+ \\(from --kubeconfig \\S+\\) for delete ${tree.child}$`, 'm'));
    expect(res.stderr).toMatch(new RegExp(`deleted Deployment ${ns}/web \\(Foreground\\)`));
    expect(res.stdout).toBe(`Application argocd/${tree.child} deleted; 2 resource(s) deleted\n`);
    expect(res.code).toBe(0);
    expect(await tree.application()).toBeUndefined();
    expect(await tree.resources()).toEqual([]);
    // Deleting it again: a clear error.
    const again = await runInProcess('delete', tree.child, '--kubeconfig', kubeconfigPath());
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(new RegExp(`error: Application argocd/${tree.child} not found in the cluster`));
  });
});

describe('CRDs, as Argo CD treats them: never tracked, never cascade-deleted', () => {
  const TRACKING = 'argocd.argoproj.io/tracking-id';

  test('a synced CRD has no tracking id and is Synced; removed from Git it stays (pruned only with a legacy tracking id); delete --cascade keeps it', async () => {
    const ns = await newNamespace('crd-track');
    const tree = new Tree(`child-${ns}`, ns, []);
    const crd = (plural: string): KubeObject => ({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `${plural}.${ns}.example.com` },
      spec: {
        group: `${ns}.example.com`,
        scope: 'Namespaced',
        names: { plural, singular: plural.slice(0, -1), kind: plural[0].toUpperCase() + plural.slice(1, -1), listKind: `${plural}List` },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    });
    const widgets = crd('widgets');
    const gadgets = crd('gadgets');
    const legacyId = (c: KubeObject) => `${tree.child}:apiextensions.k8s.io/CustomResourceDefinition:${ns}/${c.metadata.name}`;
    const liveCrd = (c: KubeObject) => getJson<KubeObject>(['crd', c.metadata.name!]);
    const childStatus = async () => {
      const loaded = loadApplications({ path: tree.root.dir, apps: [tree.child], repoRoot: tree.root.dir });
      try {
        return await compareApplication(client, loaded.applications[0]);
      } finally {
        loaded.dispose();
      }
    };
    try {
      tree.writeChild('objects.yaml', deployment('web'), configMap('owner'), widgets, gadgets);
      await tree.deploy();
      expect((await liveCrd(widgets))!.metadata.annotations?.[TRACKING]).toBeUndefined();
      expect((await liveCrd(gadgets))!.metadata.annotations?.[TRACKING]).toBeUndefined();
      const status = await childStatus();
      expect(status.sync).toBe(SyncStatusCode.SYNCED);
      expect(status.resources.filter((r) => r.kind === 'CustomResourceDefinition').map((r) => `${r.name} ${r.status}`).sort())
        .toEqual([`gadgets.${ns}.example.com Synced`, `widgets.${ns}.example.com Synced`]);

      // An older engine wrote the tracking id with its field manager: the next sync removes it.
      const older = { ...widgets, metadata: { ...widgets.metadata, annotations: { [TRACKING]: legacyId(widgets) } } };
      await kubectl(['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '--force-conflicts', '-f', '-'], { input: JSON.stringify(older) });
      expect((await liveCrd(widgets))!.metadata.annotations?.[TRACKING]).toBe(legacyId(widgets));
      expect(await tree.sync(tree.child)).toMatchObject({ phase: OperationPhase.SUCCEEDED });
      expect((await liveCrd(widgets))!.metadata.annotations?.[TRACKING]).toBeUndefined();

      // Argo CD (or an engine before it) left its tracking id on gadgets under another field manager.
      await kubectl(['annotate', 'crd', gadgets.metadata.name!, `${TRACKING}=${legacyId(gadgets)}`]);
      tree.writeChild('objects.yaml', deployment('web'), configMap('owner'));
      const pruned = await tree.sync(tree.child, true);
      expect(pruned.phase).toBe(OperationPhase.SUCCEEDED);
      expect(pruned.resources.filter((r) => r.kind === 'CustomResourceDefinition').map((r) => `${r.name} ${r.status}`))
        .toEqual([`gadgets.${ns}.example.com Pruned`]);
      await waitFor('the legacy-tracked CRD to be pruned', async () => (await liveCrd(gadgets)) === undefined);
      expect(await liveCrd(widgets)).toBeDefined();
      expect((await childStatus()).sync).toBe(SyncStatusCode.SYNCED);

      // Even a CRD that carries the Application's tracking id is kept by a cascade delete.
      await kubectl(['annotate', 'crd', widgets.metadata.name!, `${TRACKING}=${legacyId(widgets)}`]);
      const res = await runInProcess('delete', tree.child, '--kubeconfig', kubeconfigPath());
      expect(res.stderr).toContain(`keeping CustomResourceDefinition ${widgets.metadata.name} (CustomResourceDefinitions are never deleted with an Application)`);
      expect(res.stdout).toBe(`Application argocd/${tree.child} deleted; 2 resource(s) deleted\n`);
      expect(res.code).toBe(0);
      expect(await tree.resources()).toEqual([]);
      expect(await liveCrd(widgets)).toBeDefined();
    } finally {
      await kubectl(['delete', 'crd', widgets.metadata.name!, gadgets.metadata.name!, '--ignore-not-found', '--wait=false'], { check: false });
    }
  });
});
