import { describe, expect, it, vi } from 'vitest';
import type { AppContext } from '../../src-main/ipc/app-context';
import type { Handlers } from '../../src-main/ipc/contract';
import { NoticeLog } from '../../src-main/core/rotation/notice-log';
import { dispatch } from '../../src-main/ipc/dispatch';
import { EventBus } from '../../src-main/ipc/events';
import { rotationHandlers } from '../../src-main/ipc/handlers/rotation';

const id = '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b';
const twinId = '7a1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b';
const now = Date.parse('2025-06-01T12:00:00Z');
const record = (days: number, change: Record<string, unknown> = {}) => ({
  id,
  label: 'Backups',
  endpoint: 'https://s3.example.com',
  region: 'us-east-1',
  accessKeyId: 'AKOLD',
  forcePathStyle: true,
  checksums: 'when-required',
  createdAt: new Date(now - days * 86_400_000).toISOString(),
  rotationMaxAgeDays: 90,
  transfer: { partSizeMiB: 16, concurrency: 8 },
  ...change,
});

function setup(days: number) {
  const records = [record(days), record(days, { id: twinId, label: 'backups' })];
  const rotation = {
    rotate: vi.fn(async () => ({ credentialId: id, oldAccessKeyId: 'AKOLD', newAccessKeyId: 'AKNEW', switched: [id], oldKey: 'kept' })),
    cancel: vi.fn(() => true),
    plan: vi.fn(async () => ({ credentialId: id, switches: records.map((r) => ({ id: r.id, label: r.label })) })),
  };
  const revocations = {
    list: vi.fn(async () => []),
    revokeNow: vi.fn(async () => ({ id, oldKey: 'deleted' })),
    extend: vi.fn(async () => ({})),
    restore: vi.fn(async () => ({})),
    forget: vi.fn(async () => undefined),
    lastUsed: vi.fn(async () => ({ usedAfterSwitch: false })),
  };
  const notices = new NoticeLog({ now: () => now });
  const events = new EventBus();
  const ctx = {
    notices,
    events,
    vault: { list: () => records, get: (wanted: string) => records.find((r) => r.id === wanted)! },
    rotation,
    revocations,
    clock: { now: () => now },
    cliCommand: '/opt/Keydesk/keydesk',
  } as unknown as AppContext;
  const call = (name: string, payload?: unknown) => dispatch(rotationHandlers(ctx) as Handlers, name, payload);
  return { rotation, revocations, notices, events, call };
}

