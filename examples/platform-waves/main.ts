/**
 * examples/platform-waves: a platform stack brought up in order, the way platform teams layer it:
 *
 *   foundation (namespaces, RBAC, CRDs) → external secrets → PostgreSQL → web apps
 *
 * Each layer is one child Application of a root AppOfApps, in its own sync wave (0, 10, 20, 30,
 * derived with SyncWave.sequence). Argo CD (since 1.8) only waits for a child Application to be
 * healthy before the next wave if argocd-cm has a health check for argoproj.io/Application, so
 * `applicationHealthCheck: true` writes `argocd-cm-application-health.yaml` beside `root.yaml`:
 * apply both once (`kubectl apply -n argocd -f manifests/argocd-cm-application-health.yaml -f
 * manifests/root.yaml`).
 *
 * Inside the PostgreSQL Application, waves order its own resources too: the ExternalSecret that
 * produces the password syncs before the StatefulSet that reads it.
 *
 * The External Secrets Operator comes from its Helm chart, vendored in `charts/external-secrets`
 * (chart 0.14.4, by `scripts/vendor-external-secrets-chart.ts` from the project's Go module: see
 * README, "The platform-waves example offline") and read from this repository like any folder, so
 * the example syncs without reaching a chart repository. The operator runs without its admission
 * webhook and cert controller (`webhook.create=false`, `certController.create=false`, and so no CRD
 * conversion webhook): fewer moving parts, and on the local control plane nothing could answer a
 * webhook anyway.
 *
 * The platform team's Argo CD RBAC (`argocd-rbac-cm.yaml`, also beside `root.yaml`, applied the
 * same way) lets the team sync the platform project and everyone else read. The web app's image
 * tag comes from `images.yaml`, which CI updates with `cdk8s-argocd set-image shop-web=…`.
 *
 * Synthesize with `npm run synth` from the repository root.
 */
