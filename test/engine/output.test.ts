import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resolveKubeConfig } from '../../src/engine/kube/kubeconfig';
import { HealthStatusCode, OperationPhase, ResourceResult, ResultCode, SyncPhase, SyncStatusCode } from '../../src/engine/model';
import { PlainEventLog, plainEventLine, TtyProgress } from '../../src/engine/output/events';
import { renderStatus } from '../../src/engine/output/status-table';
import { renderSyncResult } from '../../src/engine/output/sync-table';
import { SyncEvent } from '../../src/engine/sync';

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

  test('without a terminal a wait is logged when it starts and when its reason changes, not on every poll', () => {
    const lines: string[] = [];
    const log = new PlainEventLog((line) => lines.push(line));
    const waiting = (application: string, message: string): SyncEvent => ({ type: 'waiting', application, message });
    const polls: SyncEvent[] = [
      { type: 'step', application: 'a', phase: SyncPhase.SYNC, wave: 0, tasks: 1 },
      waiting('a', 'waiting for healthy state of apps/Deployment/web (Progressing: 0 of 1 updated replicas are available)'),
      waiting('a', 'waiting for healthy state of apps/Deployment/web (Progressing: 0 of 1 updated replicas are available)'),
      waiting('b', 'waiting for completion of hook batch/Job/migrate (Running)'),
      waiting('a', 'waiting for healthy state of apps/Deployment/web (Progressing: 0 of 1 updated replicas are available)'),
      waiting('b', 'waiting for completion of hook batch/Job/migrate (Running)'),
      waiting('a', 'waiting for healthy state of apps/Deployment/web (Progressing: 1 of 1 updated replicas are available)'),
      waiting('a', 'waiting for healthy state of apps/Deployment/web (Progressing: 1 of 1 updated replicas are available)'),
      { type: 'resource', application: 'a', result: { ...result, health: { status: HealthStatusCode.HEALTHY } } },
      waiting('a', 'waiting for healthy state of apps/Deployment/web (Progressing: 1 of 1 updated replicas are available)'),
    ];
    polls.forEach((e) => log.handle(e));
    expect(lines.every((l) => l.endsWith('\n') && l.indexOf('\n') === l.length - 1)).toBe(true);
    expect(lines.map((l) => l.replace(/^\S+ /, '').trimEnd())).toEqual([
      'app=a phase=Sync wave=0 tasks=1',
      'app=a waiting for healthy state of apps/Deployment/web (Progressing: 0 of 1 updated replicas are available)',
      'app=b waiting for completion of hook batch/Job/migrate (Running)',
      'app=a waiting for healthy state of apps/Deployment/web (Progressing: 1 of 1 updated replicas are available)',
      'app=a resource="apps/Deployment ns/web" phase=Sync wave=2 status=Synced health=Healthy message="deployment.apps/web created"',
      // A wait after another event is a new wait.
      'app=a waiting for healthy state of apps/Deployment/web (Progressing: 1 of 1 updated replicas are available)',
    ]);
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

  test('wide status adds the version, file:line and the health message', () => {
    const text = renderStatus({
      application: 'a',
      revision: 'abc',
      sync: SyncStatusCode.SYNCED,
      health: { status: HealthStatusCode.PROGRESSING },
      resources: [{
        group: 'apps',
        version: 'v1',
        kind: 'Deployment',
        namespace: 'ns',
        name: 'web',
        status: SyncStatusCode.SYNCED,
        health: { status: HealthStatusCode.PROGRESSING, message: 'Waiting for rollout' },
        source: { file: 'a/web.yaml', line: 4 },
      }],
    }, false, true);
    expect(text).toMatch(/GROUP\s+VERSION\s+KIND\s+NAMESPACE\s+NAME\s+STATUS\s+HEALTH\s+SOURCE\s+MESSAGE\n/);
    expect(text).toMatch(/apps\s+v1\s+Deployment\s+ns\s+web\s+Synced\s+Progressing\s+a\/web\.yaml:4\s+Waiting for rollout$/);
  });

  test('the sync result lists resources and hooks in execution order; wide adds phase, wave and file:line', () => {
    const op = {
      application: 'a',
      revision: 'abc',
      phase: OperationPhase.FAILED,
      message: 'one or more tasks failed',
      dryRun: false,
      startedAt: '',
      attempts: 1,
      resources: [
        { ...result, source: { file: 'a/web.yaml', line: 1 } },
        {
          group: 'batch',
          version: 'v1',
          kind: 'Job',
          namespace: 'ns',
          name: 'check',
          syncPhase: SyncPhase.POST_SYNC,
          syncWave: 0,
          hookType: SyncPhase.POST_SYNC,
          hookPhase: OperationPhase.FAILED,
          status: ResultCode.SYNCED,
          message: 'Job has reached the specified backoff limit',
        },
      ],
    };
    const text = renderSyncResult(op, false);
    expect(text).toMatch(/^Name:\s+a\nRevision:\s+abc\nPhase:\s+Failed\nMessage:\s+one or more tasks failed\n\nGROUP\s+KIND\s+NAMESPACE\s+NAME\s+STATUS\s+HEALTH\s+HOOK\s+MESSAGE\n/);
    expect(text).toMatch(/\napps\s+Deployment\s+ns\s+web\s+Synced\s+deployment\.apps\/web created\n/);
    expect(text).toMatch(/\nbatch\s+Job\s+ns\s+check\s+Synced\s+PostSync\/Failed\s+Job has reached/);
    const wide = renderSyncResult(op, false, true);
    expect(wide).toMatch(/\nSync\s+2\s+apps\s+Deployment\s+ns\s+web\s+Synced\s+a\/web\.yaml:1\s+deployment\.apps\/web created\n/);
    expect(wide).toMatch(/\nPostSync\s+0\s+batch\s+Job/);
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
