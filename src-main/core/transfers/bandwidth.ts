import { sleep } from '../cancel';

/** How many seconds' worth of bytes may go at once after a pause. */
const BURST_SECONDS = 0.125;

/**
 * A token bucket: bytes leave at `rate` per second on average, in bursts of at most an eighth of a second's
 * worth. One bucket is shared by every transfer of a credential, so the limit holds for all of them
 * together. take() allocates nothing while bytes may go at once; a take beyond the tokens left goes into
 * debt and waits it off, so a chunk larger than the burst works at any rate, and takers in line wait in
 * turn (each one's debt includes the ones before it).
 */
export class TokenBucket {
  private rate = 0;
  private tokens = 0;
  private last: number;

  constructor(
    bytesPerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.last = now();
    this.setRate(bytesPerSecond);
  }

  /** 0 (or less) lifts the limit. Takers already waiting finish their wait; the next take uses the new rate. */
  setRate(bytesPerSecond: number): void {
    this.refill();
    this.rate = Math.max(0, bytesPerSecond);
    this.tokens = Math.min(this.tokens, this.burst);
    if (this.rate === 0) this.tokens = 0;
  }

  get bytesPerSecond(): number {
    return this.rate;
  }

  /** Resolves once `bytes` may be sent or received; undefined when they may go now. */
  take(bytes: number, signal?: AbortSignal): Promise<void> | undefined {
    if (this.rate === 0) return undefined;
    this.refill();
    this.tokens -= bytes;
    if (this.tokens >= 0) return undefined;
    return sleep((-this.tokens / this.rate) * 1000, signal);
  }

  private get burst(): number {
    return this.rate * BURST_SECONDS;
  }

  private refill(): void {
    const now = this.now();
    if (this.rate > 0) this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
  }
}
