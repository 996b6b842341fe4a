import { KeydeskError } from './errors';

/** Cancellation helpers shared by S3 calls, transfers and rotation (plain Node, no Electron). */

export function cancelledError(): KeydeskError {
  return new KeydeskError({ code: 'CANCELLED', message: 'Cancelled.' });
}

/** The plain AbortError a cancelled socket-level request fails with, as fetch and the SDK raise it. */
export function abortError(): Error {
  const error = new Error('The request was cancelled.');
  error.name = 'AbortError';
  return error;
}

export function throwIfCancelled(signal?: AbortSignal): void {
  if (signal?.aborted) throw cancelledError();
}

/** Waits `ms`; an abort ends the wait at once with a CANCELLED error. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelledError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelledError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
