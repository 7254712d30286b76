/**
 * The automated-sync decision the watcher (and the tree's children) take after a comparison:
 * Argo CD v3's `autoSync` guards (controller/appcontroller.go), including the self-heal backoff.
 */
import { ArgoApplicationStatus } from '../../../src/engine/app-status/argo-status';
import { ApplicationManifest } from '../../../src/engine/application-spec';
import { OperationPhase, SyncStatusCode } from '../../../src/engine/model';
import { autoSyncDecision, ComparedState } from '../../../src/engine/tree/child-policy';
import { DEFAULT_SELF_HEAL_BACKOFF } from '../../../src/engine/tree/self-heal';

const REV = 'a'.repeat(40);
const source = { repoURL: 'https://example.com/r.git', path: 'apps/web', targetRevision: 'HEAD' };

function manifest(automated: Record<string, unknown> | undefined): ApplicationManifest {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'web', namespace: 'argocd' },
    spec: { project: 'default', source, destination: { server: 'https://kubernetes.default.svc', namespace: 'web' }, ...(automated ? { syncPolicy: { automated } } : {}) },
  } as ApplicationManifest;
}

function row(name: string, status: SyncStatusCode, requiresPruning = false) {
  return { group: 'apps', kind: 'Deployment', namespace: 'web', name, status, ...(requiresPruning ? { requiresPruning } : {}) };
}

const outOfSync: ComparedState = { sync: SyncStatusCode.OUT_OF_SYNC, revision: REV, resources: [row('web', SyncStatusCode.OUT_OF_SYNC), row('db', SyncStatusCode.SYNCED)] };

interface Previous { revision?: string; attempts?: number; sync?: SyncStatusCode }

function previous(phase: OperationPhase, finishedAt: string, opts: Previous = {}): ArgoApplicationStatus {
  const attempts = opts.attempts !== undefined ? { autoHealAttemptsCount: opts.attempts } : {};
  return {
    sync: { status: opts.sync ?? SyncStatusCode.SYNCED, revision: opts.revision ?? REV },
    operationState: {
      operation: { sync: { revision: opts.revision ?? REV, ...attempts }, initiatedBy: { automated: true } },
      phase,
      message: phase === OperationPhase.SUCCEEDED ? 'successfully synced' : 'one or more objects failed to apply',
      syncResult: { revision: opts.revision ?? REV, source },
      startedAt: finishedAt,
      finishedAt,
    },
  } as ArgoApplicationStatus;
}

const NOW = Date.parse('2026-12-01T12:00:00Z');
const at = (secondsAgo: number) => new Date(NOW - secondsAgo * 1000).toISOString();
const timing = { backoff: DEFAULT_SELF_HEAL_BACKOFF, nowMs: NOW };

