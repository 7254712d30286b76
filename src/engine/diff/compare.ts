import { createTwoFilesPatch } from 'diff';
import pc from 'picocolors';
import { stringify } from 'yaml';
import { IgnoreDifferencesEntry } from '../application-spec';
import { KubeObject } from '../model';
import { removeIgnored } from './ignore-differences';
import { deepEqual } from './json-path';
import { maskSecretData } from './mask-secrets';
import { normalizeForDiff, ownedFieldsOnly } from './normalize';

export interface Comparison {
  /** True when live differs from the predicted object outside ignored fields (or one side is missing). */
  readonly modified: boolean;
  /** Normalized, ignore-applied, Secret-masked live object (undefined when missing). */
  readonly live?: KubeObject;
  /** Normalized, ignore-applied, Secret-masked predicted object (undefined for a prune). */
  readonly target?: KubeObject;
}

/**
 * Compares a live object with the predicted one (the server-side dry-run result of applying
 * the desired object). Pure apart from evaluating jq expressions.
 */
export async function compareObjects(
  target: KubeObject | undefined, live: KubeObject | undefined, rules: readonly IgnoreDifferencesEntry[],
): Promise<Comparison> {
  // A resource to create is shown as the write sets it, without what the server would assign.
  const t = target ? normalizeForDiff(live ? target : ownedFieldsOnly(target)) : undefined;
  const l = live ? normalizeForDiff(live) : undefined;
  if (t) {
    await removeIgnored(rules, t, live);
  }
  if (l) {
    await removeIgnored(rules, l, live);
  }
  const modified = !t || !l || !deepEqual(t, l);
  maskSecretData(t, l);
  return { modified, live: l, target: t };
}

/** A unified diff of a comparison (`live` → `target`), keys sorted so both sides line up, coloured when asked. */
export function renderDiff(title: string, c: Comparison, color: boolean): string {
  const a = c.live ? stringify(c.live, { sortMapEntries: true }) : '';
  const b = c.target ? stringify(c.target, { sortMapEntries: true }) : '';
  const patch = createTwoFilesPatch(`live/${title}`, `desired/${title}`, a, b, undefined, undefined, { context: 3 });
  const lines = patch.split('\n').filter((l) => !l.startsWith('====='));
  if (!color) {
    return lines.join('\n');
  }
  return lines.map((l) => {
    if (l.startsWith('+++') || l.startsWith('---')) {
      return pc.bold(l);
    }
    if (l.startsWith('+')) {
      return pc.green(l);
    }
    if (l.startsWith('-')) {
      return pc.red(l);
    }
    if (l.startsWith('@@')) {
      return pc.cyan(l);
    }
    return l;
  }).join('\n');
}
