/**
 * Health of the custom resources our users run (external-secrets, CloudNativePG, KEDA, Argo
 * Rollouts, cert-manager) on the real control plane: their CRDs (stubs with the status
 * subresource, test/fixtures/third-party-crds) are installed, no operator runs, and the test
 * writes the status each operator would write, through the status subresource. `status` reports
 * each verdict, and a wave waits for an ExternalSecret to turn Ready before the database wave.
 */
import { getJson, kubeconfigPath, kubectl, testNamespaces, waitFor } from './cluster-fixture';
import { installThirdPartyCrdStubs } from './third-party-crds';
import { KubeObject } from '../../src/engine/model';
import { runCli, TestApp } from '../engine/e2e-app';

jest.setTimeout(300_000);

const newNamespace = testNamespaces().create;

const CRDS = [
  'externalsecrets.external-secrets.io', 'secretstores.external-secrets.io', 'clustersecretstores.external-secrets.io',
  'clusters.postgresql.cnpg.io', 'scaledobjects.keda.sh', 'rollouts.argoproj.io',
  'certificates.cert-manager.io', 'issuers.cert-manager.io', 'clusterissuers.cert-manager.io',
];

/** Cluster-scoped objects the tests created (a namespace's deletion does not remove them). */
const clusterScoped: string[][] = [];

beforeAll(async () => {
  // Status is written through the status subresource: the stubs have it, and so do the real CRDs
  // the demo's chart may have installed in this cluster.
  expect(await installThirdPartyCrdStubs()).toEqual(expect.arrayContaining(CRDS));
}, 180_000);

afterAll(async () => {
  for (const [resource, name] of clusterScoped) {
    await kubectl(['delete', resource, name, '--ignore-not-found', '--wait=false'], { check: false });
  }
});

const cli = (app: TestApp, ...args: string[]) => runCli(kubeconfigPath(), app, ...args);

