/**
 * The benchmarks' objects: ConfigMaps, Deployments with 0 replicas and headless Services, one file
 * per object as synth writes them (bench/sync.ts and bench/argocd-vs-engine.ts).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';

export function configMap(i: number, variant = 0): object {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, labels: { app: `svc-${i}` } }, data: { 'LOG_LEVEL': variant ? 'debug' : 'info', 'FEATURE_X': 'true', 'config.json': JSON.stringify({ id: i, replicas: 1, tags: ['a', 'b'] }) } };
}

export function deploymentObj(i: number, variant = 0): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `web-${i}`, labels: { app: `web-${i}` } },
    spec: {
      // replicas 0: measure the apply path, not kwok scheduling hundreds of pods on 2 cores.
      replicas: 0,
      selector: { matchLabels: { app: `web-${i}` } },
      template: {
        metadata: { labels: { app: `web-${i}` } },
        spec: {
          containers: [{
            name: 'main',
            image: `registry.example.com/web:${variant ? '1.1' : '1.0'}`,
            ports: [{ containerPort: 8080 }],
            env: [{ name: 'INDEX', value: String(i) }],
            resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
          }],
        },
      },
    },
  };
}

export function serviceObj(i: number): object {
  // Headless: the local cluster's service CIDR is a /24, too small for hundreds of ClusterIPs per side.
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `svc-${i}` },
    spec: { clusterIP: 'None', selector: { app: `web-${i}` }, ports: [{ port: 80, targetPort: 8080 }] },
  };
}

/** One file per resource `index` (ConfigMaps, Deployments and Services in turn) into `dir`. */
export function writeResource(dir: string, index: number): void {
  const i = Math.floor(index / 3);
  const [kind, obj] = ([['configmap', () => configMap(i)], ['deployment', () => deploymentObj(i)], ['service', () => serviceObj(i)]] as const)[index % 3];
  fs.writeFileSync(path.join(dir, `${kind}-${i}.yaml`), stringify(obj()));
}

/** An Argo CD Application in namespace argocd (automated with prune when `automated`). */
export function application(name: string, namespace: string | undefined, repoURL: string, sourcePath: string, automated: boolean): object {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'argocd' },
    spec: {
      project: 'default',
      destination: { server: 'https://kubernetes.default.svc', ...(namespace ? { namespace } : {}) },
      source: { repoURL, path: sourcePath, targetRevision: 'main' },
      ...(automated ? { syncPolicy: { automated: { prune: true } } } : {}),
    },
  };
}

/**
 * Compiles the engine into `<out>/lib` (tsc, as users run it: compiled JavaScript, not ts-node)
 * and returns the CLI's path.
 */
export function compileEngine(root: string, out: string): string {
  fs.mkdirSync(out, { recursive: true });
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json'), '--outDir', path.join(out, 'lib'),
    '--noEmitOnError', 'false', '--declaration', 'false', '--inlineSourceMap', 'false', '--inlineSources', 'false'], { encoding: 'utf8' });
  const cli = path.join(out, 'lib', 'cli', 'main.js');
  if (!fs.existsSync(cli)) {
    throw new Error(`compiling the engine failed:\n${tsc.stdout}${tsc.stderr}`);
  }
  fs.copyFileSync(path.join(root, 'package.json'), path.join(out, 'package.json'));
  return cli;
}
