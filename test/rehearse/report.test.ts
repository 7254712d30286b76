/**
 * The rehearsal's report assembly, timeline and Markdown, from observations made up here (the
 * e2e test, test/e2e/rehearse.e2e.test.ts, makes them on a real control plane).
 */
import { ApplicationStatus, ResourceStatus } from '../../src/engine/compare-app';
import { compareObjects } from '../../src/engine/diff/compare';
import { HealthStatusCode, OperationPhase, ResultCode, SyncPhase, SyncStatusCode } from '../../src/engine/model';
import { ReconcileAction } from '../../src/engine/tree/child-policy';
import { ApplicationRun } from '../../src/engine/tree/tree-sync';
import { ApplicationEvidence, assembleReport, differingPaths, ReportInput } from '../../src/rehearse/assemble';
import { GITHUB_COMMENT_LIMIT, renderMarkdown } from '../../src/rehearse/markdown';
import { FindingKind, FindingSeverity, RehearsalFinding, TimelineStepKind } from '../../src/rehearse/report';
import { buildTimeline, TimedEvent } from '../../src/rehearse/timeline';

const deployment = (replicas: number, image = 'nginx:1.25') => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'web' },
  spec: { replicas, template: { spec: { containers: [{ name: 'web', image }] } } },
});

async function row(target: any, live: any, extra: Partial<ResourceStatus> = {}): Promise<ResourceStatus> {
  const comparison = await compareObjects(target, live, []);
  return {
    group: target?.apiVersion.includes('/') ? target.apiVersion.split('/')[0] : live ? (live.apiVersion.includes('/') ? live.apiVersion.split('/')[0] : '') : '',
    version: 'v1',
    kind: (target ?? live).kind,
    namespace: (target ?? live).metadata.namespace ?? '',
    name: (target ?? live).metadata.name,
    status: comparison.modified ? SyncStatusCode.OUT_OF_SYNC : SyncStatusCode.SYNCED,
    comparison: comparison.modified ? comparison : undefined,
    source: { file: 'workloads/web/x.yaml', line: 1 },
    ...extra,
  };
}

function status(resources: ResourceStatus[], extra: Partial<ApplicationStatus> = {}): ApplicationStatus {
  const sync = resources.some((r) => r.status === SyncStatusCode.OUT_OF_SYNC) ? SyncStatusCode.OUT_OF_SYNC : SyncStatusCode.SYNCED;
  return { application: 'web', revision: 'abc', sync, health: { status: HealthStatusCode.HEALTHY }, resources, ...extra };
}

function run(extra: Partial<ApplicationRun> = {}): ApplicationRun {
  return {
    application: 'web',
    namespace: 'argocd',
    wave: 0,
    action: ReconcileAction.SYNC,
    phase: OperationPhase.SUCCEEDED,
    sync: SyncStatusCode.SYNCED,
    health: HealthStatusCode.HEALTHY,
    message: 'successfully synced (all tasks run)',
    ...extra,
  };
}

function evidence(extra: Partial<ApplicationEvidence> = {}): ApplicationEvidence {
  return { name: 'web', project: 'default', inBase: true, inHead: true, specChanged: false, automated: true, ...extra };
}

function input(applications: ApplicationEvidence[], extra: Partial<ReportInput> = {}): ReportInput {
  return {
    base: { ref: 'origin/main', sha: 'a'.repeat(40), dirty: false },
    head: { ref: 'HEAD', sha: 'b'.repeat(40), dirty: false },
    applications,
    applicationSets: [],
    staticFindings: [],
    timeline: [],
    durationMs: 12_345,
    ...extra,
  };
}

