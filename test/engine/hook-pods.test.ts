/**
 * Hook results that are only simulated (kwok nodes run no container), hooks failed on purpose
 * (`--fail-hook`) and the log lines of a failed hook, against the in-memory API. The e2e on the
 * local cluster (test/e2e/engine-hooks-simulated.e2e.test.ts) covers them for real, the log
 * lines with a log given to kwok for the hook's pod.
 */
import * as fs from 'fs';
import * as path from 'path';
import { desired, obj } from './fixtures';
import * as localCluster from '../../src/cluster/constants';
import {
  failingContainer, forcedToFail, HookPods, isKwokNode, KWOK_NODE_ANNOTATION, lastLines, logText, POD_FAIL_LABEL, POD_FAIL_LABEL_VALUE,
  SIMULATED_CLUSTER_REASON,
} from '../../src/engine/hook-pods';
import { checkFailHooks } from '../../src/engine/hooks';
import { LoadedApplication } from '../../src/engine/load/applications';
import { KubeObject, OperationPhase, SyncOperationResult } from '../../src/engine/model';
import { renderSyncResult } from '../../src/engine/output/sync-table';
import { syncApplication, SyncRequest } from '../../src/engine/sync';
import { FakeKube, JOB_COMPLETE, JOB_FAILED } from '../util/fake-kube';
import { VirtualClock } from '../util/virtual-clock';

const HOOK = 'argocd.argoproj.io/hook';
const KWOK_NODE = obj('v1', 'Node', 'kwok-node-0', { 'kwok.x-k8s.io/node': 'fake' });
const REAL_NODE = obj('v1', 'Node', 'worker-1', {}, { status: { nodeInfo: { kubeletVersion: 'v1.36.3' } } });

function application(objs: KubeObject[]): LoadedApplication {
  return {
    name: 'app',
    namespace: 'argocd',
    position: { file: 'm/apps/app.yaml', line: 1 },
    revision: 'abcdef0123456789',
    manifest: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'app', namespace: 'argocd' },
      spec: { destination: { server: 'https://kubernetes.default.svc', namespace: 'dest' } },
    },
    objects: desired(...objs),
  };
}

function job(name: string, phase: string, env: any[] = []): KubeObject {
  return obj('batch/v1', 'Job', name, { [HOOK]: phase }, {
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'smoke', image: 'node', env }] } } },
  });
}

/**
 * A cluster with `nodes` whose Jobs run one pod on the first node (as the Job controller and a
 * kubelet would): a Job fails when `fails` says so (or when its pods carry kwok's fail label).
 */
function cluster(nodes: KubeObject[], fails: (job: KubeObject) => boolean = () => false): FakeKube {
  const fake = new FakeKube().addKind('v1', 'Node', false, 'nodes').seed(obj('v1', 'Namespace', 'dest'), obj('v1', 'Namespace', 'kube-system'), ...nodes);
  return fake.statusOnWrite('Job', (j) => {
    const failed = fails(j) || j.spec?.template?.metadata?.labels?.[POD_FAIL_LABEL] === 'true';
    const container = j.spec.template.spec.containers[0];
    fake.seed(obj('v1', 'Pod', `${j.metadata.name}-x1`, {}, {
      metadata: {
        name: `${j.metadata.name}-x1`,
        namespace: j.metadata.namespace,
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: j.metadata.name, uid: j.metadata.uid }],
      },
      spec: { nodeName: nodes[0]?.metadata.name, restartPolicy: 'Never', containers: [container] },
      status: {
        phase: failed ? 'Failed' : 'Succeeded',
        containerStatuses: [{ name: container.name, state: { terminated: failed ? { exitCode: 1, reason: 'Error' } : { exitCode: 0, reason: 'Completed' } } }],
      },
    }));
    return failed ? JOB_FAILED : JOB_COMPLETE;
  });
}

async function sync(fake: FakeKube, app: LoadedApplication, req: SyncRequest = {}): Promise<SyncOperationResult> {
  return syncApplication(fake, app, { pollMs: 5, timeoutSeconds: 60, clock: new VirtualClock(), ...req });
}

