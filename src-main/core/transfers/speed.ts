/** How fast the estimate follows a change of speed: after this long, 63 % of the way. */
const TIME_CONSTANT_MS = 3_000;

/**
 * Bytes per second as an exponentially weighted moving average, updated at each progress tick from the
 * bytes moved since the last one. The one model for every speed and ETA shown: each transfer has one, and
 * the total is the same average over all bytes, so a single transfer's row and the header agree exactly.
 * While it has seen less than one time constant, the average is divided by the weight seen so far, so a
 * new transfer shows its speed from the first tick instead of ramping up from zero.
 */
export class RateMeter {
  private average = 0;
  private weight = 0;
  private pending = 0;

  /** `now`: when the bytes start to move. */
  constructor(private last = Date.now()) {}

  /** Bytes moved (negative when a failed attempt's bytes are taken back). */
  add(bytes: number): void {
    this.pending += bytes;
  }

  /** Folds the bytes since the last tick into the average. */
  tick(now = Date.now()): void {
    const elapsed = now - this.last;
    if (elapsed <= 0) return;
    const alpha = 1 - Math.exp(-elapsed / TIME_CONSTANT_MS);
    const instant = (Math.max(0, this.pending) * 1000) / elapsed;
    this.average += alpha * (instant - this.average);
    this.weight += alpha * (1 - this.weight);
    this.pending = 0;
    this.last = now;
  }

  get bytesPerSecond(): number {
    return this.weight > 0 ? this.average / this.weight : 0;
  }
}

export function etaSeconds(remainingBytes: number, bytesPerSecond: number): number | undefined {
  if (remainingBytes <= 0) return 0;
  return bytesPerSecond > 0 ? Math.ceil(remainingBytes / bytesPerSecond) : undefined;
}