describe('assembleReport', () => {
  test('created, changed (with a masked diff), pruned and require-pruning objects come from the comparison before the head sync and its prune results', async () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: 'web' }, data: { password: Buffer.from('hunter2').toString('base64') } };
    const liveSecret = { ...secret, data: { password: Buffer.from('old-pass').toString('base64') } };
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'gone', namespace: 'web' } };
    const pvc = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'web' } };
    const before = status([
      await row(deployment(1, 'nginx:1.26'), deployment(1)),
      await row(secret, liveSecret),
      await row({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'web' } }, undefined),
      { ...(await row(undefined, cm)), requiresPruning: true, status: SyncStatusCode.OUT_OF_SYNC },
      { ...(await row(undefined, pvc)), requiresPruning: true, status: SyncStatusCode.OUT_OF_SYNC },
    ]);
    const operation = {
      application: 'web',
      revision: 'b',
      phase: OperationPhase.SUCCEEDED,
      message: 'ok',
      dryRun: false,
      startedAt: '',
      attempts: 1,
      resources: [{ group: '', version: 'v1', kind: 'ConfigMap', namespace: 'web', name: 'gone', syncPhase: SyncPhase.SYNC, syncWave: 0, status: ResultCode.PRUNED, message: 'pruned' },
        { group: '', version: 'v1', kind: 'PersistentVolumeClaim', namespace: 'web', name: 'data', syncPhase: SyncPhase.SYNC, syncWave: 0, status: ResultCode.PRUNE_SKIPPED, message: 'ignored (no prune): Prune=false' }],
    };
    const report = assembleReport(input([evidence({ before, run: run({ operation }), after: status([]) })]));
    const web = report.applications[0];
    expect(web.created.map((r) => `${r.kind}/${r.name}`)).toEqual(['Service/web']);
    expect(web.changed.map((r) => `${r.kind}/${r.name}`)).toEqual(['Deployment/web', 'Secret/creds']);
    expect(web.changed[0].diff).toContain('+        - image: nginx:1.26');
    expect(web.changed[0].diff).toContain('-        - image: nginx:1.25');
    // Secret values never reach the report.
    expect(JSON.stringify(report)).not.toContain(Buffer.from('hunter2').toString('base64'));
    expect(JSON.stringify(report)).not.toContain(Buffer.from('old-pass').toString('base64'));
    expect(web.pruned.map((r) => `${r.kind}/${r.name}`)).toEqual(['ConfigMap/gone']);
    expect(web.requirePruning.map((r) => `${r.kind}/${r.name}`)).toEqual(['PersistentVolumeClaim/data']);
    expect(web).toMatchObject({ change: 'changed', outcome: 'Succeeded', syncStatus: 'Synced', healthStatus: 'Healthy' });
    expect(report.summary).toEqual({
      applications: 1, created: 1, changed: 2, pruned: 1, requirePruning: 1, failures: 0, dangers: 0, neverSettling: 0,
    });
    expect(report.exitCode).toBe(0);
  });

  test('a failed automated head sync is a SYNC_FAILED failure naming the failed resource (exit 1)', () => {
    const failed = run({
      phase: OperationPhase.FAILED,
      message: 'one or more objects failed to apply: Deployment web/web: field is immutable',
      operation: {
        application: 'web',
        revision: 'b',
        phase: OperationPhase.FAILED,
        message: 'x',
        dryRun: false,
        startedAt: '',
        attempts: 1,
        resources: [{ group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'web', name: 'web', syncPhase: SyncPhase.SYNC, syncWave: 0, status: ResultCode.SYNC_FAILED, message: 'field is immutable' }],
      },
    });
    const report = assembleReport(input([evidence({ run: failed })]));
    expect(report.applications[0].findings).toEqual([expect.objectContaining({
      kind: FindingKind.SYNC_FAILED, severity: FindingSeverity.FAILURE, resource: expect.objectContaining({ kind: 'Deployment', name: 'web' }),
    })]);
    expect(report.applications[0].findings[0].message).toMatch(/ends Failed: .*immutable/);
    expect(report).toMatchObject({ outcome: 'Failed', exitCode: 1, summary: expect.objectContaining({ failures: 1 }) });
  });

  test('a resource the project refuses is a PROJECT_VIOLATION, not also a SYNC_FAILED', async () => {
    const refused = { ...(await row(deployment(1), undefined)), status: SyncStatusCode.UNKNOWN, message: 'resource apps:Deployment is not permitted in project team' };
    const report = assembleReport(input([evidence({ before: status([refused], { sync: SyncStatusCode.UNKNOWN }), run: run({ phase: OperationPhase.FAILED, message: 'refused' }) })]));
    expect(report.applications[0].findings.map((f) => f.kind)).toEqual([FindingKind.PROJECT_VIOLATION]);
    expect(report.exitCode).toBe(1);
  });

  test('still OutOfSync right after a successful sync: NEVER_SETTLES with the differing path and the ignore rule to add', async () => {
    const after = status([await row(deployment(1), deployment(3))]);
    const report = assembleReport(input([evidence({ run: run(), after })]));
    const [f] = report.applications[0].findings;
    expect(f).toMatchObject({ kind: FindingKind.NEVER_SETTLES, severity: FindingSeverity.NEVER_SETTLES, path: 'spec.replicas' });
    expect(f.message).toMatch(/ignoreDifferences for \/spec\/replicas/);
    expect(report.summary.neverSettling).toBe(1);
    expect(report).toMatchObject({ outcome: 'Succeeded', exitCode: 1 });
  });

  test('a manual Application is not synced on merge: compared, OutOfSync with its diff, no never-settles', async () => {
    const before = status([await row(deployment(2), deployment(1))]);
    const report = assembleReport(input([evidence({
      automated: false, before, run: run({ action: ReconcileAction.COMPARE, phase: undefined, sync: SyncStatusCode.OUT_OF_SYNC, message: '' }), after: before,
    })]));
    expect(report.applications[0]).toMatchObject({ outcome: 'None', syncStatus: 'OutOfSync', message: 'OutOfSync: manual sync policy, not synced on merge', findings: [] });
    expect(report.applications[0].changed).toHaveLength(1);
    expect(report.exitCode).toBe(0);
  });

  test('static findings are attached to their Application; dangers fail the rehearsal', () => {
    const danger: RehearsalFinding = { kind: FindingKind.STATEFUL_PRUNE, severity: FindingSeverity.DANGER, application: 'web', message: 'PVC data is deleted' };
    const report = assembleReport(input([evidence({ run: run() })], { staticFindings: [danger] }));
    expect(report.applications[0].findings).toEqual([danger]);
    expect(report).toMatchObject({ outcome: 'Failed', exitCode: 1, summary: expect.objectContaining({ dangers: 1 }) });
  });

  test('ApplicationSets: Applications added and removed between base and head, RollingSync steps kept', () => {
    const report = assembleReport(input([], {
      applicationSets: [{ name: 'argocd/guestbook', baseApplications: ['a', 'b'], headApplications: ['b', 'c'], rollingSteps: [['b'], ['c']] }],
    }));
    expect(report.applicationSets).toEqual([{ name: 'argocd/guestbook', added: ['c'], removed: ['a'], rollingSteps: [['b'], ['c']] }]);
  });

  test('the Applications a set generates get their entry; a failed sync of one is a SYNC_FAILED failure', () => {
    const report = assembleReport(input([], {
      applicationSets: [{
        name: 'argocd/web',
        baseApplications: ['web-dev'],
        headApplications: ['web-dev', 'web-prod'],
        rollingSteps: [],
        generated: [
          { name: 'web-dev', phase: 'Succeeded', sync: 'Synced', health: 'Healthy' },
          { name: 'web-prod', phase: 'Failed', sync: 'OutOfSync', health: 'Missing', message: 'namespace prod not found' },
          { name: 'web-old', sync: 'Unknown', health: 'Unknown' },
        ],
      }],
    }));
    expect(report.applications.map((a) => `${a.name} ${a.change} ${a.outcome} ${a.findings.map((f) => f.kind).join(',')}`))
      .toEqual(['web-dev changed Succeeded ', 'web-prod added Failed SyncFailed']);
    expect(report.applications[1].findings[0].message).toBe('the sync of this Application generated by argocd/web ends Failed: namespace prod not found');
    expect(report.exitCode).toBe(1);
  });

  test('differingPaths names leaves in dotted form with indexes', () => {
    expect(differingPaths({ spec: { replicas: 1, c: [{ image: 'a' }] } }, { spec: { replicas: 3, c: [{ image: 'b' }] } }))
      .toEqual(['spec.c[0].image', 'spec.replicas']);
  });
});