/** Writes `status` through the status subresource, as the operator would. */
async function writeStatus(resource: string, name: string, namespace: string | undefined, status: object): Promise<void> {
  await kubectl(['patch', resource, name, ...(namespace ? ['-n', namespace] : []), '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
}

/** `Kind/name: Health (message)` of each resource in `status -o json`. */
async function verdicts(app: TestApp): Promise<string[]> {
  const res = await cli(app, 'status', '-o', 'json');
  const doc = JSON.parse(res.stdout);
  return doc.resources.map((r: any) => `${r.kind}/${r.name}: ${r.health?.status} (${r.health?.message ?? ''})`).sort();
}

const obj = (apiVersion: string, kind: string, name: string, spec: object, annotations?: Record<string, string>): KubeObject =>
  ({ apiVersion, kind, metadata: { name, ...(annotations ? { annotations } : {}) }, spec });

const externalSecret = (name: string, wave?: number) => obj('external-secrets.io/v1beta1', 'ExternalSecret', name, {
  secretStoreRef: { kind: 'ClusterSecretStore', name: 'vault' },
  target: { name },
  data: [{ secretKey: 'password', remoteRef: { key: 'platform/postgres', property: 'password' } }],
}, wave === undefined ? undefined : { 'argocd.argoproj.io/sync-wave': String(wave) });

const database = (name: string, wave: number) => obj('postgresql.cnpg.io/v1', 'Cluster', name, {
  instances: 1, storage: { size: '1Gi' }, superuserSecret: { name: 'postgres-password' },
}, { 'argocd.argoproj.io/sync-wave': String(wave) });

const synced = (message: string) => ({ conditions: [{ type: 'Ready', status: 'True', reason: 'SecretSynced', message, lastTransitionTime: new Date().toISOString() }], refreshTime: new Date().toISOString() });

test('each kind: Progressing without status (Argo CD\'s messages), then the verdict of the status its operator writes', async () => {
  const ns = await newNamespace('crh-verdicts');
  const store = `${ns}-vault`;
  const clusterIssuer = `${ns}-letsencrypt`;
  clusterScoped.push(['clustersecretstores.external-secrets.io', store], ['clusterissuers.cert-manager.io', clusterIssuer]);
  const app = new TestApp('crhealth', ns).write('objects.yaml',
    externalSecret('db-password'),
    obj('external-secrets.io/v1beta1', 'SecretStore', 'team-store', { provider: { fake: { data: [] } } }),
    obj('external-secrets.io/v1beta1', 'ClusterSecretStore', store, { provider: { vault: { server: 'https://vault.acme.internal:8200', path: 'kv', version: 'v2' } } }),
    obj('postgresql.cnpg.io/v1', 'Cluster', 'db', { instances: 3, storage: { size: '1Gi' } }),
    obj('keda.sh/v1alpha1', 'ScaledObject', 'worker', { scaleTargetRef: { name: 'worker' }, triggers: [{ type: 'cron', metadata: { timezone: 'UTC', start: '0 8 * * *', end: '0 18 * * *', desiredReplicas: '2' } }] }),
    obj('argoproj.io/v1alpha1', 'Rollout', 'web', { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } }, strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } } }),
    obj('cert-manager.io/v1', 'Certificate', 'web-tls', { secretName: 'web-tls', dnsNames: ['web.acme.example'], issuerRef: { name: clusterIssuer, kind: 'ClusterIssuer' } }),
    obj('cert-manager.io/v1', 'Issuer', 'selfsigned', { selfSigned: {} }),
    obj('cert-manager.io/v1', 'ClusterIssuer', clusterIssuer, { acme: { server: 'https://acme-v02.api.letsencrypt.org/directory', privateKeySecretRef: { name: 'letsencrypt' }, solvers: [{ http01: { ingress: {} } }] } }),
  );
  // One wave: nothing gates. The sync then waits (up to --timeout) for what is Progressing to
  // settle, as `argocd app sync` waits for health; nothing will report here, so keep it short.
  const first = await cli(app, 'sync', '--timeout', '30');
  expect(first.code).toBe(0);
  expect(await verdicts(app)).toEqual([
    'Certificate/web-tls: Progressing (Waiting for certificate)',
    'Cluster/db: Progressing (Waiting for the CloudNativePG operator to report cluster status)',
    `ClusterIssuer/${clusterIssuer}: Progressing (Initializing ClusterIssuer)`,
    `ClusterSecretStore/${store}: Progressing (Waiting for ClusterSecretStore)`,
    'ExternalSecret/db-password: Progressing (Waiting for ExternalSecret)',
    'Issuer/selfsigned: Progressing (Initializing issuer)',
    'Rollout/web: Progressing (Waiting for rollout spec update to be observed)',
    'ScaledObject/worker: Progressing (Creating HorizontalPodAutoscaler Object)',
    'SecretStore/team-store: Progressing (Waiting for SecretStore)',
  ]);

  // What each operator writes (shapes from the projects' documentation).
  const rollout = await getJson<any>(['rollouts.argoproj.io', 'web', '-n', ns]);
  await writeStatus('externalsecrets.external-secrets.io', 'db-password', ns, { ...synced('Secret was synced'), syncedResourceVersion: '1-8f4c2d' });
  await writeStatus('secretstores.external-secrets.io', 'team-store', ns, { conditions: [{ type: 'Ready', status: 'False', reason: 'InvalidProviderConfig', message: 'unable to validate store' }] });
  await writeStatus('clustersecretstores.external-secrets.io', store, undefined, { capabilities: 'ReadWrite', conditions: [{ type: 'Ready', status: 'True', reason: 'Valid', message: 'store validated' }] });
  await writeStatus('clusters.postgresql.cnpg.io', 'db', ns, {
    instances: 3,
    readyInstances: 2,
    currentPrimary: 'db-2',
    targetPrimary: 'db-3',
    phase: 'Failing over',
    phaseReason: 'Initiating a failover from db-2',
    conditions: [{ type: 'Ready', status: 'False', reason: 'ClusterIsNotReady', message: 'Cluster Is Not Ready', lastTransitionTime: new Date().toISOString() }],
  });
  await writeStatus('scaledobjects.keda.sh', 'worker', ns, {
    hpaName: 'keda-hpa-worker',
    originalReplicaCount: 1,
    conditions: [
      { type: 'Ready', status: 'True', reason: 'ScaledObjectReady', message: 'ScaledObject is defined correctly and is ready for scaling' },
      { type: 'Active', status: 'False', reason: 'ScalerNotActive', message: 'Scaling is not performed because triggers are not active' },
      { type: 'Paused', status: 'True', reason: 'ScaledObjectPaused', message: 'ScaledObject is paused' },
    ],
  });
  await writeStatus('rollouts.argoproj.io', 'web', ns, {
    observedGeneration: String(rollout.metadata.generation),
    phase: 'Degraded',
    message: 'RolloutAborted: Rollout aborted update to revision 2',
    abort: true,
    currentPodHash: '6b8f7c',
    stableRS: '5d9c4a',
    replicas: 2,
    updatedReplicas: 0,
    availableReplicas: 2,
  });
  await writeStatus('certificates.cert-manager.io', 'web-tls', ns, {
    notAfter: '2027-03-01T00:00:00Z',
    revision: 1,
    conditions: [
      { type: 'Ready', status: 'True', reason: 'Ready', message: 'Certificate is up to date and has not expired' },
      { type: 'Issuing', status: 'True', reason: 'Renewing', message: 'Renewing certificate as renewal was scheduled at 2027-01-30' },
    ],
  });
  await writeStatus('issuers.cert-manager.io', 'selfsigned', ns, { conditions: [{ type: 'Ready', status: 'True', reason: 'IsReady', message: '' }] });
  await writeStatus('clusterissuers.cert-manager.io', clusterIssuer, undefined, { acme: { uri: 'https://acme-v02.api.letsencrypt.org/acme/acct/1' }, conditions: [{ type: 'Ready', status: 'False', reason: 'ErrRegisterACMEAccount', message: 'Failed to register ACME account: 400 urn:ietf:params:acme:error:invalidContact' }] });

  expect(await verdicts(app)).toEqual([
    'Certificate/web-tls: Progressing (Renewing certificate as renewal was scheduled at 2027-01-30)',
    'Cluster/db: Degraded (Initiating a failover from db-2)',
    `ClusterIssuer/${clusterIssuer}: Degraded (Failed to register ACME account: 400 urn:ietf:params:acme:error:invalidContact)`,
    `ClusterSecretStore/${store}: Healthy (store validated)`,
    'ExternalSecret/db-password: Healthy (Secret was synced)',
    'Issuer/selfsigned: Healthy ()',
    'Rollout/web: Degraded (RolloutAborted: Rollout aborted update to revision 2)',
    'ScaledObject/worker: Suspended (ScaledObject is paused)',
    'SecretStore/team-store: Degraded (unable to validate store)',
  ]);
  // The Application's health is the worst of them.
  expect(JSON.parse((await cli(app, 'status', '-o', 'json')).stdout).health.status).toBe('Degraded');

  // A paused Rollout is Suspended; a healthy CloudNativePG cluster Healthy.
  await writeStatus('rollouts.argoproj.io', 'web', ns, { phase: 'Paused', message: 'CanaryPauseStep', abort: null, pauseConditions: [{ reason: 'CanaryPauseStep', startTime: new Date().toISOString() }] });
  await writeStatus('clusters.postgresql.cnpg.io', 'db', ns, { readyInstances: 3, currentPrimary: 'db-3', phase: 'Cluster in healthy state', phaseReason: null, conditions: [{ type: 'Ready', status: 'True', reason: 'ClusterIsReady', message: 'Cluster is Ready', lastTransitionTime: new Date().toISOString() }] });
  const after = await verdicts(app);
  expect(after).toContain('Rollout/web: Suspended (CanaryPauseStep)');
  expect(after).toContain('Cluster/db: Healthy ()');
});