import * as path from 'path';
import { ApiObject, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { AppOfApps, AppProject, Application, ArgoRbac, GitOpsApp, Images, RbacAction, RbacResource, SyncOption, SyncWave } from '../../src';

const TEAM_NAMESPACES = ['shop', 'data'];

export function buildApp(): GitOpsApp {
  const app = new GitOpsApp({
    repoURL: 'https://github.com/acme/platform.git',
    outdir: path.join(__dirname, 'manifests'),
  });

  const project = new AppProject(app, 'platform', {
    description: 'Shared platform services',
    // This repository only (Argo CD refuses any other source): the External Secrets chart is vendored in it.
    sourceRepos: ['https://github.com/acme/platform.git'],
    destinations: [{ server: 'https://kubernetes.default.svc', namespace: '*' }],
    clusterResourceWhitelist: [
      { group: '', kind: 'Namespace' },
      { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
      { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
      { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
      { group: 'admissionregistration.k8s.io', kind: '*' },
      { group: 'external-secrets.io', kind: 'ClusterSecretStore' },
    ],
  });
  // The project must exist before any Application that uses it.
  SyncWave.set(project, -10);

  new ArgoRbac(app, 'rbac', {
    defaultRole: 'role:readonly',
    roles: [{
      name: 'role:platform-operator',
      permissions: [{ resource: RbacResource.APPLICATIONS, action: RbacAction.SYNC, object: `${project.name}/*` }],
    }],
    groupBindings: [{ subject: 'acme:platform-team', role: 'role:platform-operator' }],
  });
  const images = Images.fromFile(path.join(__dirname, 'images.yaml'));

  const root = new AppOfApps(app, 'platform-root', { applicationHealthCheck: true });
  const [foundationWave, secretsWave, databasesWave, appsWave] = SyncWave.sequence(root, ['foundation', 'secrets', 'databases', 'applications']);
  const automated = { automated: { prune: true, selfHeal: true } };

  // Wave 0: namespaces, RBAC, CRDs.
  const foundation = new Application(foundationWave, 'platform-foundation', { project: project.name, syncPolicy: automated });
  for (const ns of TEAM_NAMESPACES) {
    new kplus.Namespace(foundation, `ns-${ns}`, { metadata: { name: ns, labels: { 'acme.com/team': ns } } });
  }
  const readers = new kplus.ClusterRole(foundation, 'platform-readers');
  readers.allowRead(kplus.ApiResource.PODS, kplus.ApiResource.SERVICES, kplus.ApiResource.DEPLOYMENTS);
  readers.bind(kplus.Group.fromName(foundation, 'platform-team', 'platform-team'));
  new ApiObject(foundation, 'backups-crd', {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'backups.platform.acme.com' },
    spec: {
      group: 'platform.acme.com',
      scope: 'Namespaced',
      names: { kind: 'Backup', plural: 'backups', singular: 'backup' },
      versions: [{
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { schedule: { type: 'string' }, database: { type: 'string' } } } } } },
      }],
    },
  });

  // Wave 10: External Secrets Operator from its (vendored) Helm chart, plus the store everyone reads from.
  const externalSecrets = new Application(secretsWave, 'external-secrets', {
    project: project.name,
    destination: { namespace: 'external-secrets' },
    sources: [{
      path: path.posix.join(path.posix.dirname(app.outdirPathInRepo), 'charts', 'external-secrets'),
      helm: {
        releaseName: 'external-secrets',
        valuesObject: {
          installCRDs: true,
          webhook: { create: false },
          certController: { create: false },
          // The CRDs' conversion webhook is served by the webhook: off with it (the chart's own advice).
          crds: { conversion: { enabled: false } },
        },
      },
    }],
    syncPolicy: { ...automated, syncOptions: [SyncOption.CREATE_NAMESPACE, SyncOption.SERVER_SIDE_APPLY] },
  });
  const store = new ApiObject(externalSecrets, 'vault-store', {
    apiVersion: 'external-secrets.io/v1beta1',
    kind: 'ClusterSecretStore',
    metadata: { name: 'vault' },
    spec: { provider: { vault: { server: 'https://vault.acme.internal:8200', path: 'kv', version: 'v2', auth: { kubernetes: { mountPath: 'kubernetes', role: 'external-secrets' } } } } },
  });
  // The store's CRD comes with the chart in this same sync.
  store.metadata.addAnnotation('argocd.argoproj.io/sync-options', 'SkipDryRunOnMissingResource=true');

  // Wave 20: PostgreSQL, its password from Vault first.
  const postgres = new Application(databasesWave, 'postgres', { project: project.name, destination: { namespace: 'data' }, syncPolicy: automated });
  const credentials = new SyncWave(postgres, 'credentials', { wave: -1 });
  new ApiObject(credentials, 'password', {
    apiVersion: 'external-secrets.io/v1beta1',
    kind: 'ExternalSecret',
    metadata: { name: 'postgres-password' },
    spec: {
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'vault' },
      target: { name: 'postgres-password' },
      data: [{ secretKey: 'password', remoteRef: { key: 'platform/postgres', property: 'password' } }],
    },
  });
  const passwordSecret = kplus.Secret.fromSecretName(postgres, 'password-secret', 'postgres-password');
  const service = new kplus.Service(postgres, 'service', { metadata: { name: 'postgres' }, clusterIP: 'None', ports: [{ port: 5432 }] });
  const db = new kplus.StatefulSet(postgres, 'db', {
    service,
    replicas: 1,
    containers: [{
      image: 'postgres:17.2',
      portNumber: 5432,
      envVariables: {
        POSTGRES_PASSWORD: kplus.EnvValue.fromSecretValue({ secret: passwordSecret, key: 'password' }),
        PGDATA: kplus.EnvValue.fromValue('/var/lib/postgresql/data/pgdata'),
      },
      resources: {
        cpu: { request: kplus.Cpu.millis(250), limit: kplus.Cpu.millis(2000) },
        memory: { request: Size.mebibytes(512), limit: Size.gibibytes(2) },
      },
      securityContext: { user: 999, group: 999, readOnlyRootFilesystem: false },
    }],
  });
  db.containers[0].mount('/var/lib/postgresql/data', kplus.Volume.fromEmptyDir(postgres, 'data', 'data'));

  // Wave 30: the web apps.
  const web = new Application(appsWave, 'shop-web', { project: project.name, destination: { namespace: 'shop' }, syncPolicy: automated });
  const deployment = new kplus.Deployment(web, 'web', {
    replicas: 2,
    containers: [{
      image: images.get('shop-web'),
      portNumber: 8080,
      envVariables: { DATABASE_HOST: kplus.EnvValue.fromValue('postgres.data.svc.cluster.local') },
      resources: {
        cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(500) },
        memory: { request: Size.mebibytes(128), limit: Size.mebibytes(256) },
      },
      securityContext: { user: 10001, group: 10001 },
    }],
  });
  deployment.exposeViaService({ name: 'shop-web', ports: [{ port: 80, targetPort: 8080 }] });

  return app;
}

if (require.main === module) {
  buildApp().synth();
}
