/**
 * How many ranged GETs a large download keeps in flight, adjusted to the throughput it measures (a
 * hill climb). A fixed count is wrong somewhere: on two shared cores, where the server, the client and
 * other work take turns, more streams mostly add contention; on a long fat link, fewer leave it idle.
 * After each window (`windowMs` of arrivals) the limit moves one step; the window's rate is compared with
 * the previous one's (taken one step away): a gain keeps
 * the last step's direction, a loss reverses it, and no clear change steps down, since a stream that
 * brings nothing still costs CPU on both ends. Always within [min, max].
 */
export interface ParallelismOptions {
  min: number;
  max: number;
  start: number;
  /** Length of a measuring window. */
  windowMs?: number;
  /** A change in rate smaller than this share counts as no change. */
  tolerance?: number;
}

export class ParallelismController {
  private current: number;
  private direction = 1;
  private windowStart: number | undefined;
  private windowBytes = 0;
  private previousRate: number | undefined;
  private readonly windowMs: number;
  private readonly tolerance: number;

  constructor(private readonly options: ParallelismOptions) {
    this.current = clamp(options.start, options.min, options.max);
    this.windowMs = options.windowMs ?? 500;
    this.tolerance = options.tolerance ?? 0.05;
  }

  /** Streams to keep in flight now. */
  get limit(): number {
    return this.current;
  }

  /** Bytes that arrived at `now` (milliseconds, any monotonic clock). */
  onBytes(bytes: number, now: number): void {
    if (this.windowStart === undefined) this.windowStart = now;
    this.windowBytes += bytes;
    const elapsed = now - this.windowStart;
    if (elapsed < this.windowMs) return;
    const rate = this.windowBytes / elapsed;
    this.windowStart = now;
    this.windowBytes = 0;
    const previous = this.previousRate;
    this.previousRate = rate;
    // After the first window there is nothing to compare with yet: try one stream more.
    if (previous !== undefined) {
      if (rate < previous * (1 - this.tolerance)) this.direction = -this.direction;
      else if (rate <= previous * (1 + this.tolerance)) this.direction = -1;
    }
    const next = clamp(this.current + this.direction, this.options.min, this.options.max);
    // At a bound, the next step tries the other way.
    if (next === this.current) this.direction = -this.direction;
    this.current = next;
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
