/** Bytes per second over a sliding window, so a stall shows up within seconds and a burst does not linger. */
export class SpeedMeter {
  private readonly samples: { at: number; bytes: number }[] = [];

  constructor(private readonly windowMs = 5_000) {}

  record(totalBytes: number, now = Date.now()): void {
    this.samples.push({ at: now, bytes: totalBytes });
    while (this.samples.length > 2 && now - this.samples[1].at > this.windowMs) this.samples.shift();
  }

  bytesPerSecond(now = Date.now()): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last === first) return 0;
    const elapsed = Math.max(now, last.at) - first.at;
    return elapsed > 0 ? ((last.bytes - first.bytes) * 1000) / elapsed : 0;
  }
}

export function etaSeconds(remainingBytes: number, bytesPerSecond: number): number | undefined {
  if (remainingBytes <= 0) return 0;
  return bytesPerSecond > 0 ? Math.ceil(remainingBytes / bytesPerSecond) : undefined;
}
