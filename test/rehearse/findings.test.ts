import { KubeObject } from '../../src/engine/model';
import { ApplicationChange, findingsFor, leftInPlace } from '../../src/rehearse/findings';
import { RehearsalFinding } from '../../src/rehearse/report';

// ---- fixtures ---------------------------------------------------------------------------------

interface AppOptions {
  automated?: boolean;
  prune?: boolean;
  allowEmpty?: boolean;
  syncOptions?: string[];
  finalizers?: string[];
}

function app(name: string, o: AppOptions = { automated: true, prune: true }): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'argocd', ...(o.finalizers ? { finalizers: o.finalizers } : {}) },
    spec: {
      project: 'default',
      destination: { server: 'https://kubernetes.default.svc', namespace: 'shop' },
      source: { repoURL: 'https://github.com/acme/k8s.git', path: name },
      syncPolicy: {
        ...(o.automated ? { automated: { prune: !!o.prune, ...(o.allowEmpty ? { allowEmpty: true } : {}) } } : {}),
        ...(o.syncOptions ? { syncOptions: o.syncOptions } : {}),
      },
    },
  };
}

/** One Application whose base sync left `live` and whose head wants `desired`. */
function change(live: KubeObject[], desired: KubeObject[], opts?: AppOptions, name = 'shop'): ApplicationChange {
  const a = app(name, opts);
  return { name, base: a, head: a, live, desired: desired.map((object, i) => ({ object, source: { file: `${name}/manifests.yaml`, line: 1 + 20 * i } })) };
}

function run(...changes: ApplicationChange[]): RehearsalFinding[] {
  return findingsFor(changes);
}

function kinds(fs: RehearsalFinding[]): string[] {
  return fs.map((f) => `${f.kind}:${f.severity}`);
}

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

function withAnnotation(o: KubeObject, options: string): KubeObject {
  const c = clone(o);
  c.metadata.annotations = { ...(c.metadata.annotations ?? {}), 'argocd.argoproj.io/sync-options': options };
  return c;
}

function deployment(name: string, selector: Record<string, string>, image = 'nginx:1.27'): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'shop' },
    spec: {
      replicas: 2,
      selector: { matchLabels: selector },
      template: { metadata: { labels: selector }, spec: { containers: [{ name: 'web', image, ports: [{ containerPort: 80 }] }] } },
    },
  };
}

/** What the API server makes of an applied object: defaults, status, our managedFields. */
function serverSide(o: KubeObject, defaults: (c: KubeObject) => void = () => undefined): KubeObject {
  const c = clone(o);
  c.metadata.namespace = c.metadata.namespace ?? 'shop';
  c.metadata.uid = 'b7d4c9e0-0000-4000-8000-000000000001';
  c.metadata.resourceVersion = '4711';
  c.metadata.creationTimestamp = '2026-12-01T12:00:00Z';
  defaults(c);
  return c;
}

function deploymentDefaults(c: KubeObject): void {
  c.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } };
  c.spec.revisionHistoryLimit = 10;
  c.spec.progressDeadlineSeconds = 600;
  c.spec.template.spec.restartPolicy = 'Always';
  c.spec.template.spec.dnsPolicy = 'ClusterFirst';
  c.spec.template.spec.containers[0].imagePullPolicy = 'IfNotPresent';
  c.spec.template.spec.containers[0].ports[0].protocol = 'TCP';
  c.status = { replicas: 2, readyReplicas: 2 };
}

// ---- IMMUTABLE_FIELD --------------------------------------------------------------------------

