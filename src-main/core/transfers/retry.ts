import { KeydeskError } from '../errors';
import { cancelledError, sleep } from '../cancel';

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 300, maxDelayMs: 8_000 };

const TRANSIENT_CODES = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestTimeout', 'InternalError', 'ServiceUnavailable', 'BadDigest', 'ChecksumMismatch']);

/** Worth another attempt: network trouble, timeouts, throttling, server errors and bytes damaged in transit. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof KeydeskError)) return false;
  if (error.code === 'NETWORK' || error.code === 'TIMEOUT') return true;
  if (error.status !== undefined && (error.status >= 500 || error.status === 429)) return true;
  return error.providerCode !== undefined && TRANSIENT_CODES.has(error.providerCode);
}

/** Retries transient failures with exponential backoff and full jitter (so parallel parts do not retry in lockstep). */
export async function withRetry<T>(run: () => Promise<T>, policy: RetryPolicy, signal?: AbortSignal): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (signal?.aborted) throw cancelledError();
      if (attempt >= policy.attempts || !isTransient(error)) throw error;
      await sleep(Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1)), signal);
    }
  }
}

/** Data that arrived or was stored damaged: retried like a network error. */
export function checksumError(message: string): KeydeskError {
  return new KeydeskError({ code: 'PROVIDER', providerCode: 'ChecksumMismatch', message, hint: 'Try again; if it keeps happening, a proxy or the disk may be corrupting data.' });
}