const row = (r: SyncOperationResult, name: string) => r.resources.find((x) => x.name === name)!;

describe('pure parts', () => {
  test('the engine\'s kwok names are the local cluster\'s (the engine may not import it) and its pod-fail stage\'s', () => {
    expect([KWOK_NODE_ANNOTATION, POD_FAIL_LABEL, POD_FAIL_LABEL_VALUE])
      .toEqual([localCluster.KWOK_NODE_ANNOTATION, localCluster.POD_FAIL_LABEL, localCluster.POD_FAIL_LABEL_VALUE]);
    const stage = fs.readFileSync(path.join(__dirname, '..', '..', 'cluster', 'stages', 'pod-fail.yaml'), 'utf8');
    expect(stage).toContain(`key: '.metadata.labels["${POD_FAIL_LABEL}"]'`);
  });

  test('a kwok node: by kwok\'s annotation or label', () => {
    expect(isKwokNode(KWOK_NODE)).toBe(true);
    expect(isKwokNode({ metadata: { name: 'n', labels: { 'kwok.x-k8s.io/node': 'fake' } } })).toBe(true);
    expect(isKwokNode(REAL_NODE)).toBe(false);
  });

  test('forcedToFail labels the pods for kwok\'s pod-fail stage, and a Job fails at its first pod', () => {
    const j = forcedToFail(job('smoke', 'PostSync'));
    expect(j.spec.backoffLimit).toBe(0);
    expect(j.spec.template.metadata.labels).toEqual({ [POD_FAIL_LABEL]: 'true' });
    expect(j.spec.template.spec.containers[0].name).toBe('smoke');
    const p = forcedToFail(obj('v1', 'Pod', 'p', {}, { metadata: { name: 'p', labels: { app: 'x' } } }));
    expect(p.metadata.labels).toEqual({ app: 'x', [POD_FAIL_LABEL]: 'true' });
  });

  test('the failing container: a terminated one with a non-zero exit, init containers first, else the previous run', () => {
    const pod = (status: any) => obj('v1', 'Pod', 'p', {}, { spec: { containers: [{ name: 'a' }, { name: 'b' }] }, status });
    expect(failingContainer(pod({ containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 0 } } }, { name: 'b', state: { terminated: { exitCode: 2, reason: 'Error' } } }] })))
      .toEqual({ name: 'b', previous: false, exit: 'exited with 2 (Error)' });
    expect(failingContainer(pod({ initContainerStatuses: [{ name: 'init', state: { terminated: { exitCode: 1 } } }] }))?.name).toBe('init');
    expect(failingContainer(pod({ containerStatuses: [{ name: 'a', state: { waiting: {} }, lastState: { terminated: { exitCode: 1 } } }] })))
      .toEqual({ name: 'a', previous: true, exit: 'exited with 1' });
    expect(failingContainer(pod({}))).toEqual({ name: 'a', previous: false });
  });

  test('lastLines keeps the last n lines; a final newline adds none', () => {
    expect(lastLines('a\nb\nc\n', 2)).toEqual(['b', 'c']);
    expect(lastLines('a\r\nb', 5)).toEqual(['a', 'b']);
  });

  test('--fail-hook names: a hook\'s name or generateName; an unknown name or a hook without a pod is an error naming the hooks', () => {
    const apps = [
      { name: 'web', objects: desired(job('smoke', 'PostSync'), { ...job('', 'PreSync'), metadata: { generateName: 'migrate-', annotations: { [HOOK]: 'PreSync' } } }) },
      { name: 'api', objects: desired(obj('v1', 'ConfigMap', 'marker', { [HOOK]: 'PostSync' }), obj('v1', 'ConfigMap', 'plain')) },
    ];
    expect(() => checkFailHooks(['smoke', 'migrate', 'migrate-'], apps)).not.toThrow();
    expect(() => checkFailHooks(['nope'], apps)).toThrow(
      "--fail-hook nope: no hook named 'nope' in the selected Applications (hooks: web: PostSync Job smoke; web: PreSync Job migrate-; api: PostSync ConfigMap marker)");
    expect(() => checkFailHooks(['marker'], apps)).toThrow('--fail-hook marker: the hook api: PostSync ConfigMap marker runs no pod; only a Job or Pod hook can be made to fail');
    expect(() => checkFailHooks(['plain'], apps)).toThrow(/no hook named 'plain'/);
  });
});