describe('IMMUTABLE_FIELD', () => {
  const liveWeb = serverSide(deployment('web', { app: 'web' }), deploymentDefaults);

  test('a changed Deployment selector is a predicted failure naming the path, the file and the fix', () => {
    const fs = run(change([liveWeb], [deployment('web', { app: 'web-v2' })]));
    expect(kinds(fs)).toEqual(['ImmutableField:failure']);
    expect(fs[0].path).toBe('spec.selector.matchLabels.app');
    expect(fs[0].resource).toEqual({ group: 'apps', kind: 'Deployment', namespace: 'shop', name: 'web', source: 'shop/manifests.yaml:1' });
    expect(fs[0].message).toContain('Deployment shop/web: spec.selector.matchLabels.app changes');
    expect(fs[0].message).toContain('Force=true,Replace=true');
    expect(fs[0].application).toBe('shop');
  });

  test('an unchanged object (live carries server defaults and status) is not flagged', () => {
    expect(run(change([liveWeb], [deployment('web', { app: 'web' })]))).toEqual([]);
  });

  test('a changed pod template (image) is an ordinary rolling update, not flagged', () => {
    expect(run(change([liveWeb], [deployment('web', { app: 'web' }, 'nginx:1.28')]))).toEqual([]);
  });

  test('Force=true on the object or on the Application deletes and re-creates: not flagged', () => {
    expect(run(change([liveWeb], [withAnnotation(deployment('web', { app: 'web-v2' }), 'Force=true,Replace=true')]))).toEqual([]);
    expect(run(change([liveWeb], [withAnnotation(deployment('web', { app: 'web-v2' }), 'Force=true')]))).toEqual([]);
    expect(run(change([liveWeb], [deployment('web', { app: 'web-v2' })], { automated: true, prune: true, syncOptions: ['Force=true'] }))).toEqual([]);
  });

  test('Replace=true alone is still an update (kubectl replace) that the API server rejects, and the message says so', () => {
    const fs = run(change([liveWeb], [withAnnotation(deployment('web', { app: 'web-v2' }), 'Replace=true')]));
    expect(kinds(fs)).toEqual(['ImmutableField:failure']);
    expect(fs[0].message).toContain('Replace=true alone');
  });

  test('a selector label head drops is found through our managedFields', () => {
    const live = serverSide(deployment('web', { app: 'web', tier: 'front' }), deploymentDefaults);
    live.metadata.managedFields = [{
      manager: 'cdk8s-argocd',
      operation: 'Apply',
      apiVersion: 'apps/v1',
      fieldsV1: { 'f:spec': { 'f:selector': { 'f:matchLabels': { 'f:app': {}, 'f:tier': {} } } } },
    }];
    const desired = deployment('web', { app: 'web' });
    desired.spec.template.metadata.labels = { app: 'web', tier: 'front' };
    const fs = run(change([live], [desired]));
    expect(fs.map((f) => f.path)).toEqual(['spec.selector.matchLabels.tier']);
  });

  test('a selector is replaced whole (atomic): a label head drops is a change even without managedFields', () => {
    const live = serverSide(deployment('web', { app: 'web', tier: 'front' }), deploymentDefaults);
    const desired = deployment('web', { app: 'web' });
    desired.spec.template.metadata.labels = { app: 'web', tier: 'front' };
    expect(run(change([live], [desired])).map((f) => f.path)).toEqual(['spec.selector.matchLabels.tier']);
  });

  test('a desired object without namespace matches the live one in the destination namespace', () => {
    const d = deployment('web', { app: 'web-v2' });
    delete d.metadata.namespace;
    const fs = run(change([liveWeb], [d]));
    expect(kinds(fs)).toEqual(['ImmutableField:failure']);
    expect(fs[0].resource?.namespace).toBe('shop');
    expect(fs[0].message).toContain('Deployment shop/web:');
  });

  test('hooks are re-created by Argo CD and never flagged', () => {
    const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate', namespace: 'shop', annotations: { 'argocd.argoproj.io/hook': 'PreSync' } }, spec: { template: { spec: { containers: [{ name: 'm', image: 'm:1' }] } } } };
    const head = clone(job);
    head.spec.template.spec.containers[0].image = 'm:2';
    expect(run(change([serverSide(job)], [head]))).toEqual([]);
  });

  describe('StatefulSet', () => {
    const sts = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'shop' },
      spec: {
        serviceName: 'db',
        replicas: 1,
        selector: { matchLabels: { app: 'db' } },
        template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'pg', image: 'postgres:16' }] } },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    };
    const live = serverSide(sts, (c) => {
      c.spec.podManagementPolicy = 'OrderedReady';
      c.spec.volumeClaimTemplates[0].apiVersion = 'v1';
      c.spec.volumeClaimTemplates[0].kind = 'PersistentVolumeClaim';
      c.spec.volumeClaimTemplates[0].spec.volumeMode = 'Filesystem';
      c.spec.volumeClaimTemplates[0].status = { phase: 'Pending' };
    });

    test('volumeClaimTemplates and serviceName are forbidden', () => {
      const head = clone(sts);
      head.spec.volumeClaimTemplates[0].spec.resources.requests.storage = '5Gi';
      head.spec.serviceName = 'db-headless';
      const fs = run(change([live], [head]));
      expect(kinds(fs)).toEqual(['ImmutableField:failure']);
      expect(fs[0].message).toContain('spec.serviceName');
      expect(fs[0].message).toContain('spec.volumeClaimTemplates[0].spec.resources.requests.storage');
    });

    test('replicas, template, updateStrategy, minReadySeconds, revisionHistoryLimit and the retention policy may change', () => {
      const head = clone(sts) as any;
      head.spec.replicas = 3;
      head.spec.template.spec.containers[0].image = 'postgres:17';
      head.spec.updateStrategy = { type: 'OnDelete' };
      head.spec.minReadySeconds = 10;
      head.spec.revisionHistoryLimit = 3;
      head.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Delete' };
      expect(run(change([live], [head]))).toEqual([]);
    });
  });

  describe('Job', () => {
    const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'report', namespace: 'shop' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'r', image: 'report:1' }] } } } };
    // The API server generates the selector and adds its labels to the template.
    const live = serverSide(job, (c) => {
      c.spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': 'b7d4c9e0' } };
      c.spec.template.metadata = { labels: { 'batch.kubernetes.io/controller-uid': 'b7d4c9e0', 'job-name': 'report' } };
      c.spec.backoffLimit = 6;
      c.status = { startTime: '2026-12-01T12:00:00Z', succeeded: 1 };
    });

    test('an unchanged Job (generated selector and labels live) is not flagged', () => {
      expect(run(change([live], [job]))).toEqual([]);
    });

    test('a changed template is forbidden', () => {
      const head = clone(job);
      head.spec.template.spec.containers[0].image = 'report:2';
      const fs = run(change([live], [head]));
      expect(fs.map((f) => f.path)).toEqual(['spec.template.spec.containers[0].image']);
      expect(fs[0].message).toContain('new name');
    });

    test('a suspended Job that never started may change its scheduling directives', () => {
      const suspended = clone(live);
      suspended.spec.suspend = true;
      delete suspended.status;
      const head = clone(job) as any;
      head.spec.suspend = true;
      head.spec.template.spec.nodeSelector = { pool: 'batch' };
      expect(run(change([suspended], [head]))).toEqual([]);
      head.spec.template.spec.containers[0].image = 'report:2';
      expect(run(change([suspended], [head])).map((f) => f.path)).toEqual(['spec.template.spec.containers[0].image']);
    });
  });

  describe('Service', () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } };
    const live = serverSide(svc, (c) => {
      c.spec.type = 'ClusterIP';
      c.spec.clusterIP = '10.96.12.7';
      c.spec.clusterIPs = ['10.96.12.7'];
      c.spec.ports[0].protocol = 'TCP';
      c.spec.ports[0].targetPort = 80;
    });

    test('the assigned clusterIP is not a difference; a different one is', () => {
      expect(run(change([live], [svc]))).toEqual([]);
      const head = clone(svc) as any;
      head.spec.clusterIP = '10.96.0.50';
      expect(run(change([live], [head])).map((f) => f.path)).toEqual(['spec.clusterIP']);
    });

    test('a type change that keeps the clusterIP is allowed; headless to LoadBalancer is not', () => {
      const lb = clone(svc) as any;
      lb.spec.type = 'LoadBalancer';
      expect(run(change([live], [lb]))).toEqual([]);
      const headless = clone(live);
      headless.spec.clusterIP = 'None';
      headless.spec.clusterIPs = ['None'];
      expect(run(change([headless], [lb])).map((f) => f.path)).toEqual(['spec.type']);
    });

    test('moving to ExternalName releases the clusterIP: allowed', () => {
      const ext = { ...clone(svc), spec: { type: 'ExternalName', externalName: 'db.example.com', clusterIP: '' } };
      expect(run(change([live], [ext]))).toEqual([]);
    });
  });

  describe('PersistentVolumeClaim', () => {
    const pvc = (size: string, cls = 'standard') => ({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data', namespace: 'shop' },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: cls, resources: { requests: { storage: size } } },
    });
    const live = serverSide(pvc('10Gi'), (c) => {
      c.spec.volumeName = 'pvc-1234';
      c.spec.volumeMode = 'Filesystem';
      c.status = { phase: 'Bound', capacity: { storage: '10Gi' } };
    });

    test('a larger storage request is allowed, a smaller one and a new storage class are not', () => {
      expect(run(change([live], [pvc('20Gi')]))).toEqual([]);
      expect(run(change([live], [pvc('10240Mi')]))).toEqual([]);
      expect(run(change([live], [pvc('5Gi')])).map((f) => f.path)).toEqual(['spec.resources.requests.storage']);
      expect(run(change([live], [pvc('10Gi', 'fast')])).map((f) => f.path)).toEqual(['spec.storageClassName']);
    });

    test('an unbound claim cannot be resized at all', () => {
      const pending = clone(live);
      pending.status = { phase: 'Pending' };
      delete pending.spec.volumeName;
      expect(run(change([pending], [pvc('20Gi')])).map((f) => f.path)).toEqual(['spec.resources.requests.storage']);
    });

    test('with Force=true the claim is re-created: a danger (its data is lost), not a failure', () => {
      const fs = run(change([live], [withAnnotation(pvc('10Gi', 'fast'), 'Force=true,Replace=true')]));
      expect(kinds(fs)).toEqual(['ImmutableField:danger']);
      expect(fs[0].message).toContain('data is lost');
    });
  });

  test('a Pod may change its image but not its environment', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'debug', namespace: 'shop' }, spec: { containers: [{ name: 'd', image: 'busybox:1', env: [{ name: 'A', value: '1' }] }] } };
    const live = serverSide(pod, (c) => {
      c.spec.nodeName = 'node-1';
      c.spec.containers[0].terminationMessagePath = '/dev/termination-log';
    });
    const image = clone(pod);
    image.spec.containers[0].image = 'busybox:2';
    expect(run(change([live], [image]))).toEqual([]);
    const env = clone(pod);
    env.spec.containers[0].env[0].value = '2';
    expect(run(change([live], [env])).map((f) => f.path)).toEqual(['spec.containers[0].env[0].value']);
  });

  describe('immutable ConfigMap and Secret', () => {
    const secret = (password: string, immutable = true) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'shop' },
      type: 'Opaque',
      immutable,
      data: { password: Buffer.from(password).toString('base64') },
    });

    test('a changed value of an immutable Secret fails, and the message never shows a value', () => {
      const head = { ...secret('x'), data: undefined, stringData: { password: 'n3w-s3cr3t-value' } } as KubeObject;
      const fs = run(change([serverSide(secret('0ld-s3cr3t-value'))], [head]));
      expect(kinds(fs)).toEqual(['ImmutableField:failure']);
      expect(fs[0].path).toBe('data.password');
      const text = JSON.stringify(fs);
      for (const v of ['0ld-s3cr3t-value', 'n3w-s3cr3t-value']) {
        expect(text).not.toContain(v);
        expect(text).not.toContain(Buffer.from(v).toString('base64'));
      }
    });

    test('the same value given as stringData is no change; a mutable Secret may change', () => {
      const same = { ...secret('x'), data: undefined, stringData: { password: 'p' } } as KubeObject;
      expect(run(change([serverSide(secret('p'))], [same]))).toEqual([]);
      expect(run(change([serverSide(secret('a', false))], [secret('b', false)]))).toEqual([]);
    });

    test('an immutable ConfigMap cannot become mutable', () => {
      const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'shop' }, immutable: true, data: { a: '1' } };
      expect(run(change([serverSide(cm)], [{ ...cm, immutable: false }])).map((f) => f.path)).toEqual(['immutable']);
    });
  });
});

