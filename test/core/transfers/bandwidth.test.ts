import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../src-main/core/transfers/bandwidth';
import { etaSeconds, RateMeter } from '../../../src-main/core/transfers/speed';

describe('TokenBucket', () => {
  it('lets a burst of an eighth of a second through at once, then makes takers wait off their debt in turn', async () => {
    let now = 0;
    const bucket = new TokenBucket(1024 * 1024, () => now);
    // A fresh bucket starts empty: nothing goes before the rate allows it.
    expect(bucket.take(1)).toBeInstanceOf(Promise);
    now = 1000;
    expect(bucket.take(128 * 1024 - 1)).toBeUndefined();
    const waits: number[] = [];
    const started = performance.now();
    // Two takers of 64 KiB each: the second waits for the first's bytes too (~62.5 ms, then ~125 ms).
    await Promise.all([bucket.take(64 * 1024), bucket.take(64 * 1024)].map(async (wait) => {
      await wait;
      waits.push(performance.now() - started);
    }));
    expect(waits[0]).toBeGreaterThanOrEqual(55);
    expect(waits[1]).toBeGreaterThanOrEqual(115);
  });

  it('takes nothing and never waits without a limit, and a new rate applies to the next take', () => {
    let now = 0;
    const bucket = new TokenBucket(0, () => now);
    expect(bucket.take(10 * 1024 * 1024)).toBeUndefined();
    bucket.setRate(1000);
    now = 1000;
    // The burst is capped at an eighth of a second's worth.
    expect(bucket.take(125)).toBeUndefined();
    expect(bucket.take(1)).toBeInstanceOf(Promise);
    bucket.setRate(0);
    expect(bucket.take(1_000_000)).toBeUndefined();
  });

  it('ends a wait at once with CANCELLED when the transfer is cancelled', async () => {
    const bucket = new TokenBucket(1024);
    const controller = new AbortController();
    const wait = bucket.take(1024 * 1024, controller.signal);
    controller.abort();
    await expect(wait).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});

describe('RateMeter', () => {
  it('shows a steady speed from the first tick and follows a change within a few time constants', () => {
    const meter = new RateMeter(0);
    meter.add(250_000);
    meter.tick(250);
    expect(meter.bytesPerSecond).toBeCloseTo(1_000_000, -3);
    for (let t = 500; t <= 2000; t += 250) {
      meter.add(250_000);
      meter.tick(t);
    }
    expect(meter.bytesPerSecond).toBeCloseTo(1_000_000, -3);
    // The speed halves: after 9 s (three time constants) the estimate is within 5 % of the new speed.
    for (let t = 2250; t <= 11_000; t += 250) {
      meter.add(125_000);
      meter.tick(t);
    }
    expect(meter.bytesPerSecond).toBeGreaterThan(500_000);
    expect(meter.bytesPerSecond).toBeLessThan(525_000);
  });

  it('sums: the meter over all bytes equals the sum of per-transfer meters ticked together', () => {
    const a = new RateMeter(0);
    const b = new RateMeter(0);
    const total = new RateMeter(0);
    for (let t = 250; t <= 5000; t += 250) {
      const x = (t * 37) % 100_000;
      const y = (t * 91) % 50_000;
      a.add(x);
      b.add(y);
      total.add(x + y);
      for (const m of [a, b, total]) m.tick(t);
    }
    expect(total.bytesPerSecond).toBeCloseTo(a.bytesPerSecond + b.bytesPerSecond, 6);
    expect(etaSeconds(3_000_000, 1_000_000)).toBe(3);
    expect(etaSeconds(0, 0)).toBe(0);
    expect(etaSeconds(5, 0)).toBeUndefined();
  });
});
