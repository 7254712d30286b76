/**
 * The engine's ApplicationSet controller on the local control plane: `cdk8s-argocd appset sync`
 * applies a set, creates its Applications (owned by the set), writes the set's status, and syncs
 * the Applications — RollingSync step by step, judged from the recorded times and statuses.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { getJson, kubeconfigPath, kubectl, testNamespaces, waitFor } from './cluster-fixture';
import { ApplicationSetRunResult, deleteApplicationSet } from '../../src/engine/appset-controller';
import { CliResult, runInProcess } from '../cli/run-in-process';
import { configMap, deployment, e2eClient } from '../engine/e2e-app';

jest.setTimeout(300_000);

const root = path.join(__dirname, '..', '..');
const newNamespace = testNamespaces().create;

/** The Argo CD CRDs and the argocd namespace come from the global setup (as `cluster up` installs them); the default project: */
beforeAll(async () => {
  await kubectl(['apply', '--server-side', '-f', '-'], {
    input: JSON.stringify({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'default', namespace: 'argocd' }, spec: { sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }], clusterResourceWhitelist: [{ group: '*', kind: '*' }] } }),
  });
}, 120_000);

/** Runs the CLI in this process, capturing its output and exit code. */
async function cli(...args: string[]): Promise<CliResult> {
  return runInProcess(...args, '--kubeconfig', kubeconfigPath());
}

/** A throwaway repository: one folder per environment, and the ApplicationSet file. */
class Repo {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'appset-e2e-'));

  folder(name: string, ...objects: object[]): this {
    fs.mkdirSync(path.join(this.dir, name), { recursive: true });
    fs.writeFileSync(path.join(this.dir, name, 'objects.yaml'), objects.map((o) => stringify(o)).join('---\n'));
    return this;
  }

  set(appSet: object): string {
    const file = path.join(this.dir, 'appset.yaml');
    fs.writeFileSync(file, stringify(appSet));
    return file;
  }

  async sync(file: string): Promise<{ code: number; result: ApplicationSetRunResult; stderr: string }> {
    const res = await cli('appset', 'sync', file, '--repo-root', this.dir, '-o', 'json', '--timeout', '180');
    let parsed: ApplicationSetRunResult[];
    try {
      parsed = JSON.parse(res.stdout);
    } catch {
      throw new Error(`appset sync printed no JSON (exit ${res.code}): ${res.stderr}`);
    }
    return { code: res.code, result: parsed[0], stderr: res.stderr };
  }
}

const suffix = () => randomBytes(3).toString('hex');

function listSet(name: string, elements: Array<Record<string, string>>, extra: { syncPolicy?: object; strategy?: object } = {}): any {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: { name, namespace: 'argocd' },
    spec: {
      goTemplate: true,
      generators: [{ list: { elements } }],
      ...extra,
      template: {
        metadata: { name: `${name}-{{ .env }}`, labels: { env: '{{ .env }}' } },
        spec: {
          project: 'default',
          source: { repoURL: 'https://example.com/repo.git', path: '{{ .env }}' },
          destination: { server: 'https://kubernetes.default.svc', namespace: '{{ .ns }}' },
        },
      },
    },
  };
}