describe('autoSyncDecision (Argo CD v3 autoSync)', () => {
  test('only an OutOfSync Application is synced', () => {
    expect(autoSyncDecision(manifest({}), { ...outOfSync, sync: SyncStatusCode.SYNCED }, undefined, true).sync).toBe(false);
    expect(autoSyncDecision(manifest({}), outOfSync, undefined, true)).toMatchObject({ sync: true, reason: `automated sync to ${REV}` });
  });

  test('a new revision is synced even though the last sync (of another revision) failed', () => {
    const d = autoSyncDecision(manifest({}), outOfSync, previous(OperationPhase.FAILED, at(10), { revision: 'b'.repeat(40) }), true);
    expect(d.sync).toBe(true);
    expect(d.selfHeal).toBeUndefined();
  });

  test('a revision whose automated sync failed is not synced again (SyncError), whatever selfHeal says', () => {
    const d = autoSyncDecision(manifest({ selfHeal: true }), outOfSync, previous(OperationPhase.FAILED, at(1000)), true, timing);
    expect(d).toMatchObject({ sync: false, failedBefore: true });
    expect(d.reason).toMatch(/last sync attempt to a{40} failed/);
  });

  test('…unless the sources changed (Argo CD compares the synced source too)', () => {
    const base = manifest({});
    const changed = { ...base, spec: { ...base.spec, source: { ...source, path: 'apps/web-v2' } } } as ApplicationManifest;
    expect(autoSyncDecision(changed, outOfSync, previous(OperationPhase.FAILED, at(10)), true).sync).toBe(true);
  });

  test('…and not when the revision does not pin the manifests (a dirty work tree)', () => {
    expect(autoSyncDecision(manifest({}), outOfSync, previous(OperationPhase.FAILED, at(10)), false).sync).toBe(true);
  });

  test('drift after a successful sync of the same revision: without selfHeal it stays OutOfSync', () => {
    const d = autoSyncDecision(manifest({ prune: true }), outOfSync, previous(OperationPhase.SUCCEEDED, at(1000)), true, timing);
    expect(d).toMatchObject({ sync: false });
    expect(d.reason).toMatch(/selfHeal is off/);
  });

  test('with selfHeal: a selective sync of the drifted resources, counted as attempt 1 (first heal: no delay)', () => {
    const d = autoSyncDecision(manifest({ selfHeal: true }), outOfSync, previous(OperationPhase.SUCCEEDED, at(1)), true, timing);
    expect(d.sync).toBe(true);
    expect(d.selfHeal).toEqual({ attempts: 1, resources: [{ group: 'apps', kind: 'Deployment', namespace: 'web', name: 'web' }] });
  });

  test('a second heal within the cooldown waits 2 s from the last operation\'s end, then a third 6 s', () => {
    const healed = manifest({ selfHeal: true });
    const second = autoSyncDecision(healed, outOfSync, previous(OperationPhase.SUCCEEDED, at(0.5), { attempts: 1 }), true, timing);
    expect(second.sync).toBe(false);
    expect(second.retryAfterMs).toBe(1500);
    const due = autoSyncDecision(manifest({ selfHeal: true }), outOfSync, previous(OperationPhase.SUCCEEDED, at(2), { attempts: 1 }), true, timing);
    expect(due.selfHeal?.attempts).toBe(2);
    const third = autoSyncDecision(manifest({ selfHeal: true }), outOfSync, previous(OperationPhase.SUCCEEDED, at(5), { attempts: 2 }), true, timing);
    expect(third.retryAfterMs).toBe(1000);
  });

  test('after the cooldown (330 s Synced since the last operation) the count starts again: no delay', () => {
    const d = autoSyncDecision(manifest({ selfHeal: true }), outOfSync, previous(OperationPhase.SUCCEEDED, at(331), { attempts: 5 }), true, timing);
    expect(d.selfHeal?.attempts).toBe(1);
  });

  test('without timing (a one-shot sync) a self-heal runs at once', () => {
    const d = autoSyncDecision(manifest({ selfHeal: true }), outOfSync, previous(OperationPhase.SUCCEEDED, at(0), { attempts: 3 }), true);
    expect(d.selfHeal?.attempts).toBe(4);
  });

  test('prune only with automated.prune, and the allowEmpty guard', () => {
    const pruneOnly: ComparedState = { sync: SyncStatusCode.OUT_OF_SYNC, revision: REV, resources: [row('old', SyncStatusCode.OUT_OF_SYNC, true), row('db', SyncStatusCode.SYNCED)] };
    expect(autoSyncDecision(manifest({}), pruneOnly, undefined, true).reason).toMatch(/automated prune is off/);
    expect(autoSyncDecision(manifest({ prune: true }), pruneOnly, undefined, true).sync).toBe(true);
    const wipe: ComparedState = { sync: SyncStatusCode.OUT_OF_SYNC, revision: REV, resources: [row('a', SyncStatusCode.OUT_OF_SYNC, true), row('b', SyncStatusCode.OUT_OF_SYNC, true)] };
    expect(autoSyncDecision(manifest({ prune: true }), wipe, undefined, true)).toMatchObject({ sync: false });
    expect(autoSyncDecision(manifest({ prune: true }), wipe, undefined, true).reason).toMatch(/wipe out all resources/);
    expect(autoSyncDecision(manifest({ prune: true, allowEmpty: true }), wipe, undefined, true).sync).toBe(true);
  });
});
