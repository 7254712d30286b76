/**
 * The engine's own way to sync and compare a generated Application: `syncAndRecord` and
 * `compareApplication` + `recordComparison`, exactly as `sync` and `status` run them for
 * Applications read from files. The tree sync may pass its own callbacks instead.
 */
import { GeneratedSyncRequest, RefreshGeneratedApplication, SyncGeneratedApplication } from './run-appset';
import { recordComparison } from '../app-status/status-record';
import { compareApplication } from '../compare-app';
import { KubeApi } from '../kube/kube-api';
import { LoadedApplication } from '../load/applications';
import { syncAndRecord } from '../record-sync';
import { SyncEvent } from '../sync';

export interface EngineCallbackOptions {
  /** The API client of the cluster an Application's destination names. */
  readonly clientFor: (app: LoadedApplication) => Promise<KubeApi>;
  /**
   * Where the set and its Applications live (Argo CD's cluster): projects are read and statuses
   * recorded there, whatever cluster an Application's destination is. Default: the destination's client.
   */
  readonly controlPlane?: KubeApi;
  readonly concurrency?: number;
  readonly timeoutSeconds?: number;
  readonly onSyncEvent?: (event: SyncEvent) => void;
  readonly signal?: AbortSignal;
}

async function liveStatus(api: KubeApi, app: LoadedApplication): Promise<{ sync?: string; health?: string }> {
  const live = await api.get({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: app.name, namespace: app.namespace } });
  return { sync: live?.status?.sync?.status, health: live?.status?.health?.status };
}

export function engineCallbacks(
  options: EngineCallbackOptions,
): { syncApplication: SyncGeneratedApplication; refreshApplication: RefreshGeneratedApplication } {
  const refreshApplication: RefreshGeneratedApplication = async (app) => {
    const api = await options.clientFor(app);
    const objects = options.controlPlane ?? api;
    const comparison = await compareApplication(api, app, { concurrency: options.concurrency, controlPlane: objects });
    await recordComparison(objects, app, comparison);
    return { sync: comparison.sync, health: comparison.health.status };
  };
  const syncApplication: SyncGeneratedApplication = async (app: LoadedApplication, request: GeneratedSyncRequest) => {
    const api = await options.clientFor(app);
    const result = await syncAndRecord(api, app, {
      prune: request.prune,
      initiatedBy: request.initiatedBy,
      concurrency: options.concurrency,
      timeoutSeconds: options.timeoutSeconds,
      onEvent: options.onSyncEvent,
      signal: options.signal,
      controlPlane: options.controlPlane,
    });
    // syncAndRecord compared the Application after the sync and wrote it on the object.
    const recorded = await liveStatus(options.controlPlane ?? api, app);
    const now = recorded.sync && recorded.health ? recorded : await refreshApplication(app);
    return { phase: result.phase, message: result.message, sync: now.sync!, health: now.health! };
  };
  return { syncApplication, refreshApplication };
}
