import { KubeObject } from './model';
import { ANNOTATION_SYNC_OPTIONS } from '../argo/annotations';
import { SYNC_OPTION_NAMES, SyncOptionName } from '../argo/sync-options';

/** Parses `Name=value` sync options (Argo CD lets a resource's annotation override the Application's). */
export function parseSyncOptions(options: readonly string[] | string | undefined): Map<string, string> {
  const list = typeof options === 'string' ? options.split(',') : options ?? [];
  const out = new Map<string, string>();
  for (const raw of list) {
    const o = raw.trim();
    if (!o) {
      continue;
    }
    const eq = o.indexOf('=');
    out.set(eq < 0 ? o : o.slice(0, eq).trim(), eq < 0 ? 'true' : o.slice(eq + 1).trim());
  }
  return out;
}

/** The options that apply to one object: the Application's, overridden by the object's annotation. */
export function objectSyncOptions(appOptions: ReadonlyMap<string, string>, obj: KubeObject | undefined): Map<string, string> {
  const merged = new Map(appOptions);
  for (const [k, v] of parseSyncOptions(obj?.metadata.annotations?.[ANNOTATION_SYNC_OPTIONS])) {
    merged.set(k, v);
  }
  return merged;
}

/** The value of one option, if set. */
export function optionValue(options: ReadonlyMap<string, string>, name: SyncOptionName): string | undefined {
  return options.get(name);
}

export function optionIs(options: ReadonlyMap<string, string>, name: SyncOptionName, value: string): boolean {
  return (options.get(name) ?? '').toLowerCase() === value.toLowerCase();
}

export function optionTrue(options: ReadonlyMap<string, string>, name: SyncOptionName): boolean {
  return optionIs(options, name, 'true');
}

/** Sync options the engine knows; others get a warning instead of being silently ignored. */
export const KNOWN_SYNC_OPTIONS: ReadonlySet<string> = new Set(SYNC_OPTION_NAMES);
