import { describe, expect, it } from 'vitest';
import { KeydeskError } from '../../src-main/core/errors';
import { dispatch } from '../../src-main/ipc/dispatch';
import type { Handlers } from '../../src-main/ipc/contract';

const handlers = {
  'credentials:remove': async ({ id }: { id: string }) => {
    if (id === '00000000-0000-4000-8000-000000000000') throw new KeydeskError({ code: 'NOT_FOUND', message: 'gone' });
    throw new TypeError('internal detail with a secret-ish path /home/x');
  },
  'credentials:list': async () => [],
} as unknown as Handlers;

describe('dispatch', () => {
  it('rejects unknown channels and malformed payloads with a typed error instead of throwing', async () => {
    await expect(dispatch(handlers, 'fs:read', {})).resolves.toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    await expect(dispatch(handlers, 'credentials:remove', { id: 42 })).resolves.toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: expect.stringContaining('id') },
    });
    await expect(dispatch(handlers, 'credentials:remove', { id: '00000000-0000-4000-8000-000000000000', extra: true })).resolves.toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    await expect(dispatch(handlers, 'credentials:list', { sneaky: 1 })).resolves.toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('passes KeydeskErrors through and hides the details of unexpected ones', async () => {
    await expect(dispatch(handlers, 'credentials:remove', { id: '00000000-0000-4000-8000-000000000000' })).resolves.toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'NOT_FOUND', message: 'gone' }),
    });
    const hidden = await dispatch(handlers, 'credentials:remove', { id: '11111111-1111-4111-8111-111111111111' });
    expect(hidden).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(hidden)).not.toContain('/home/x');
  });

  it('answers channels that are not strings without calling into them', async () => {
    const hostile = { toString: 1, valueOf: 1 };
    await expect(dispatch(handlers, hostile, undefined)).resolves.toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: 'Unknown channel an object.' } });
    const deep: unknown[] = [];
    let inner = deep;
    for (let i = 0; i < 100_000; i++) inner = (inner[0] = []) as unknown[];
    await expect(dispatch(handlers, deep, undefined)).resolves.toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: 'Unknown channel an array.' } });
    await expect(dispatch(handlers, Symbol('x'), undefined)).resolves.toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    await expect(dispatch(handlers, 'x'.repeat(10_000), undefined)).resolves.toMatchObject({ ok: false, error: { message: expect.stringMatching(/^Unknown channel "x{60}…"\.$/) } });
  });

  it('refuses payloads nested too deep or too large before validating them', async () => {
    const deep: unknown[] = [];
    let inner = deep;
    for (let i = 0; i < 100_000; i++) inner = (inner[0] = []) as unknown[];
    await expect(dispatch(handlers, 'credentials:remove', { id: deep })).resolves.toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining('deeper than 32') } });
    await expect(dispatch(handlers, 'credentials:remove', { id: new Array(200_000).fill(0) })).resolves.toMatchObject({ ok: false, error: { message: expect.stringContaining('more than 100000 values') } });
    // Structured clones (Electron IPC) can carry Maps and Sets: held to the same bounds, then refused by the schema.
    await expect(dispatch(handlers, 'credentials:remove', new Map([['id', deep]]))).resolves.toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    await expect(dispatch(handlers, 'credentials:remove', new Set([1]))).resolves.toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('returns the value of a valid call', async () => {
    await expect(dispatch(handlers, 'credentials:list', undefined)).resolves.toEqual({ ok: true, value: [] });
  });
});
