/**
 * The user's argocd-cm, read from the repository, on the real local control plane: a Lua health
 * check gates a wave, an ignoreDifferences customization hides a drifted field, and an excluded
 * kind is neither applied nor pruned.
 */
import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { getJson, kubeconfigPath, kubectl, testNamespaces, waitFor } from './cluster-fixture';
import { configMap, runCli, TestApp } from '../engine/e2e-app';

jest.setTimeout(240_000);

const newNamespace = testNamespaces().create;

const GROUP = 'lua-e2e.example.com';

/** A small namespaced CRD with a status subresource: the engine has no built-in rule for it. */
const WIDGET_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `widgets.${GROUP}` },
  spec: {
    group: GROUP,
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [{
      name: 'v1',
      served: true,
      storage: true,
      subresources: { status: {} },
      schema: { openAPIV3Schema: { 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true } },
    }],
  },
};

/** Written at the root of the repository's manifests directory, as `argocd-cm.yaml`. */
function writeArgoCdCm(app: TestApp, data: Record<string, string>): void {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cm', namespace: 'argocd' }, data };
  fs.writeFileSync(path.join(app.dir, 'argocd-cm.yaml'), stringify(cm));
}

const WIDGET_HEALTH = [
  'hs = {}',
  'if obj.status ~= nil and obj.status.phase == "Ready" then',
  '  hs.status = "Healthy"',
  '  hs.message = "widget " .. obj.metadata.name .. " is ready"',
  '  return hs',
  'end',
  'hs.status = "Progressing"',
  'hs.message = "waiting for phase Ready"',
  'return hs',
].join('\n');

function cli(app: TestApp, ...args: string[]) {
  return runCli(kubeconfigPath(), app, ...args);
}

beforeAll(async () => {
  await kubectl(['apply', '-f', '-'], { input: JSON.stringify(WIDGET_CRD) });
  await kubectl(['wait', '--for=condition=Established', `crd/widgets.${GROUP}`, '--timeout=60s']);
});

