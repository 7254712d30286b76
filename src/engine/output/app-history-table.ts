import { alignColumns } from './columns';
import { ArgoRevisionHistory } from '../app-status/argo-status';

/** `argocd app history`-like table: ID, DATE, REVISION; `wide` adds who started it and the source path. */
export function renderHistory(history: readonly ArgoRevisionHistory[], wide = false): string {
  const rows = [wide ? ['ID', 'DATE', 'REVISION', 'INITIATED BY', 'PATH'] : ['ID', 'DATE', 'REVISION']];
  for (const h of history) {
    const revision = h.revision ?? (h.revisions ?? []).join(',');
    if (wide) {
      const by = h.initiatedBy?.automated ? 'automated' : h.initiatedBy?.username ?? '';
      const source = h.source?.path ?? (h.sources ?? []).map((s) => s.path ?? '').join(',');
      rows.push([String(h.id), h.deployedAt, revision, by, source]);
    } else {
      rows.push([String(h.id), h.deployedAt, revision]);
    }
  }
  return alignColumns(rows).join('\n');
}
