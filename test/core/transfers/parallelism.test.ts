import { describe, expect, it } from 'vitest';
import { runPool } from '../../../src-main/core/s3/pool';
import { GroupCommit } from '../../../src-main/core/transfers/group-commit';
import { ParallelismController } from '../../../src-main/core/transfers/parallelism';

/**
 * Feeds the controller one window at `rate(limit)` bytes per ms (the throughput a link would give that
 * many streams) and returns the limit it chose for the next window.
 */
function step(controller: ParallelismController, rate: (limit: number) => number, at: { now: number }): number {
  const limit = controller.limit;
  // Ten arrivals spread over one 500 ms window.
  for (let i = 1; i <= 10; i++) controller.onBytes((rate(limit) * 500) / 10, (at.now += 50));
  return controller.limit;
}

function run(controller: ParallelismController, rate: (limit: number) => number, windows: number): number[] {
  const at = { now: 0 };
  // The first window opens with the first arrival.
  controller.onBytes(0, 0);
  return Array.from({ length: windows }, () => step(controller, rate, at));
}

describe('ParallelismController', () => {
  it('climbs while more streams bring more throughput, and stays at the top when they still do', () => {
    const limits = run(new ParallelismController({ min: 2, max: 8, start: 4 }), (n) => n * 100, 12);
    // One step per window up to the maximum.
    expect(limits.slice(0, 4)).toEqual([5, 6, 7, 8]);
    // At the bound it tries one step down, sees the loss, and goes back up.
    expect(limits.slice(4).every((l) => l >= 7)).toBe(true);
    expect(Math.max(...limits)).toBe(8);
  });

  it('settles around the knee of the curve: where one more stream stops helping', () => {
    // Throughput grows up to 3 streams, then falls (contention on two shared cores).
    const knee = (n: number) => (n <= 3 ? n * 100 : 300 - (n - 3) * 40);
    const limits = run(new ParallelismController({ min: 1, max: 8, start: 6 }), knee, 30);
    expect(limits.slice(-10).every((l) => l >= 2 && l <= 4)).toBe(true);
  });

  it('steps down when more streams bring nothing, to the minimum', () => {
    const limits = run(new ParallelismController({ min: 2, max: 8, start: 8 }), () => 500, 12);
    expect(limits.slice(-4).every((l) => l <= 3)).toBe(true);
    expect(Math.min(...limits)).toBe(2);
  });

  it('ignores changes within the tolerance as noise, and never leaves [min, max]', () => {
    const noisy = (n: number) => 400 * (1 + 0.02 * Math.sin(n * 7));
    const controller = new ParallelismController({ min: 3, max: 5, start: 9 });
    expect(controller.limit).toBe(5);
    for (const limit of run(controller, noisy, 40)) expect(limit).toBeGreaterThanOrEqual(3), expect(limit).toBeLessThanOrEqual(5);
  });

  it('decides only on whole windows, however the bytes arrive', () => {
    const controller = new ParallelismController({ min: 1, max: 8, start: 4, windowMs: 1000 });
    controller.onBytes(1e6, 0);
    controller.onBytes(1e6, 999);
    expect(controller.limit).toBe(4);
    controller.onBytes(1e6, 1000); // the first window closes: one stream more to compare with
    expect(controller.limit).toBe(5);
    controller.onBytes(4e6, 2000); // the second, faster: one more
    expect(controller.limit).toBe(6);
    controller.onBytes(1e6, 3000); // the third, slower: back
    expect(controller.limit).toBe(5);
  });
});

describe('runPool with an adaptive limit', () => {
  it('adds workers when the limit rises and retires them when it falls, running every item once', async () => {
    let limit = 1;
    let running = 0;
    const seen: number[] = [];
    const peaks: { limit: number; running: number }[] = [];
    await runPool(
      Array.from({ length: 40 }, (_, i) => i),
      () => limit,
      async (item) => {
        running++;
        peaks.push({ limit, running });
        await new Promise((resolve) => setTimeout(resolve, 2));
        seen.push(item);
        running--;
        // The limit rises to 6 over the first items, then falls to 2.
        limit = item < 15 ? Math.min(6, limit + 1) : 2;
      },
    );
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(Math.max(...peaks.map((p) => p.running))).toBe(6);
    // Once the limit fell, workers retired as their items finished: the last items ran at most 2 at a time.
    expect(Math.max(...peaks.slice(-10).map((p) => p.running))).toBeLessThanOrEqual(2);
  });
});

describe('GroupCommit', () => {
  it('commits parts that finish during a commit together in the next one, in order of arrival', async () => {
    const batches: number[][] = [];
    let release: () => void = () => {};
    const commits = new GroupCommit(async (parts) => {
      batches.push(parts);
      if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
    });
    // The first part's commit starts at once; the next three finish during it and share the second.
    commits.add(0);
    commits.add(1);
    await Promise.resolve();
    commits.add(2);
    commits.add(3);
    release();
    await commits.flush();
    expect(batches).toEqual([[0], [1, 2, 3]]);
  });

  it('stops at the first failed commit: the next part and flush() throw it, and nothing more is committed', async () => {
    const batches: number[][] = [];
    const commits = new GroupCommit(async (parts) => {
      batches.push(parts);
      throw new Error('ENOSPC: no space left on device');
    });
    commits.add(0);
    await expect(commits.flush()).rejects.toThrow('ENOSPC');
    expect(() => commits.add(1)).toThrow('ENOSPC');
    expect(batches).toEqual([[0]]);
  });

  it('settle() waits for the commit under way, and commits the parts still waiting only when asked to keep them', async () => {
    const batches: number[][] = [];
    let finished = false;
    const commits = new GroupCommit(async (parts) => {
      batches.push(parts);
      await new Promise((resolve) => setTimeout(resolve, 20));
      finished = true;
    });
    commits.add(0);
    await Promise.resolve();
    commits.add(1);
    await commits.settle(false);
    expect(finished).toBe(true);
    expect(batches).toEqual([[0]]);

    batches.length = 0;
    commits.add(2);
    await Promise.resolve();
    commits.add(3);
    await commits.settle(true);
    expect(batches).toEqual([[2], [3]]);
  });
});
