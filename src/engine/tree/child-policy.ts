import { ApplicationManifest } from '../application-spec';

/** What the controller does with an Application whose object a parent just applied. */
export enum ReconcileAction {
  /** Run a sync operation (automated sync policy, or asked for). */
  SYNC = 'sync',
  /** Compare only and record the result (a manual Application is reported OutOfSync). */
  COMPARE = 'compare',
}

/** `syncPolicy.automated` is set and not switched off with `enabled: false` (Argo CD v3). */
export function isAutomated(manifest: ApplicationManifest): boolean {
  const automated = manifest.spec?.syncPolicy?.automated;
  return automated !== undefined && automated !== null && automated.enabled !== false;
}

/** Argo CD's controller syncs automated children and only compares manual ones; `--include-manual` syncs both. */
export function childAction(manifest: ApplicationManifest, includeManual: boolean): ReconcileAction {
  return includeManual || isAutomated(manifest) ? ReconcileAction.SYNC : ReconcileAction.COMPARE;
}
