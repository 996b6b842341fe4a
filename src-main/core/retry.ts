import { KeydeskError } from './errors';
import { cancelledError, sleep } from './cancel';

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 300, maxDelayMs: 8_000 };

/** A server's Retry-After is honoured up to this; a longer one fails now, with the wait in the message. */
const MAX_RETRY_AFTER_MS = 60_000;

const TRANSIENT_CODES = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestTimeout', 'InternalError', 'ServiceUnavailable', 'BadDigest', 'ChecksumMismatch']);
/** A redirect that was learned (s3/bucket-locations.ts): the next attempt goes to the bucket's own endpoint. */
const REDIRECT_CODES = new Set(['PermanentRedirect', 'TemporaryRedirect']);

/** Worth another attempt: network trouble, timeouts, throttling, server errors and bytes damaged in transit. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof KeydeskError)) return false;
  if (error.code === 'NETWORK' || error.code === 'TIMEOUT') return true;
  if (error.status !== undefined && (error.status >= 500 || error.status === 429)) return true;
  if (error.providerCode === undefined) return false;
  return TRANSIENT_CODES.has(error.providerCode) || (REDIRECT_CODES.has(error.providerCode) && error.code === 'PROVIDER');
}

/**
 * Retries transient failures with exponential backoff and full jitter (so parallel parts do not retry in
 * lockstep), waiting at least what the server asked for in Retry-After; a learned redirect is retried at
 * once. A cancel ends a wait at once. The last failure says how often it was tried.
 */
export async function withRetry<T>(run: () => Promise<T>, policy: RetryPolicy, signal?: AbortSignal): Promise<T> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (signal?.aborted) throw cancelledError();
      if (!isTransient(error)) throw error;
      const asked = retryAfterMs(error);
      if (attempt >= policy.attempts || (asked ?? 0) > MAX_RETRY_AFTER_MS) throw gaveUp(error as KeydeskError, attempt, Date.now() - started, asked);
      const redirected = REDIRECT_CODES.has((error as KeydeskError).providerCode ?? '');
      const backoff = redirected ? 0 : Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      await sleep(Math.max(backoff, asked ?? 0), signal);
    }
  }
}

/** The server's Retry-After (seconds or an HTTP date), as the SDK and object-requests.ts attach the response. */
export function retryAfterMs(error: unknown): number | undefined {
  const cause = error instanceof KeydeskError ? error.cause : error;
  const value = (cause as { $response?: { headers?: Record<string, string | undefined> } })?.$response?.headers?.['retry-after'];
  if (!value) return undefined;
  const seconds = /^\s*\d+\s*$/.test(value) ? Number(value) * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(seconds) ? Math.max(0, seconds) : undefined;
}

function gaveUp(error: KeydeskError, attempts: number, elapsedMs: number, askedMs: number | undefined): KeydeskError {
  if (attempts === 1 && askedMs === undefined) return error;
  const tried = askedMs !== undefined && askedMs > MAX_RETRY_AFTER_MS
    ? `the server asked to wait ${Math.round(askedMs / 1000)} s before trying again`
    : `tried ${attempts} times over ${Math.max(1, Math.round(elapsedMs / 1000))} s`;
  return new KeydeskError(
    {
      ...error.toJSON(),
      message: `${error.message.replace(/\.$/, '')} (${tried}).`,
      hint: error.hint ?? 'The server or the network kept failing; try again later, and check the connection or proxy if it persists.',
    },
    { cause: error },
  );
}

/** Data that arrived or was stored damaged: retried like a network error. */
export function checksumError(message: string): KeydeskError {
  return new KeydeskError({ code: 'PROVIDER', providerCode: 'ChecksumMismatch', message, hint: 'Try again; if it keeps happening, a proxy or the disk may be corrupting data.' });
}
