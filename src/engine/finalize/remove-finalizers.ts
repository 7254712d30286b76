import { isConflict, isNotFound } from '../kube/api-error';
import { KubeApi, ObjectRef } from '../kube/kube-api';
import { describeKey, keyOf, KubeObject } from '../model';

/**
 * Removes the finalizers `drop` selects from an object, as a compare-and-swap on its
 * resourceVersion so finalizers others add or remove meanwhile (the garbage collector's
 * `foregroundDeletion`) are kept; a conflict re-reads and tries again. Returns false when the
 * object is gone or carries none of them.
 */
export async function removeFinalizers(api: KubeApi, ref: ObjectRef, drop: (finalizer: string) => boolean): Promise<boolean> {
  for (let attempt = 1; attempt <= 5; attempt++) {
    const live = await api.get(ref);
    const finalizers: string[] = live?.metadata.finalizers ?? [];
    if (!live || !finalizers.some(drop)) {
      return false;
    }
    try {
      await api.merge(live, { metadata: { finalizers: finalizers.filter((f) => !drop(f)), resourceVersion: live.metadata.resourceVersion } });
      return true;
    } catch (e) {
      if (isNotFound(e)) {
        return false;
      }
      if (!isConflict(e)) {
        throw e;
      }
    }
  }
  throw new Error(`could not remove finalizers of ${describeKey(keyOf(ref as KubeObject))}: it kept changing (5 conflicts); try again`);
}
