import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadApplicationManifest } from '../../src/engine/load/applications';
import { RemoteSourceError } from '../../src/engine/load/manifest-error';
import { renderSource, HELM_BINARY_ENV, KUSTOMIZE_BINARY_ENV } from '../../src/engine/load/render-source';
import { rendererBinary } from '../../src/engine/load/renderer-binary';

// The embedded renderer (helm.sh/helm/v4 and kustomize/api in renderer/) is
// built on first use; a cold build takes 10-25 minutes on 2 cores.
beforeAll(() => {
  rendererBinary();
}, 40 * 60 * 1000);

const repoRoot = path.resolve(__dirname, '../..');
const chartDir = path.join(repoRoot, 'examples/environments/chart');

function names(objects: ReturnType<typeof renderSource>): string[] {
  return objects.map((o) => `${o.object.kind}/${o.object.metadata.name}`);
}

describe('Helm sources render with the embedded Helm library', () => {
  test('examples/environments/chart with a values file and parameters, no helm on PATH', () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const objects = renderSource({
        path: 'examples/environments/chart',
        helm: {
          valueFiles: ['values-staging.yaml'],
          parameters: [
            { name: 'replicaCount', value: '3' },
            // Without forceString Helm reads 1.10 as the number 1.1.
            { name: 'image.tag', value: '1.10', forceString: true },
          ],
        },
      }, chartDir, { repoRoot, appName: 'web-staging', namespace: 'web' });
      expect(names(objects)).toEqual(['Deployment/web-staging']);
      const dep = objects[0].object as any;
      expect(dep.metadata.labels.env).toBe('staging');
      expect(dep.spec.replicas).toBe(3);
      expect(dep.spec.template.spec.containers[0].image).toBe('ghcr.io/acme/web:1.10');
      expect(dep.spec.template.spec.containers[0].env).toEqual([{ name: 'LOG_LEVEL', value: 'debug' }]);
    } finally {
      process.env.PATH = saved;
    }
  });

  test('inline values win over value files, and parameters win over both', () => {
    const objects = renderSource({
      path: 'examples/environments/chart',
      helm: { valueFiles: ['values-staging.yaml'], values: 'logLevel: info\nreplicaCount: 2\n', parameters: [{ name: 'replicaCount', value: '5' }] },
    }, chartDir, { repoRoot, appName: 'web' });
    const dep = objects[0].object as any;
    expect(dep.spec.template.spec.containers[0].env).toEqual([{ name: 'LOG_LEVEL', value: 'info' }]);
    expect(dep.spec.replicas).toBe(5);
    expect(dep.metadata.labels.env).toBe('staging');
  });

  test('a missing value file fails with the message previews give; helm.ignoreMissingValueFiles skips it, as in Argo CD', () => {
    const source = { path: 'examples/environments/chart', helm: { valueFiles: ['values.yaml', 'values-qa.yaml'] } };
    expect(() => renderSource(source, chartDir, { repoRoot, appName: 'web-qa' })).toThrow(
      'web-qa: spec.source.helm.valueFiles values-qa.yaml: examples/environments/chart/values-qa.yaml does not exist in the repository, so a sync fails '
      + '(create it, fix the name, or set helm.ignoreMissingValueFiles: true to skip missing value files as Argo CD does)');
    const objects = renderSource({ ...source, helm: { ...source.helm, ignoreMissingValueFiles: true } }, chartDir, { repoRoot, appName: 'web-qa' });
    expect(names(objects)).toEqual(['Deployment/web-qa']);
  });

  test('a chart from an unreachable HTTP chart repository fails naming the chart and the repository', () => {
    expect(() => renderSource({ chart: 'nginx', repoURL: 'https://charts.example.invalid', targetRevision: '1.2.3' },
      repoRoot, { repoRoot, appName: 'web' }))
      .toThrow(/web \(helm template nginx from https:\/\/charts\.example\.invalid\).*chart "nginx" from repository https:\/\/charts\.example\.invalid version 1\.2\.3/s);
  });

  test('a chart repository that cannot be read is a RemoteSourceError (the Application\'s ComparisonError), a broken chart in the repository is not', () => {
    expect(() => renderSource({ chart: 'nginx', repoURL: 'https://charts.example.invalid', targetRevision: '1.2.3' }, repoRoot, { repoRoot, appName: 'web' }))
      .toThrow(RemoteSourceError);
    const broken = fs.mkdtempSync(path.join(os.tmpdir(), 'broken-chart-'));
    fs.writeFileSync(path.join(broken, 'Chart.yaml'), 'apiVersion: v2\nname: broken\nversion: 0.1.0\n');
    fs.mkdirSync(path.join(broken, 'templates'));
    fs.writeFileSync(path.join(broken, 'templates', 'x.yaml'), '{{ .Values.missing.field }}\n');
    let thrown: unknown;
    try {
      renderSource({ path: '.' }, broken, { repoRoot: broken, appName: 'web' });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown).not.toBeInstanceOf(RemoteSourceError);
  });

  test('a loaded Application whose chart repository cannot be read carries the error, marked remoteSourceError', () => {
    const app = loadApplicationManifest({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'web', namespace: 'argocd' },
      spec: { project: 'default', destination: { server: 'https://kubernetes.default.svc', namespace: 'web' }, source: { chart: 'nginx', repoURL: 'https://charts.example.invalid', targetRevision: '1.2.3' } },
    } as any, { file: 'apps/web.yaml', line: 1 }, { repoRoot, revision: 'abc' });
    expect({ remote: app.remoteSourceError, error: app.error }).toEqual({ remote: true, error: expect.stringMatching(/chart "nginx" from repository https:\/\/charts\.example\.invalid/) });
  });

  test('a chart from an unreachable OCI registry fails naming the chart reference', () => {
    expect(() => renderSource({ chart: 'nginx', repoURL: 'registry.example.invalid/charts', targetRevision: '1.2.3' },
      repoRoot, { repoRoot, appName: 'web' }))
      .toThrow(/cannot fetch chart oci:\/\/registry\.example\.invalid\/charts\/nginx version 1\.2\.3/);
  });

  test(`${HELM_BINARY_ENV} renders with the user's helm instead`, () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'own-helm-'));
    const helm = path.join(bin, 'helm');
    fs.writeFileSync(helm, '#!/bin/sh\nprintf "apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: from-own-helm-%s\\n" "$1"\n', { mode: 0o755 });
    process.env[HELM_BINARY_ENV] = helm;
    try {
      expect(names(renderSource({ path: 'examples/environments/chart' }, chartDir, { repoRoot, appName: 'web' }))).toEqual(['ConfigMap/from-own-helm-template']);
      process.env[HELM_BINARY_ENV] = path.join(bin, 'missing');
      expect(() => renderSource({ path: 'examples/environments/chart' }, chartDir, { repoRoot, appName: 'web' }))
        .toThrow(`web: ${HELM_BINARY_ENV}=${path.join(bin, 'missing')} cannot be run; unset it to use the embedded renderer`);
    } finally {
      delete process.env[HELM_BINARY_ENV];
    }
  });
});

