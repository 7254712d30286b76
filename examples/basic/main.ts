/**
 * examples/basic: one Application, a small web API (Deployment + Service + ConfigMap) built with
 * cdk8s-plus, synced automatically with prune, self-heal and CreateNamespace.
 *
 * Synthesize with `npm run synth` from the repository root; the output is committed in
 * ./manifests and checked for staleness by the test suite. The same example in Java, Python and Go
 * (java/, python/main.py, go/main.go) must synthesize exactly these bytes (test/e2e/java-example,
 * test/languages).
 */
import * as path from 'path';
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Application, GitOpsApp, SyncOption } from '../../src';

export function buildApp(): GitOpsApp {
  const app = new GitOpsApp({
    repoURL: 'https://github.com/acme/platform.git',
    outdir: path.join(__dirname, 'manifests'),
  });

  const api = new Application(app, 'hello-api', {
    destination: { namespace: 'hello' },
    syncPolicy: {
      automated: { prune: true, selfHeal: true },
      syncOptions: [SyncOption.CREATE_NAMESPACE],
    },
  });

  const config = new kplus.ConfigMap(api, 'config', {
    data: { GREETING: 'hello from cdk8s-argocd', LOG_LEVEL: 'info' },
  });

  const deployment = new kplus.Deployment(api, 'web', {
    replicas: 2,
    containers: [{
      image: 'ghcr.io/acme/hello-api:1.4.2',
      portNumber: 8080,
      envFrom: [kplus.Env.fromConfigMap(config)],
      resources: {
        cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(500) },
        memory: { request: Size.mebibytes(128), limit: Size.mebibytes(256) },
      },
      securityContext: { user: 10001, group: 10001 },
    }],
  });
  deployment.exposeViaService({ name: 'hello-api', ports: [{ port: 80, targetPort: 8080 }] });

  return app;
}

if (require.main === module) {
  buildApp().synth();
}
