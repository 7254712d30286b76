/**
 * examples/environments: one ApplicationSet that deploys the `web` Helm chart to two environments.
 * A list generator names each environment, its own values file (chart/values-<env>.yaml) and its
 * destination cluster; a templatePatch turns on automated sync for staging only, so production is
 * promoted by hand. The Applications the set generates are previewed in
 * manifests/_preview/applicationset-web.yaml (Argo CD never reads that folder).
 *
 * Synthesize with `npm run synth` from the repository root; see the expansion with
 * `cdk8s-argocd appset expand examples/environments/manifests`.
 */
import * as path from 'path';
import { AppProject, ApplicationSet, ApplicationSetGenerator, GitOpsApp, SyncOption } from '../../src';

export function buildApp(): GitOpsApp {
  const app = new GitOpsApp({
    repoURL: 'https://github.com/acme/platform.git',
    outdir: path.join(__dirname, 'manifests'),
  });
  const chartPath = path.posix.join(path.posix.dirname(app.outdirPathInRepo), 'chart');

  const project = new AppProject(app, 'web-project', {
    name: 'web',
    description: 'The web frontend in every environment',
    destinations: [
      { name: 'staging', namespace: 'web' },
      { name: 'production', namespace: 'web' },
    ],
    // CreateNamespace=true creates the Namespace, a cluster-scoped resource the project must permit.
    clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }],
  });

  new ApplicationSet(app, 'web', {
    goTemplate: true,
    goTemplateOptions: ['missingkey=error'],
    generators: [
      ApplicationSetGenerator.list({
        elements: [
          { env: 'staging', cluster: 'staging', replicas: '1' },
          { env: 'production', cluster: 'production', replicas: '3' },
        ],
      }),
    ],
    template: {
      name: 'web-{{ .env }}',
      project: project.name,
      labels: { 'app.kubernetes.io/name': 'web', 'env': '{{ .env }}' },
      source: {
        path: chartPath,
        helm: {
          releaseName: 'web',
          valueFiles: ['values.yaml', 'values-{{ .env }}.yaml'],
          parameters: [{ name: 'replicaCount', value: '{{ .replicas }}' }],
        },
      },
      destination: { name: '{{ .cluster }}', namespace: 'web' },
      syncPolicy: { syncOptions: [SyncOption.CREATE_NAMESPACE] },
    },
    // Only staging syncs on every commit; production waits for a person to press Sync.
    templatePatch: [
      '{{- if eq .env "staging" }}',
      'spec:',
      '  syncPolicy:',
      '    automated:',
      '      prune: true',
      '      selfHeal: true',
      '{{- end }}',
    ].join('\n'),
    preview: {},
  });

  return app;
}

if (require.main === module) {
  buildApp().synth();
}