describe('Helm renders as the Helm 4 Argo CD v3.5 runs (helm.sh/helm/v4 v4.2.1)', () => {
  function probeChart(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helm4-probe-'));
    fs.mkdirSync(path.join(dir, 'templates'));
    fs.writeFileSync(path.join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: probe\nversion: 0.1.0\n');
    for (const [name, text] of Object.entries(files)) {
      fs.writeFileSync(path.join(dir, name), text);
    }
    return dir;
  }

  test('Capabilities, Release.Service, and chart-default nulls dropped from .Values (Helm 4; Helm 3 kept them, argo-cd#29068)', () => {
    const dir = probeChart({
      'values.yaml': 'opt: null\nnested:\n  keep: 1\n  drop: null\n',
      'templates/cm.yaml': [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        '  name: {{ .Release.Name }}',
        'data:',
        '  helmVersion: {{ .Capabilities.HelmVersion.Version | quote }}',
        '  kubeVersion: {{ .Capabilities.KubeVersion.Version | quote }}',
        '  service: {{ .Release.Service | quote }}',
        '  optKey: {{ hasKey .Values "opt" | quote }}',
        '  dropKey: {{ hasKey .Values.nested "drop" | quote }}',
        '  keep: {{ .Values.nested.keep | quote }}',
        '',
      ].join('\n'),
    });
    const objects = renderSource({ path: '.' }, dir, { repoRoot: dir, appName: 'probe' });
    expect((objects[0].object as any).data).toEqual({
      helmVersion: 'v4.2.1',
      // helm v4.2.1's default without --kube-version: its client-go (v0.36.1) as v1.36.0.
      kubeVersion: 'v1.36.0',
      service: 'Helm',
      optKey: 'false',
      dropKey: 'false',
      keep: '1',
    });
  });

  test('values.schema.json is checked (Helm 4, like Helm 3, validates unless --skip-schema-validation)', () => {
    const dir = probeChart({
      'values.yaml': 'replicas: 1\n',
      'values.schema.json': '{"type": "object", "properties": {"replicas": {"type": "integer"}}}\n',
      'templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: probe\ndata:\n  replicas: {{ .Values.replicas | quote }}\n',
    });
    expect(renderSource({ path: '.' }, dir, { repoRoot: dir, appName: 'probe' }).map((o) => (o.object as any).data)).toEqual([{ replicas: '1' }]);
    expect(() => renderSource({ path: '.', helm: { parameters: [{ name: 'replicas', value: 'two', forceString: true }] } }, dir, { repoRoot: dir, appName: 'probe' }))
      .toThrow(/^\. \(helm template\): .*schema.*replicas/s);
  });
});

describe('Kustomize sources render with the embedded Kustomize library', () => {
  function kustomization(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kustomize-src-'));
    fs.writeFileSync(path.join(dir, 'kustomization.yaml'), [
      'namePrefix: pre-',
      'resources: [deploy.yaml]',
      'configMapGenerator:',
      '- name: settings',
      '  literals: [mode=fast]',
      '',
    ].join('\n'));
    fs.writeFileSync(path.join(dir, 'deploy.yaml'), [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: web}',
      'spec:',
      '  selector: {matchLabels: {app: web}}',
      '  template:',
      '    metadata: {labels: {app: web}}',
      '    spec:',
      '      containers: [{name: web, image: web:1, envFrom: [{configMapRef: {name: settings}}]}]',
      '',
    ].join('\n'));
    return dir;
  }

  test('generators, name prefixes and name references, with no kubectl on PATH', () => {
    const dir = kustomization();
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const objects = renderSource({}, dir, { repoRoot: dir, appName: 'k' });
      const cm = objects.find((o) => o.object.kind === 'ConfigMap')!.object as any;
      const dep = objects.find((o) => o.object.kind === 'Deployment')!.object as any;
      // kustomize appends a content hash to generated names and rewrites references to them.
      expect(cm.metadata.name).toMatch(/^pre-settings-[a-z0-9]{10}$/);
      expect(cm.data).toEqual({ mode: 'fast' });
      expect(dep.metadata.name).toBe('pre-web');
      expect(dep.spec.template.spec.containers[0].envFrom).toEqual([{ configMapRef: { name: cm.metadata.name } }]);
    } finally {
      process.env.PATH = saved;
    }
  });

  test('a broken kustomization fails with kustomize\'s message and the folder', () => {
    const dir = kustomization();
    fs.writeFileSync(path.join(dir, 'kustomization.yaml'), 'resources: [missing.yaml]\n');
    expect(() => renderSource({}, dir, { repoRoot: path.dirname(dir), appName: 'k' }))
      .toThrow(new RegExp(`^${path.basename(dir)} \\(kustomize build\\): .* failed \\(exit 1\\): .*missing\\.yaml`, 's'));
  });

  test(`${KUSTOMIZE_BINARY_ENV} renders with the user's kustomize instead`, () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'own-kustomize-'));
    const kustomize = path.join(bin, 'kustomize');
    fs.writeFileSync(kustomize, '#!/bin/sh\nprintf "apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: from-own-kustomize-%s\\n" "$1"\n', { mode: 0o755 });
    process.env[KUSTOMIZE_BINARY_ENV] = kustomize;
    try {
      expect(names(renderSource({}, kustomization(), { repoRoot: os.tmpdir(), appName: 'k' }))).toEqual(['ConfigMap/from-own-kustomize-build']);
    } finally {
      delete process.env[KUSTOMIZE_BINARY_ENV];
    }
  });
});
