import { describe, expect, it } from 'vitest';
import { KeydeskError } from '../../src-main/core/errors';
import { isTransient, withRetry } from '../../src-main/core/retry';

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