describe('simulated results', () => {
  test('on a cluster of kwok nodes, a hook Job is labelled simulated in its result, message and the summary', async () => {
    const fake = cluster([KWOK_NODE]);
    const result = await sync(fake, application([obj('v1', 'ConfigMap', 'web'), job('pre', 'PreSync'), job('smoke', 'PostSync')]));
    // The PostSync hook is the last step: gitops-engine ends in a later pass with nothing left to do.
    expect(result.message).toBe('successfully synced (no more tasks)');
    expect(result.phase).toBe(OperationPhase.SUCCEEDED);
    expect(row(result, 'smoke')).toMatchObject({
      hookPhase: OperationPhase.SUCCEEDED,
      simulated: SIMULATED_CLUSTER_REASON,
      message: 'Job completed (simulated: the local cluster runs no containers)',
    });
    expect(row(result, 'web').simulated).toBeUndefined();
    const text = renderSyncResult(result, false);
    expect(text).toContain('Simulated:      2 results only simulated (the local cluster runs no containers): PreSync hook Job pre Succeeded, PostSync hook Job smoke Succeeded');
    // The nodes are read once per sync (on top of the live state's own read of every kind).
    const nodeLists = (f: FakeKube) => f.requests.filter((r) => r.verb === 'list' && r.key === '/Node/').length;
    const noHooks = cluster([KWOK_NODE]);
    await sync(noHooks, application([obj('v1', 'ConfigMap', 'web')]));
    expect(nodeLists(fake)).toBe(nodeLists(noHooks) + 1);
  });

  test('a Job gating a wave (not a hook) is labelled too once it finished', async () => {
    const plainJob = obj('batch/v1', 'Job', 'migrate', { 'argocd.argoproj.io/sync-wave': '-1' }, {
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'm', image: 'node' }] } } },
    });
    const result = await sync(cluster([KWOK_NODE]), application([plainJob, obj('v1', 'ConfigMap', 'web')]));
    expect(result.phase).toBe(OperationPhase.SUCCEEDED);
    expect(row(result, 'migrate')).toMatchObject({ simulated: SIMULATED_CLUSTER_REASON, message: 'job.batch/migrate created (simulated: the local cluster runs no containers)' });
    expect(renderSyncResult(result, false)).toContain('Simulated:      1 result only simulated (the local cluster runs no containers): Sync Job migrate Healthy');
  });

  test('a pod on a kwok node among real nodes names that node', async () => {
    const result = await sync(cluster([KWOK_NODE, REAL_NODE]), application([job('smoke', 'PostSync')]));
    expect(row(result, 'smoke').simulated).toBe('node kwok-node-0 is simulated by kwok and runs no containers');
  });

  test('on a cluster without kwok nodes nothing is labelled and no pod is read', async () => {
    const fake = cluster([REAL_NODE]);
    const result = await sync(fake, application([job('smoke', 'PostSync')]));
    expect(row(result, 'smoke')).toMatchObject({ message: 'Job completed' });
    expect(row(result, 'smoke').simulated).toBeUndefined();
    expect(renderSyncResult(result, false)).not.toContain('Simulated');
    expect(fake.requests.filter((r) => r.verb === 'list' && r.key === '/Pod/dest')).toEqual([]);
  });
});

