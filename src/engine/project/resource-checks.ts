import {
  AppProjectSpec, isDestinationPermitted, isGroupKindPermitted, namespaceNotPermittedMessage, ResolvedDestination, resourceNotPermittedMessage,
} from '../../argo/app-project';
import { SyncTask, TaskAction } from '../model';

export interface ResourceViolation {
  readonly task: SyncTask;
  readonly message: string;
}

/**
 * Argo CD's permission check of every sync task (controller `validateSyncPermissions`, run before
 * anything is applied): the kind must be allowed for its scope, and a namespaced object's
 * namespace must be a permitted destination on the Application's cluster. Prunes are not checked.
 */
export function resourceViolations(
  tasks: readonly SyncTask[], projectName: string, project: AppProjectSpec, destination: ResolvedDestination,
): ResourceViolation[] {
  const out: ResourceViolation[] = [];
  for (const task of tasks) {
    if (task.action === TaskAction.PRUNE) continue;
    const { group, kind, namespace, name } = task.key;
    const namespaced = namespace !== '';
    if (!isGroupKindPermitted(project, group, kind, name, namespaced)) {
      out.push({ task, message: resourceNotPermittedMessage(group, kind, projectName) });
    } else if (namespaced && !isDestinationPermitted(project, { server: destination.server, name: destination.name, namespace })) {
      out.push({ task, message: namespaceNotPermittedMessage(namespace, projectName) });
    }
  }
  return out;
}