describe('RollingSync', () => {
  test('three steps sync step by step: a step starts only after every Application of the previous step is Healthy', async () => {
    const name = `rs-${suffix()}`;
    const envs = ['dev', 'qa', 'prod1', 'prod2'];
    const repo = new Repo();
    const elements: Array<Record<string, string>> = [];
    for (const env of envs) {
      const ns = await newNamespace(`${name}-${env}`);
      repo.folder(env, deployment('web', 2), configMap('settings', { env }));
      elements.push({ env, ns });
    }
    const stage = (env: string) => (env.startsWith('prod') ? 'prod' : env);
    const set = listSet(name, elements.map((e) => ({ ...e, stage: stage(e.env) })), {
      strategy: {
        type: 'RollingSync',
        rollingSync: {
          steps: [
            { matchExpressions: [{ key: 'stage', operator: 'In', values: ['dev'] }] },
            { matchExpressions: [{ key: 'stage', operator: 'In', values: ['qa'] }] },
            { matchExpressions: [{ key: 'stage', operator: 'In', values: ['prod'] }], maxUpdate: 1 },
          ],
        },
      },
    });
    set.spec.template.metadata.labels.stage = '{{ .stage }}';
    // Automated sync in the template: RollingSync turns it off and syncs the Applications itself.
    set.spec.template.spec.syncPolicy = { automated: { prune: true } };
    const file = repo.set(set);

    const { code, result, stderr } = await repo.sync(file);
    expect({ code, message: result.message, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, message: 'ApplicationSet Rollout has completed', stderr: '' });

    // Each Application's step, sync window and the time the rollout saw it Healthy.
    const statusOf = new Map(result.applicationStatus!.map((s) => [s.application, s]));
    const rows = result.applications.map((a) => ({
      name: a.name,
      step: a.step!,
      start: Date.parse(a.syncStartedAt!),
      healthyAt: Date.parse(statusOf.get(a.name)!.lastTransitionTime!),
      status: statusOf.get(a.name)!.status,
      phase: a.outcome?.phase,
    }));
    expect(rows.map((r) => `${r.name.slice(name.length + 1)} step ${r.step} ${r.phase} ${r.status}`).sort()).toEqual([
      'dev step 1 Succeeded Healthy', 'prod1 step 3 Succeeded Healthy', 'prod2 step 3 Succeeded Healthy', 'qa step 2 Succeeded Healthy',
    ]);
    for (const later of rows) {
      for (const earlier of rows.filter((r) => Number(r.step) < Number(later.step))) {
        // Started only after the earlier step's Application was Healthy.
        expect({ later: later.name, earlier: earlier.name, startedAfterHealthy: later.start >= earlier.healthyAt })
          .toEqual({ later: later.name, earlier: earlier.name, startedAfterHealthy: true });
      }
    }
    // maxUpdate 1: the two prod Applications did not sync at the same time.
    const [p1, p2] = rows.filter((r) => r.step === '3').sort((a, b) => a.start - b.start);
    expect(p2.start).toBeGreaterThanOrEqual(p1.healthyAt);

    // What Argo CD would show: the set's status, the Applications owned by it, automated sync off.
    const live = await getJson(['applicationset', name, '-n', 'argocd']);
    expect(live.status.conditions.map((c: any) => `${c.type}=${c.status} ${c.reason}: ${c.message}`)).toEqual([
      'ErrorOccurred=False ApplicationSetUpToDate: All applications have been generated successfully',
      'ParametersGenerated=True ParametersGenerated: Successfully generated parameters for all Applications',
      'ResourcesUpToDate=True ApplicationSetUpToDate: All applications have been generated successfully',
      'RolloutProgressing=False ApplicationSetRolloutComplete: ApplicationSet Rollout has completed',
    ]);
    expect(live.status.applicationStatus.map((s: any) => `${s.application.slice(name.length + 1)} ${s.step} ${s.status}`).sort())
      .toEqual(['dev 1 Healthy', 'prod1 3 Healthy', 'prod2 3 Healthy', 'qa 2 Healthy']);
    const app = await getJson(['application', `${name}-dev`, '-n', 'argocd']);
    expect(app.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'ApplicationSet', name, uid: live.metadata.uid, controller: true })]);
    expect(app.spec.syncPolicy.automated).toEqual({ prune: true, enabled: false });
    expect(app.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io']);
    expect(app.status).toMatchObject({ sync: { status: 'Synced' }, health: { status: 'Healthy' }, operationState: { phase: 'Succeeded' } });
    // The Deployment of the last step is really there and ready.
    const dep = await getJson(['deployment', 'web', '-n', elements[3].ns]);
    expect(dep.status.readyReplicas).toBe(2);

    await kubectl(['patch', 'applications.argoproj.io', '-n', 'argocd', ...envs.map((e) => `${name}-${e}`), '--type=merge', '-p', '{"metadata":{"finalizers":null}}'], { check: false });
    await kubectl(['delete', 'applicationset', name, '-n', 'argocd', '--wait=false']);
  });

  test('an Application no step selects is not synced, and a failed sync stops the rollout before the next step', async () => {
    const name = `rsf-${suffix()}`;
    const repo = new Repo();
    const ns = await newNamespace(name);
    // dev's folder holds an object the API server refuses: its sync fails.
    repo.folder('dev', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' }, data: { a: '1' } });
    repo.folder('prod', configMap('ok'));
    repo.folder('other', configMap('other'));
    const set = listSet(name, ['dev', 'prod', 'other'].map((env) => ({ env, ns })), {
      syncPolicy: { preserveResourcesOnDeletion: true },
      strategy: {
        type: 'RollingSync',
        rollingSync: { steps: [{ matchExpressions: [{ key: 'env', operator: 'In', values: ['dev'] }] }, { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] }] },
      },
    });
    const { code, result } = await repo.sync(repo.set(set));
    expect(code).toBe(1);
    expect(result.message).toMatch(new RegExp(`^Application ${name}-dev \\(step 1\\): sync Failed[\\s\\S]*the rollout stops at step 1`));
    const byName = new Map(result.applicationStatus!.map((s) => [s.application.slice(name.length + 1), s]));
    expect(byName.get('dev')).toMatchObject({ step: '1', status: 'Progressing', message: 'Application resource completed a sync, updating status from Pending to Progressing' });
    expect(byName.get('prod')).toMatchObject({ step: '2', status: 'Waiting' });
    expect(byName.get('other')).toMatchObject({ step: '-1', status: 'Waiting' });
    expect(result.applications.filter((a) => a.syncStartedAt).map((a) => a.name)).toEqual([`${name}-dev`]);
    expect(await getJson(['configmap', 'ok', '-n', ns])).toBeUndefined();
    const live = await getJson(['applicationset', name, '-n', 'argocd']);
    expect(live.status.conditions.find((c: any) => c.type === 'RolloutProgressing')).toMatchObject({ status: 'True', message: 'ApplicationSet is performing rollout of step 1' });
    await kubectl(['delete', 'applicationset', name, '-n', 'argocd', '--wait=false']);
  });
});

