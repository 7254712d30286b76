import pc from 'picocolors';
import { alignColumns } from './columns';
import { paint } from './status-table';
import { ApplicationObject } from '../app-status/application-objects';
import { ArgoApplicationCondition } from '../app-status/argo-status';
import { isAutomatedSyncEnabled } from '../app-status/conditions';
import { ApplicationSpec, manifestSources } from '../application-spec';

/** `argocd app list`'s SYNC POLICY: Manual, Auto, or Auto-Prune. */
export function syncPolicyLabel(spec: ApplicationSpec | undefined): string {
  if (!isAutomatedSyncEnabled(spec)) {
    return 'Manual';
  }
  return spec?.syncPolicy?.automated?.prune ? 'Auto-Prune' : 'Auto';
}

/** `argocd app list`'s CONDITIONS: `<none>`, or each type with its count when more than one (`SyncError,Warning(2)`). */
export function conditionsSummary(conditions: readonly ArgoApplicationCondition[] | null | undefined): string {
  const counts = new Map<string, number>();
  for (const c of conditions ?? []) {
    counts.set(c.type, (counts.get(c.type) ?? 0) + 1);
  }
  if (counts.size === 0) {
    return '<none>';
  }
  return [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([t, n]) => (n > 1 ? `${t}(${n})` : t)).join(',');
}

/**
 * `argocd app list`-like table of Application objects: NAME, PROJECT, SYNC, HEALTH, SYNC POLICY,
 * CONDITIONS, PATH; `wide` adds the destination (CLUSTER, NAMESPACE), REPO and TARGET.
 */
export function renderApplicationList(apps: readonly ApplicationObject[], color: boolean, wide = false): string {
  const header = ['NAME', 'PROJECT', 'SYNC', 'HEALTH', 'SYNC POLICY', 'CONDITIONS', 'PATH'];
  const rows = [wide ? [...header.slice(0, 1), 'CLUSTER', 'NAMESPACE', ...header.slice(1), 'REPO', 'TARGET'] : header];
  for (const app of apps) {
    const source = manifestSources(app.spec ?? { destination: {} })[0] ?? {};
    const dest = app.spec?.destination ?? {};
    const base = [
      app.spec?.project ?? 'default',
      app.status?.sync?.status ?? '',
      app.status?.health?.status ?? '',
      syncPolicyLabel(app.spec),
      conditionsSummary(app.status?.conditions),
      source.path ?? '',
    ];
    rows.push(wide
      ? [app.metadata.name, dest.server ?? dest.name ?? '', dest.namespace ?? '', ...base, source.repoURL ?? '', source.targetRevision ?? '']
      : [app.metadata.name, ...base]);
  }
  const table = alignColumns(rows);
  if (!color) {
    return table.join('\n');
  }
  return [pc.bold(table[0]), ...table.slice(1).map((r) => r.replace(/\b(OutOfSync|Synced|Healthy|Progressing|Degraded|Missing|Suspended|Unknown)\b/g, (m) => paint(m, true)))].join('\n');
}
