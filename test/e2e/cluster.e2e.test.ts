/**
 * Proves the local control plane is a real Kubernetes: the controllers,
 * scheduler, garbage collector, namespace lifecycle and CRD machinery all do
 * their jobs, with kwok standing in for kubelets.
 */
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { clusterDir, createTestNamespace, getJson, kubectl, POD_FAIL_LABEL, POD_FAIL_LABEL_VALUE, useTestNamespace, waitFor } from './cluster-fixture';
import { KUBERNETES_VERSION } from '../../src/cluster/constants';
import { LocalCluster } from '../../src/cluster/local-cluster';
import { ARGOCD_CRD_DIR } from '../../src/engine/crds/argocd-crds';

const PAUSE_IMAGE = 'registry.k8s.io/pause:3.10';

function deployment(name: string, replicas: number): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'main', image: PAUSE_IMAGE }] },
      },
    },
  });
}

function job(name: string, podLabels: Record<string, string> = {}): string {
  return JSON.stringify({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: { labels: podLabels },
        spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36', command: ['true'] }] },
      },
    },
  });
}

function condition(obj: any, type: string): string | undefined {
  return obj?.status?.conditions?.find((c: { type: string }) => c.type === type)?.status;
}

async function applyServerSide(manifest: string, namespace?: string): Promise<void> {
  await kubectl(['apply', '--server-side', '--field-manager=e2e', '-f', '-'], { input: manifest, namespace });
}

/** Pods of `app` that are Running and Ready. */
async function readyPods(namespace: string, app: string): Promise<any[]> {
  const list = await getJson<any>(['pods', '-l', `app=${app}`], { namespace });
  return (list?.items ?? []).filter((p: any) => p.status?.phase === 'Running' && condition(p, 'Ready') === 'True' && !p.metadata.deletionTimestamp);
}