// ---- RECREATED_BY_RENAME ----------------------------------------------------------------------

describe('RECREATED_BY_RENAME', () => {
  const liveWeb = serverSide(deployment('web', { app: 'web' }), deploymentDefaults);
  // Something the Application keeps, so that the rename does not also empty it.
  const cm = serverSide({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'shop' }, data: { a: '1' } });

  test('a Deployment removed under one name and added under another is recreated', () => {
    const fs = run(change([liveWeb, cm], [cm, deployment('web-v2', { app: 'web' })]));
    expect(kinds(fs)).toEqual(['RecreatedByRename:danger']);
    expect(fs[0].resource?.name).toBe('web-v2');
    expect(fs[0].message).toContain('Deployment shop/web');
    expect(fs[0].message).toContain('prunes the old one');
  });

  test('a renamed object written without namespace is named in the namespace it lands in', () => {
    const d = deployment('web-v2', { app: 'web' });
    delete d.metadata.namespace;
    const fs = run(change([liveWeb, cm], [cm, d]));
    expect(fs[0].resource).toMatchObject({ namespace: 'shop', name: 'web-v2' });
    expect(fs[0].message).toContain('Deployment shop/web-v2 is Deployment shop/web under a new name');
  });

  test('with prune off both exist side by side', () => {
    const fs = run(change([liveWeb, cm], [cm, deployment('web-v2', { app: 'web' })], { automated: true, prune: false }));
    expect(fs[0].message).toContain('both exist side by side');
  });

  test('different objects, another namespace, or a kind without state are not a rename', () => {
    const other = deployment('api', { app: 'api' }, 'api:3');
    other.spec.replicas = 5;
    other.spec.template.spec.containers[0] = { name: 'api', image: 'api:3', args: ['--port', '8080'], env: [{ name: 'MODE', value: 'prod' }] };
    expect(kinds(run(change([liveWeb, cm], [cm, other])))).toEqual([]);
    const elsewhere = deployment('web-v2', { app: 'web' });
    elsewhere.metadata.namespace = 'staging';
    expect(run(change([liveWeb, cm], [cm, elsewhere]))).toEqual([]);
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'a', namespace: 'shop' }, rules: [{ verbs: ['get'], resources: ['pods'], apiGroups: [''] }] };
    expect(run(change([serverSide(role), cm], [cm, { ...role, metadata: { name: 'b', namespace: 'shop' } }]))).toEqual([]);
  });
});

