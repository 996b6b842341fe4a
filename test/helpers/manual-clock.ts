import type { Clock } from '../../src-main/core/clock';

/** A clock tests move by hand: `advance` fires every timer that comes due on the way, in order, without sleeping. */
export class ManualClock implements Clock {
  private readonly timers = new Set<{ at: number; run: () => void }>();

  constructor(private time = Date.now()) {}

  now(): number {
    return this.time;
  }

  after(ms: number, run: () => void): () => void {
    const timer = { at: this.time + Math.max(0, ms), run };
    this.timers.add(timer);
    return () => this.timers.delete(timer);
  }

  /** Pending timers, for asserting that the scheduler keeps one armed. */
  get armed(): number {
    return this.timers.size;
  }

  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      const next = [...this.timers].filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.timers.delete(next);
      this.time = next.at;
      next.run();
    }
    this.time = target;
  }
}
