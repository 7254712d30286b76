import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { Application } from './application';
import {
  AppProjectSpec, destinationNotPermittedMessage, isAppNamespacePermitted, isDestinationPermitted, isGroupKindPermitted, isSourcePermitted,
  namespaceNotPermittedMessage, projectNotPermittedMessage, resolveDestination, resourceNotPermittedMessage, sourceNotPermittedMessage,
} from '../argo/app-project';
import { BUILTIN_CLUSTER_SCOPED_KINDS, groupKind } from '../synth/cluster-scoped-kinds';

/** Built-in cluster-scoped kinds plus those of the cluster-scoped CRDs declared in the tree. */
function clusterScopedKinds(all: readonly IConstruct[]): Set<string> {
  const kinds = new Set(BUILTIN_CLUSTER_SCOPED_KINDS);
  for (const c of all) {
    if (ApiObject.isApiObject(c) && c.kind === 'CustomResourceDefinition') {
      const spec = c.toJson().spec;
      if (spec?.scope === 'Cluster') kinds.add(`${spec.group}/${spec.names?.kind}`);
    }
  }
  return kinds;
}

/**
 * What Argo CD would refuse of the Applications that use project `name` (the checks of
 * src/argo/app-project.ts, which the engine enforces too): each message names the Application or
 * object by construct path and says what to change.
 */
export function appProjectErrors(root: IConstruct, name: string, spec: AppProjectSpec, controllerNamespace: string): string[] {
  const all = root.node.findAll();
  const clusterScoped = clusterScopedKinds(all);
  const errors: string[] = [];
  for (const app of all.filter(Application.isApplication).filter((a) => a.project === name)) {
    const where = `Application '${app.name}' ('${app.node.path}')`;
    if (!isAppNamespacePermitted(spec, app.argocdNamespace, controllerNamespace)) {
      errors.push(`${where}: ${projectNotPermittedMessage(app.name, app.argocdNamespace, name)}: add '${app.argocdNamespace}' to its sourceNamespaces`);
      continue;
    }
    let rendered: any;
    try {
      rendered = app._renderSpec();
    } catch {
      continue; // The Application reports its own errors.
    }
    const sources: Array<{ repoURL?: string }> = rendered.sources ?? (rendered.source ? [rendered.source] : []);
    for (const repoURL of new Set(sources.map((s) => s.repoURL).filter((r): r is string => !!r))) {
      if (!isSourcePermitted(spec, repoURL)) {
        errors.push(`${where}: ${sourceNotPermittedMessage(repoURL, name)}: add it to the project's sourceRepos`);
      }
    }
    const dst = resolveDestination(rendered.destination);
    if (!isDestinationPermitted(spec, dst)) {
      errors.push(`${where}: ${destinationNotPermittedMessage(dst.server ?? dst.name ?? '', dst.namespace, name)}: add it to the project's destinations`);
      continue;
    }
    for (const obj of app._ownApiObjects()) {
      const json = obj.toJson();
      const gk = groupKind(json.apiVersion, json.kind);
      const group = gk.slice(0, gk.indexOf('/'));
      const namespaced = !clusterScoped.has(gk);
      const objectName = json.metadata?.name ?? '';
      const at = `${json.kind} '${objectName}' ('${obj.node.path}') of ${where}`;
      if (!isGroupKindPermitted(spec, group, json.kind, objectName, namespaced)) {
        const list = namespaced ? 'namespaceResourceWhitelist (or take it off namespaceResourceBlacklist)' : 'clusterResourceWhitelist (or take it off clusterResourceBlacklist)';
        errors.push(`${at}: ${resourceNotPermittedMessage(group, json.kind, name)}: add { group: '${group}', kind: '${json.kind}' } to the project's ${list}`);
        continue;
      }
      const namespace = json.metadata?.namespace ?? dst.namespace;
      if (namespaced && namespace && !isDestinationPermitted(spec, { ...dst, namespace })) {
        errors.push(`${at}: ${namespaceNotPermittedMessage(namespace, name)}: add the namespace to the project's destinations`);
      }
    }
    if (dst.namespace && app.syncOptions.some((o) => o.value === 'CreateNamespace=true') && !isGroupKindPermitted(spec, '', 'Namespace', dst.namespace, false)) {
      errors.push(`${where}: CreateNamespace=true creates Namespace '${dst.namespace}', but ${resourceNotPermittedMessage('', 'Namespace', name)}: add { group: '', kind: 'Namespace' } to the project's clusterResourceWhitelist`);
    }
  }
  return errors;
}
