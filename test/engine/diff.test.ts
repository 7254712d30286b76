import { compareObjects, renderDiff } from '../../src/engine/diff/compare';
import { respectIgnoredLiveValues } from '../../src/engine/diff/ignore-differences';
import { managedFieldPaths } from '../../src/engine/diff/managed-fields';
import { redactSecretValues } from '../../src/engine/diff/mask-secrets';
import { normalizeForDiff } from '../../src/engine/diff/normalize';
import { KubeObject } from '../../src/engine/model';

function deployment(replicas: number, extra: any = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ns', resourceVersion: '5', uid: 'u', generation: 3, creationTimestamp: 't', managedFields: [], ...extra.metadata },
    spec: { replicas, template: { spec: { containers: [{ name: 'main', image: 'nginx', env: [{ name: 'A', value: '1' }] }] } } },
    status: { replicas },
  };
}

describe('normalization', () => {
  test('drops status and server-maintained metadata', () => {
    const n = normalizeForDiff(deployment(1));
    expect(n.status).toBeUndefined();
    expect(Object.keys(n.metadata).sort()).toEqual(['name', 'namespace']);
  });

  test('folds a Secret\'s stringData into data', () => {
    const n = normalizeForDiff({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'eA==' }, stringData: { b: 'y' } });
    expect(n.data).toEqual({ a: 'eA==', b: 'eQ==' });
    expect(n.stringData).toBeUndefined();
  });

  test('equal objects that differ only in server fields are not modified', async () => {
    const live = deployment(1);
    const target = { ...deployment(1), metadata: { name: 'web', namespace: 'ns' } };
    expect((await compareObjects(target, live, [])).modified).toBe(false);
    expect((await compareObjects(deployment(2), live, [])).modified).toBe(true);
  });
});

describe('ignoreDifferences', () => {
  test('jsonPointers hide a difference', async () => {
    const rules = [{ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] }];
    expect((await compareObjects(deployment(3), deployment(1), rules)).modified).toBe(false);
  });

  test('group and kind are globs; name and namespace must match when given', async () => {
    expect((await compareObjects(deployment(3), deployment(1), [{ group: '*', kind: 'Deploy*', jsonPointers: ['/spec/replicas'] }])).modified).toBe(false);
    expect((await compareObjects(deployment(3), deployment(1), [{ group: 'apps', kind: 'Deployment', name: 'other', jsonPointers: ['/spec/replicas'] }])).modified).toBe(true);
    expect((await compareObjects(deployment(3), deployment(1), [{ group: 'apps', kind: 'Deployment', namespace: 'ns', jsonPointers: ['/spec/replicas'] }])).modified).toBe(false);
    expect((await compareObjects(deployment(3), deployment(1), [{ kind: 'Deployment', jsonPointers: ['/spec/replicas'] }])).modified).toBe(true);
  });

  test('jqPathExpressions hide a difference selected by a jq path', async () => {
    const a = deployment(1);
    const b = deployment(1);
    b.spec.template.spec.containers[0].env[0].value = '2';
    expect((await compareObjects(a, b, [])).modified).toBe(true);
    const rules = [{ group: 'apps', kind: 'Deployment', jqPathExpressions: ['.spec.template.spec.containers[].env[] | select(.name == "A")'] }];
    expect((await compareObjects(a, b, rules)).modified).toBe(false);
  });

  test('a jq expression that does not fit the object ignores nothing', async () => {
    const rules = [{ group: 'apps', kind: 'Deployment', jqPathExpressions: ['.spec.nothing[]'] }];
    expect((await compareObjects(deployment(3), deployment(1), rules)).modified).toBe(true);
  });

  test('a failing jq expression does not leak jq\'s exit status into the process exit code', async () => {
    const before = process.exitCode;
    process.exitCode = undefined;
    try {
      const rules = [{ group: 'apps', kind: 'Deployment', jqPathExpressions: ['.spec.nothing[]'] }];
      await compareObjects(deployment(3), deployment(1), rules);
      expect(process.exitCode).toBeUndefined();
    } finally {
      process.exitCode = before;
    }
  });

  test('managedFieldsManagers hide fields owned by those managers', async () => {
    const live = deployment(5, {
      metadata: { managedFields: [{ manager: 'kube-controller-manager', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }] },
    });
    expect((await compareObjects(deployment(1), live, [{ group: 'apps', kind: 'Deployment', managedFieldsManagers: ['kube-controller-manager'] }])).modified).toBe(false);
    expect((await compareObjects(deployment(1), live, [{ group: 'apps', kind: 'Deployment', managedFieldsManagers: ['someone-else'] }])).modified).toBe(true);
  });

  test('managed field sets resolve list items by key', () => {
    const o = { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] } };
    const paths = managedFieldPaths({ 'f:spec': { 'f:containers': { 'k:{"name":"b"}': { '.': {}, 'f:image': {} } } } }, o);
    expect(paths).toEqual([['spec', 'containers', 1], ['spec', 'containers', 1, 'image']]);
  });

  test('RespectIgnoreDifferences copies live values of ignored fields into the desired object', async () => {
    const rules = [{ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] }];
    const out = await respectIgnoredLiveValues(rules, deployment(1), deployment(4));
    expect(out.spec.replicas).toBe(4);
    expect(out.spec.template.spec.containers[0].image).toBe('nginx');
  });
});

