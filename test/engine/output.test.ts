import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resolveKubeConfig } from '../../src/engine/kube/kubeconfig';
import { HealthStatusCode, OperationPhase, ResourceResult, ResultCode, SyncPhase, SyncStatusCode } from '../../src/engine/model';
import { plainEventLine, TtyProgress } from '../../src/engine/output/events';
import { renderStatus } from '../../src/engine/output/status-table';

const result: ResourceResult = {
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  namespace: 'ns',
  name: 'web',
  syncPhase: SyncPhase.SYNC,
  syncWave: 2,
  status: ResultCode.SYNCED,
  message: 'deployment.apps/web created',
};

describe('event output', () => {
  test('plain lines carry app, resource, phase, wave, status and message', () => {
    expect(plainEventLine({ type: 'resource', application: 'a', result })).toMatch(
      /^\d{4}-\d\d-\d\dT[\d:.]+Z app=a resource="apps\/Deployment ns\/web" phase=Sync wave=2 status=Synced message="deployment.apps\/web created"$/);
    expect(plainEventLine({ type: 'step', application: 'a', phase: SyncPhase.POST_SYNC, wave: 1, tasks: 3 })).toMatch(/app=a phase=PostSync wave=1 tasks=3$/);
  });

  test('the terminal renderer overwrites its waiting line instead of scrolling', () => {
    let written = '';
    const stream = { write: (s: string) => (written += s, true), columns: 80 } as unknown as NodeJS.WriteStream;
    const tty = new TtyProgress(stream);
    tty.handle({ type: 'waiting', application: 'a', message: 'waiting for healthy state of apps/Deployment/web' });
    tty.handle({ type: 'waiting', application: 'a', message: 'waiting for healthy state of apps/Deployment/web (again)' });
    tty.handle({ type: 'resource', application: 'a', result: { ...result, health: { status: HealthStatusCode.HEALTHY } } });
    expect(written.split('\n')).toHaveLength(2);
    expect(written).toContain('\r\x1b[2K');
    expect(written).toMatch(/apps\/Deployment ns\/web/);
  });

  test('the status table lists every resource with sync status and health', () => {
    const text = renderStatus({
      application: 'a',
      revision: 'abc',
      sync: SyncStatusCode.OUT_OF_SYNC,
      health: { status: HealthStatusCode.MISSING },
      resources: [
        { group: '', version: 'v1', kind: 'ConfigMap', namespace: 'ns', name: 'old', status: SyncStatusCode.OUT_OF_SYNC, requiresPruning: true },
        { group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'ns', name: 'web', status: SyncStatusCode.OUT_OF_SYNC, health: { status: HealthStatusCode.MISSING } },
      ],
    }, false);
    expect(text).toMatch(/Sync Status:\s+OutOfSync\nHealth Status:\s+Missing/);
    expect(text).toMatch(/\n\s+ConfigMap\s+ns\s+old\s+OutOfSync\s+requires pruning\n/);
    expect(text).toMatch(/apps\s+Deployment\s+ns\s+web\s+OutOfSync\s+Missing/);
  });

  test('operation phases have Argo CD\'s names', () => {
    expect(Object.values(OperationPhase)).toEqual(['Running', 'Succeeded', 'Failed', 'Error', 'Terminating']);
  });
});

describe('kubeconfig', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeconfig-'));
  const file = path.join(dir, 'config');
  fs.writeFileSync(file, `apiVersion: v1
kind: Config
clusters:
- name: one
  cluster: { server: https://one.example:6443 }
- name: two
  cluster: { server: https://two.example:6443 }
users:
- name: u
  user: { token: t }
contexts:
- name: first
  context: { cluster: one, user: u }
- name: second
  context: { cluster: two, user: u }
current-context: first
`);

  test('--context selects another context of the kubeconfig', async () => {
    const r = await resolveKubeConfig({ kubeconfig: file, context: 'second' });
    expect(r.config.getCurrentCluster()?.server).toBe('https://two.example:6443');
    expect(r.description).toBe(`kubeconfig ${file}, context second`);
  });

  test('fails when --context names no context, listing the ones there are', async () => {
    await expect(resolveKubeConfig({ kubeconfig: file, context: 'third' })).rejects.toThrow(/--context third: no such context .*\(have: first, second\)/);
  });

  test('fails when --kubeconfig does not exist', async () => {
    await expect(resolveKubeConfig({ kubeconfig: path.join(dir, 'missing') })).rejects.toThrow(/no such file/);
  });
});