describe('rotation channels', () => {
  it('lists keys past their rotation policy, by Keydesk’s clock', async () => {
    await expect(setup(91).call('rotation:due')).resolves.toMatchObject({
      ok: true,
      value: [
        { credentialId: id, age: { days: 91, due: true, dueInDays: -1 } },
        { credentialId: twinId, age: { days: 91, due: true, dueInDays: -1 } },
      ],
    });
    await expect(setup(10).call('rotation:due')).resolves.toEqual({ ok: true, value: [] });
  });

  it('previews a rotation with each switching credential’s credential_process profile', async () => {
    const { call } = setup(1);
    // Two labels that slug alike: profiles fall back to the credential IDs, exactly as "Use in…" does.
    await expect(call('rotation:plan', { credentialId: id })).resolves.toMatchObject({
      ok: true,
      value: {
        switches: [
          { id, label: 'Backups', profile: id },
          { id: twinId, label: 'backups', profile: twinId },
        ],
        credentialProcess: '/opt/Keydesk/keydesk credential-process --profile',
      },
    });
  });

  it('passes the old-key choice and the typed reset confirmation through, and cancels', async () => {
    const { rotation, call } = setup(1);
    const oldKey = { kind: 'grace', days: 7, then: 'deactivate' };
    await expect(call('rotation:run', { credentialId: id, oldKey })).resolves.toMatchObject({ ok: true, value: { newAccessKeyId: 'AKNEW' } });
    expect(rotation.rotate).toHaveBeenCalledWith(id, { oldKey, confirmResetInPlace: undefined });
    await call('rotation:run', { credentialId: id, oldKey: { kind: 'replace' }, confirmResetInPlace: 'AKOLD' });
    expect(rotation.rotate).toHaveBeenLastCalledWith(id, { oldKey: { kind: 'replace' }, confirmResetInPlace: 'AKOLD' });
    await expect(call('rotation:cancel', { credentialId: id })).resolves.toEqual({ ok: true, value: true });
  });

  it('routes Revoke now (with its override), Extend, Restore and Forget to the pending revocations', async () => {
    const { revocations, call } = setup(1);
    await expect(call('rotation:revokeNow', { id, force: true })).resolves.toEqual({ ok: true, value: { id, oldKey: 'deleted' } });
    expect(revocations.revokeNow).toHaveBeenCalledWith(id, { force: true });
    await call('rotation:extend', { id, days: 14 });
    expect(revocations.extend).toHaveBeenCalledWith(id, 14);
    await call('rotation:restore', { id });
    expect(revocations.restore).toHaveBeenCalledWith(id);
    await call('rotation:forget', { id });
    expect(revocations.forget).toHaveBeenCalledWith(id);
  });

  it('lists the notices kept (also those from before the window connected) and dismisses one in every window', async () => {
    const { notices, events, call } = setup(1);
    const revoked = notices.add({ id, kind: 'revoked', title: 'Old key revoked', body: 'AKOLD (Backups) was deleted; AKNEW stays in use.' });
    const refused = notices.add({ id, kind: 'refused', title: 'Old key not revoked', body: 'AKOLD (Backups) was used after the switch.' });
    await expect(call('rotation:notices')).resolves.toEqual({ ok: true, value: [revoked, refused] });
    expect(revoked.at).toBe(new Date(now).toISOString());
    const dismissed: unknown[] = [];
    events.subscribe((event, payload) => event === 'rotation:noticeDismissed' && dismissed.push(payload));
    await expect(call('rotation:dismissNotice', { noticeId: revoked.noticeId })).resolves.toEqual({ ok: true, value: true });
    expect(dismissed).toEqual([{ noticeId: revoked.noticeId }]);
    await expect(call('rotation:notices')).resolves.toEqual({ ok: true, value: [refused] });
    // Gone already (another window was first): false, and no second event.
    await expect(call('rotation:dismissNotice', { noticeId: revoked.noticeId })).resolves.toEqual({ ok: true, value: false });
    expect(dismissed).toHaveLength(1);
  });

  it('rejects malformed requests before they reach the engine', async () => {
    const { rotation, revocations, call } = setup(1);
    const bad: [string, unknown][] = [
      ['rotation:run', { credentialId: 'nope', oldKey: { kind: 'delete' } }],
      ['rotation:run', { credentialId: id }],
      ['rotation:run', { credentialId: id, oldKey: { kind: 'delete' }, force: true }],
      ['rotation:run', { credentialId: id, oldKey: { kind: 'grace', days: 0, then: 'delete' } }],
      ['rotation:run', { credentialId: id, oldKey: { kind: 'grace', days: 7.5, then: 'delete' } }],
      ['rotation:run', { credentialId: id, oldKey: { kind: 'grace', days: 366, then: 'delete' } }],
      ['rotation:run', { credentialId: id, oldKey: { kind: 'grace', days: 7, then: 'wipe' } }],
      ['rotation:run', { credentialId: id, oldKey: { kind: 'delete', days: 3 } }],
      ['rotation:run', { credentialId: id, oldKey: { kind: 'replace' }, confirmResetInPlace: 'x'.repeat(257) }],
      ['rotation:extend', { id, days: -1 }],
      ['rotation:extend', { id: '../../etc/passwd', days: 1 }],
      ['rotation:revokeNow', { id, force: 'yes' }],
      ['rotation:restore', { id, credentialId: id }],
      ['rotation:notices', { all: true }],
      ['rotation:dismissNotice', {}],
      ['rotation:dismissNotice', { noticeId: 'latest' }],
      ['rotation:dismissNotice', { noticeId: id, everywhere: true }],
    ];
    for (const [channel, payload] of bad) {
      await expect(call(channel, payload), `${channel} ${JSON.stringify(payload)}`).resolves.toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    }
    expect(rotation.rotate).not.toHaveBeenCalled();
    expect(revocations.extend).not.toHaveBeenCalled();
    expect(revocations.revokeNow).not.toHaveBeenCalled();
    expect(revocations.restore).not.toHaveBeenCalled();
  });
});