describe('buildTimeline', () => {
  const resource = (extra: object) => ({
    group: 'batch', version: 'v1', kind: 'Job', namespace: 'web', name: 'migrate', syncPhase: SyncPhase.PRE_SYNC, syncWave: 0, message: '', ...extra,
  });
  test('steps, hooks, health waits and prunes in order, with times; hooks and waits marked simulated', () => {
    const events: TimedEvent[] = [
      { atMs: 0, event: { type: 'started', application: 'web', wave: 0, action: ReconcileAction.COMPARE } },
      { atMs: 10, event: { type: 'step', application: 'web', phase: SyncPhase.PRE_SYNC, wave: 0, tasks: 1 } },
      { atMs: 12, event: { type: 'resource', application: 'web', result: resource({ hookType: SyncPhase.PRE_SYNC, status: ResultCode.SYNCED, hookPhase: OperationPhase.RUNNING }) } },
      { atMs: 500, event: { type: 'resource', application: 'web', result: resource({ hookType: SyncPhase.PRE_SYNC, status: ResultCode.SYNCED, hookPhase: OperationPhase.SUCCEEDED }) } },
      { atMs: 510, event: { type: 'step', application: 'web', phase: SyncPhase.SYNC, wave: 0, tasks: 3 } },
      { atMs: 520, event: { type: 'resource', application: 'web', result: resource({ kind: 'ConfigMap', name: 'old', syncPhase: SyncPhase.SYNC, status: ResultCode.PRUNED, message: 'pruned' }) } },
      { atMs: 600, event: { type: 'waiting', application: 'web', message: 'waiting for health: Deployment/web is Progressing' } },
      { atMs: 700, event: { type: 'waiting', application: 'web', message: 'waiting for health: Deployment/web is Progressing' } },
      { atMs: 900, event: { type: 'step', application: 'web', phase: SyncPhase.SYNC, wave: 1, tasks: 1 } },
      { atMs: 950, event: { type: 'done', application: 'web', result: { phase: OperationPhase.SUCCEEDED } as any } },
    ];
    const steps = buildTimeline(events).map((s) => `${s.startMs}-${s.endMs} ${s.kind} ${s.phase}/${s.wave} ${s.name} ${s.result}${s.simulated ? ' (simulated)' : ''}`);
    expect(steps).toEqual([
      '10-510 wave PreSync/0 1 object Succeeded',
      '12-500 hook PreSync/0 Job/migrate Succeeded (simulated)',
      '510-900 wave Sync/0 3 objects Succeeded',
      '520-520 prune Sync/0 1 object Succeeded',
      '600-900 health-wait Sync/0 waiting for health: Deployment/web is Progressing Healthy (simulated)',
      '900-950 wave Sync/1 1 object Succeeded',
    ]);
  });

  test('a failed operation fails its last step; a step never finished is Running', () => {
    const steps = buildTimeline([
      { atMs: 0, event: { type: 'step', application: 'a', phase: SyncPhase.SYNC, wave: 0, tasks: 1 } },
      { atMs: 5, event: { type: 'done', application: 'a', result: { phase: OperationPhase.FAILED } as any } },
      { atMs: 6, event: { type: 'step', application: 'b', phase: SyncPhase.SYNC, wave: 0, tasks: 1 } },
    ]);
    expect(steps.map((s) => `${s.application} ${s.kind} ${s.result}`)).toEqual(['a wave Failed', 'b wave Running']);
    expect(steps[0].kind).toBe(TimelineStepKind.WAVE);
  });
});