// ---- STATEFUL_PRUNE ---------------------------------------------------------------------------

describe('STATEFUL_PRUNE', () => {
  const pvc = serverSide({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'shop' }, spec: { resources: { requests: { storage: '1Gi' } } } });
  const cm = serverSide({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'shop' }, data: { a: '1' } });

  test('a PVC deleted from Git is pruned by the automated sync: a danger', () => {
    const fs = run(change([pvc, cm], [cm]));
    expect(kinds(fs)).toEqual(['StatefulPrune:danger']);
    expect(fs[0].message).toContain('PersistentVolumeClaim shop/data');
    expect(fs[0].message).toContain('automated sync prunes it');
  });

  test('not when prune is off, nor with Prune=false or Prune=confirm (those require pruning instead)', () => {
    expect(run(change([pvc, cm], [cm], { automated: true, prune: false }))).toEqual([]);
    expect(run(change([withAnnotation(pvc, 'Prune=false'), cm], [cm]))).toEqual([]);
    expect(run(change([withAnnotation(pvc, 'Prune=confirm'), cm], [cm]))).toEqual([]);
  });

  test('what is not pruned is listed with the reason, Prune=confirm named', () => {
    const reasons = (c: ApplicationChange) => leftInPlace(c).map((l) => `${l.object.metadata.name}: ${l.reason}`);
    expect(reasons(change([pvc, cm], [cm], { automated: true, prune: false }))).toEqual(['data: prune is off']);
    expect(reasons(change([withAnnotation(pvc, 'Prune=false'), cm], [cm]))).toEqual(['data: Prune=false']);
    expect(reasons(change([withAnnotation(pvc, 'Prune=confirm'), cm], [cm]))).toEqual(['data: Prune=confirm (waits for a confirmation)']);
    expect(reasons(change([pvc, cm], [cm]))).toEqual([]);
    expect(reasons(change([pvc, cm], [cm], { automated: false }))).toEqual(['data: manual sync: the merge does not sync it']);
  });

  test('a manual Application is rehearsed as its next sync with prune', () => {
    const fs = run(change([pvc, cm], [cm], { automated: false }));
    expect(kinds(fs)).toEqual(['StatefulPrune:danger']);
    expect(fs[0].message).toContain('next sync with prune');
  });

  test('a ConfigMap prune is no danger; a CRD prune (of a CRD with a legacy tracking id) counts the custom resources it deletes', () => {
    expect(run(change([pvc, cm], [pvc]))).toEqual([]);
    const crd = serverSide({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.acme.io' }, spec: { group: 'acme.io', names: { kind: 'Widget', plural: 'widgets' }, scope: 'Namespaced', versions: [] } });
    delete crd.metadata.namespace;
    const widget = serverSide({ apiVersion: 'acme.io/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'shop' }, spec: {} });
    const fs = run(change([crd, cm], [cm], undefined, 'crds'), change([widget], [widget], undefined, 'widgets'));
    expect(kinds(fs)).toEqual(['StatefulPrune:danger']);
    expect(fs[0].message).toContain('every Widget resource in the cluster is deleted with it (1 tracked');
  });
});

// ---- CHILD_APPLICATION_REMOVED / CASCADE_DELETE -------------------------------------------------

describe('child Applications', () => {
  const child = (finalizers?: string[]) => serverSide(app('payments', { automated: true, prune: true, finalizers }), (c) => {
    c.metadata.namespace = 'argocd';
  });
  // A child the root keeps, so that removing payments does not also empty the root.
  const billing = serverSide(app('billing'), (c) => {
    c.metadata.namespace = 'argocd';
  });
  const paymentsRemoved = (finalizers?: string[]): ApplicationChange => ({
    name: 'payments',
    base: app('payments', { automated: true, prune: true, finalizers }),
    head: undefined,
    desired: [],
    live: [serverSide(deployment('pay', { app: 'pay' })), serverSide({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'ledger' }, spec: {} })],
  });

  test('a child with the resources finalizer is removed and cascade-deletes its resources', () => {
    const fin = ['resources-finalizer.argocd.argoproj.io'];
    const fs = run(change([child(fin), billing], [app('billing')], undefined, 'root'), paymentsRemoved(fin));
    expect(kinds(fs)).toEqual(['ChildApplicationRemoved:danger', 'CascadeDelete:danger']);
    expect(fs[1].message).toContain('all 2 of its resources (Deployment, PersistentVolumeClaim)');
    expect(fs[1].application).toBe('root');
  });

  test('without the finalizer its resources are orphaned', () => {
    const fs = run(change([child(), billing], [app('billing')], undefined, 'root'), paymentsRemoved());
    expect(kinds(fs)).toEqual(['ChildApplicationRemoved:danger']);
    expect(fs[0].message).toContain('orphaned');
  });

  test('when the root does not prune, the child stays but is no longer managed', () => {
    const fs = run(change([child(['resources-finalizer.argocd.argoproj.io']), billing], [app('billing')], { automated: true, prune: false }, 'root'), paymentsRemoved());
    expect(kinds(fs)).toEqual(['ChildApplicationRemoved:danger']);
    expect(fs[0].message).toContain('does not prune');
  });

  test('a child that stays is not flagged', () => {
    expect(run(change([child(), billing], [app('payments'), app('billing')], undefined, 'root'))).toEqual([]);
  });
});

// ---- EMPTIES_APPLICATION ----------------------------------------------------------------------

describe('EMPTIES_APPLICATION', () => {
  const cm = serverSide({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'shop' }, data: { a: '1' } });

  test('head renders nothing: Argo CD refuses the automated sync (a predicted failure, in its words)', () => {
    const fs = run(change([cm], []));
    expect(kinds(fs)).toEqual(['EmptiesApplication:failure']);
    expect(fs[0].message).toContain('auto-sync will wipe out all resources');
  });

  test('with allowEmpty, or when everything is renamed, the prune empties it: a danger', () => {
    expect(kinds(run(change([cm], [], { automated: true, prune: true, allowEmpty: true })))).toEqual(['EmptiesApplication:danger']);
    const renamed = { ...cm, metadata: { name: 'cfg-v2', namespace: 'shop' }, data: { b: '2' } };
    expect(kinds(run(change([cm], [renamed])))).toEqual(['EmptiesApplication:danger']);
  });

  test('not for manual or non-pruning Applications, nor when something stays', () => {
    expect(run(change([cm], [], { automated: false }))).toEqual([]);
    expect(run(change([cm], [], { automated: true, prune: false }))).toEqual([]);
    expect(run(change([cm], [cm]))).toEqual([]);
  });
});

