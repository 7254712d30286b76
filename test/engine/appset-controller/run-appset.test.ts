import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApplicationSetEvent, runApplicationSet } from '../../../src/engine/appset-controller';
import { FakeKube } from '../../util/fake-kube';
import { VirtualClock } from '../../util/virtual-clock';

const A = 'argoproj.io/v1alpha1';

function repo(envs: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-appset-'));
  for (const env of envs) {
    fs.mkdirSync(path.join(dir, env));
    fs.writeFileSync(path.join(dir, env, 'cm.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${env}\n`);
  }
  return dir;
}

function setup(envs: Array<{ env: string; stage: string }>, steps?: object[]): FakeKube {
  return new FakeKube()
    .addKind(A, 'Application', true, 'applications')
    .addKind(A, 'ApplicationSet', true, 'applicationsets')
    .addKind(A, 'AppProject', true, 'appprojects')
    .seed(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } },
      { apiVersion: A, kind: 'AppProject', metadata: { name: 'default', namespace: 'argocd' }, spec: {} },
      {
        apiVersion: A,
        kind: 'ApplicationSet',
        metadata: { name: 'web', namespace: 'argocd' },
        spec: {
          goTemplate: true,
          generators: [{ list: { elements: envs } }],
          ...(steps ? { strategy: { type: 'RollingSync', rollingSync: { steps } } } : {}),
          template: {
            metadata: { name: '{{ .env }}', labels: { stage: '{{ .stage }}' } },
            spec: { project: 'default', source: { repoURL: 'https://x/r.git', path: '{{ .env }}' }, destination: { server: 'https://kubernetes.default.svc', namespace: 'web' } },
          },
        },
      },
    );
}

const step = (stage: string, maxUpdate?: number) => ({ matchExpressions: [{ key: 'stage', operator: 'In', values: [stage] }], ...(maxUpdate === undefined ? {} : { maxUpdate }) });

/** Runs the controller with syncs that leave each Application Progressing until `healthyAfter` health checks. */
async function run(kube: FakeKube, envs: string[], healthyAfter: Record<string, number>, timeoutSeconds = 60) {
  const clock = new VirtualClock();
  const log: string[] = [];
  const checks = new Map<string, number>();
  // A negative count: Degraded for good.
  const health = (name: string) => {
    const after = healthyAfter[name] ?? 0;
    if (after < 0) return 'Degraded';
    return (checks.get(name) ?? 0) >= after ? 'Healthy' : 'Progressing';
  };
  const result = await runApplicationSet(kube, { name: 'web', namespace: 'argocd' }, {
    clusters: [],
    projectNamespace: 'argocd',
    repoRoot: repo(envs),
    clock,
    pollMs: 1000,
    timeoutSeconds,
    syncApplication: async (app, request) => {
      log.push(`sync ${app.name}${request.initiatedBy.username === 'applicationset-controller' ? '' : ' (not by the set!)'}`);
      checks.set(app.name, 0);
      return { phase: 'Succeeded', sync: 'Synced', health: health(app.name) };
    },
    refreshApplication: async (app) => {
      checks.set(app.name, (checks.get(app.name) ?? 0) + 1);
      return { sync: 'Synced', health: health(app.name) };
    },
    onEvent: (e: ApplicationSetEvent) => {
      if (e.type === 'rollout') log.push(e.message);
    },
  });
  return { result, log };
}

describe('runApplicationSet (RollingSync loop, in-memory API)', () => {
  test('steps run in order, each after the previous step is Healthy; maxUpdate 1 syncs one at a time', async () => {
    const envs = [{ env: 'dev', stage: 'dev' }, { env: 'qa', stage: 'qa' }, { env: 'prod-a', stage: 'prod' }, { env: 'prod-b', stage: 'prod' }];
    const kube = setup(envs, [step('dev'), step('qa'), step('prod', 1)]);
    const { result, log } = await run(kube, envs.map((e) => e.env), { 'dev': 2, 'qa': 0, 'prod-a': 1, 'prod-b': 0 });
    expect(log).toEqual([
      'ApplicationSet is performing rollout of step 1',
      'sync dev',
      'ApplicationSet is performing rollout of step 2',
      'sync qa',
      'ApplicationSet is performing rollout of step 3',
      'sync prod-a',
      'sync prod-b',
      'ApplicationSet Rollout has completed',
    ]);
    expect(result).toMatchObject({ ok: true, message: 'ApplicationSet Rollout has completed' });
    expect(kube.peek(A, 'ApplicationSet', 'argocd', 'web')!.status.applicationStatus.map((s: any) => `${s.application} ${s.step} ${s.status}`))
      .toEqual(['dev 1 Healthy', 'prod-a 3 Healthy', 'prod-b 3 Healthy', 'qa 2 Healthy']);
    const uid = kube.peek(A, 'ApplicationSet', 'argocd', 'web')!.metadata.uid;
    expect(kube.peek(A, 'Application', 'argocd', 'dev')!.metadata.ownerReferences[0]).toMatchObject({ kind: 'ApplicationSet', name: 'web', uid, controller: true });
  });

  test('a step maxUpdate 0 leaves to manual syncs ends the run with what was not synced', async () => {
    const envs = [{ env: 'dev', stage: 'dev' }, { env: 'prod', stage: 'prod' }];
    const { result, log } = await run(setup(envs, [step('dev'), step('prod', 0)]), ['dev', 'prod'], {});
    expect(log).toEqual(['ApplicationSet is performing rollout of step 1', 'sync dev', 'ApplicationSet is performing rollout of step 2']);
    expect(result).toMatchObject({
      ok: false, message: 'ApplicationSet is performing rollout of step 2: prod (step 2) will not be synced by the rollout (maxUpdate 0 leaves them to manual syncs)',
    });
  });

  test('an Application that never turns Healthy times the run out, naming it and its health', async () => {
    const envs = [{ env: 'dev', stage: 'dev' }, { env: 'prod', stage: 'prod' }];
    const { result, log } = await run(setup(envs, [step('dev'), step('prod')]), ['dev', 'prod'], { dev: -1 }, 5);
    expect(log).toEqual(['ApplicationSet is performing rollout of step 1', 'sync dev']);
    expect(result).toMatchObject({ ok: false, message: 'timed out after 5s waiting for dev (step 1, Degraded) to become Healthy' });
  });

  test('without a rollout, a sync that Succeeded while still Progressing is refreshed until Healthy', async () => {
    const clock = new VirtualClock();
    let refreshes = 0;
    const result = await runApplicationSet(setup([{ env: 'dev', stage: 'dev' }]), { name: 'web', namespace: 'argocd' }, {
      clusters: [],
      projectNamespace: 'argocd',
      repoRoot: repo(['dev']),
      clock,
      pollMs: 1000,
      timeoutSeconds: 60,
      includeManual: true,
      syncApplication: async () => ({ phase: 'Succeeded', sync: 'Synced', health: 'Progressing' }),
      refreshApplication: async () => ({ sync: 'Synced', health: ++refreshes >= 3 ? 'Healthy' : 'Progressing' }),
    });
    expect(refreshes).toBe(3);
    expect(result).toMatchObject({ ok: true, message: 'synced' });
    expect(result.applications[0].outcome).toMatchObject({ phase: 'Succeeded', sync: 'Synced', health: 'Healthy' });
  });
});
