/**
 * `status.summary` as Argo CD's `ApplicationTree.GetSummary` builds it: the container images the
 * Application runs and its external links, each unique and sorted.
 */
import { ApplicationManifest } from '../application-spec';
import { KubeObject } from '../model';
import { ArgoApplicationSummary } from './argo-status';

/** Argo CD's `common.AnnotationKeyLinkPrefix`: annotations whose values are links shown for the Application. */
export const LINK_ANNOTATION_PREFIX = 'link.argocd.argoproj.io/';

/** Where the pod spec sits in each workload kind (Argo CD reads images from the Pods in its resource tree). */
function podSpecOf(obj: KubeObject): any {
  switch (obj.kind) {
    case 'Pod':
      return obj.spec;
    case 'CronJob':
      return obj.spec?.jobTemplate?.spec?.template?.spec;
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'ReplicationController':
    case 'Job':
      return obj.spec?.template?.spec;
    default:
      return undefined;
  }
}

/**
 * The images a live workload runs: its pod template's init and app containers. The engine has no
 * resource tree of child Pods, so the workload's template stands in for the Pods it creates.
 */
export function workloadImages(obj: KubeObject | undefined): string[] {
  const spec = obj ? podSpecOf(obj) : undefined;
  if (!spec) {
    return [];
  }
  const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? [])] as Array<{ image?: unknown }>;
  return containers.map((c) => c.image).filter((i): i is string => typeof i === 'string' && i.length > 0);
}

/** One managed resource as the summary needs it. */
export interface SummarizedResource {
  readonly group: string;
  readonly kind: string;
  readonly images?: readonly string[];
}

function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

/** `status.summary`: images of the resources, links from the Application's annotations, and whether it manages Applications. */
export function applicationSummary(manifest: ApplicationManifest, resources: readonly SummarizedResource[]): ArgoApplicationSummary {
  const images = sortedUnique(resources.flatMap((r) => r.images ?? []));
  const links = sortedUnique(Object.entries(manifest.metadata.annotations ?? {})
    .filter(([k]) => k.startsWith(LINK_ANNOTATION_PREFIX)).map(([, v]) => v));
  const isAppOfApps = resources.some((r) => r.group === 'argoproj.io' && r.kind === 'Application');
  // Written as a merge patch: an emptied field must be null to be removed from the live status.
  return {
    images: images.length > 0 ? images : null,
    externalURLs: links.length > 0 ? links : null,
    isAppOfApps: isAppOfApps ? true : null,
  };
}