describe('Secret masking', () => {
  const secret = (data: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'n' }, data });
  const b64 = (s: string) => Buffer.from(s).toString('base64');

  test('a diff of a changed Secret never shows its values', async () => {
    const c = await compareObjects(secret({ password: b64('hunter2-new'), same: b64('keep-me') }), secret({ password: b64('hunter2-old'), same: b64('keep-me') }), []);
    expect(c.modified).toBe(true);
    const text = renderDiff('v1/Secret/n/s', c, false);
    for (const v of ['hunter2-new', 'hunter2-old', 'keep-me', b64('hunter2-new'), b64('hunter2-old'), b64('keep-me')]) {
      expect(text).not.toContain(v);
    }
    // Changed keys still show as changed: different masks.
    expect(text).toMatch(/-\s+password: \+{12}\n\+\s+password: \+{8}\n/);
    expect(text).not.toMatch(/^[-+] *same:/m);
  });

  test('redacts Secret values echoed in error messages', () => {
    const s = { ...secret({ token: b64('s3cr3t-token') }), stringData: { other: 'plain-value' } };
    expect(redactSecretValues('invalid value "s3cr3t-token" and plain-value', s)).toBe('invalid value "********" and ********');
  });

  test('redacts map and list values under stringData/data, as the API server echoes them', () => {
    const s: KubeObject = { ...secret({}), stringData: { password: { nested: 'canary-nested-91', deeper: { pin: 48213 } }, list: ['canary-item-72'] } as any };
    // What a server-side apply error says about an invalid Secret value.
    const echoed = 'failed to create typed patch object (/v1, Kind=Secret) n/s: .stringData.password: expected string, got &value.valueUnstructured{Value:map[string]interface {}{"deeper":map[string]interface {}{"pin":48213}, "nested":"canary-nested-91"}}; .stringData.list: expected string, got ["canary-item-72"]';
    const out = redactSecretValues(echoed, s);
    for (const v of ['canary-nested-91', '48213', 'canary-item-72', 'nested', 'deeper']) {
      expect(out).not.toContain(v);
    }
    expect(out).toContain('.stringData.password: expected string');
  });

  test('a diff of a Secret with a map value shows neither the value nor its keys', async () => {
    const desired: KubeObject = { ...secret({}), stringData: { password: { nested: 'canary-nested-91' } } as any };
    const c = await compareObjects(desired, undefined, []);
    const text = renderDiff('v1/Secret/n/s', c, false);
    expect(text).not.toContain('canary-nested-91');
    expect(text).not.toContain('nested');
  });
});

describe('a resource to create is compared as the write sets it', () => {
  // What a server-side dry-run create of a Service returns: the server assigned clusterIP (10.0.0.0,
  // the dry-run allocator's answer) and defaulted the rest; managedFields names what the write set.
  const dryRunCreate = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'web',
      namespace: 'shop',
      uid: 'd6c3',
      creationTimestamp: '2026-12-01T10:00:00Z',
      labels: { app: 'web' },
      managedFields: [{
        manager: 'argocd-controller',
        operation: 'Apply',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:targetPort': {} } }, 'f:selector': {} },
        },
      }],
    },
    spec: {
      clusterIP: '10.0.0.0',
      clusterIPs: ['10.0.0.0'],
      internalTrafficPolicy: 'Cluster',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }],
      selector: { app: 'web' },
      sessionAffinity: 'None',
      type: 'ClusterIP',
    },
    status: { loadBalancer: {} },
  };

  test('without the fields the server assigned or defaulted', async () => {
    const c = await compareObjects(dryRunCreate, undefined, []);
    expect(c.target).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
      spec: { ports: [{ port: 80, targetPort: 8080 }], selector: { app: 'web' } },
    });
    expect(c.modified).toBe(true);
  });

  test('an existing object is compared whole: live has the assigned fields too', async () => {
    const live = { ...dryRunCreate, metadata: { ...dryRunCreate.metadata } };
    expect((await compareObjects(dryRunCreate, live, [])).modified).toBe(false);
    expect((await compareObjects(dryRunCreate, live, [])).target?.spec.clusterIP).toBe('10.0.0.0');
  });

  test('a Secret written with stringData keeps its data (managedFields name stringData, the server wrote data)', async () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'shop', managedFields: [{ manager: 'm', operation: 'Apply', fieldsV1: { 'f:stringData': { 'f:password': {} } } }] },
      data: { password: Buffer.from('hunter2').toString('base64') },
      type: 'Opaque',
    };
    const c = await compareObjects(secret, undefined, []);
    expect(Object.keys(c.target?.data ?? {})).toEqual(['password']);
    expect(c.target?.type).toBeUndefined();
  });

  test('an object without managedFields (not predicted) is shown as it is', async () => {
    const { managedFields: _, ...metadata } = dryRunCreate.metadata;
    expect((await compareObjects({ ...dryRunCreate, metadata }, undefined, [])).target?.spec.clusterIP).toBe('10.0.0.0');
  });
});
