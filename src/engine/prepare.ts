import { HOOK_FINALIZER } from './annotations';
import { IgnoreDifferencesEntry } from './application-spec';
import { withLastApplied, writesLastApplied } from './client-side-apply';
import { respectIgnoredLiveValues } from './diff/ignore-differences';
import { withAppliedHash } from './in-sync';
import { KubeApi } from './kube/kube-api';
import { KubeObject, SyncTask, TaskAction } from './model';
import { ScopeLookup } from './plan';
import { optionTrue } from './sync-options';
import { carriesTrackingId, withTrackingId } from './tracking';

/** Discovery for the kinds of `objs`, as a synchronous lookup for the planner. */
export async function scopeLookup(client: KubeApi, objs: readonly KubeObject[]): Promise<ScopeLookup> {
  const versions = [...new Set(objs.map((o) => o.apiVersion))];
  const scopes = new Map<string, boolean>();
  await Promise.all(versions.map(async (gv) => {
    for (const r of (await client.resources(gv)) ?? []) {
      scopes.set(`${gv}\u0000${r.kind}`, r.namespaced);
    }
  }));
  return (apiVersion, kind) => scopes.get(`${apiVersion}\u0000${kind}`);
}

/**
 * The object a task applies: with this instance's tracking id (not for the auto-created
 * namespace, nor for a CRD: see {@link carriesTrackingId}), live values of ignored fields under
 * RespectIgnoreDifferences, the hook finalizer for hooks, and for ordinary resources the
 * `last-applied-configuration` annotation Argo CD's client-side apply would write (see
 * client-side-apply.ts) and the applied hash.
 */
export async function preparedObject(
  task: SyncTask, instance: string, rules: readonly IgnoreDifferencesEntry[], destinationNamespace = '',
): Promise<KubeObject> {
  let obj = task.desired!;
  if (!task.autoNamespace && carriesTrackingId(obj)) {
    obj = withTrackingId(obj, instance, task.key, destinationNamespace);
  }
  if (task.action === TaskAction.APPLY && task.live && optionTrue(task.options, 'RespectIgnoreDifferences') && rules.length > 0) {
    obj = await respectIgnoredLiveValues(rules, obj, task.live);
  }
  if (task.action === TaskAction.HOOK) {
    const finalizers = [...(obj.metadata.finalizers ?? [])];
    if (!finalizers.includes(HOOK_FINALIZER)) {
      finalizers.push(HOOK_FINALIZER);
    }
    obj = { ...obj, metadata: { ...obj.metadata, finalizers } };
  } else if (!task.autoNamespace) {
    if (writesLastApplied(task, obj)) {
      obj = withLastApplied(obj);
    }
    obj = withAppliedHash(obj);
  }
  return obj;
}
