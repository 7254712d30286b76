/**
 * The ApplicationSet controller (Argo CD v3.5's, in the engine): reconcile a set applied to the
 * cluster, create/update/delete its Applications, write its status, and run RollingSync through
 * a caller-supplied sync of each Application.
 */
export { runApplicationSet } from './run-appset';
export type {
  RunApplicationSetOptions, ApplicationSetRunResult, ApplicationSetEvent, GeneratedApplicationResult, ApplicationSyncOutcome,
  GeneratedSyncRequest, SyncGeneratedApplication, RefreshGeneratedApplication,
} from './run-appset';
export { reconcileApplicationSet } from './reconcile-appset';
export type { ReconcileOptions, ReconcileResult, ApplicationSetRef } from './reconcile-appset';
export { engineCallbacks } from './engine-callbacks';
export type { EngineCallbackOptions } from './engine-callbacks';
export { readClusterSecrets, clustersFromSecrets } from './cluster-secrets';
export { planRollout } from './rolling-sync';
export type { ApplicationRolloutStatus, RolloutPlan } from './rolling-sync';
export { deleteApplicationSet } from './delete-appset';
export type { DeleteApplicationSetOptions } from './delete-appset';
