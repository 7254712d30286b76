/**
 * AppProject enforcement, as Argo CD's application controller does it: the project is read from
 * the cluster (read-project.ts), then pure checks decide — Application-level conditions
 * (application-checks.ts), per-resource permissions before anything is applied
 * (resource-checks.ts) and sync windows (sync-window-gate.ts).
 */
import { applicationConditions, formatConditions, ProjectSubject } from './application-checks';
import { readAppProject } from './read-project';
import { syncWindowBlock } from './sync-window-gate';
import { AppProjectSpec } from '../../argo/app-project';
import { ARGOCD_NAMESPACE } from '../../argo/destination';
import { KubeApi } from '../kube/kube-api';

export { resourceViolations } from './resource-checks';
export type { ResourceViolation } from './resource-checks';
export { applicationConditions, formatConditions, applicationDestination } from './application-checks';
export type { ProjectCondition, ProjectSubject } from './application-checks';
export { readAppProject } from './read-project';
export type { ProjectLookup } from './read-project';
export { syncWindowBlock, AUTOMATED_SYNC_BLOCKED, MANUAL_SYNC_BLOCKED } from './sync-window-gate';

export interface ProjectGateOptions {
  /** The time the sync windows are evaluated at. */
  readonly nowMs: number;
  /** An automated sync (deny windows always block it) rather than a manual one. */
  readonly automated: boolean;
}

export type ProjectGate =
  | { readonly ok: true; readonly name: string; readonly spec: AppProjectSpec }
  /** `invalid`: the Application breaks its project's rules; `blocked`: a sync window holds it back. */
  | { readonly ok: false; readonly reason: 'invalid' | 'blocked'; readonly message: string };

/** Reads the Application's project and decides whether a sync may start at all. */
export async function projectGate(api: KubeApi, app: ProjectSubject, options: ProjectGateOptions): Promise<ProjectGate> {
  const project = await readAppProject(api, app.manifest.spec.project);
  const conditions = applicationConditions(app, project);
  if (conditions.length > 0 || !project.found) {
    const todo = project.found ? `change the Application or what AppProject ${project.name} allows`
      : `apply AppProject ${project.name} to namespace ${ARGOCD_NAMESPACE} first (a parent Application usually syncs it), or use another project`;
    const where = app.position ? ` (${app.position.file}:${app.position.line}: ${todo})` : '';
    return { ok: false, reason: 'invalid', message: `${formatConditions(conditions)}${where}` };
  }
  const blocked = syncWindowBlock(project.spec, app, options.nowMs, options.automated);
  if (blocked) {
    return { ok: false, reason: 'blocked', message: blocked };
  }
  return { ok: true, name: project.name, spec: project.spec };
}
