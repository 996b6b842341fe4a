import { describe, expect, it, vi } from 'vitest';
import type { AppContext } from '../../src-main/ipc/app-context';
import type { Handlers } from '../../src-main/ipc/contract';
import { dispatch } from '../../src-main/ipc/dispatch';
import { rotationHandlers } from '../../src-main/ipc/handlers/rotation';

const id = '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b';
const record = (days: number) => ({
  id,
  label: 'old',
  endpoint: 'https://s3.example.com',
  region: 'us-east-1',
  accessKeyId: 'AKOLD',
  forcePathStyle: true,
  checksums: 'when-required',
  createdAt: new Date(Date.now() - days * 86_400_000).toISOString(),
  rotationMaxAgeDays: 90,
  transfer: { partSizeMiB: 16, concurrency: 8 },
});

function setup(days: number) {
  const rotation = { rotate: vi.fn(async () => ({ credentialId: id, oldAccessKeyId: 'AKOLD', newAccessKeyId: 'AKNEW', switched: [id], revoked: 'deleted' })), cancel: vi.fn(() => true) };
  const ctx = { vault: { list: () => [record(days)] }, rotation } as unknown as AppContext;
  const call = (name: string, payload?: unknown) => dispatch(rotationHandlers(ctx) as Handlers, name, payload);
  return { rotation, call };
}

describe('rotation channels', () => {
  it('lists keys past their rotation policy', async () => {
    await expect(setup(91).call('rotation:due')).resolves.toMatchObject({ ok: true, value: [{ credentialId: id, age: { days: 91, due: true, dueInDays: -1 } }] });
    await expect(setup(10).call('rotation:due')).resolves.toEqual({ ok: true, value: [] });
  });

  it('runs and cancels rotations, passing the regenerate confirmation through', async () => {
    const { rotation, call } = setup(1);
    await expect(call('rotation:run', { credentialId: id, confirmNoFallback: true })).resolves.toMatchObject({ ok: true, value: { newAccessKeyId: 'AKNEW' } });
    expect(rotation.rotate).toHaveBeenCalledWith(id, { confirmNoFallback: true });
    await expect(call('rotation:cancel', { credentialId: id })).resolves.toEqual({ ok: true, value: true });
  });

  it('rejects malformed requests before they reach the engine', async () => {
    const { rotation, call } = setup(1);
    await expect(call('rotation:run', { credentialId: 'nope' })).resolves.toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    await expect(call('rotation:run', { credentialId: id, force: true })).resolves.toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(rotation.rotate).not.toHaveBeenCalled();
  });
});
