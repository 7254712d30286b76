/** A held slot; releasing it twice is harmless (a parent hands its slot on once). */
export interface Slot {
  release(): void;
}

/**
 * At most `size` Applications reconciling at once, like Argo CD's operation processors. Waiters
 * are served first come, first served.
 */
export class SlotPool {
  private free: number;
  private readonly waiters: Array<() => void> = [];

  constructor(size: number) {
    this.free = Math.max(1, size);
  }

  async acquire(): Promise<Slot> {
    if (this.free > 0) {
      this.free--;
    } else {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    let held = true;
    return {
      release: () => {
        if (!held) {
          return;
        }
        held = false;
        const next = this.waiters.shift();
        if (next) {
          next();
        } else {
          this.free++;
        }
      },
    };
  }
}