describe('--fail-hook', () => {
  test('fails the named hook through kwok\'s fail label, then runs the SyncFail hook; the output says it was forced', async () => {
    const fake = cluster([KWOK_NODE]);
    const result = await sync(fake, application([job('smoke', 'PostSync'), job('on-fail', 'SyncFail')]), { failHooks: ['smoke'] });
    expect(result.phase).toBe(OperationPhase.FAILED);
    const applied = fake.peek('batch/v1', 'Job', 'dest', 'smoke')!;
    expect(applied.spec.template.metadata.labels[POD_FAIL_LABEL]).toBe('true');
    expect(applied.spec.backoffLimit).toBe(0);
    expect(row(result, 'smoke')).toMatchObject({
      status: undefined,
      hookPhase: OperationPhase.FAILED,
      forced: '--fail-hook smoke',
      message: 'Job has reached the specified backoff limit (failed on purpose: --fail-hook smoke; simulated: the local cluster runs no containers)',
    });
    expect(row(result, 'on-fail')).toMatchObject({ hookPhase: OperationPhase.SUCCEEDED, simulated: SIMULATED_CLUSTER_REASON });
    expect(result.message).toMatch(/completed unsuccessfully, reason: .*Job dest\/smoke: Job has reached the specified backoff limit \(failed on purpose/);
    expect(renderSyncResult(result, false)).toContain('Forced:         PostSync hook Job smoke made to fail on purpose (--fail-hook smoke)');
  });

  test('names a generateName hook by its generateName', async () => {
    const fake = cluster([KWOK_NODE]);
    const migrate = { ...job('', 'PreSync'), metadata: { generateName: 'migrate-', annotations: { [HOOK]: 'PreSync' } } };
    const result = await sync(fake, application([migrate]), { failHooks: ['migrate'] });
    expect(result.phase).toBe(OperationPhase.FAILED);
    expect(result.resources[0]).toMatchObject({ name: expect.stringMatching(/^migrate-abcdef0-presync-\d+$/), forced: '--fail-hook migrate', hookPhase: OperationPhase.FAILED });
  });

  test('is refused on a cluster that runs containers, before anything is applied', async () => {
    const fake = cluster([REAL_NODE]);
    const result = await sync(fake, application([obj('v1', 'ConfigMap', 'web'), job('smoke', 'PostSync')]), { failHooks: ['smoke'] });
    expect(result.phase).toBe(OperationPhase.FAILED);
    expect(result.message).toBe('--fail-hook only rehearses a failure on a cluster that simulates pods (kwok, as the local cluster): '
      + 'the destination of app runs containers, so m/app/f.yaml:11: Job dest/smoke would really run; nothing was applied');
    expect(fake.writes()).toEqual([]);
  });
});

describe('a failed hook says why', () => {
  const secret = obj('v1', 'Secret', 'db', {}, { stringData: { password: 'hunter2-s3cret' } });

  test('the last 20 lines of the failing container\'s log, Secret values masked, in the result, its message and the text output', async () => {
    const fake = cluster([REAL_NODE], () => true);
    // A Secret the app does not manage, read by the pod: its value is masked too.
    fake.seed({ ...obj('v1', 'Secret', 'token', {}, { data: { token: Buffer.from('tok-abc-123').toString('base64') } }), metadata: { name: 'token', namespace: 'dest' } });
    const env = [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'token', key: 'token' } } }];
    const lines = Array.from({ length: 24 }, (_, i) => `line ${i + 1}`);
    lines.push('connecting with password hunter2-s3cret and token tok-abc-123', 'FAIL GET http://web/health: 503');
    fake.setPodLog('dest', 'smoke-x1', 'smoke', `${lines.join('\n')}\n`);
    const result = await sync(fake, application([secret, job('smoke', 'PostSync', env)]));
    expect(result.phase).toBe(OperationPhase.FAILED);
    const smoke = row(result, 'smoke');
    expect(smoke.log).toEqual({ pod: 'smoke-x1', container: 'smoke', exit: 'exited with 1 (Error)', lines: [...lines.slice(6, 24), 'connecting with password ******** and token ********', 'FAIL GET http://web/health: 503'] });
    expect(smoke.message.split('\n').slice(0, 2)).toEqual([
      'Job has reached the specified backoff limit',
      'last 20 log lines of pod smoke-x1, container smoke exited with 1 (Error):',
    ]);
    expect(smoke.message).toContain('FAIL GET http://web/health: 503');
    expect(smoke.message).not.toMatch(/hunter2|tok-abc/);
    // The operation's message names the hook's first line only.
    expect(result.message).toBe('one or more synchronization tasks completed unsuccessfully, reason: m/app/f.yaml:11: Job dest/smoke: Job has reached the specified backoff limit');
    const text = renderSyncResult(result, false);
    expect(text).toContain('\nPostSync hook Job smoke failed; last 20 log lines of pod smoke-x1, container smoke exited with 1 (Error):\n  line 7\n');
    expect(text).toContain('\n  FAIL GET http://web/health: 503');
    expect(text).not.toMatch(/hunter2|tok-abc/);
    expect(JSON.stringify(result)).not.toMatch(/hunter2|tok-abc/);
  });

  test('a log that cannot be read says why, and the hook still fails with its own message', async () => {
    const result = await sync(cluster([REAL_NODE], () => true), application([job('smoke', 'PostSync')]));
    expect(row(result, 'smoke').log).toEqual({ pod: 'smoke-x1', container: 'smoke', exit: 'exited with 1 (Error)', lines: [], error: 'fake: no log for container smoke of pod dest/smoke-x1' });
    expect(row(result, 'smoke').message).toBe('Job has reached the specified backoff limit\npod smoke-x1, container smoke exited with 1 (Error): its log could not be read: fake: no log for container smoke of pod dest/smoke-x1');
  });

  test('a simulated pod that failed shows the log given to kwok for it; without one (kwok has none) nothing is said', async () => {
    const kwok = cluster([KWOK_NODE], () => true);
    const failedOnKwok = await sync(kwok, application([job('smoke', 'PostSync')]));
    expect(row(failedOnKwok, 'smoke').log).toBeUndefined();
    expect(row(failedOnKwok, 'smoke').message).toBe('Job has reached the specified backoff limit (simulated: the local cluster runs no containers)');
    const withLog = cluster([KWOK_NODE], () => true).setPodLog('dest', 'smoke-x1', 'smoke', 'FAIL GET http://web/health: 503\n');
    const rehearsed = row(await sync(withLog, application([job('smoke', 'PostSync')])), 'smoke');
    expect(rehearsed.log).toEqual({ pod: 'smoke-x1', container: 'smoke', exit: 'exited with 1 (Error)', lines: ['FAIL GET http://web/health: 503'] });
    expect(rehearsed.message).toBe('Job has reached the specified backoff limit (simulated: the local cluster runs no containers)\n'
      + 'last 1 log lines of pod smoke-x1, container smoke exited with 1 (Error):\nFAIL GET http://web/health: 503');
  });

  test('no log is read for a hook that succeeded', async () => {
    const kwok = cluster([KWOK_NODE]);
    await sync(kwok, application([job('smoke', 'PostSync')]));
    const real = cluster([REAL_NODE]);
    await sync(real, application([job('smoke', 'PostSync')]));
    expect([...kwok.requests, ...real.requests].filter((r) => r.key.endsWith('/log'))).toEqual([]);
  });

  test('HookPods.failureLog picks a Job\'s newest failed pod', async () => {
    const fake = new FakeKube().seed(obj('v1', 'Namespace', 'dest'));
    const owner = [{ apiVersion: 'batch/v1', kind: 'Job', name: 'j', uid: 'u1' }];
    const pod = (name: string, started: string, phase: string) => ({
      ...obj('v1', 'Pod', name, {}, { spec: { containers: [{ name: 'c' }] }, status: { phase, startTime: started } }),
      metadata: { name, namespace: 'dest', ownerReferences: owner },
    });
    fake.seed(pod('old', '2026-01-01T00:00:00Z', 'Failed'), pod('new', '2026-01-02T00:00:00Z', 'Failed'), pod('ok', '2026-01-03T00:00:00Z', 'Succeeded'));
    fake.setPodLog('dest', 'new', 'c', 'boom');
    const j = { ...obj('batch/v1', 'Job', 'j'), metadata: { name: 'j', namespace: 'dest', uid: 'u1' } };
    const log = await new HookPods(fake).failureLog(j, []);
    expect(log?.pod).toBe('new');
    expect(logText(log!)).toBe('last 1 log lines of pod new, container c:\nboom');
  });
});