describe('an ExternalSecret gates the database wave', () => {
  test('not Ready: the CNPG Cluster (wave 1) is not applied; once the status says Ready=True, it is', async () => {
    const ns = await newNamespace('crh-gate');
    const app = new TestApp('crgate', ns).write('secret.yaml', externalSecret('postgres-password', 0)).write('db.yaml', database('db', 1));
    const syncing = cli(app, 'sync', '--timeout', '120', '-o', 'json');

    await waitFor('the ExternalSecret applied', () => getJson(['externalsecrets.external-secrets.io', 'postgres-password', '-n', ns]), 60_000);
    // The operator has not reported yet: the wave waits. (Several engine polls: long enough to
    // have applied the next wave if the gate did not hold.)
    await new Promise((r) => setTimeout(r, 4_000));
    expect(await getJson(['clusters.postgresql.cnpg.io', 'db', '-n', ns])).toBeUndefined();

    const readyAt = Date.now();
    await writeStatus('externalsecrets.external-secrets.io', 'postgres-password', ns, synced('Secret was synced'));
    // Then the database wave is applied; CloudNativePG (simulated here) reports the cluster up,
    // and the sync ends with the Application Healthy.
    const db = await waitFor('the Cluster applied', () => getJson<any>(['clusters.postgresql.cnpg.io', 'db', '-n', ns]), 60_000);
    // Created after the status turned Ready (creationTimestamp has second precision).
    expect(Date.parse(db.metadata.creationTimestamp)).toBeGreaterThanOrEqual(Math.floor(readyAt / 1000) * 1000);
    await writeStatus('clusters.postgresql.cnpg.io', 'db', ns, {
      phase: 'Cluster in healthy state',
      instances: 1,
      readyInstances: 1,
      currentPrimary: 'db-1',
      conditions: [{ type: 'Ready', status: 'True', reason: 'ClusterIsReady', message: 'Cluster is Ready', lastTransitionTime: new Date().toISOString() }],
    });
    const res = await syncing;
    expect(res.code).toBe(0);
    const result = JSON.parse(res.stdout);
    expect(result.phase).toBe('Succeeded');
    expect(result.resources.map((r: any) => `${r.kind}/${r.name}@${r.syncWave}: ${r.status} ${r.health?.status ?? ''}`)).toEqual([
      'ExternalSecret/postgres-password@0: Synced Healthy',
      'Cluster/db@1: Synced ',
    ]);
    expect(JSON.parse((await cli(app, 'status', '-o', 'json')).stdout).health.status).toBe('Healthy');
  });

  test('Ready=False (the store refuses): the ExternalSecret is Degraded, the sync fails and the database is never applied', async () => {
    const ns = await newNamespace('crh-gate-failed');
    const app = new TestApp('crgatefail', ns).write('secret.yaml', externalSecret('postgres-password', 0)).write('db.yaml', database('db', 1));
    const syncing = cli(app, 'sync', '--timeout', '120', '-o', 'json');
    await waitFor('the ExternalSecret applied', () => getJson(['externalsecrets.external-secrets.io', 'postgres-password', '-n', ns]), 60_000);
    await writeStatus('externalsecrets.external-secrets.io', 'postgres-password', ns, {
      conditions: [{ type: 'Ready', status: 'False', reason: 'SecretSyncedError', message: 'could not get secret data from provider', lastTransitionTime: new Date().toISOString() }],
    });
    const res = await syncing;
    expect(res.code).toBe(1);
    const result = JSON.parse(res.stdout);
    expect(result.phase).toBe('Failed');
    expect(result.message).toMatch(/ExternalSecret.*postgres-password.*could not get secret data from provider/);
    expect(await getJson(['clusters.postgresql.cnpg.io', 'db', '-n', ns])).toBeUndefined();
  });
});
