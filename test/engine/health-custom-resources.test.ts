/**
 * Health of the custom resources our users run, from status objects shaped as the projects
 * document them (and as Argo CD's own Lua checks are tested, resource_customizations/<group>/<kind>/testdata).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { hasHealthCheck, resourceHealth } from '../../src/engine/health';
import { HealthStatusCode } from '../../src/engine/model';

const { HEALTHY, PROGRESSING, DEGRADED, SUSPENDED, UNKNOWN } = HealthStatusCode;

const object = (apiVersion: string, kind: string, status?: any, extra: any = {}) => ({
  apiVersion, kind, metadata: { name: 'x', namespace: 'ns', generation: 1, ...extra.metadata }, spec: { ...extra.spec }, ...(status ? { status } : {}),
});

describe('external-secrets.io', () => {
  const es = (status?: any, spec: any = {}) => object('external-secrets.io/v1beta1', 'ExternalSecret', status, { spec });
  const synced = { type: 'Ready', status: 'True', reason: 'SecretSynced', message: 'Secret was synced', lastTransitionTime: '2024-03-01T10:00:00Z' };
  test('ExternalSecret: Ready=True (SecretSynced) is Healthy with the operator message', () => {
    expect(resourceHealth(es({ conditions: [synced], refreshTime: '2024-03-01T10:00:00Z', syncedResourceVersion: '1-8f4c2d' }))).toEqual({ status: HEALTHY, message: 'Secret was synced' });
  });
  test('ExternalSecret: Ready=False (SecretSyncedError) is Degraded', () => {
    const failed = { type: 'Ready', status: 'False', reason: 'SecretSyncedError', message: 'could not get secret data from provider' };
    expect(resourceHealth(es({ conditions: [failed] }))).toEqual({ status: DEGRADED, message: 'could not get secret data from provider' });
  });
  test('ExternalSecret: no status, no Ready condition or Ready=Unknown is Progressing', () => {
    const waiting = { status: PROGRESSING, message: 'Waiting for ExternalSecret' };
    expect(resourceHealth(es())).toEqual(waiting);
    expect(resourceHealth(es({ conditions: [] }))).toEqual(waiting);
    expect(resourceHealth(es({ conditions: [{ type: 'Ready', status: 'Unknown' }] }))).toEqual(waiting);
  });
  test('ExternalSecret with refreshPolicy OnChange: a Ready condition older than refreshTime is not trusted', () => {
    expect(resourceHealth(es({ conditions: [synced], refreshTime: '2024-03-01T11:00:00Z' }, { refreshPolicy: 'OnChange' }))?.status).toBe(PROGRESSING);
    expect(resourceHealth(es({ conditions: [synced], refreshTime: '2024-03-01T10:00:00Z' }, { refreshPolicy: 'OnChange' }))?.status).toBe(HEALTHY);
    // Periodic (the default) trusts it.
    expect(resourceHealth(es({ conditions: [synced], refreshTime: '2024-03-01T11:00:00Z' }))?.status).toBe(HEALTHY);
  });
  test.each([['SecretStore', 'Waiting for SecretStore'], ['ClusterSecretStore', 'Waiting for ClusterSecretStore']])('%s: Valid is Healthy, InvalidProviderConfig Degraded, none Progressing', (kind, waiting) => {
    const store = (status?: any) => object('external-secrets.io/v1beta1', kind, status);
    expect(resourceHealth(store({ capabilities: 'ReadWrite', conditions: [{ type: 'Ready', status: 'True', reason: 'Valid', message: 'store validated' }] })))
      .toEqual({ status: HEALTHY, message: 'store validated' });
    expect(resourceHealth(store({ conditions: [{ type: 'Ready', status: 'False', reason: 'InvalidProviderConfig', message: 'unable to validate store' }] })))
      .toEqual({ status: DEGRADED, message: 'unable to validate store' });
    expect(resourceHealth(store())).toEqual({ status: PROGRESSING, message: waiting });
  });
});

describe('postgresql.cnpg.io Cluster', () => {
  const cluster = (status?: any, annotations?: any) => object('postgresql.cnpg.io/v1', 'Cluster', status, { metadata: { annotations } });
  const ready = { type: 'Ready', status: 'True', reason: 'ClusterIsReady', message: 'Cluster is Ready' };
  test('"Cluster in healthy state" is Healthy', () => {
    expect(resourceHealth(cluster({ phase: 'Cluster in healthy state', instances: 3, readyInstances: 3, currentPrimary: 'pg-1', conditions: [ready] }))?.status).toBe(HEALTHY);
  });
  test('setting up the primary is Progressing with the phase reason', () => {
    const h = resourceHealth(cluster({ phase: 'Setting up primary', phaseReason: 'Creating primary instance pg-1', conditions: [{ type: 'Ready', status: 'False', reason: 'ClusterIsNotReady', message: 'Cluster Is Not Ready' }] }));
    expect(h).toEqual({ status: PROGRESSING, message: 'Creating primary instance pg-1' });
  });
  test('failing over is Degraded; an unrecoverable cluster Suspended; an unknown phase Unknown', () => {
    expect(resourceHealth(cluster({ phase: 'Failing over', phaseReason: 'Initiating a failover from pg-2', conditions: [] }))).toEqual({ status: DEGRADED, message: 'Initiating a failover from pg-2' });
    expect(resourceHealth(cluster({ phase: 'Cluster is unrecoverable and needs manual intervention', conditions: [] }))?.status).toBe(SUSPENDED);
    expect(resourceHealth(cluster({ phase: 'Something new', conditions: [] }))?.status).toBe(UNKNOWN);
  });
  test('hibernated is Suspended; hibernation failing is Degraded', () => {
    const hib = (status: string) => cluster({ phase: 'Cluster in healthy state', conditions: [{ type: 'cnpg.io/hibernation', status, message: 'Cluster has been hibernated' }] });
    expect(resourceHealth(hib('True'))).toEqual({ status: SUSPENDED, message: 'Cluster has been hibernated' });
    expect(resourceHealth(hib('False'))?.status).toBe(DEGRADED);
  });
  test('reconciliation disabled by annotation is Suspended', () => {
    expect(resourceHealth(cluster({ phase: 'Cluster in healthy state', conditions: [ready] }, { 'cnpg.io/reconciliationLoop': 'disabled' })))
      .toEqual({ status: SUSPENDED, message: 'Cluster reconciliation is suspended' });
  });
  test('no status yet, or a phase before any condition, is Progressing', () => {
    expect(resourceHealth(cluster())).toEqual({ status: PROGRESSING, message: 'Waiting for the CloudNativePG operator to report cluster status' });
    expect(resourceHealth(cluster({ phase: 'Setting up primary' }))?.status).toBe(PROGRESSING);
  });
});

describe('keda.sh ScaledObject', () => {
  const so = (conditions?: any[]) => object('keda.sh/v1alpha1', 'ScaledObject', conditions ? { conditions, hpaName: 'keda-hpa-x', originalReplicaCount: 1 } : undefined);
  const readyTrue = { type: 'Ready', status: 'True', reason: 'ScaledObjectReady', message: 'ScaledObject is defined correctly and is ready for scaling' };
  test('Ready is Healthy, whether Active or not (an idle ScaledObject scaled to zero is fine)', () => {
    expect(resourceHealth(so([readyTrue, { type: 'Active', status: 'False', reason: 'ScalerNotActive', message: 'Scaling is not performed because triggers are not active' }, { type: 'Fallback', status: 'False' }])))
      .toEqual({ status: HEALTHY, message: 'ScaledObject is defined correctly and is ready for scaling' });
  });
  test('Ready=False or an active Fallback is Degraded', () => {
    expect(resourceHealth(so([{ type: 'Ready', status: 'False', reason: 'ScaledObjectCheckFailed', message: 'ScaledObject doesn\'t have correct scaleTargetRef specification' }]))?.status).toBe(DEGRADED);
    expect(resourceHealth(so([readyTrue, { type: 'Fallback', status: 'True', reason: 'FallbackExists', message: 'At least one trigger is falling back on this scaled object' }])))
      .toEqual({ status: DEGRADED, message: 'At least one trigger is falling back on this scaled object' });
  });
  test('Ready and Paused is Suspended', () => {
    expect(resourceHealth(so([readyTrue, { type: 'Paused', status: 'True', reason: 'ScaledObjectPaused', message: 'ScaledObject is paused' }])))
      .toEqual({ status: SUSPENDED, message: 'ScaledObject is paused' });
  });
  test('no conditions yet is Progressing', () => {
    expect(resourceHealth(so())).toEqual({ status: PROGRESSING, message: 'Creating HorizontalPodAutoscaler Object' });
  });
});

describe('argoproj.io Rollout', () => {
  const rollout = (status?: any, spec: any = { replicas: 3, strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } } }, generation = 1) =>
    ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'guestbook', namespace: 'ns', generation }, spec, ...(status ? { status } : {}) });
  const v1 = { observedGeneration: '1', currentPodHash: '6b8f', stableRS: '6b8f', replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 };
  test('phase Healthy is Healthy', () => {
    expect(resourceHealth(rollout({ ...v1, phase: 'Healthy' }))?.status).toBe(HEALTHY);
  });
  test('phase Paused (a pause step or spec.paused) is Suspended, with the controller message', () => {
    const paused = rollout({ ...v1, phase: 'Paused', message: 'CanaryPauseStep', pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2024-03-01T10:00:00Z' }] });
    expect(resourceHealth(paused)).toEqual({ status: SUSPENDED, message: 'CanaryPauseStep' });
  });
  test('an aborted rollout is Degraded', () => {
    const aborted = rollout({ ...v1, abort: true, phase: 'Degraded', message: 'RolloutAborted: Rollout aborted update to revision 2' });
    expect(resourceHealth(aborted)).toEqual({ status: DEGRADED, message: 'RolloutAborted: Rollout aborted update to revision 2' });
  });
  test('phase Progressing is Progressing', () => {
    expect(resourceHealth(rollout({ ...v1, phase: 'Progressing', message: 'more replicas need to be updated' }))?.status).toBe(PROGRESSING);
  });
  test('a spec generation the controller has not observed yet is Progressing, whatever the phase', () => {
    expect(resourceHealth(rollout({ ...v1, phase: 'Healthy' }, undefined, 2))).toEqual({ status: PROGRESSING, message: 'Waiting for rollout spec update to be observed' });
    expect(resourceHealth(rollout())).toEqual({ status: PROGRESSING, message: 'Waiting for rollout spec update to be observed' });
  });
  test('before v1.0 (no phase): derived from conditions, pause and replica counts', () => {
    expect(resourceHealth(rollout({ ...v1, conditions: [{ type: 'Progressing', reason: 'RolloutAborted', message: 'Rollout is aborted' }] })))
      .toEqual({ status: DEGRADED, message: 'Rollout is aborted' });
    expect(resourceHealth(rollout({ ...v1, conditions: [], pauseConditions: [{ reason: 'CanaryPauseStep' }] })))
      .toEqual({ status: SUSPENDED, message: 'Rollout is paused' });
    expect(resourceHealth(rollout({ ...v1, conditions: [], updatedReplicas: 1 }))?.message).toBe('Waiting for roll out to finish: More replicas need to be updated');
    expect(resourceHealth(rollout({ ...v1, conditions: [], stableRS: 'old' }))?.message).toBe('Waiting for rollout to finish steps');
    expect(resourceHealth(rollout({ ...v1, conditions: [] }))?.status).toBe(HEALTHY);
  });
});

describe('cert-manager.io', () => {
  const cert = (conditions?: any[]) => object('cert-manager.io/v1', 'Certificate', conditions ? { conditions, notAfter: '2024-06-01T00:00:00Z', revision: 1 } : undefined);
  const readyTrue = { type: 'Ready', status: 'True', reason: 'Ready', message: 'Certificate is up to date and has not expired' };
  test('Certificate: Ready is Healthy, Ready=False Degraded, none Progressing', () => {
    expect(resourceHealth(cert([readyTrue]))).toEqual({ status: HEALTHY, message: 'Certificate is up to date and has not expired' });
    expect(resourceHealth(cert([{ type: 'Ready', status: 'False', reason: 'DoesNotExist', message: 'Issuing certificate as Secret does not exist' }]))?.status).toBe(DEGRADED);
    expect(resourceHealth(cert())).toEqual({ status: PROGRESSING, message: 'Waiting for certificate' });
  });
  test('Certificate: Issuing=True wins over Ready, wherever it is (a renewal in flight)', () => {
    const issuing = { type: 'Issuing', status: 'True', reason: 'Renewing', message: 'Renewing certificate as renewal was scheduled at 2024-05-01' };
    expect(resourceHealth(cert([readyTrue, issuing]))).toEqual({ status: PROGRESSING, message: 'Renewing certificate as renewal was scheduled at 2024-05-01' });
  });
  test.each([['Issuer', 'Initializing issuer'], ['ClusterIssuer', 'Initializing ClusterIssuer']])('%s: ACME account registered is Healthy, failed Degraded, none Progressing', (kind, waiting) => {
    const issuer = (status?: any) => object('cert-manager.io/v1', kind, status);
    expect(resourceHealth(issuer({ acme: { uri: 'https://acme-v02.api.letsencrypt.org/acme/acct/1' }, conditions: [{ type: 'Ready', status: 'True', reason: 'ACMEAccountRegistered', message: 'The ACME account was registered with the ACME server' }] })))
      .toEqual({ status: HEALTHY, message: 'The ACME account was registered with the ACME server' });
    expect(resourceHealth(issuer({ conditions: [{ type: 'Ready', status: 'False', reason: 'ErrRegisterACMEAccount', message: 'Failed to verify ACME account' }] }))?.status).toBe(DEGRADED);
    expect(resourceHealth(issuer())).toEqual({ status: PROGRESSING, message: waiting });
  });
});

test('every kind has a rule, and an object being deleted is Progressing whatever its status', () => {
  for (const [apiVersion, kind] of [['external-secrets.io/v1beta1', 'ExternalSecret'], ['external-secrets.io/v1', 'SecretStore'], ['external-secrets.io/v1beta1', 'ClusterSecretStore'],
    ['postgresql.cnpg.io/v1', 'Cluster'], ['keda.sh/v1alpha1', 'ScaledObject'], ['argoproj.io/v1alpha1', 'Rollout'],
    ['cert-manager.io/v1', 'Certificate'], ['cert-manager.io/v1', 'Issuer'], ['cert-manager.io/v1', 'ClusterIssuer']]) {
    const obj = object(apiVersion, kind, { conditions: [{ type: 'Ready', status: 'True' }], phase: 'Healthy' }, { metadata: { deletionTimestamp: '2024-03-01T10:00:00Z' } });
    expect(hasHealthCheck(obj)).toBe(true);
    expect(resourceHealth(obj)?.status).toBe(PROGRESSING);
  }
});

/**
 * Differential: our TypeScript rules on the objects of Argo CD's own tests for its shipped Lua
 * checks (test/fixtures/argo-cd-health, see its NOTICE.md), expecting what Argo CD's tests expect.
 */
