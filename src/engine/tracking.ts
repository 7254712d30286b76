import { ANNOTATION_TRACKING_ID } from './annotations';
import { CONTROL_PLANE_NAMESPACE } from './application-spec';
import { groupOf, isCrd, KubeObject, ResourceKey } from './model';

/**
 * Argo CD's instance name of an Application: its name, or `<namespace>_<name>` when the
 * Application lives outside the control-plane namespace (apps-in-any-namespace).
 */
export function instanceName(app: string, appNamespace: string = CONTROL_PLANE_NAMESPACE, controlPlaneNamespace = CONTROL_PLANE_NAMESPACE): string {
  return appNamespace && appNamespace !== controlPlaneNamespace ? `${appNamespace}_${app}` : app;
}

/**
 * The annotation value Argo CD's default (annotation) tracking writes:
 * `<app>:<group>/<kind>:<namespace>/<name>`. Objects without a namespace (cluster-scoped ones)
 * carry the Application's destination namespace, as Argo CD's `UnstructuredToAppInstanceValue`
 * writes it, so Argo CD sees no difference in the annotation when it takes over.
 */
export function trackingId(instance: string, key: ResourceKey, destinationNamespace = ''): string {
  return `${instance}:${key.group}/${key.kind}:${key.namespace || destinationNamespace}/${key.name}`;
}

export interface ParsedTrackingId {
  readonly instance: string;
  readonly key: ResourceKey;
}

/** Parses a tracking id; undefined when it is not in Argo CD's format. */
export function parseTrackingId(value: string): ParsedTrackingId | undefined {
  const m = /^([^:]+):([^/]*)\/([^:]+):([^/]*)\/(.+)$/.exec(value);
  if (!m) {
    return undefined;
  }
  return { instance: m[1], key: { group: m[2], kind: m[3], namespace: m[4], name: m[5] } };
}

/**
 * The instance that owns a live object, or undefined when it is not tracked. As in Argo CD, a
 * tracking id that names a different object (copied along with the object's metadata) does not
 * count: such an object is not ours and is never pruned.
 */
export function trackingInstance(live: KubeObject): string | undefined {
  const value = live.metadata.annotations?.[ANNOTATION_TRACKING_ID];
  if (!value) {
    return undefined;
  }
  const parsed = parseTrackingId(value);
  if (!parsed) {
    return undefined;
  }
  const k = parsed.key;
  const liveNamespace = live.metadata.namespace ?? '';
  // Argo CD's isSelfReferencedObj: cluster-scoped objects carry the destination namespace.
  if (k.group !== groupOf(live.apiVersion) || k.kind !== live.kind || k.name !== live.metadata.name
    || (liveNamespace !== '' && k.namespace !== liveNamespace)) {
    return undefined;
  }
  return parsed.instance;
}

/** Returns a copy of `obj` carrying the tracking id for `instance`. */
export function withTrackingId(obj: KubeObject, instance: string, key: ResourceKey, destinationNamespace = ''): KubeObject {
  const annotations = { ...(obj.metadata.annotations ?? {}), [ANNOTATION_TRACKING_ID]: trackingId(instance, key, destinationNamespace) };
  return { ...obj, metadata: { ...obj.metadata, annotations } };
}

/**
 * Whether the engine writes the tracking id on a desired object. Not on a CRD: Argo CD's
 * repo-server never sets it there (`GenerateManifests`: `!kube.IsCRD(target)`), so a CRD synced by
 * Argo CD and by the engine look the same. Such a CRD is still the Application's resource while it
 * is desired (desired and live are matched by key), but once removed from Git it is no longer
 * tracked and so never pruned, unless an older engine or Argo CD version left this Application's
 * tracking id on it.
 */
export function carriesTrackingId(obj: Pick<KubeObject, 'apiVersion' | 'kind'>): boolean {
  return !isCrd(obj);
}
