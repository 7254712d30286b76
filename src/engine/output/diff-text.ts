import pc from 'picocolors';
import { sourceColumn } from './columns';
import { ApplicationStatus } from '../compare-app';
import { renderDiff } from '../diff/compare';
import { SyncStatusCode } from '../model';

/** True when some resource of the Application would change. */
export function hasChanges(s: ApplicationStatus): boolean {
  return s.resources.some((r) => r.status === SyncStatusCode.OUT_OF_SYNC && r.comparison);
}

/**
 * A unified diff per out-of-sync resource under a `===== app: group/Kind/ns/name =====` header;
 * `wide` adds the file:line the desired object came from to the header.
 */
export function renderApplicationDiff(s: ApplicationStatus, color: boolean, wide = false): string {
  const blocks: string[] = [];
  for (const r of s.resources) {
    if (r.status !== SyncStatusCode.OUT_OF_SYNC || !r.comparison) {
      continue;
    }
    const title = `${r.group ? `${r.group}/` : ''}${r.kind}/${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
    const from = wide && r.source ? ` (${sourceColumn(r.source)})` : '';
    const header = `===== ${s.application}: ${title}${from}${r.requiresPruning ? ' (requires pruning)' : ''}${r.message ? ` (${r.message})` : ''} =====`;
    blocks.push(`${color ? pc.bold(header) : header}\n${renderDiff(title, r.comparison, color)}`);
  }
  return blocks.join('\n');
}

/** The json/yaml document of a diff: each resource with its normalized `live` and `target`. */
export function diffDocument(s: ApplicationStatus): unknown {
  return { ...s, resources: s.resources.map(({ comparison, ...rest }) => ({ ...rest, live: comparison?.live, target: comparison?.target })) };
}
