import { throwIfCancelled } from '../cancel';

/**
 * Runs `work` over `items` with at most `concurrency` in flight. The first failure stops the pool: no new
 * items start, the others are told through the signal they receive, and that first error is thrown.
 */
export async function runPool<T>(
  items: Iterable<T>,
  concurrency: number,
  work: (item: T, signal: AbortSignal) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const stop = new AbortController();
  const combined = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  const iterator = items[Symbol.iterator]();
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    for (let next = iterator.next(); !next.done && !combined.aborted; next = iterator.next()) {
      try {
        await work(next.value, combined);
      } catch (error) {
        failure ??= { error };
        stop.abort();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  if (failure) throw failure.error;
  throwIfCancelled(signal);
}
