import { describe, expect, it } from 'vitest';
import { KeydeskError } from '../../src-main/core/errors';
import { isTransient, retryAfterMs, withRetry } from '../../src-main/core/retry';

const policy = { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 };
const error = (fields: Partial<ConstructorParameters<typeof KeydeskError>[0]>) => new KeydeskError({ code: 'PROVIDER', message: 'x', ...fields });

describe('retry', () => {
  it('tells transient failures from permanent ones', () => {
    expect(isTransient(error({ code: 'NETWORK' }))).toBe(true);
    expect(isTransient(error({ code: 'TIMEOUT' }))).toBe(true);
    expect(isTransient(error({ status: 503, providerCode: 'SlowDown' }))).toBe(true);
    expect(isTransient(error({ status: 500 }))).toBe(true);
    expect(isTransient(error({ status: 400, providerCode: 'BadDigest' }))).toBe(true);
    expect(isTransient(error({ code: 'ACCESS_DENIED', status: 403 }))).toBe(false);
    expect(isTransient(error({ code: 'NOT_FOUND', status: 404 }))).toBe(false);
    expect(isTransient(new Error('plain'))).toBe(false);
  });

  it('retries transient failures up to the limit, and not permanent ones', async () => {
    let calls = 0;
    await expect(withRetry(async () => (++calls < 3 ? Promise.reject(error({ code: 'NETWORK' })) : 'ok'), policy)).resolves.toBe('ok');
    expect(calls).toBe(3);
    calls = 0;
    await expect(withRetry(() => (calls++, Promise.reject(error({ status: 500 }))), policy)).rejects.toMatchObject({ status: 500 });
    expect(calls).toBe(4);
    calls = 0;
    await expect(withRetry(() => (calls++, Promise.reject(error({ code: 'ACCESS_DENIED' }))), policy)).rejects.toMatchObject({ code: 'ACCESS_DENIED' });
    expect(calls).toBe(1);
  });

  it('stops waiting when cancelled', async () => {
    const controller = new AbortController();
    const pending = withRetry(() => Promise.reject(error({ code: 'NETWORK' })), { attempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 }, controller.signal);
    setTimeout(() => controller.abort(), 10);
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});

describe('retry under a server that asks for patience', () => {
  const slowDown = (retryAfter: string) =>
    new KeydeskError({ code: 'PROVIDER', status: 503, providerCode: 'SlowDown', message: 'The S3 server could not handle the request (SlowDown, HTTP 503).' }, { cause: { $response: { headers: { 'retry-after': retryAfter } } } });

  it('reads Retry-After in seconds and as a date', () => {
    expect(retryAfterMs(slowDown('2'))).toBe(2000);
    const inAMinute = new Date(Date.now() + 60_000).toUTCString();
    expect(retryAfterMs(slowDown(inAMinute))).toBeGreaterThan(55_000);
    expect(retryAfterMs(error({ status: 503 }))).toBeUndefined();
  });

  it('waits at least what Retry-After asks, and says how often it tried when it gives up', async () => {
    let calls = 0;
    const started = Date.now();
    await expect(withRetry(async () => (++calls < 2 ? Promise.reject(slowDown('1')) : 'ok'), policy)).resolves.toBe('ok');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    await expect(withRetry(() => Promise.reject(error({ status: 500, message: 'Failed.' })), policy)).rejects.toThrow(/^Failed \(tried 4 times over \d+ s\)\.$/);
  });

  it('fails at once when the server asks for a wait longer than a minute', async () => {
    let calls = 0;
    await expect(withRetry(() => (calls++, Promise.reject(slowDown('3600'))), policy)).rejects.toThrow(/server asked to wait 3600 s before trying again/);
    expect(calls).toBe(1);
  });

  it('retries a learned redirect at once, and not one Keydesk refused to follow', async () => {
    let calls = 0;
    const redirected = new KeydeskError({ code: 'PROVIDER', status: 301, providerCode: 'PermanentRedirect', message: 'Elsewhere.' });
    await expect(withRetry(async () => (++calls < 2 ? Promise.reject(redirected) : 'ok'), { attempts: 3, baseDelayMs: 60_000, maxDelayMs: 60_000 })).resolves.toBe('ok');
    expect(isTransient(new KeydeskError({ code: 'UNSUPPORTED', status: 301, providerCode: 'PermanentRedirect', message: 'Not followed.' }))).toBe(false);
  });
});
