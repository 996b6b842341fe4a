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

  it('returns the value of a valid call', async () => {
    await expect(dispatch(handlers, 'credentials:list', undefined)).resolves.toEqual({ ok: true, value: [] });
  });
});