describe('renderMarkdown', () => {
  test('summary and findings first, each Application in a collapsed block, the timeline collapsed', async () => {
    const danger: RehearsalFinding = {
      kind: FindingKind.STATEFUL_PRUNE,
      severity: FindingSeverity.DANGER,
      application: 'web',
      message: 'PVC data is deleted | with its data',
      resource: { group: '', kind: 'PersistentVolumeClaim', namespace: 'web', name: 'data' },
    };
    const before = status([await row(deployment(1, 'nginx:1.26'), deployment(1))]);
    const report = assembleReport(input([evidence({ before, run: run(), after: status([]) })], {
      staticFindings: [danger],
      timeline: [{ application: 'web', kind: TimelineStepKind.HOOK, phase: 'PreSync', wave: 0, name: 'Job/migrate', startMs: 0, endMs: 1200, result: 'Succeeded', simulated: 'kwok' }],
    }));
    const md = renderMarkdown(report);
    const order = ['## Rehearsal', ':warning: **Danger sign** (1).', '| 1 | 0 | 1 | 0 | 0 | 0 | 1 | 0 |', '### Findings',
      '- :warning: **StatefulPrune** — `web` PersistentVolumeClaim web/data: PVC data is deleted \\| with its data',
      '<details><summary>:warning: <code>web</code> — changed, automated, 1 changed</summary>', '```diff', '+        - image: nginx:1.26',
      '<details><summary>Sync timeline (1 step)</summary>', '| 0.0s | 1.2s | `web` | PreSync | 0 | hook | Job/migrate | Succeeded * |', 'simulated on the local control plane'];
    let at = 0;
    for (const piece of order) {
      const i = md.indexOf(piece, at);
      expect({ piece, found: i >= 0 }).toEqual({ piece, found: true });
      at = i;
    }
  });

  test('no change says so', () => {
    const compared = run({ action: ReconcileAction.COMPARE, phase: undefined });
    const report = assembleReport(input([evidence({ before: status([]), run: compared, after: status([]) })]));
    expect(renderMarkdown(report)).toContain('No change: every Application stays as it is.');
    expect(renderMarkdown(report)).toContain(':white_check_mark: **Predicted to succeed, no danger sign.**');
  });

  test('stays under the comment limit: diffs and sections are cut with a note, findings kept', async () => {
    const big = 'x'.repeat(400);
    const apps: ApplicationEvidence[] = [];
    for (let i = 0; i < 60; i++) {
      const live = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: 'web' }, data: Object.fromEntries(Array.from({ length: 40 }, (_, k) => [`k${k}`, `${big}-old`])) };
      const target = { ...live, data: Object.fromEntries(Array.from({ length: 40 }, (_, k) => [`k${k}`, `${big}-new`])) };
      apps.push(evidence({ name: `app-${String(i).padStart(3, '0')}`, before: status([await row(target, live)]), run: run(), after: status([]) }));
    }
    const never: RehearsalFinding = { kind: FindingKind.SYNC_FAILED, severity: FindingSeverity.FAILURE, application: 'app-059', message: 'boom' };
    const md = renderMarkdown(assembleReport(input(apps, { staticFindings: [never] })));
    expect(md.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(md).toContain('**SyncFailed** — `app-059`');
    expect(md).toMatch(/more Application\(s\) cut to fit a comment|line\(s\) cut/);
    expect(md).toContain('Shortened to fit a pull-request comment');
  });
});