describe('applicationsSync policy', () => {
  test.each([
    ['create-delete', false],
    ['sync', false],
    ['create-update', true],
  ])('an element removed from the list generator under %s: Application kept = %s', async (policy, kept) => {
    const name = `pol-${suffix()}`;
    const repo = new Repo();
    const ns = await newNamespace(name);
    repo.folder('a', configMap('a'));
    repo.folder('b', configMap('b'));
    const spec = (envs: string[]) => {
      const set = listSet(name, envs.map((env) => ({ env, ns })), { syncPolicy: { applicationsSync: policy, preserveResourcesOnDeletion: true } });
      set.spec.template.spec.syncPolicy = { automated: {} };
      return set;
    };
    const first = await repo.sync(repo.set(spec(['a', 'b'])));
    expect({ code: first.code, changes: first.result.changes }).toEqual({
      code: 0, changes: [{ action: 'create', application: `${name}-a` }, { action: 'create', application: `${name}-b` }],
    });
    expect(await getJson(['configmap', 'b', '-n', ns])).toBeDefined();
    // preserveResourcesOnDeletion: no resources finalizer on the generated Applications.
    expect((await getJson(['application', `${name}-b`, '-n', 'argocd'])).metadata.finalizers).toBeUndefined();

    const second = await repo.sync(repo.set(spec(['a'])));
    expect(second.code).toBe(0);
    expect(second.result.changes).toEqual(kept ? [] : [{ action: 'delete', application: `${name}-b` }]);
    const b = await getJson(['application', `${name}-b`, '-n', 'argocd']);
    expect(b !== undefined).toBe(kept);
    // The Application's resources stay: preserveResourcesOnDeletion.
    expect(await getJson(['configmap', 'b', '-n', ns])).toBeDefined();
    await kubectl(['delete', 'applicationset', name, '-n', 'argocd', '--wait=false']);
  });
});

describe('deleting an ApplicationSet', () => {
  test('deletionOrder Reverse deletes the last step first, each step after the later one is gone', async () => {
    const name = `del-${suffix()}`;
    const repo = new Repo();
    const ns = await newNamespace(name);
    const envs = ['dev', 'qa', 'prod'];
    for (const env of envs) repo.folder(env, configMap(env));
    const set = listSet(name, envs.map((env) => ({ env, ns })), {
      syncPolicy: { preserveResourcesOnDeletion: true },
      strategy: {
        type: 'RollingSync',
        deletionOrder: 'Reverse',
        rollingSync: { steps: envs.map((env) => ({ matchExpressions: [{ key: 'env', operator: 'In', values: [env] }] })) },
      },
    });
    expect((await repo.sync(repo.set(set))).code).toBe(0);

    const api = await e2eClient();
    const seen: string[] = [];
    try {
      await deleteApplicationSet(api, { name, namespace: 'argocd' }, {
        // What is left when each step starts: the later steps' Applications must be gone already.
        onDelete: async (app, step) => {
          const left = [];
          for (const env of envs) if (await getJson(['application', `${name}-${env}`, '-n', 'argocd'])) left.push(env);
          seen.push(`step ${step} ${app.slice(name.length + 1)}: left ${left.join(',')}`);
        },
      });
    } finally {
      api.close();
    }
    expect(seen).toEqual(['step 3 prod: left dev,qa,prod', 'step 2 qa: left dev,qa', 'step 1 dev: left dev']);
    for (const env of envs) expect(await getJson(['application', `${name}-${env}`, '-n', 'argocd'])).toBeUndefined();
    expect(await getJson(['applicationset', name, '-n', 'argocd'])).toBeUndefined();
  });

  test('under create-update the Applications outlive the set (their ownerReference is removed)', async () => {
    const name = `keep-${suffix()}`;
    const repo = new Repo();
    const ns = await newNamespace(name);
    repo.folder('a', configMap('a'));
    const set = listSet(name, [{ env: 'a', ns }], { syncPolicy: { applicationsSync: 'create-update', preserveResourcesOnDeletion: true } });
    expect((await repo.sync(repo.set(set))).code).toBe(0);
    const api = await e2eClient();
    try {
      await deleteApplicationSet(api, { name, namespace: 'argocd' });
    } finally {
      api.close();
    }
    await waitFor('the ApplicationSet gone', async () => (await getJson(['applicationset', name, '-n', 'argocd'])) === undefined);
    // Give the garbage collector a chance it must not take: the Application has no owner any more.
    const app = await getJson(['application', `${name}-a`, '-n', 'argocd']);
    expect(app.metadata.ownerReferences ?? []).toEqual([]);
    await kubectl(['delete', 'application', `${name}-a`, '-n', 'argocd', '--wait=false']);
  });
});

