import { describe, expect, inject, it } from 'vitest';
import { rotationFixture } from '../../helpers/rotation-fixture';

const rgw = inject('rgw');
const DAY = 86_400_000;

/** A rotation with the default grace period, and the scheduler running as at app start. */
async function rotatedWithGrace(capabilities = {}) {
  const t = await rotationFixture(rgw, capabilities);
  const revocations = t.revocationService();
  await revocations.start();
  const result = await t.engine().rotate(t.credential.id, { oldKey: { kind: 'grace', days: 7, then: 'delete' } });
  await revocations.idle();
  return { ...t, revocations, result, pending: result.pending!, oldKey: t.user.accessKeyId, newKey: result.newAccessKeyId };
}

describe.skipIf(!process.env.DBUS_SESSION_BUS_ADDRESS)('Pending revocations against a real RGW (manual clock)', () => {
  it('revokes the old key when the grace period ends, not a minute before', async () => {
    const t = await rotatedWithGrace();
    expect(await t.revocations.list()).toMatchObject([{ id: t.pending.id, revokeAction: 'delete', canExtend: true, canRestore: true, reportsLastUsed: false, accountMissing: false }]);
    t.clock.advance(7 * DAY - 60_000);
    await t.revocations.idle();
    expect(await t.works(t.oldKey, t.user.secretAccessKey)).toBe(true);
    t.clock.advance(2 * 60_000);
    await t.revocations.idle();
    expect(await t.works(t.oldKey, t.user.secretAccessKey)).toBe(false);
    expect(await t.expectOneWorkingKey('new')).toBe(t.newKey);
    expect(t.notices).toMatchObject([{ kind: 'revoked', title: 'Old key revoked', body: `${t.oldKey} (main) was deleted; ${t.newKey} stays in use.` }]);
    expect(t.credentialsChanged.at(-1)).toEqual([t.credential.id, t.twin.id]);
  });

  it('survives a restart: an old key that fell due while Keydesk was closed is revoked at the next start', async () => {
    const t = await rotatedWithGrace();
    t.revocations.stop();
    // Closed for nine days.
    t.clock.advance(9 * DAY);
    expect(await t.works(t.oldKey, t.user.secretAccessKey)).toBe(true);
    const next = t.revocationService();
    await next.start();
    await t.expectOneWorkingKey('new');
  });

  it('"Revoke now" deletes the old key at once', async () => {
    const t = await rotatedWithGrace();
    await expect(t.revocations.revokeNow(t.pending.id)).resolves.toEqual({ id: t.pending.id, oldKey: 'deleted' });
    expect(await t.works(t.oldKey, t.user.secretAccessKey)).toBe(false);
    await t.expectOneWorkingKey('new');
    await expect(t.revocations.revokeNow(t.pending.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('"Extend" moves the date: nothing happens at the old one, the key goes at the new one', async () => {
    const t = await rotatedWithGrace();
    const extended = await t.revocations.extend(t.pending.id, 3);
    expect(Date.parse(extended.dueAt) - Date.parse(t.pending.dueAt)).toBe(3 * DAY);
    t.clock.advance(8 * DAY);
    await t.revocations.idle();
    expect(await t.works(t.oldKey, t.user.secretAccessKey)).toBe(true);
    t.clock.advance(2.5 * DAY);
    await t.revocations.idle();
    await t.expectOneWorkingKey('new');
    await expect(t.revocations.extend(t.pending.id, 0)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('"Restore old key" switches both credentials back (age too); the new key then waits out a grace period of its own', async () => {
    const t = await rotatedWithGrace();
    t.clock.advance(2 * DAY);
    const restored = await t.revocations.restore(t.pending.id);
    expect(restored).toMatchObject({ retiring: { accessKeyId: t.newKey }, keeping: { accessKeyId: t.oldKey }, state: 'active' });
    expect(Date.parse(restored.dueAt) - t.clock.now()).toBe(7 * DAY);
    for (const id of [t.credential.id, t.twin.id]) {
      const connection = await t.vault.connection(id);
      expect(connection.accessKeyId).toBe(t.oldKey);
      expect(t.vault.get(id).rotatedAt).toBeUndefined();
      expect(await t.works(connection.accessKeyId, connection.secretAccessKey)).toBe(true);
    }
    expect(await t.keysAtProvider()).toEqual([t.oldKey, t.newKey].sort());
    // The old key's secret now lives in the credentials; the new one's is kept for restoring again.
    expect(await t.keychain.get(`rotation-old:${t.pending.id}:${t.oldKey}`)).toBeNull();
    expect(await t.keychain.get(`rotation-old:${t.pending.id}:${t.newKey}`)).toMatch(/\S{20,}/);
    t.clock.advance(7 * DAY + 60_000);
    await t.revocations.idle();
    await t.expectOneWorkingKey('old');
  });

  it('finishes a restore cut short by a failing keychain at the next start', async () => {
    const t = await rotatedWithGrace();
    t.faults.secretSet = (name) => name === `credential:${t.twin.id}`;
    await expect(t.revocations.restore(t.pending.id)).rejects.toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE' });
    expect(t.vault.get(t.credential.id).accessKeyId).toBe(t.oldKey);
    expect(t.vault.get(t.twin.id).accessKeyId).toBe(t.newKey);
    expect(await t.revocations.list()).toMatchObject([{ restoring: true }]);
    const next = t.revocationService();
    await next.start();
    expect(await next.list()).toMatchObject([{ retiring: { accessKeyId: t.newKey }, keeping: { accessKeyId: t.oldKey } }]);
    expect(t.vault.get(t.twin.id).accessKeyId).toBe(t.oldKey);
    await next.revokeNow(t.pending.id);
    await t.expectOneWorkingKey('old');
  });

  it('keeps an old key whose account was removed listed, and lets the user forget it', async () => {
    const t = await rotatedWithGrace();
    await expect(t.revocations.forget(t.pending.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    const { AccountService } = await import('../../../src-main/core/accounts/account-service');
    const { MetadataStore, openConfStore } = await import('../../../src-main/core/vault/metadata-store');
    await new AccountService(new MetadataStore(openConfStore(t.home)), t.keychain).remove(t.account.id);
    t.clock.advance(8 * DAY);
    await t.revocations.idle();
    expect(await t.revocations.list()).toMatchObject([{ accountMissing: true, canExtend: false, canRestore: false }]);
    await t.revocations.forget(t.pending.id);
    expect(await t.revocations.list()).toEqual([]);
    expect(await t.keychain.get(`rotation-old:${t.pending.id}:${t.oldKey}`)).toBeNull();
  });
});
