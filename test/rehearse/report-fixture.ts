/** Test fixture, not a test file: a realistic rehearsal report (a failing selector change, a PVC prune, hooks). */

import {
  FindingKind, FindingSeverity, RehearsalReport, TimelineStepKind,
} from '../../src/rehearse/report';

const DIFF = `--- live/apps/Deployment/shop/web
+++ desired/apps/Deployment/shop/web
@@ -10,7 +10,7 @@
       labels:
         app: web
     spec:
       containers:
-      - image: nginx:1.27
+      - image: nginx:1.28
         name: web`;

/** `extraName` is put into an Application's name, object names and a diff, to prove it is only ever text. */
export function fixtureReport(extraName = 'payments'): RehearsalReport {
  return {
    base: { ref: 'origin/main', sha: '3f2a9c1d0e4b5a6978877665544332211aabbccd', dirty: false },
    head: { ref: 'HEAD', sha: '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a291807', dirty: false },
    outcome: 'Failed',
    exitCode: 1,
    summary: { applications: 3, created: 2, changed: 2, pruned: 1, requirePruning: 1, failures: 1, dangers: 1, neverSettling: 1 },
    applications: [
      {
        name: 'shop',
        project: 'default',
        change: 'changed',
        automated: true,
        outcome: 'Failed',
        message: 'one or more objects failed to apply',
        syncStatus: 'OutOfSync',
        healthStatus: 'Degraded',
        created: [{ group: '', kind: 'ConfigMap', namespace: 'shop', name: 'web-config', source: 'apps/shop/web.yaml:40' }],
        changed: [
          { group: 'apps', kind: 'Deployment', namespace: 'shop', name: 'web', source: 'apps/shop/web.yaml:1', diff: DIFF },
          { group: 'apps', kind: 'Deployment', namespace: 'shop', name: 'api', source: 'apps/shop/api.yaml:1', diff: DIFF.replace(/web/g, 'api') },
        ],
        pruned: [{ group: '', kind: 'PersistentVolumeClaim', namespace: 'shop', name: 'cache', source: 'apps/shop/cache.yaml:1' }],
        requirePruning: [],
        findings: [
          {
            kind: FindingKind.IMMUTABLE_FIELD,
            severity: FindingSeverity.FAILURE,
            application: 'shop',
            path: 'spec.selector.matchLabels.app',
            resource: { group: 'apps', kind: 'Deployment', namespace: 'shop', name: 'web', source: 'apps/shop/web.yaml:1' },
            message: 'Deployment shop/web: spec.selector.matchLabels.app changes, but the field is immutable: the API server rejects the update and the sync fails.',
          },
          {
            kind: FindingKind.STATEFUL_PRUNE,
            severity: FindingSeverity.DANGER,
            application: 'shop',
            resource: { group: '', kind: 'PersistentVolumeClaim', namespace: 'shop', name: 'cache' },
            message: 'PersistentVolumeClaim shop/cache is no longer in Git and the automated sync prunes it.',
          },
        ],
      },
      {
        name: extraName,
        project: 'default',
        change: 'added',
        automated: true,
        outcome: 'Succeeded',
        message: 'successfully synced',
        syncStatus: 'Synced',
        healthStatus: 'Healthy',
        created: [{ group: 'apps', kind: 'Deployment', namespace: 'payments', name: extraName, source: 'apps/payments/deploy.yaml:1' }],
        changed: [{ group: '', kind: 'ConfigMap', namespace: 'payments', name: extraName, diff: `--- live\n+++ desired\n@@ -1 +1 @@\n-name: old\n+name: ${extraName}` }],
        pruned: [],
        requirePruning: [{ group: '', kind: 'Secret', namespace: 'payments', name: 'legacy-token' }],
        findings: [],
      },
      {
        name: 'metrics',
        project: 'platform',
        change: 'changed',
        automated: true,
        outcome: 'Succeeded',
        message: 'successfully synced',
        syncStatus: 'OutOfSync',
        healthStatus: 'Healthy',
        created: [],
        changed: [],
        pruned: [],
        requirePruning: [],
        findings: [{
          kind: FindingKind.NEVER_SETTLES,
          severity: FindingSeverity.NEVER_SETTLES,
          application: 'metrics',
          path: 'spec.replicas',
          resource: { group: 'apps', kind: 'Deployment', namespace: 'metrics', name: 'collector' },
          message: 'spec.replicas is still OutOfSync on the second reconcile: an HPA scales it; add an ignoreDifferences rule.',
        }],
      },
    ],
    applicationSets: [{ name: 'regions', added: ['regions-eu'], removed: ['regions-ap'], rollingSteps: [['regions-dev'], ['regions-eu', 'regions-us']] }],
    timeline: [
      { application: 'shop', kind: TimelineStepKind.HOOK, phase: 'PreSync', wave: 0, name: 'db-migrate', startMs: 0, endMs: 1200, result: 'Succeeded', simulated: 'kwok runs no containers: the hook Job was marked complete without running' },
      { application: 'shop', kind: TimelineStepKind.WAVE, phase: 'Sync', wave: 0, name: '3 objects', startMs: 1200, endMs: 1900, result: 'Failed' },
      { application: 'shop', kind: TimelineStepKind.HOOK, phase: 'SyncFail', wave: 0, name: 'notify-failure', startMs: 1900, endMs: 2400, result: 'Succeeded', simulated: 'kwok runs no containers' },
      { application: extraName, kind: TimelineStepKind.WAVE, phase: 'Sync', wave: -1, name: '1 object', startMs: 300, endMs: 900, result: 'Succeeded' },
      { application: extraName, kind: TimelineStepKind.HEALTH_WAIT, phase: 'Sync', wave: -1, name: 'Deployment healthy', startMs: 900, endMs: 2600, result: 'Healthy', simulated: 'pods are simulated ready by kwok' },
      { application: extraName, kind: TimelineStepKind.WAVE, phase: 'Sync', wave: 1, name: '2 objects', startMs: 2600, endMs: 3100, result: 'Succeeded' },
      { application: 'metrics', kind: TimelineStepKind.PRUNE, phase: 'Sync', wave: 0, name: '1 object', startMs: 500, endMs: 800, result: 'Succeeded' },
    ],
    durationMs: 14250,
  };
}