describe('local control plane', () => {
  const ns = useTestNamespace('cluster');

  test('serves the built Kubernetes version and has Ready kwok nodes', async () => {
    const version = JSON.parse((await kubectl(['version', '-o', 'json'])).stdout);
    expect(version.serverVersion.gitVersion).toBe(KUBERNETES_VERSION);

    const nodes = await getJson<any>(['nodes']);
    expect(nodes.items.length).toBeGreaterThan(0);
    for (const node of nodes.items) {
      expect(condition(node, 'Ready')).toBe('True');
    }
  });

  test('a server-side applied Deployment becomes Available and scales through its ReplicaSet', async () => {
    await applyServerSide(deployment('web', 2), ns.name);
    const available = await waitFor('Deployment web to be Available with 2 ready replicas', async () => {
      const d = await getJson<any>(['deployment', 'web'], { namespace: ns.name });
      return condition(d, 'Available') === 'True' && d.status.readyReplicas === 2 && d;
    });
    expect(available.status.availableReplicas).toBe(2);
    expect(await readyPods(ns.name, 'web')).toHaveLength(2);

    await applyServerSide(deployment('web', 4), ns.name);
    await waitFor('the ReplicaSet to scale to 4', async () => {
      const rs = await getJson<any>(['replicasets', '-l', 'app=web'], { namespace: ns.name });
      return rs.items.length === 1 && rs.items[0].spec.replicas === 4 && rs.items[0].status.readyReplicas === 4;
    });
    const pods = await waitFor('4 ready pods', async () => {
      const p = await readyPods(ns.name, 'web');
      return p.length === 4 && p;
    });
    // Pods are scheduled onto kwok nodes and owned by the ReplicaSet.
    for (const pod of pods) {
      expect(pod.spec.nodeName).toMatch(/^kwok-node-/);
      expect(pod.metadata.ownerReferences[0].kind).toBe('ReplicaSet');
    }
    const d = await waitFor('Deployment web to report 4 ready replicas', async () => {
      const x = await getJson<any>(['deployment', 'web'], { namespace: ns.name });
      return x.status.readyReplicas === 4 && x;
    });
    expect(condition(d, 'Available')).toBe('True');
  });

  test('garbage collection removes a deleted Deployment\'s ReplicaSets and pods', async () => {
    await applyServerSide(deployment('gc', 2), ns.name);
    await waitFor('2 ready gc pods', async () => (await readyPods(ns.name, 'gc')).length === 2);
    const rs = await getJson<any>(['replicasets', '-l', 'app=gc'], { namespace: ns.name });
    expect(rs.items).toHaveLength(1);

    // --cascade=background: the API only deletes the Deployment; the garbage collector does the rest.
    await kubectl(['delete', 'deployment', 'gc', '--cascade=background', '--wait=false'], { namespace: ns.name });
    await waitFor(
      'the garbage collector to remove ReplicaSets and pods of gc',
      async () => {
        const leftRs = await getJson<any>(['replicasets', '-l', 'app=gc'], { namespace: ns.name });
        const leftPods = await getJson<any>(['pods', '-l', 'app=gc'], { namespace: ns.name });
        return leftRs.items.length === 0 && leftPods.items.length === 0;
      },
      90_000,
    );
  });

  test('a Job runs to completion', async () => {
    await applyServerSide(job('ok'), ns.name);
    const j = await waitFor('Job ok to be Complete', async () => {
      const x = await getJson<any>(['job', 'ok'], { namespace: ns.name });
      return condition(x, 'Complete') === 'True' && x;
    });
    expect(j.status.succeeded).toBe(1);
    const pods = await getJson<any>(['pods', '-l', 'job-name=ok'], { namespace: ns.name });
    expect(pods.items.map((p: any) => p.status.phase)).toEqual(['Succeeded']);
  });

  test(`a Job whose pod is labelled ${POD_FAIL_LABEL}=${POD_FAIL_LABEL_VALUE} fails`, async () => {
    await applyServerSide(job('doomed', { [POD_FAIL_LABEL]: POD_FAIL_LABEL_VALUE }), ns.name);
    const j = await waitFor('Job doomed to be Failed', async () => {
      const x = await getJson<any>(['job', 'doomed'], { namespace: ns.name });
      return condition(x, 'Failed') === 'True' && x;
    });
    expect(j.status.failed).toBe(1);
    expect(condition(j, 'Complete')).toBeUndefined();
    const pods = await getJson<any>(['pods', '-l', 'job-name=doomed'], { namespace: ns.name });
    expect(pods.items.map((p: any) => p.status.phase)).toEqual(['Failed']);
    expect(pods.items[0].status.containerStatuses[0].state.terminated.exitCode).toBe(1);
  });

  test('a pod\'s log is what a kwok Logs object names (CRI file format), read by kubectl logs through the API server; without one, kwok says so', async () => {
    await applyServerSide(job('logged'), ns.name);
    const pod = await waitFor('the pod of Job logged', async () => (await getJson<any>(['pods', '-l', 'job-name=logged'], { namespace: ns.name }))?.items[0]?.metadata.name);
    const none = await kubectl(['logs', pod], { namespace: ns.name, check: false });
    expect(none.stderr).toContain(`no logs found for container "main" in pod "${ns.name}/${pod}"`);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pod-log-')), 'main.log');
    fs.writeFileSync(file, '2026-12-01T12:00:00Z stdout F one\n2026-12-01T12:00:01Z stderr F two\n2026-12-01T12:00:02Z stdout F three\n');
    await kubectl(['apply', '-f', '-'], {
      namespace: ns.name,
      input: JSON.stringify({ apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'Logs', metadata: { name: pod }, spec: { logs: [{ containers: ['main'], logsFile: file }] } }),
    });
    // kwok sees the object through its watch: no restart.
    const out = await waitFor('kubectl logs to serve the file', async () => {
      const r = await kubectl(['logs', pod, '--tail', '2'], { namespace: ns.name, check: false });
      return r.code === 0 && r.stdout;
    });
    expect(out).toBe('two\nthree\n');
  });

  test('deleting a Namespace completes (namespace controller empties it)', async () => {
    const doomed = await createTestNamespace('doomed');
    await applyServerSide(deployment('app', 1), doomed);
    await kubectl(['create', 'configmap', 'cfg', '--from-literal=a=b'], { namespace: doomed });
    await waitFor('the pod in the doomed namespace', async () => (await readyPods(doomed, 'app')).length === 1);

    await kubectl(['delete', 'namespace', doomed, '--wait=false']);
    await waitFor('namespace deletion to finish', async () => (await getJson(['namespace', doomed])) === undefined, 90_000);
  });

  test('the Argo CD Application CRD becomes Established and is validated strictly', async () => {
    const crd = path.join(ARGOCD_CRD_DIR, 'application-crd.yaml');
    await kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=e2e', '-f', crd]);
    await waitFor('the Application CRD to be Established', async () => {
      const c = await getJson<any>(['crd', 'applications.argoproj.io']);
      return condition(c, 'Established') === 'True' && condition(c, 'NamesAccepted') === 'True';
    });

    const app = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'guestbook' },
      spec: {
        project: 'default',
        source: { repoURL: 'https://example.com/repo.git', path: 'guestbook', targetRevision: 'HEAD' },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'guestbook' },
      },
    };
    // Discovery of the new group can lag Established by a moment.
    await waitFor('the Application to be created', async () =>
      (await kubectl(['create', '--validate=strict', '-f', '-'], { input: JSON.stringify(app), namespace: ns.name, check: false })).code === 0,
    );
    const live = await getJson<any>(['applications.argoproj.io', 'guestbook'], { namespace: ns.name });
    expect(live.spec.source.path).toBe('guestbook');

    const bad = { ...app, metadata: { name: 'bad' }, spec: { ...app.spec, notAField: true } };
    // fieldValidation=Strict: the API server rejects unknown fields instead of pruning them.
    const strict = await kubectl(['create', '--validate=strict', '-f', '-'], { input: JSON.stringify(bad), namespace: ns.name, check: false });
    expect(strict.code).not.toBe(0);
    expect(strict.stderr).toMatch(/strict decoding error: unknown field "spec.notAField"/);
    // Server-side apply checks the typed schema too.
    const ssa = await kubectl(['apply', '--server-side', '--field-manager=e2e', '-f', '-'], { input: JSON.stringify(bad), namespace: ns.name, check: false });
    expect(ssa.code).not.toBe(0);
    expect(ssa.stderr).toMatch(/\.spec\.notAField: field not declared in schema/);
    expect(await getJson(['applications.argoproj.io', 'bad'], { namespace: ns.name })).toBeUndefined();
  });

  test('a restarted component whose port is still held for a moment waits for it instead of failing', async () => {
    const cluster = LocalCluster.open(clusterDir())!;
    const scheduler = cluster.state.components.find((c) => c.name === 'kube-scheduler')!;
    process.kill(-scheduler.pid, 'SIGKILL');
    await waitFor('the scheduler to exit', async () => {
      try {
        process.kill(scheduler.pid, 0);
        return false;
      } catch {
        return true;
      }
    });
    // Another process holds the scheduler's recorded port for two seconds (as an outgoing connection
    // given the same local port by the kernel would): the restart must wait, not give up.
    const holder = net.createServer();
    await new Promise<void>((resolve, reject) => holder.once('error', reject).listen(scheduler.port, '127.0.0.1', () => resolve()));
    const release = setTimeout(() => holder.close(), 2000);
    const logs: string[] = [];
    try {
      await cluster.restart('kube-scheduler', { log: (m) => logs.push(m) });
    } finally {
      clearTimeout(release);
      holder.close();
    }
    expect(logs.join('\n')).toMatch(/kube-scheduler: its port is still in use; starting it again/);
    expect((await cluster.status()).running).toBe(true);
  });
});
