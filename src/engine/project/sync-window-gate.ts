import { ProjectSubject, applicationDestination } from './application-checks';
import { AppProjectSpec } from '../../argo/app-project';
import { canSync } from '../../argo/sync-windows';

/** Argo CD's messages for a sync a window holds back: the controller's (automated) and the API's (manual). */
export const AUTOMATED_SYNC_BLOCKED = 'Sync operation blocked by sync window';
export const MANUAL_SYNC_BLOCKED = 'cannot sync: blocked by sync window';

/** Why the project's sync windows hold this sync back at `nowMs`, or undefined when it may run. */
export function syncWindowBlock(project: AppProjectSpec, app: ProjectSubject, nowMs: number, automated: boolean): string | undefined {
  const dst = applicationDestination(app.manifest.spec);
  const subject = { application: app.name, namespace: dst.namespace, server: dst.server, clusterName: dst.name };
  const verdict = canSync(project.syncWindows, subject, nowMs, !automated);
  if (verdict.canSync) {
    return undefined;
  }
  return `${automated ? AUTOMATED_SYNC_BLOCKED : MANUAL_SYNC_BLOCKED} (${verdict.reason})`;
}
