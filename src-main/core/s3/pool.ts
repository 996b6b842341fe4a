import { throwIfCancelled } from '../cancel';

/**
 * Runs `work` over `items` with at most `concurrency` in flight: a number, or a function asked again
 * after every item (an adaptive limit: workers are added when it rises and retire when it falls). The
 * first failure stops the pool: no new items start, the others are told through the signal they
 * receive, and that first error is thrown.
 */
export async function runPool<T>(
  items: Iterable<T>,
  concurrency: number | (() => number),
  work: (item: T, signal: AbortSignal) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const limit = typeof concurrency === 'number' ? () => Math.max(1, concurrency) : () => Math.max(1, concurrency());
  const stop = new AbortController();
  const combined = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  const iterator = items[Symbol.iterator]();
  let failure: { error: unknown } | undefined;
  let exhausted = false;
  let active = 0;
  const workers: Promise<void>[] = [];
  const worker = async () => {
    try {
      while (!combined.aborted && active <= limit()) {
        const next = iterator.next();
        if (next.done) {
          exhausted = true;
          return;
        }
        try {
          await work(next.value, combined);
        } catch (error) {
          failure ??= { error };
          stop.abort();
        }
        grow();
      }
    } finally {
      active--;
    }
  };
  const grow = () => {
    while (!exhausted && !combined.aborted && active < limit()) {
      active++;
      workers.push(worker());
    }
  };
  grow();
  // Workers may be added while earlier ones are awaited.
  for (let i = 0; i < workers.length; i++) await workers[i];
  if (failure) throw failure.error;
  throwIfCancelled(signal);
}
