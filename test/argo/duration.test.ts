import { parseArgoDuration, parseGoDuration } from '../../src/argo/duration';
import { durationError } from '../../src/constructs/validation';
import { retryDelay, retryPolicy } from '../../src/engine/retry';

describe('Go durations (time.ParseDuration)', () => {
  test.each([
    ['5s', 5_000], ['3m', 180_000], ['1h30m', 5_400_000], ['1h2m3s', 3_723_000], ['500ms', 500], ['1.5h', 5_400_000],
    ['.5s', 500], ['1.s', 1_000], ['2us', 0.002], ['2µs', 0.002], ['2μs', 0.002], ['100ns', 0.0001], ['0', 0], ['-1m', -60_000], ['+2s', 2_000],
    ['1m1m', 120_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseGoDuration(text)).toBeCloseTo(ms, 6);
  });

  test.each(['', '5', '5 seconds', 's', '.s', '5d', '1h 30m', '--5s', '5S', 'ms', '1.2.3s'])('%j is not a duration', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });
});

describe('Argo CD durations', () => {
  test('a bare integer is seconds (strconv.Atoi first), unless refused for the field', () => {
    expect(parseArgoDuration('30')).toBe(30_000);
    expect(parseArgoDuration('30s')).toBe(30_000);
    expect(parseArgoDuration('30', { bareSeconds: false })).toBeUndefined();
    expect(parseArgoDuration('1.5')).toBeUndefined();
  });

  test('constructs and engine accept and refuse the same values', () => {
    for (const text of ['30', '5s', '1h30m', '2µs', '.5s', '5 seconds', 'abc', '5d', '-5s']) {
      const constructOk = durationError('retry backoff duration', text) === undefined;
      let engineOk = true;
      try {
        retryPolicy({ backoff: { duration: text } });
      } catch {
        engineOk = false;
      }
      expect([text, engineOk]).toEqual([text, constructOk]);
    }
  });
});

describe('retry', () => {
  test('a bare-seconds backoff duration (accepted by Argo CD and the constructs) is 30 s, not an error', () => {
    const p = retryPolicy({ limit: 3, backoff: { duration: '30', maxDuration: '600' } });
    expect([1, 2, 3, 4].map((a) => retryDelay(p, a))).toEqual([30_000, 60_000, 120_000, undefined]);
  });

  test('an invalid duration names the field and what to write', () => {
    expect(() => retryPolicy({ backoff: { duration: '5 seconds' } })).toThrow(/spec.syncPolicy.retry.backoff.duration '5 seconds' is not a valid duration: use a Go duration such as '5s'.*whole number of seconds/);
    expect(() => retryPolicy({ backoff: { maxDuration: 'forever' } })).toThrow(/backoff.maxDuration 'forever'/);
  });
});