describe("our rules against Argo CD's shipped health tests", () => {
  const root = path.join(__dirname, '..', 'fixtures', 'argo-cd-health');
  const cases: Array<[string, string, { status: string; message?: string }]> = [];
  for (const group of fs.readdirSync(root).filter((f) => fs.statSync(path.join(root, f)).isDirectory())) {
    for (const kind of fs.readdirSync(path.join(root, group))) {
      const dir = path.join(root, group, kind);
      for (const t of parse(fs.readFileSync(path.join(dir, 'health_test.yaml'), 'utf8')).tests) {
        cases.push([`${group}/${kind} ${t.inputPath}`, path.join(dir, t.inputPath), t.healthStatus]);
      }
    }
  }

  test('the corpus covers kinds we have rules for', () => {
    expect(cases.map(([name]) => name.split(' ')[0])).toEqual(expect.arrayContaining(['cert-manager.io/Certificate', 'external-secrets.io/ExternalSecret']));
  });

  test.each(cases)('%s', (_name, input, expected) => {
    const obj = parse(fs.readFileSync(input, 'utf8'));
    expect(hasHealthCheck(obj)).toBe(true);
    const h = resourceHealth(obj);
    expect({ status: h?.status, message: h?.message ?? '' }).toEqual({ status: expected.status, message: expected.message ?? '' });
  });
});
