import pc from 'picocolors';
import { ApplicationDetails } from '../app-status/application-details';
import { OperationPhase } from '../model';
import { paint, renderResourceTable } from './status-table';

function short(revision: string): string {
  return /^[0-9a-f]{40}$/.test(revision) ? revision.slice(0, 7) : revision;
}

function operationLines(d: ApplicationDetails, color: boolean): string[] {
  const op = d.operationState;
  if (!op) {
    return [`Last Operation: ${d.recorded ? 'none recorded' : 'none recorded (no Application object in the cluster yet)'}`];
  }
  const failed = op.phase !== OperationPhase.SUCCEEDED && op.phase !== OperationPhase.RUNNING;
  const phase = color ? (failed ? pc.red(op.phase) : pc.green(op.phase)) : op.phase;
  return [
    `Last Operation: Sync to ${short(op.operation.sync.revision ?? op.syncResult?.revision ?? '')}${op.operation.initiatedBy.automated ? ' (automated)' : ''}`,
    `  Phase:        ${phase}`,
    ...(op.message ? [`  Message:      ${op.message}`] : []),
    `  Started:      ${op.startedAt}`,
    ...(op.finishedAt ? [`  Finished:     ${op.finishedAt}`] : []),
  ];
}

/**
 * `argocd app get`-like text: the live comparison's summary, the tree's revision against the last
 * synced one, the recorded conditions and last operation, then one row per resource.
 */
export function renderApplicationDetails(d: ApplicationDetails, color: boolean, wide = false): string {
  const synced = d.syncedRevision === undefined ? 'never'
    : `${short(d.syncedRevision)} at ${d.syncedAt}${d.syncedRevision === d.revision ? '' : ' (not the tree\'s revision)'}`;
  const lines = [
    `Name:           ${d.application}`,
    `Project:        ${d.project}`,
    `Revision:       ${short(d.revision)}${d.dirty ? ' (dirty: uncommitted changes under the manifests are compared too)' : ''}`,
    `Last Synced:    ${synced}`,
    `Sync Status:    ${paint(d.sync, color)}`,
    `Health Status:  ${paint(d.health.status, color)}`,
    ...(d.conditions ?? []).map((c, i) => `${i === 0 ? 'Conditions:     ' : '                '}${c.type}: ${c.message}`),
    ...operationLines(d, color),
  ];
  if (d.error) {
    lines.push(`Error:          ${d.error}`);
    return lines.join('\n');
  }
  lines.push('', ...renderResourceTable(d, color, wide));
  return lines.join('\n');
}
