/**
 * Which recorded deployment `rollback APP [ID]` returns to, with the checks and messages of
 * `argocd app rollback` (cmd/argocd app.go `findRevisionHistory`, server/application `Rollback`).
 */
import { ApplicationObject } from './application-objects';
import { ArgoRevisionHistory } from './argo-status';
import { isAutomatedSyncEnabled } from './conditions';

/**
 * The history entry `id` names, or the previous deployment (the second newest entry) when no id
 * is given. Refused while the Application is being deleted or automated sync is on (the next
 * automated sync would undo the rollback).
 */
export function rollbackTarget(app: ApplicationObject, id?: number): ArgoRevisionHistory {
  const name = app.metadata.name;
  if (app.metadata.deletionTimestamp) {
    throw new Error(`${name}: application is deleting`);
  }
  if (isAutomatedSyncEnabled(app.spec)) {
    throw new Error(`${name}: rollback cannot be initiated when auto-sync is enabled (remove spec.syncPolicy.automated, sync, then roll back)`);
  }
  const history = app.status?.history ?? [];
  if (id === undefined) {
    if (history.length < 2) {
      throw new Error(`Application '${name}' should have at least two successful deployments`);
    }
    return history[history.length - 2];
  }
  const entry = history.find((h) => h.id === id);
  if (!entry) {
    throw new Error(`Application '${name}' does not have deployment id '${id}' in history (ids: ${history.map((h) => h.id).join(', ') || 'none'})`);
  }
  return entry;
}