describe('examples/environments', () => {
  // Its Applications render a Helm chart with the embedded renderer (no helm binary): the project and
  // set applied, both Applications created and owned, destinations resolved through the clusters
  // file, automated staging synced to Succeeded/Healthy and manual production only compared.
  test('appset sync applies the project and the set, creates both Applications and syncs only the automated one', async () => {
    const clustersFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'appset-e2e-clusters-')), 'clusters.yaml');
    fs.writeFileSync(clustersFile, stringify({
      clusters: ['staging', 'production'].map((n) => ({ name: n, server: `https://${n}.example:6443`, kubeconfig: kubeconfigPath() })),
    }));
    // A fresh start when the cluster is reused: no set and no Applications left from an earlier run.
    await kubectl(['delete', 'applicationset', 'web', '-n', 'argocd', '--ignore-not-found']);
    await kubectl(['patch', 'applications.argoproj.io', '-n', 'argocd', 'web-staging', 'web-production', '--type=merge', '-p', '{"metadata":{"finalizers":null}}'], { check: false });
    await kubectl(['delete', 'applications.argoproj.io', '-n', 'argocd', 'web-staging', 'web-production', '--ignore-not-found']);
    const res = await cli('appset', 'sync', path.join(root, 'examples', 'environments', 'manifests'), '--repo-root', root, '--clusters', clustersFile, '-o', 'json');
    const [result] = JSON.parse(res.stdout) as ApplicationSetRunResult[];
    expect(result.applicationSet).toBe('argocd/web');
    expect(result.changes).toEqual([{ action: 'create', application: 'web-production' }, { action: 'create', application: 'web-staging' }]);
    const byName = new Map(result.applications.map((a) => [a.name, a]));
    expect(byName.get('web-staging')!.syncStartedAt).toBeDefined();
    expect(byName.get('web-production')).toMatchObject({ compared: expect.objectContaining({ sync: expect.any(String) }) });
    expect(byName.get('web-production')!.syncStartedAt).toBeUndefined();
    expect(result.conditions.find((c) => c.type === 'ErrorOccurred')).toMatchObject({ status: 'False' });

    expect(await getJson(['appproject', 'web', '-n', 'argocd'])).toBeDefined();
    const set = await getJson(['applicationset', 'web', '-n', 'argocd']);
    for (const env of ['staging', 'production']) {
      const app = await getJson(['application', `web-${env}`, '-n', 'argocd']);
      expect(app.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'ApplicationSet', name: 'web', uid: set.metadata.uid })]);
      expect(app.spec).toMatchObject({ project: 'web', destination: { name: env, namespace: 'web' } });
    }
    const staging = await getJson(['application', 'web-staging', '-n', 'argocd']);
    expect(staging.status).toMatchObject({ sync: { status: 'Synced' }, health: { status: 'Healthy' }, operationState: { phase: 'Succeeded' } });
    // The chart rendered with values-staging.yaml.
    const webDeployment = await getJson(['deployment', 'web', '-n', 'web']);
    expect(webDeployment.metadata.labels.env).toBe('staging');
    expect(webDeployment.spec.template.spec.containers[0].image).toBe('ghcr.io/acme/web:1.9.0-rc.1');
    await kubectl(['patch', 'applications.argoproj.io', '-n', 'argocd', 'web-staging', 'web-production', '--type=merge', '-p', '{"metadata":{"finalizers":null}}'], { check: false });
    await kubectl(['delete', 'applicationset', 'web', '-n', 'argocd', '--wait=false']);
  });
});
