/**
 * examples/app-of-apps: one root Application that manages a team's services.
 *
 * The children come from a plain TypeScript list: adding a service is adding one line. Apply
 * `manifests/root.yaml` once; Argo CD then syncs `manifests/apps/` (one Application per service)
 * and each service's own folder.
 *
 * `events-worker` is scaled by KEDA on queue length. KEDA drives the Deployment through an HPA it
 * owns, so `/spec/replicas` is ignored (the rule is given explicitly here; cdk8s-argocd would also
 * add it on its own because the ScaledObject targets a Deployment in the same Application) and
 * RespectIgnoreDifferences stops self-heal from resetting the replica count.
 *
 * Synthesize with `npm run synth` from the repository root.
 */
import * as path from 'path';
import { ApiObject, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { AppOfApps, Application, GitOpsApp, IgnoreDifferences, SyncOption } from '../../src';

interface Service {
  readonly name: string;
  readonly image: string;
  readonly replicas: number;
  readonly port?: number;
  /** Scale with KEDA on this RabbitMQ queue instead of a fixed replica count. */
  readonly kedaQueue?: string;
}

const SERVICES: Service[] = [
  { name: 'orders-api', image: 'ghcr.io/acme/orders-api:3.2.0', replicas: 3, port: 8080 },
  { name: 'payments-api', image: 'ghcr.io/acme/payments-api:1.9.4', replicas: 2, port: 8080 },
  { name: 'notifications', image: 'ghcr.io/acme/notifications:0.14.1', replicas: 1, port: 8080 },
  { name: 'events-worker', image: 'ghcr.io/acme/events-worker:2.0.3', replicas: 1, kedaQueue: 'order-events' },
];

export function buildApp(): GitOpsApp {
  const app = new GitOpsApp({
    repoURL: 'https://github.com/acme/platform.git',
    outdir: path.join(__dirname, 'manifests'),
  });

  const root = new AppOfApps(app, 'team-commerce', {
    syncPolicy: { automated: { prune: true, selfHeal: true } },
  });

  for (const service of SERVICES) {
    const child = new Application(root, service.name, {
      destination: { namespace: 'commerce' },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: [SyncOption.CREATE_NAMESPACE],
      },
    });
    const deployment = new kplus.Deployment(child, 'app', {
      replicas: service.replicas,
      containers: [{
        image: service.image,
        portNumber: service.port,
        resources: {
          cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(1000) },
          memory: { request: Size.mebibytes(128), limit: Size.mebibytes(512) },
        },
        securityContext: { user: 10001, group: 10001 },
      }],
    });
    if (service.port) {
      deployment.exposeViaService({ name: service.name, ports: [{ port: 80, targetPort: service.port }] });
    }
    if (service.kedaQueue) {
      new ApiObject(child, 'scaler', {
        apiVersion: 'keda.sh/v1alpha1',
        kind: 'ScaledObject',
        spec: {
          scaleTargetRef: { name: deployment.name },
          minReplicaCount: 1,
          maxReplicaCount: 20,
          triggers: [{
            type: 'rabbitmq',
            metadata: { queueName: service.kedaQueue, mode: 'QueueLength', value: '50' },
            authenticationRef: { name: 'rabbitmq-auth' },
          }],
        },
      });
      child.addIgnoreDifferences(IgnoreDifferences.kedaManagedReplicas('Deployment', deployment.name));
      child.addSyncOption(SyncOption.RESPECT_IGNORE_DIFFERENCES);
    }
  }

  return app;
}

if (require.main === module) {
  buildApp().synth();
}
