import {
  AppProjectSpec, destinationNotPermittedMessage, isAppNamespacePermitted, isDestinationPermitted, isSourcePermitted,
  projectMissingMessage, projectNotPermittedMessage, ResolvedDestination, resolveDestination, sourceNotPermittedMessage,
} from '../../argo/app-project';
import { ARGOCD_NAMESPACE } from '../../argo/destination';
import { ApplicationSpec } from '../application-spec';
import { ProjectLookup } from './read-project';

/** An Application condition in Argo CD's terms (`status.conditions[]`). */
export interface ProjectCondition {
  readonly type: 'InvalidSpecError' | 'UnknownError';
  readonly message: string;
}

/** The Application as the project checks see it (a LoadedApplication is one). */
export interface ProjectSubject {
  readonly name: string;
  /** The Application object's own namespace. */
  readonly namespace: string;
  readonly manifest: { readonly spec: ApplicationSpec };
  /** Where the Application was read, named in errors. */
  readonly position?: { readonly file: string; readonly line: number };
}

/** The Application's destination with both server and name where the in-cluster alias tells them. */
export function applicationDestination(spec: ApplicationSpec): ResolvedDestination {
  return resolveDestination(spec.destination);
}

/**
 * What Argo CD's controller reports before it compares or syncs: a missing project, an
 * Application namespace the project does not accept (`sourceNamespaces`), a source repository or a
 * destination the project does not permit. Any of them stops the operation.
 */
export function applicationConditions(app: ProjectSubject, project: ProjectLookup, controllerNamespace = ARGOCD_NAMESPACE): ProjectCondition[] {
  if (!project.found) {
    return [{ type: 'InvalidSpecError', message: projectMissingMessage(project.name) }];
  }
  const spec: AppProjectSpec = project.spec;
  if (!isAppNamespacePermitted(spec, app.namespace, controllerNamespace)) {
    return [{ type: 'UnknownError', message: projectNotPermittedMessage(app.name, app.namespace, project.name) }];
  }
  const conditions: ProjectCondition[] = [];
  const sources = app.manifest.spec.sources ?? (app.manifest.spec.source ? [app.manifest.spec.source] : []);
  for (const source of sources) {
    if (source.repoURL !== undefined && !isSourcePermitted(spec, source.repoURL)) {
      conditions.push({ type: 'InvalidSpecError', message: sourceNotPermittedMessage(source.repoURL, project.name) });
    }
  }
  const dst = applicationDestination(app.manifest.spec);
  if (!isDestinationPermitted(spec, dst)) {
    conditions.push({ type: 'InvalidSpecError', message: destinationNotPermittedMessage(dst.server ?? dst.name ?? '', dst.namespace, project.name) });
  }
  return conditions;
}

/** Argo CD's `FormatAppConditions`: `Type: message` joined by `;`. */
export function formatConditions(conditions: readonly ProjectCondition[]): string {
  return conditions.map((c) => `${c.type}: ${c.message}`).join(';');
}
