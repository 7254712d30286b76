import { Deadline, mapLimit, pollUntil } from '../../src/engine/poll';
import { VirtualClock } from '../util/virtual-clock';

describe('mapLimit', () => {
  test('keeps the input order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 3, 2], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n));
      running--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 30, 20]);
    expect(peak).toBe(2);
  });

  test('a limit below 1 still runs every item (one at a time) instead of silently nothing', async () => {
    expect(await mapLimit([1, 2, 3], 0, async (n) => n + 1)).toEqual([2, 3, 4]);
  });
});

describe('pollUntil', () => {
  test('polls at the interval until done, reporting each wait', async () => {
    const clock = new VirtualClock();
    const waits: string[] = [];
    let looks = 0;
    const outcome = await pollUntil({ clock, deadline: new Deadline(clock, 10_000), intervalMs: 100 },
      async () => (++looks === 3 ? { done: true, value: 'ready' } : { done: false, waiting: `look ${looks}` }), (w) => waits.push(w));
    expect(outcome).toEqual({ ok: true, value: 'ready' });
    expect(waits).toEqual(['look 1', 'look 2']);
    expect(clock.sleeps).toEqual([100, 100]);
  });

  test('past the deadline it returns the last reason instead of throwing', async () => {
    const clock = new VirtualClock();
    const outcome = await pollUntil({ clock, deadline: new Deadline(clock, 1_000), intervalMs: 400 }, async () => ({ done: false, waiting: 'still Progressing' }));
    expect(outcome).toEqual({ ok: false, timedOut: 'still Progressing' });
    expect(clock.sleeps).toEqual([400, 400, 400]);
  });

  test('a deadline can be extended (SyncFail hooks after a timeout) but never shortened', () => {
    const clock = new VirtualClock();
    const deadline = new Deadline(clock, 1_000);
    void clock.sleep(2_000);
    expect(deadline.expired()).toBe(true);
    deadline.extendTo(60_000);
    expect(deadline.expired()).toBe(false);
    deadline.extendTo(1);
    void clock.sleep(30_000);
    expect(deadline.expired()).toBe(false);
  });
});