// ---- CRD_INVALIDATES_RESOURCES ------------------------------------------------------------------

describe('CRD_INVALIDATES_RESOURCES', () => {
  const schema = (spec: Record<string, unknown>, required?: string[]) => ({
    openAPIV3Schema: {
      type: 'object',
      properties: { spec: { type: 'object', properties: spec, ...(required ? { required } : {}) }, status: { 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true } },
    },
  });
  const crd = (versions: unknown[], storedVersions = ['v1']) => {
    const c = serverSide({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.acme.io' },
      spec: { group: 'acme.io', scope: 'Namespaced', names: { kind: 'Widget', plural: 'widgets' }, versions },
    });
    delete c.metadata.namespace;
    c.status = { storedVersions };
    return c;
  };
  const base = { name: 'v1', served: true, storage: true, schema: schema({ size: { type: 'integer' }, color: { type: 'string', enum: ['red', 'green', 'blue'] }, note: { type: 'string' } }) };
  const widget = serverSide({ apiVersion: 'acme.io/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'shop' }, spec: { size: 3, color: 'blue', note: 'keep me' } });
  const rehearse = (head: unknown[], widgetHead?: KubeObject) => {
    const liveCrd = crd([base]);
    const headCrd = { ...clone(liveCrd), spec: { ...liveCrd.spec, versions: head } };
    delete (headCrd as KubeObject).status;
    return run(change([liveCrd], [headCrd], undefined, 'crds'), change([widget], [widgetHead ?? widget], undefined, 'widgets'));
  };
  const v1 = (spec: Record<string, unknown>, required?: string[]) => ({ ...base, schema: schema(spec, required) });
  const fields = base.schema.openAPIV3Schema.properties.spec.properties;

  test('an unchanged CRD, or a compatible change (a new optional field), is not flagged', () => {
    expect(rehearse([base])).toEqual([]);
    expect(rehearse([v1({ ...fields, shape: { type: 'string' } })])).toEqual([]);
  });

  test('a new required field the existing resource lacks', () => {
    const fs = rehearse([v1({ ...fields, shape: { type: 'string' } }, ['shape'])]);
    expect(kinds(fs)).toEqual(['CrdInvalidatesResources:failure']);
    expect(fs[0].resource).toMatchObject({ kind: 'Widget', namespace: 'shop', name: 'w1' });
    expect(fs[0].message).toContain('/spec/shape is required');
    expect(fs[0].application).toBe('crds');
  });

  test('... unless head sets it on the resource in the same merge', () => {
    const fixed = clone(widget);
    fixed.spec.shape = 'round';
    expect(rehearse([v1({ ...fields, shape: { type: 'string' } }, ['shape'])], fixed)).toEqual([]);
  });

  test('a narrowed enum and a changed type', () => {
    const fs = rehearse([v1({ ...fields, size: { type: 'string' }, color: { type: 'string', enum: ['red', 'green'] } })]);
    expect(fs).toHaveLength(1);
    expect(fs[0].message).toContain('/spec/size must be string');
    expect(fs[0].message).toContain('/spec/color must be one of ["red","green"]');
  });

  test('a removed property is pruned from existing resources; preserve-unknown-fields keeps it', () => {
    const { note: _note, ...withoutNote } = fields;
    void _note;
    const fs = rehearse([v1(withoutNote)]);
    expect(fs[0].message).toContain('/spec/note is no longer in the schema');
    const preserving = v1(withoutNote);
    (preserving.schema.openAPIV3Schema.properties.spec as any)['x-kubernetes-preserve-unknown-fields'] = true;
    expect(rehearse([preserving])).toEqual([]);
  });

  test('a stored version dropped from spec.versions, and a version the resource uses no longer served', () => {
    const v2 = { name: 'v2', served: true, storage: true, schema: base.schema };
    const dropped = rehearse([v2]);
    expect(kinds(dropped)).toEqual(['CrdInvalidatesResources:failure', 'CrdInvalidatesResources:failure']);
    expect(dropped[0].message).toContain('status.storedVersions');
    expect(dropped[1].message).toContain('no longer serves');
    const unserved = rehearse([{ ...base, served: false, storage: false }, v2]);
    expect(unserved.map((f) => f.path)).toEqual(['apiVersion']);
  });
});
