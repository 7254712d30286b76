import { CronSchedule } from '../../src/argo/cron-schedule';
import { canSync, windowActive, windowError, windowMatches } from '../../src/argo/sync-windows';

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('cron schedules (robfig/cron standard fields)', () => {
  test.each([
    ['0 22 * * *', '2026-03-02T10:00:00Z', '2026-03-02T22:00:00.000Z'],
    ['0 22 * * *', '2026-03-02T22:00:00Z', '2026-03-03T22:00:00.000Z'],
    ['*/15 * * * *', '2026-03-02T10:07:30Z', '2026-03-02T10:15:00.000Z'],
    ['0 9 * * mon-fri', '2026-03-06T10:00:00Z', '2026-03-09T09:00:00.000Z'],
    ['30 1 1 jan *', '2026-03-02T10:00:00Z', '2027-01-01T01:30:00.000Z'],
    // Both day fields restricted: either may match (the 13th, or any Friday).
    ['0 0 13 * 5', '2026-03-01T00:00:00Z', '2026-03-06T00:00:00.000Z'],
    ['0 0 30 2 *', '2026-03-01T00:00:00Z', undefined],
  ])('%s after %s is %s', (spec, after, next) => {
    expect(iso(CronSchedule.parse(spec).next(at(after)))).toBe(next);
  });

  test('the schedule is read on the wall clock of its time zone', () => {
    // 22:00 in Berlin is 21:00 UTC in winter and 20:00 UTC in summer.
    expect(iso(CronSchedule.parse('0 22 * * *').next(at('2026-01-10T12:00:00Z'), 'Europe/Berlin'))).toBe('2026-01-10T21:00:00.000Z');
    expect(iso(CronSchedule.parse('0 22 * * *').next(at('2026-07-10T12:00:00Z'), 'Europe/Berlin'))).toBe('2026-07-10T20:00:00.000Z');
  });

  test.each([
    ['0 22 * *', /expected exactly 5 fields/],
    ['0 0 22 * * *', /expected exactly 5 fields/],
    ['61 * * * *', /above maximum \(59\)/],
    ['0 0 * * 7', /above maximum \(6\)/],
    ['@daily', /expected exactly 5 fields/],
    ['x * * * *', /failed to parse int/],
  ])('refuses %s', (spec, message) => {
    expect(() => CronSchedule.parse(spec)).toThrow(message);
  });
});

describe('sync windows', () => {
  const nightlyDeny = { kind: 'deny', schedule: '0 22 * * *', duration: '8h', applications: ['*'] };

  test('a window is open from its start for its duration', () => {
    expect(windowActive(nightlyDeny, at('2026-03-02T21:59:00Z'))).toBe(false);
    expect(windowActive(nightlyDeny, at('2026-03-02T22:01:00Z'))).toBe(true);
    expect(windowActive(nightlyDeny, at('2026-03-03T05:59:00Z'))).toBe(true);
    expect(windowActive(nightlyDeny, at('2026-03-03T06:00:01Z'))).toBe(false);
  });

  test('windows match by application, namespace or cluster globs; andOperator needs all', () => {
    const subject = { application: 'shop-web', namespace: 'shop', server: 'https://kubernetes.default.svc', clusterName: 'in-cluster' };
    expect(windowMatches({ applications: ['shop-*'] }, subject)).toBe(true);
    expect(windowMatches({ namespaces: ['data'] }, subject)).toBe(false);
    expect(windowMatches({ clusters: ['in-cluster'] }, subject)).toBe(true);
    expect(windowMatches({ applications: ['shop-*'], namespaces: ['data'] }, subject)).toBe(true);
    expect(windowMatches({ applications: ['shop-*'], namespaces: ['data'], andOperator: true }, subject)).toBe(false);
    expect(windowMatches({}, subject)).toBe(false);
  });

  const app = { application: 'web', namespace: 'shop' };
  const night = at('2026-03-02T23:00:00Z');
  const day = at('2026-03-02T12:00:00Z');

  test('an open deny window blocks automated syncs, and manual ones unless manualSync', () => {
    expect(canSync([nightlyDeny], app, night, false)).toEqual({ canSync: false, reason: 'deny:0 22 * * *:8h' });
    expect(canSync([nightlyDeny], app, night, true).canSync).toBe(false);
    expect(canSync([{ ...nightlyDeny, manualSync: true }], app, night, true).canSync).toBe(true);
    expect(canSync([{ ...nightlyDeny, manualSync: true }], app, night, false).canSync).toBe(false);
    expect(canSync([nightlyDeny], app, day, false).canSync).toBe(true);
  });

  test('with allow windows, syncs run only inside one (manual ones outside with manualSync)', () => {
    const office = { kind: 'allow', schedule: '0 8 * * *', duration: '10h', namespaces: ['shop'] };
    expect(canSync([office], app, day, false).canSync).toBe(true);
    expect(canSync([office], app, night, false)).toEqual({ canSync: false, reason: 'outside every allow window: allow:0 8 * * *:10h' });
    expect(canSync([{ ...office, manualSync: true }], app, night, true).canSync).toBe(true);
  });

  test('a deny window wins over an open allow window; windows for other Applications do not count', () => {
    const always = { kind: 'allow', schedule: '* * * * *', duration: '1h', applications: ['*'] };
    expect(canSync([always, nightlyDeny], app, night, false).canSync).toBe(false);
    expect(canSync([{ ...nightlyDeny, applications: ['other'] }], app, night, false).canSync).toBe(true);
  });

  test('a window that cannot be evaluated blocks, with Argo CD\'s reason', () => {
    expect(windowError({ kind: 'deny', schedule: '0 22 * *', duration: '1h' })).toMatch(/^cannot parse schedule '0 22 \* \*'/);
    expect(windowError({ kind: 'deny', schedule: '0 22 * * *', duration: '1 hour' })).toMatch(/^cannot parse duration '1 hour'/);
    expect(canSync([{ ...nightlyDeny, kind: 'maybe' }], app, day, true)).toEqual({ canSync: false, reason: "kind 'maybe' mismatch: can only be allow or deny" });
  });

  test('timeZone moves the window to that wall clock', () => {
    const berlin = { ...nightlyDeny, timeZone: 'Europe/Berlin' };
    // 21:30 UTC in winter is 22:30 in Berlin: inside; 21:30 UTC is before 22:00 UTC: outside in UTC.
    expect(windowActive(berlin, at('2026-01-10T21:30:00Z'))).toBe(true);
    expect(windowActive(nightlyDeny, at('2026-01-10T21:30:00Z'))).toBe(false);
  });
});
