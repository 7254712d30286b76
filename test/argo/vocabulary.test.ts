import { RESOURCES_FINALIZER, RESOURCES_FINALIZER_BACKGROUND } from '../../src/argo/annotations';
import { HELM_HOOK_DELETE_POLICIES, HELM_HOOK_PHASES, HookDeletePolicy, HookPhase } from '../../src/argo/hooks';
import { SYNC_OPTION_NAMES } from '../../src/argo/sync-options';
import { DeletionFinalizer } from '../../src/constructs/application';
import { SyncOption } from '../../src/constructs/sync-option';
import { hookDeletePolicies, hookPhases } from '../../src/engine/hooks';
import { KNOWN_SYNC_OPTIONS, parseSyncOptions } from '../../src/engine/sync-options';

describe('one Argo CD vocabulary', () => {
  test('every sync option the constructs name is one the engine knows', () => {
    const named = Object.values(SyncOption).filter((v): v is SyncOption => v instanceof SyncOption);
    expect(named.length).toBeGreaterThan(10);
    for (const o of named) {
      expect(KNOWN_SYNC_OPTIONS.has(o.key)).toBe(true);
    }
    const policy = SyncOption.prunePropagationPolicy('orphan' as any);
    expect([...parseSyncOptions([policy.value])]).toEqual([['PrunePropagationPolicy', 'orphan']]);
    expect([...KNOWN_SYNC_OPTIONS].sort()).toEqual([...SYNC_OPTION_NAMES].sort());
  });

  test('the public DeletionFinalizer enum spells the finalizers as src/argo does', () => {
    expect(DeletionFinalizer.FOREGROUND).toBe(RESOURCES_FINALIZER);
    expect(DeletionFinalizer.BACKGROUND).toBe(RESOURCES_FINALIZER_BACKGROUND);
  });

  test('the engine reads the hook phases and delete policies the constructs write', () => {
    for (const phase of Object.values(HookPhase)) {
      const obj = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'h', annotations: { 'argocd.argoproj.io/hook': phase } } };
      expect(hookPhases(obj)).toEqual([phase]);
    }
    for (const policy of Object.values(HookDeletePolicy)) {
      const obj = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'h', annotations: { 'argocd.argoproj.io/hook': 'PreSync', 'argocd.argoproj.io/hook-delete-policy': policy } } };
      expect(hookDeletePolicies(obj)).toEqual([policy]);
    }
    expect(Object.keys(HELM_HOOK_PHASES).sort()).toEqual(['post-install', 'post-upgrade', 'pre-install', 'pre-upgrade']);
    expect(Object.values(HELM_HOOK_DELETE_POLICIES).sort()).toEqual(Object.values(HookDeletePolicy).sort());
  });
});
