import { Clock } from '../../src/engine/poll';

/** A clock for unit tests: `sleep` returns at once, advancing time; each sleep can trigger scripted changes. */
export class VirtualClock implements Clock {
  /** Every sleep asked for, in ms, in order. */
  readonly sleeps: number[] = [];
  private t = 1_700_000_000_000;
  private readonly onSleep: Array<(sleeps: number) => void> = [];

  now(): number {
    return this.t;
  }

  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += ms;
    this.onSleep.forEach((f) => f(this.sleeps.length));
  }

  /** Runs `f` after every sleep with the number of sleeps so far (e.g. complete a Job after the 3rd poll). */
  whenSleeping(f: (sleeps: number) => void): this {
    this.onSleep.push(f);
    return this;
  }
}
