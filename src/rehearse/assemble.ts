/**
 * Assembles the rehearsal report from what the rehearsal observed (pure: no cluster access, so
 * it is unit-tested on its own): per Application the comparison of the head tree against the
 * cluster as the base sync left it, the head run, and the second comparison; the static
 * findings; the ApplicationSet runs; the timeline.
 */
import {
  ApplicationRehearsal, ApplicationSetRehearsal, FindingKind, FindingSeverity, RehearsalFinding, RehearsalObjectChange,
  RehearsalReport, RehearsalResource, RehearsalRevision, RehearsalTimelineStep,
} from './report';
import { ApplicationStatus, ResourceStatus } from '../engine/compare-app';
import { renderDiff } from '../engine/diff/compare';
import { failedResult, OperationPhase, ResultCode, SyncStatusCode } from '../engine/model';
import { ReconcileAction } from '../engine/tree/child-policy';
import { ApplicationRun } from '../engine/tree/tree-sync';

/** Everything observed about one Application (by name) across base and head. */
export interface ApplicationEvidence {
  readonly name: string;
  readonly project: string;
  readonly inBase: boolean;
  readonly inHead: boolean;
  /** The head spec differs from the base spec. */
  readonly specChanged: boolean;
  /** `syncPolicy.automated` at head (at base for a removed Application). */
  readonly automated: boolean;
  /** The head manifests compared with the cluster as the base sync left it (with objects, for diffs). */
  readonly before?: ApplicationStatus;
  /** The head run of this Application (absent when no parent applied it, e.g. removed). */
  readonly run?: ApplicationRun;
  /** The second comparison of the head tree, after the head run (with objects). */
  readonly after?: ApplicationStatus;
  /** For a removed Application: the objects it tracked after the base sync, and whether its parent's prune deleted it. */
  readonly removedTracked?: readonly RehearsalResource[];
  readonly removedPruned?: boolean;
}

/** One ApplicationSet's runs at base and head. */
export interface ApplicationSetEvidence {
  readonly name: string;
  readonly baseApplications: readonly string[];
  readonly headApplications: readonly string[];
  /** RollingSync steps of the head run: step → Applications, in step order. */
  readonly rollingSteps: readonly (readonly string[])[];
  /** The head run of each Application the set generates (synced, or compared when manual). */
  readonly generated?: readonly GeneratedEvidence[];
}

/** One Application an ApplicationSet generates at head, as its controller's run left it. */
export interface GeneratedEvidence {
  readonly name: string;
  /** Sync operation phase when it was synced; undefined when only compared. */
  readonly phase?: string;
  readonly sync: string;
  readonly health: string;
  readonly message?: string;
}

export interface ReportInput {
  readonly base: RehearsalRevision;
  readonly head: RehearsalRevision;
  readonly applications: readonly ApplicationEvidence[];
  readonly applicationSets: readonly ApplicationSetEvidence[];
  /** From `findingsFor` (static findings on what changes). */
  readonly staticFindings: readonly RehearsalFinding[];
  readonly timeline: readonly RehearsalTimelineStep[];
  readonly durationMs: number;
}

const SEVERITY: Record<FindingKind, FindingSeverity> = {
  [FindingKind.IMMUTABLE_FIELD]: FindingSeverity.FAILURE,
  [FindingKind.CRD_INVALIDATES_RESOURCES]: FindingSeverity.FAILURE,
  [FindingKind.PROJECT_VIOLATION]: FindingSeverity.FAILURE,
  [FindingKind.SYNC_FAILED]: FindingSeverity.FAILURE,
  [FindingKind.RECREATED_BY_RENAME]: FindingSeverity.DANGER,
  [FindingKind.STATEFUL_PRUNE]: FindingSeverity.DANGER,
  [FindingKind.CASCADE_DELETE]: FindingSeverity.DANGER,
  [FindingKind.EMPTIES_APPLICATION]: FindingSeverity.DANGER,
  [FindingKind.CHILD_APPLICATION_REMOVED]: FindingSeverity.DANGER,
  [FindingKind.NEVER_SETTLES]: FindingSeverity.NEVER_SETTLES,
};

