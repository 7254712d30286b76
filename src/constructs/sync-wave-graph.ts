/**
 * Pure wave arithmetic for SyncWave: validation of wave numbers and derivation of waves from an
 * `after` graph. No constructs here, so it is testable with plain data.
 */

/** Argo CD parses `argocd.argoproj.io/sync-wave` into an int32; anything else fails the sync. */
export const MIN_WAVE = -(2 ** 31);
export const MAX_WAVE = 2 ** 31 - 1;

/** Gap between derived waves, so hand-numbered waves can slot in between (e.g. 5 between 0 and 10). */
export const DERIVED_WAVE_STEP = 10;

export function waveError(what: string, wave: number): string | undefined {
  if (!Number.isInteger(wave)) {
    return `${what} ${wave} is not an integer: Argo CD reads the sync-wave annotation as an integer`;
  }
  if (wave < MIN_WAVE || wave > MAX_WAVE) {
    return `${what} ${wave} is out of range: Argo CD reads the sync-wave annotation as a 32-bit integer (${MIN_WAVE} to ${MAX_WAVE})`;
  }
  return undefined;
}

/** One wave in the graph. */
export interface WaveNode {
  /** Human label used in errors (a construct path). */
  readonly label: string;
  /** An explicit wave number, if given. */
  readonly wave?: number;
  /** Waves that must come strictly before this one. */
  readonly after: WaveNode[];
}

/**
 * The wave number of `node`: its explicit number, or (with `after`) the highest wave it comes after
 * plus DERIVED_WAVE_STEP, or 0 for a wave with neither. Throws on cycles (naming the cycle), on an
 * explicit number that is not after its dependencies, and on out-of-range results.
 */
export function resolveWave(node: WaveNode, memo: Map<WaveNode, number> = new Map()): number {
  const visiting: WaveNode[] = [];
  const visit = (n: WaveNode): number => {
    const known = memo.get(n);
    if (known !== undefined) return known;
    const loopStart = visiting.indexOf(n);
    if (loopStart >= 0) {
      const cycle = [...visiting.slice(loopStart), n].map(x => x.label).join(' -> ');
      throw new Error(`sync waves form a cycle: ${cycle}; remove one of these 'after' dependencies`);
    }
    visiting.push(n);
    const before = n.after.map(dep => ({ dep, wave: visit(dep) }));
    visiting.pop();
    let wave: number;
    if (n.wave !== undefined) {
      wave = n.wave;
      const late = before.find(b => b.wave >= wave);
      if (late) {
        throw new Error(`sync wave '${n.label}' is ${wave} but must come after '${late.dep.label}' (wave ${late.wave}): give it a number above ${late.wave} or drop 'wave' to derive it`);
      }
    } else if (before.length === 0) {
      wave = 0;
    } else {
      wave = Math.max(...before.map(b => b.wave)) + DERIVED_WAVE_STEP;
    }
    const error = waveError(`sync wave '${n.label}'`, wave);
    if (error) throw new Error(error);
    memo.set(n, wave);
    return wave;
  };
  return visit(node);
}
