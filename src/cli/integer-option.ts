import { InvalidArgumentError } from 'commander';

export interface IntegerRange {
  /** Smallest value allowed (inclusive). */
  readonly min?: number;
  /** Largest value allowed (inclusive). */
  readonly max?: number;
  /** What a value means, said when it is refused (e.g. "seconds"). */
  readonly unit?: string;
}

function describeRange(range: IntegerRange): string {
  const unit = range.unit ? ` (${range.unit})` : '';
  if (range.min !== undefined && range.max !== undefined) return `a whole number from ${range.min} to ${range.max}${unit}`;
  if (range.min !== undefined) return `a whole number ≥ ${range.min}${unit}`;
  if (range.max !== undefined) return `a whole number ≤ ${range.max}${unit}`;
  return `a whole number${unit}`;
}

/**
 * A commander argument parser for an integer flag. `Number()`/`parseInt` would turn `abc` into NaN
 * and `1.5s` into 1, which commands then read as "no limit" or "nothing to do": refuse them instead.
 */
export function integerOption(range: IntegerRange = {}): (value: string) => number {
  return (value: string) => {
    const n = /^[+-]?\d+$/.test(value.trim()) ? Number(value) : NaN;
    const inRange = Number.isSafeInteger(n) && (range.min === undefined || n >= range.min) && (range.max === undefined || n <= range.max);
    if (!inRange) {
      throw new InvalidArgumentError(`Expected ${describeRange(range)}.`);
    }
    return n;
  };
}
