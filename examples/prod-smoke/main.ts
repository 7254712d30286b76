/**
 * examples/prod-smoke: a production storefront that proves itself after every sync.
 *
 * - An API (REST + GraphQL) and a web frontend, built with cdk8s-plus, synced automatically.
 * - A PostSync SmokeTestHook: the API's `/health` must return `{"status":"ok"}`, the frontend `/`
 *   must answer 200, and the GraphQL `{ health }` query must return `"ok"`. A failing check fails
 *   the sync (and the SyncFail hook posts to the team's Slack webhook).
 * - Redis comes from the Bitnami Helm chart, whose password Secret is kept stable by Helm's
 *   `lookup` — which Argo CD cannot run (it renders with `helm template`), so it sees a fresh
 *   random password on every refresh. The Secret's password is ignored, and
 *   RespectIgnoreDifferences keeps syncs from overwriting the live one.
 *
 * Synthesize with `npm run synth` from the repository root.
 */
import * as path from 'path';
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Application, GitOpsApp, IgnoreDifferences, SmokeCheck, SmokeTestHook, SyncOption } from '../../src';

export function buildApp(): GitOpsApp {
  const app = new GitOpsApp({
    repoURL: 'https://github.com/acme/platform.git',
    outdir: path.join(__dirname, 'manifests'),
  });

  const namespace = 'storefront';
  const storefront = new Application(app, 'storefront', {
    destination: { namespace },
    sources: [{
      repoURL: 'https://charts.bitnami.com/bitnami',
      chart: 'redis',
      targetRevision: '20.6.2',
      helm: { releaseName: 'storefront-redis', valuesObject: { architecture: 'standalone' } },
    }],
    syncPolicy: {
      automated: { prune: true, selfHeal: true },
      syncOptions: [SyncOption.CREATE_NAMESPACE, SyncOption.RESPECT_IGNORE_DIFFERENCES],
      retry: { limit: 3, backoff: { duration: '10s', factor: 2, maxDuration: '2m' } },
    },
    ignoreDifferences: [IgnoreDifferences.helmLookupSecret('storefront-redis', ['redis-password'])],
  });

  const resources = {
    cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(500) },
    memory: { request: Size.mebibytes(128), limit: Size.mebibytes(256) },
  };
  const api = new kplus.Deployment(storefront, 'api', {
    replicas: 3,
    containers: [{
      image: 'ghcr.io/acme/storefront-api:2.8.1',
      portNumber: 8080,
      envVariables: { REDIS_HOST: kplus.EnvValue.fromValue('storefront-redis-master') },
      readiness: kplus.Probe.fromHttpGet('/health', { port: 8080 }),
      resources,
      securityContext: { user: 10001, group: 10001 },
    }],
  });
  api.exposeViaService({ name: 'api', ports: [{ port: 80, targetPort: 8080 }] });

  const web = new kplus.Deployment(storefront, 'web', {
    replicas: 2,
    containers: [{
      image: 'ghcr.io/acme/storefront-web:5.2.0',
      portNumber: 3000,
      readiness: kplus.Probe.fromHttpGet('/', { port: 3000 }),
      resources,
      securityContext: { user: 10001, group: 10001 },
    }],
  });
  web.exposeViaService({ name: 'web', ports: [{ port: 80, targetPort: 3000 }] });

  const slack = kplus.Secret.fromSecretName(storefront, 'slack', 'storefront-alerts-webhook');
  new SmokeTestHook(storefront, 'smoke', {
    checks: [
      SmokeCheck.http({ name: 'api-health', url: `http://api.${namespace}.svc.cluster.local/health`, expectJson: { status: 'ok' } }),
      SmokeCheck.http({ name: 'web-home', url: `http://web.${namespace}.svc.cluster.local/` }),
      SmokeCheck.graphql({ name: 'graphql-health', url: `http://api.${namespace}.svc.cluster.local/graphql`, query: '{ health }', expectData: { health: 'ok' } }),
    ],
    deadline: Duration.minutes(3),
    notifyOnSyncFail: {
      webhookUrl: kplus.EnvValue.fromSecretValue({ secret: slack, key: 'url' }),
      message: ':rotating_light: storefront sync failed in production (smoke tests or apply); see Argo CD',
    },
  });

  return app;
}

if (require.main === module) {
  buildApp().synth();
}
