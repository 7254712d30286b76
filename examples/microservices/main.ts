/**
 * examples/microservices: one Argo CD Application per microservice, each synced automatically with
 * prune and self-heal, all in one AppProject that limits them to their namespaces.
 *
 * Every service gets a Deployment and a Service; the ones with `autoscale` also get an HPA.
 * Because the HPA targets a Deployment in the same Application, cdk8s-argocd adds the
 * `/spec/replicas` ignoreDifferences rule and `RespectIgnoreDifferences=true` on its own —
 * otherwise self-heal would reset the replica count the HPA chose on every reconcile.
 *
 * Apply `manifests/apps/` once (`kubectl apply -n argocd -f manifests/apps/`).
 * Synthesize with `npm run synth` from the repository root.
 */
import * as path from 'path';
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { AppProject, Application, GitOpsApp, SyncOption } from '../../src';

interface Microservice {
  readonly name: string;
  readonly image: string;
  readonly port: number;
  /** Fixed replica count, for services without `autoscale`. */
  readonly replicas?: number;
  readonly autoscale?: { readonly min: number; readonly max: number };
}

const NAMESPACE = 'shop';
const MICROSERVICES: Microservice[] = [
  { name: 'catalog', image: 'ghcr.io/acme/catalog:4.3.1', port: 8080, autoscale: { min: 2, max: 12 } },
  { name: 'cart', image: 'ghcr.io/acme/cart:2.0.7', port: 8080, autoscale: { min: 2, max: 8 } },
  { name: 'checkout', image: 'ghcr.io/acme/checkout:1.12.0', port: 8080, replicas: 2 },
  { name: 'recommendations', image: 'ghcr.io/acme/recommendations:0.9.2', port: 9090, replicas: 1 },
];

export function buildApp(): GitOpsApp {
  const app = new GitOpsApp({
    repoURL: 'https://github.com/acme/platform.git',
    outdir: path.join(__dirname, 'manifests'),
  });

  const project = new AppProject(app, 'shop', {
    description: 'Shop microservices',
    destinations: [{ server: 'https://kubernetes.default.svc', namespace: NAMESPACE }],
  });

  for (const svc of MICROSERVICES) {
    const application = new Application(app, svc.name, {
      project: project.name,
      destination: { namespace: NAMESPACE },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: [SyncOption.PRUNE_LAST],
        retry: { limit: 5, backoff: { duration: '5s', factor: 2, maxDuration: '3m' } },
      },
      labels: { 'acme.com/team': 'shop' },
    });
    const deployment = new kplus.Deployment(application, 'app', {
      // An autoscaled Deployment leaves replicas to its HPA (cdk8s-plus rejects a fixed count).
      replicas: svc.autoscale ? undefined : svc.replicas,
      containers: [{
        image: svc.image,
        portNumber: svc.port,
        readiness: kplus.Probe.fromHttpGet('/ready', { port: svc.port }),
        resources: {
          cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(1000) },
          memory: { request: Size.mebibytes(128), limit: Size.mebibytes(512) },
        },
        securityContext: { user: 10001, group: 10001 },
      }],
    });
    deployment.exposeViaService({ name: svc.name, ports: [{ port: 80, targetPort: svc.port }] });
    if (svc.autoscale) {
      new kplus.HorizontalPodAutoscaler(application, 'hpa', {
        target: deployment,
        minReplicas: svc.autoscale.min,
        maxReplicas: svc.autoscale.max,
        metrics: [kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(70))],
      });
    }
  }

  return app;
}

if (require.main === module) {
  buildApp().synth();
}
