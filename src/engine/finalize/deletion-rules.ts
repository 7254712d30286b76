/**
 * Pure rules of Argo CD's application controller for deleting an Application
 * (controller/appcontroller.go `finalizeApplicationDeletion`, `shouldBeDeleted`,
 * `FilterObjectsForDeletion`): which finalizer asks for what, which tracked objects are deleted
 * and in which order.
 */
import { RESOURCES_FINALIZER, RESOURCES_FINALIZER_BACKGROUND } from '../../argo/annotations';
import { ANNOTATION_SYNC_OPTIONS } from '../annotations';
import { syncWave } from '../hooks';
import { groupOf, isCrd, KubeObject } from '../model';
import { parseSyncOptions } from '../sync-options';

/** Helm's annotation that keeps a resource when its release (here: Application) is deleted. */
const HELM_RESOURCE_POLICY = 'helm.sh/resource-policy';

/** How an Application's resources go when it is deleted: its resources finalizer, if any. */
export type CascadeMode = 'foreground' | 'background';

/** The cascade an Application's finalizers ask for; undefined: its resources stay. */
export function cascadeMode(app: Pick<KubeObject, 'metadata'>): CascadeMode | undefined {
  const finalizers: string[] = app.metadata.finalizers ?? [];
  if (finalizers.includes(RESOURCES_FINALIZER_BACKGROUND)) {
    return 'background';
  }
  // `…/foreground` is Argo CD's explicit spelling of the default.
  return finalizers.includes(RESOURCES_FINALIZER) || finalizers.includes(`${RESOURCES_FINALIZER}/foreground`) ? 'foreground' : undefined;
}

/** The finalizer that asks for `mode`. */
export function resourcesFinalizer(mode: CascadeMode): string {
  return mode === 'background' ? RESOURCES_FINALIZER_BACKGROUND : RESOURCES_FINALIZER;
}

/** Every resources finalizer spelling (removed together once the resources are gone). */
export function isResourcesFinalizer(name: string): boolean {
  return name === RESOURCES_FINALIZER || name.startsWith(`${RESOURCES_FINALIZER}/`);
}

/** The delete propagation policy of a cascade (the API's spelling). */
export function propagationPolicy(mode: CascadeMode): 'Foreground' | 'Background' {
  return mode === 'background' ? 'Background' : 'Foreground';
}

/** Whether `obj` is an Argo CD Application. */
export function isApplication(obj: Pick<KubeObject, 'apiVersion' | 'kind'>): boolean {
  return groupOf(obj.apiVersion) === 'argoproj.io' && obj.kind === 'Application';
}

/**
 * Why a tracked object is kept when its Application is deleted, or undefined when it is deleted:
 * CRDs (their deletion would delete every custom resource of the kind), the Application itself,
 * `Delete=false`, and Helm's `resource-policy: keep` (Argo CD's `shouldBeDeleted`).
 */
export function keptReason(app: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>, obj: KubeObject): string | undefined {
  if (isCrd(obj)) {
    return 'CustomResourceDefinitions are never deleted with an Application';
  }
  if (isApplication(obj) && obj.metadata.name === app.metadata.name && (obj.metadata.namespace ?? '') === (app.metadata.namespace ?? '')) {
    return 'the Application itself';
  }
  const annotations = obj.metadata.annotations ?? {};
  if ((parseSyncOptions(annotations[ANNOTATION_SYNC_OPTIONS]).get('Delete') ?? '').toLowerCase() === 'false') {
    return 'Delete=false';
  }
  if (annotations[HELM_RESOURCE_POLICY] === 'keep') {
    return `${HELM_RESOURCE_POLICY}: keep`;
  }
  return undefined;
}

/** True when an object asks for confirmation before it is deleted with its Application (`Delete=confirm`). */
export function needsDeleteConfirmation(obj: KubeObject): boolean {
  return (parseSyncOptions(obj.metadata.annotations?.[ANNOTATION_SYNC_OPTIONS]).get('Delete') ?? '').toLowerCase() === 'confirm';
}

/**
 * The objects deleted in the next pass: those of the highest sync wave (Argo CD deletes in
 * reverse creation order, one wave at a time, and waits until a wave is gone).
 */
export function nextDeletionWave(objs: readonly KubeObject[]): KubeObject[] {
  const wave = (o: KubeObject): number => {
    try {
      return syncWave(o);
    } catch {
      return 0;
    }
  };
  const highest = Math.max(...objs.map(wave));
  return objs.filter((o) => wave(o) === highest);
}