/** The severity a finding kind always has. */
export function severityOf(kind: FindingKind): FindingSeverity {
  return SEVERITY[kind];
}

function resourceOf(r: Pick<ResourceStatus, 'group' | 'kind' | 'namespace' | 'name' | 'source'>): RehearsalResource {
  return { group: r.group, kind: r.kind, namespace: r.namespace, name: r.name, ...(r.source ? { source: `${r.source.file}:${r.source.line}` } : {}) };
}

function titleOf(r: RehearsalResource): string {
  return `${r.group ? `${r.group}/` : ''}${r.kind}/${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
}

const sameResource = (a: RehearsalResource, b: RehearsalResource) =>
  a.group === b.group && a.kind === b.kind && a.namespace === b.namespace && a.name === b.name;

/** Leaf paths (`spec.replicas`, `spec.template.spec.containers[0].image`) where `a` and `b` differ. */
export function differingPaths(a: unknown, b: unknown, prefix = ''): string[] {
  if (a === b) {
    return [];
  }
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (Array.isArray(a) && Array.isArray(b)) {
    const out: string[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      out.push(...differingPaths(a[i], b[i], `${prefix}[${i}]`));
    }
    return out;
  }
  if (isObj(a) && isObj(b) && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => differingPaths(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  return [prefix || '.'];
}

/** Findings the rehearsal's own syncs produce: a failed head sync, project violations, never settling. */
function syncFindings(e: ApplicationEvidence): RehearsalFinding[] {
  const out: RehearsalFinding[] = [];
  const finding = (kind: FindingKind, message: string, extra: Partial<RehearsalFinding> = {}): RehearsalFinding =>
    ({ kind, severity: severityOf(kind), application: e.name, message, ...extra });
  const before = e.before;
  let projectViolation = false;
  for (const r of before?.resources ?? []) {
    if (r.status === SyncStatusCode.UNKNOWN && r.message) {
      projectViolation = true;
      out.push(finding(FindingKind.PROJECT_VIOLATION, `${r.message}: the project refuses it, so the sync will fail; allow it in the AppProject or move it`, { resource: resourceOf(r) }));
    }
  }
  if (before?.error && !projectViolation && !before.error.startsWith('invalid manifests')) {
    projectViolation = /project|InvalidSpecError|destination/i.test(before.error);
    if (projectViolation) {
      out.push(finding(FindingKind.PROJECT_VIOLATION, before.error));
    }
  }
  const run = e.run;
  if (run && run.action === ReconcileAction.SYNC && run.phase !== OperationPhase.SUCCEEDED && !projectViolation) {
    const failedResource = run.operation?.resources.find(failedResult);
    out.push(finding(FindingKind.SYNC_FAILED, `the automated sync after the merge ends ${run.phase ?? 'in error'}: ${run.message}`,
      failedResource ? { resource: resourceOf(failedResource) } : {}));
  } else if (e.inHead && !e.automated && !projectViolation) {
    // A manual Application is not synced on merge; the dry run says whether a sync by hand would work.
    for (const r of before?.resources ?? []) {
      if (r.message?.startsWith('cannot predict the live state')) {
        out.push(finding(FindingKind.SYNC_FAILED, `a sync of this manual Application would fail: ${r.message.replace(/^cannot predict the live state: /, '')}`, { resource: resourceOf(r) }));
      }
    }
    if (before?.error?.startsWith('invalid manifests')) {
      out.push(finding(FindingKind.SYNC_FAILED, before.error));
    }
  } else if (run && run.action !== ReconcileAction.SYNC && run.sync === SyncStatusCode.UNKNOWN && e.automated && !projectViolation) {
    out.push(finding(FindingKind.SYNC_FAILED, `the Application cannot be compared after the merge, so Argo CD will not sync it: ${run.message}`));
  }
  // Never settles: synced (or found Synced) after the merge, yet the second comparison still differs.
  const settled = run && (run.action === ReconcileAction.SYNC
    ? run.phase === OperationPhase.SUCCEEDED
    : e.automated && run.sync === SyncStatusCode.SYNCED);
  if (settled && e.after) {
    for (const r of e.after.resources) {
      if (r.status !== SyncStatusCode.OUT_OF_SYNC || r.requiresPruning) {
        continue;
      }
      const paths = r.comparison?.live && r.comparison.target ? differingPaths(r.comparison.target, r.comparison.live) : [];
      const replicas = paths.includes('spec.replicas');
      const why = replicas
        ? 'something on the cluster scales it (a HorizontalPodAutoscaler?): add ignoreDifferences for /spec/replicas (and RespectIgnoreDifferences=true), or drop spec.replicas from the manifest'
        : 'the cluster changes it after every sync (a controller, a webhook or a server default): add an ignoreDifferences rule for it or write the value the cluster keeps';
      out.push(finding(FindingKind.NEVER_SETTLES, `still OutOfSync right after a successful sync${paths.length ? ` (${paths.slice(0, 5).join(', ')})` : ''}: ${why}`, {
        resource: resourceOf(r), ...(paths.length ? { path: paths[0] } : {}),
      }));
    }
  }
  return out;
}

/** The static findings, then the syncs' own; a NEVER_SETTLES the second comparison observed replaces the pattern-based one for the same field. */
function merged(staticFindings: readonly RehearsalFinding[], observed: readonly RehearsalFinding[]): RehearsalFinding[] {
  const seen = (f: RehearsalFinding) => f.kind === FindingKind.NEVER_SETTLES && !!f.resource
    && observed.some((o) => o.kind === FindingKind.NEVER_SETTLES && !!o.resource && sameResource(o.resource, f.resource!) && o.path === f.path);
  return [...staticFindings.filter((f) => !seen(f)), ...observed];
}

function applicationRehearsal(e: ApplicationEvidence, staticFindings: readonly RehearsalFinding[]): ApplicationRehearsal {
  const created: RehearsalResource[] = [];
  const changed: RehearsalObjectChange[] = [];
  const wouldPrune: RehearsalResource[] = [];
  for (const r of e.before?.resources ?? []) {
    if (r.status !== SyncStatusCode.OUT_OF_SYNC) {
      continue;
    }
    const res = resourceOf(r);
    if (r.requiresPruning) {
      wouldPrune.push(res);
    } else if (!r.comparison?.live) {
      created.push(res);
    } else {
      changed.push({ ...res, diff: r.comparison ? renderDiff(titleOf(res), r.comparison, false) : '' });
    }
  }
  const prunedResults = (e.run?.operation?.resources ?? []).filter((r) => r.status === ResultCode.PRUNED && !r.hookType).map(resourceOf);
  let pruned = wouldPrune.filter((w) => prunedResults.some((p) => sameResource(p, w)));
  let requirePruning = wouldPrune.filter((w) => !prunedResults.some((p) => sameResource(p, w)));
  if (!e.inHead) {
    pruned = e.removedPruned ? [...(e.removedTracked ?? [])] : [];
    requirePruning = e.removedPruned ? [] : [...(e.removedTracked ?? [])];
  }
  const run = e.run;
  const change = !e.inHead ? 'removed' : !e.inBase ? 'added' : (e.specChanged || created.length + changed.length + wouldPrune.length > 0) ? 'changed' : 'unchanged';
  const message = run?.message
    || (!e.inHead ? (e.removedPruned ? 'removed from the tree: its parent\'s prune deletes it and its resources' : 'removed from the tree but not deleted (its parent does not prune, or it is a root: delete it by hand)') : '')
    || (run?.action === ReconcileAction.COMPARE && !e.automated && e.before?.sync === SyncStatusCode.OUT_OF_SYNC ? 'OutOfSync: manual sync policy, not synced on merge' : '')
    || (run === undefined && e.inHead ? 'not reconciled: no parent applied its Application object' : '');
  return {
    name: e.name,
    project: e.project,
    change,
    automated: e.automated,
    outcome: run?.action === ReconcileAction.SYNC ? (run.phase ?? OperationPhase.ERROR) : 'None',
    message,
    syncStatus: e.after?.sync ?? run?.sync ?? (e.inHead ? SyncStatusCode.UNKNOWN : 'Deleted'),
    healthStatus: e.after?.health.status ?? run?.health ?? (e.inHead ? 'Unknown' : 'Missing'),
    created,
    changed,
    pruned,
    requirePruning,
    findings: merged(staticFindings.filter((f) => f.application === e.name), syncFindings(e)),
  };
}

export function assembleReport(input: ReportInput): RehearsalReport {
  const names = new Set(input.applications.map((a) => a.name));
  const applications = input.applications.map((e) => applicationRehearsal(e, input.staticFindings));
  // Static findings for an Application the rehearsal did not see (should not happen) are kept, not lost.
  const orphans = input.staticFindings.filter((f) => !names.has(f.application));
  if (orphans.length > 0) {
    applications.push({
      name: '(tree)',
      project: '',
      change: 'unchanged',
      automated: false,
      outcome: 'None',
      message: '',
      syncStatus: '',
      healthStatus: '',
      created: [],
      changed: [],
      pruned: [],
      requirePruning: [],
      findings: orphans,
    });
  }
  const applicationSets: ApplicationSetRehearsal[] = input.applicationSets.map((s) => ({
    name: s.name,
    added: s.headApplications.filter((a) => !s.baseApplications.includes(a)).sort(),
    removed: s.baseApplications.filter((a) => !s.headApplications.includes(a)).sort(),
    rollingSteps: s.rollingSteps,
  }));
  // The Applications the sets generate are not in the tree: each gets its entry, and a failed sync its finding.
  for (const set of input.applicationSets) {
    for (const g of set.generated ?? []) {
      if (names.has(g.name) || !set.headApplications.includes(g.name)) {
        continue;
      }
      const failed = g.phase !== undefined && g.phase !== OperationPhase.SUCCEEDED;
      const message = `generated by ApplicationSet ${set.name}${g.message ? `: ${g.message}` : ''}`;
      applications.push({
        name: g.name,
        project: '',
        change: set.baseApplications.includes(g.name) ? 'changed' : 'added',
        automated: g.phase !== undefined,
        outcome: g.phase ?? 'None',
        message,
        syncStatus: g.sync,
        healthStatus: g.health,
        created: [],
        changed: [],
        pruned: [],
        requirePruning: [],
        findings: failed ? [{
          kind: FindingKind.SYNC_FAILED,
          severity: severityOf(FindingKind.SYNC_FAILED),
          application: g.name,
          message: `the sync of this Application generated by ${set.name} ends ${g.phase}${g.message ? `: ${g.message}` : ''}`,
        }] : [],
      });
    }
  }
  const findings = applications.flatMap((a) => a.findings);
  const count = (sev: FindingSeverity) => findings.filter((f) => f.severity === sev).length;
  const summary = {
    applications: applications.filter((a) => a.name !== '(tree)').length,
    created: applications.reduce((n, a) => n + a.created.length, 0),
    changed: applications.reduce((n, a) => n + a.changed.length, 0),
    pruned: applications.reduce((n, a) => n + a.pruned.length, 0),
    requirePruning: applications.reduce((n, a) => n + a.requirePruning.length, 0),
    failures: count(FindingSeverity.FAILURE),
    dangers: count(FindingSeverity.DANGER),
    neverSettling: count(FindingSeverity.NEVER_SETTLES),
  };
  // An Application that never settles is a defect Argo CD shows forever (and selfHeal fights): it fails the rehearsal too.
  const bad = summary.failures + summary.dangers + summary.neverSettling > 0;
  return {
    base: input.base,
    head: input.head,
    outcome: summary.failures + summary.dangers > 0 ? 'Failed' : 'Succeeded',
    exitCode: bad ? 1 : 0,
    summary,
    applications,
    applicationSets,
    timeline: input.timeline,
    durationMs: input.durationMs,
  };
}
