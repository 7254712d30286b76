/**
 * The Secret canary: e2e tests that touch Secrets give them values made with {@link canaryValue}
 * and pass every output they capture (stdout, stderr, JSON, diffs, error messages) to
 * {@link SecretCanary.record}; {@link SecretCanary.expectNeverSeen} then fails if any of it shows a
 * Secret value, raw or base64-encoded. Not a test file itself.
 */

/** Distinctive enough never to appear by chance; every canary value starts with it. */
export const CANARY = 'c4nary-5ecret-q7zx';

/** A Secret value for a test: unique per label, recognisable in any output. */
export function canaryValue(label: string): string {
  return `${CANARY}-${label}`;
}

/** The forms a canary value can leak in: raw, and base64 at each of the three byte alignments. */
function leakPatterns(): string[] {
  const patterns = [CANARY];
  for (let shift = 0; shift < 3; shift++) {
    // base64 of any text containing CANARY contains the encoding of CANARY's aligned middle part.
    const aligned = CANARY.slice(shift, shift + Math.floor((CANARY.length - shift) / 3) * 3);
    patterns.push(Buffer.from(aligned).toString('base64'));
  }
  return patterns;
}

export class SecretCanary {
  private readonly seen: Array<{ what: string; text: string }> = [];

  /** Keeps one captured output (objects are JSON-serialized) for {@link expectNeverSeen}. */
  record(what: string, output: unknown): void {
    const text = typeof output === 'string' ? output : JSON.stringify(output) ?? String(output);
    this.seen.push({ what, text });
  }

  /** Keeps stdout and stderr of a CLI run. */
  recordRun(what: string, run: { stdout: string; stderr: string }): void {
    this.record(`${what} stdout`, run.stdout);
    this.record(`${what} stderr`, run.stderr);
  }

  /** How many outputs were recorded (a check over nothing proves nothing). */
  get count(): number {
    return this.seen.length;
  }

  /** Fails naming every recorded output that contains a canary value, raw or base64. */
  expectNeverSeen(): void {
    const patterns = leakPatterns();
    const leaks = this.seen.filter((s) => patterns.some((p) => s.text.includes(p))).map((s) => s.what);
    expect(leaks).toEqual([]);
    expect(this.count).toBeGreaterThan(0);
  }
}