describe('argocd-cm from the repository', () => {
  test('a Lua health check gates a wave: the wave-1 object waits until the custom resource turns Healthy', async () => {
    const ns = await newNamespace('lua-gate');
    const app = new TestApp('luagate', ns)
      .write('widget.yaml', { apiVersion: `${GROUP}/v1`, kind: 'Widget', metadata: { name: 'w', annotations: { 'argocd.argoproj.io/sync-wave': '0' } }, spec: { size: 1 } })
      .write('after.yaml', configMap('after', { a: '1' }, { 'argocd.argoproj.io/sync-wave': '1' }));
    writeArgoCdCm(app, { [`resource.customizations.health.${GROUP}_Widget`]: WIDGET_HEALTH });

    const sync = cli(app, 'sync', '--timeout', '180');
    await waitFor('the widget to be created', () => getJson(['widget.lua-e2e.example.com', 'w'], { namespace: ns }));
    // Held back while the Lua check says Progressing (without the check, the Widget has no health
    // rule and wave 1 would follow at once).
    await new Promise((r) => setTimeout(r, 4000));
    expect(await getJson(['configmap', 'after'], { namespace: ns })).toBeUndefined();

    const readyAt = Date.now();
    await kubectl(['patch', `widget.${GROUP}`, 'w', '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Ready"}}'], { namespace: ns });
    const done = await sync;
    expect(done.stderr).toContain('argocd-cm: resource settings from argocd-cm.yaml:1');
    expect(done.code).toBe(0);
    // The sync said what it waited for: the Lua script's verdict.
    expect(done.stderr).toContain(`waiting for healthy state of ${GROUP}/Widget/w (Progressing: waiting for phase Ready)`);
    const after = await getJson(['configmap', 'after'], { namespace: ns });
    // creationTimestamp has whole seconds.
    expect(Date.parse(after.metadata.creationTimestamp)).toBeGreaterThanOrEqual(Math.floor(readyAt / 1000) * 1000);
    const status = JSON.parse((await cli(app, 'status', '--output', 'json')).stdout);
    expect(status.resources.find((r: { kind: string }) => r.kind === 'Widget').health).toEqual({ status: 'Healthy', message: 'widget w is ready' });
  });

  test('resource.customizations.ignoreDifferences: a drifted ignored field is not OutOfSync, another field is', async () => {
    const ns = await newNamespace('lua-ignore');
    const app = new TestApp('luaignore', ns).write('cm.yaml', configMap('tuned', { tuning: 'low', level: 'info' }));
    writeArgoCdCm(app, { 'resource.customizations.ignoreDifferences.ConfigMap': 'jsonPointers:\n- /data/tuning\n' });
    expect((await cli(app, 'sync')).code).toBe(0);

    await kubectl(['patch', 'configmap', 'tuned', '--type=merge', '-p', '{"data":{"tuning":"high"}}'], { namespace: ns });
    expect(await cli(app, 'diff')).toMatchObject({ code: 0, stdout: '' });

    await kubectl(['patch', 'configmap', 'tuned', '--type=merge', '-p', '{"data":{"level":"debug"}}'], { namespace: ns });
    const drifted = await cli(app, 'diff');
    expect(drifted.code).toBe(1);
    expect(drifted.stdout).toMatch(/level/);
    expect(drifted.stdout).not.toMatch(/tuning/);
  });

  test('resource.exclusions: an excluded kind in the manifests is not applied, and a tracked live object of that kind is not pruned', async () => {
    const ns = await newNamespace('lua-excl');
    const widget = (name: string) => ({ apiVersion: `${GROUP}/v1`, kind: 'Widget', metadata: { name }, spec: { size: 1 } });
    const app = new TestApp('luaexcl', ns).write('cm.yaml', configMap('kept')).write('old.yaml', widget('old'));
    expect((await cli(app, 'sync')).code).toBe(0);
    expect(await getJson([`widget.${GROUP}`, 'old'], { namespace: ns })).toBeDefined();

    // Now Widgets are excluded: the old one leaves the manifests, a new one enters them.
    writeArgoCdCm(app, { 'resource.exclusions': `- apiGroups: ["${GROUP}"]\n  kinds: ["Widget"]\n  clusters: ["*"]\n` });
    app.remove('old.yaml').write('new.yaml', widget('new'));
    const synced = await cli(app, 'sync', '--prune');
    expect(synced.code).toBe(0);
    expect(synced.stderr).toContain(`Resource ${GROUP}/Widget new is excluded in the settings`);
    expect(await getJson([`widget.${GROUP}`, 'new'], { namespace: ns })).toBeUndefined();
    const old = await getJson([`widget.${GROUP}`, 'old'], { namespace: ns });
    expect(old?.metadata.deletionTimestamp).toBeUndefined();
    // Not shown either: Argo CD's cluster cache does not hold excluded kinds.
    const statusRun = await cli(app, 'status', '--output', 'json');
    expect(JSON.stringify(JSON.parse(statusRun.stdout))).not.toMatch(/"kind":"Widget"/);
    expect(statusRun.stderr).toContain(`warning: Resource ${GROUP}/Widget new is excluded in the settings (luaexcl/new.yaml:1)`);

    // Control: without the exclusion the same prune deletes it.
    fs.rmSync(path.join(app.dir, 'argocd-cm.yaml'));
    app.remove('new.yaml');
    expect((await cli(app, 'sync', '--prune')).code).toBe(0);
    await waitFor('the old widget to be pruned', async () => !(await getJson([`widget.${GROUP}`, 'old'], { namespace: ns })));
  });

  test("without one in the repository, the cluster's argocd/argocd-cm is used", async () => {
    const ns = await newNamespace('lua-cluster');
    const app = new TestApp('luacluster', ns).write('widget.yaml', { apiVersion: `${GROUP}/v1`, kind: 'Widget', metadata: { name: 'w' }, spec: { size: 1 } });
    const live = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'argocd-cm', namespace: 'argocd' },
      data: { [`resource.customizations.health.${GROUP}_Widget`]: 'return { status = "Suspended", message = "from the cluster" }' },
    };
    await kubectl(['apply', '-f', '-'], { input: JSON.stringify(live) });
    try {
      expect((await cli(app, 'sync')).code).toBe(0);
      const status = await cli(app, 'status', '--output', 'json');
      expect(status.stderr).toContain('argocd-cm: resource settings from ConfigMap argocd/argocd-cm in the cluster');
      expect(JSON.parse(status.stdout).resources[0].health).toEqual({ status: 'Suspended', message: 'from the cluster' });
    } finally {
      await kubectl(['delete', 'configmap', 'argocd-cm', '-n', 'argocd']);
    }
  });
});
