import { describe, expect, inject, it } from 'vitest';
import type { RotationCheckpoint } from '../../../src-main/core/rotation/engine';
import { killChildAt } from '../../helpers/kill-child';
import { Crash, rotationFixture } from '../../helpers/rotation-fixture';
import { createRgwUser } from '../../helpers/rgw-users';

const rgw = inject('rgw');
const RESET = { rotation: 'regenerate' } as const;

/** Both credentials on the original key ID with one secret that works, and no journal, staging or pending entry left. */
async function expectResetKey(t: Awaited<ReturnType<typeof rotationFixture>>, changed: boolean) {
  const [a, b] = [await t.vault.connection(t.credential.id), await t.vault.connection(t.twin.id)];
  expect(a.accessKeyId).toBe(t.user.accessKeyId);
  expect(b.accessKeyId).toBe(t.user.accessKeyId);
  expect(b.secretAccessKey).toBe(a.secretAccessKey);
  if (changed) expect(a.secretAccessKey).not.toBe(t.user.secretAccessKey);
  else expect(a.secretAccessKey).toBe(t.user.secretAccessKey);
  expect(await t.works(a.accessKeyId, a.secretAccessKey)).toBe(true);
  expect(await t.keysAtProvider()).toEqual([t.user.accessKeyId]);
  expect((await t.keychain.list()).sort()).toEqual([`account:${t.account.id}:secretAccessKey`, `credential:${t.credential.id}`, `credential:${t.twin.id}`].sort());
  expect(await t.journals()).toEqual([]);
  expect(await t.pendingFiles()).toEqual([]);
}

describe.skipIf(!process.env.DBUS_SESSION_BUS_ADDRESS)('Reset-in-place rotation against a real RGW: nothing is lost', () => {
  it('an RGW account set to reset in place asks for the access key ID to be typed, then gives the same key a new secret everywhere', async () => {
    const user = await createRgwUser(rgw, 'reset');
    const t = await rotationFixture(rgw, {}, {
      providerId: 'ceph-rgw',
      fields: { endpoint: rgw.endpoint, region: rgw.region, accessKeyId: rgw.admin.accessKeyId, secretAccessKey: rgw.admin.secretAccessKey, uid: user.uid, rotation: 'regenerate' },
      key: user,
      owner: user.uid,
    });
    await expect(t.engine().plan(t.credential.id)).resolves.toMatchObject({ strategy: 'regenerate', options: [{ kind: 'replace' }], resetInPlace: { recoverable: true } });
    await expect(t.engine().rotate(t.credential.id)).rejects.toMatchObject({ code: 'CONFLICT', providerCode: 'ConfirmationRequired', hint: `Type the access key ID (${t.user.accessKeyId}) to confirm.` });
    await expect(t.engine().rotate(t.credential.id, { confirmResetInPlace: 'AKIAWRONG' })).rejects.toMatchObject({ providerCode: 'ConfirmationRequired' });
    await expect(t.engine().rotate(t.credential.id, { oldKey: { kind: 'delete' }, confirmResetInPlace: t.user.accessKeyId })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expectResetKey(t, false);
    const result = await t.engine().rotate(t.credential.id, { confirmResetInPlace: t.user.accessKeyId });
    expect(result).toMatchObject({ oldKey: 'replaced', newAccessKeyId: t.user.accessKeyId });
    expect(await t.works(t.user.accessKeyId, t.user.secretAccessKey)).toBe(false);
    await expectResetKey(t, true);
  });

  const points: [RotationCheckpoint, 'rolled-back' | 'finished'][] = [
    ['started', 'rolled-back'],
    ['provider-answered', 'finished'],
    ['created', 'finished'],
    ['verified', 'finished'],
    ['switched', 'finished'],
    ['settled', 'finished'],
  ];
  it.each(points)('killed at %s: recovery ends %s with a working secret saved for both credentials', async (point, outcome) => {
    const t = await rotationFixture(rgw, RESET);
    const crashing = t.engine((at) => {
      if (at === point) throw new Crash(`killed at ${point}`);
    });
    await expect(crashing.rotate(t.credential.id, { confirmResetInPlace: t.user.accessKeyId })).rejects.toBeInstanceOf(Crash);
    await expect(t.engine().recoverRotations()).resolves.toMatchObject([{ outcome }]);
    await expectResetKey(t, outcome === 'finished');
  });

  const replacing: [RotationCheckpoint, 'rolled-back' | 'finished'][] = [
    ['started', 'rolled-back'],
    ['provider-answered', 'finished'],
    ['created', 'finished'],
  ];
  it.each(replacing)('where a reset replaces the key pair (new ID too), killed at %s: recovery ends %s with a working key saved', async (point, outcome) => {
    const t = await rotationFixture(rgw, { ...RESET, resetReplacesKey: true });
    t.faults.resetReplacesKey = true;
    await expect(t.engine().plan(t.credential.id)).resolves.toMatchObject({ resetInPlace: { recoverable: true, replacesKey: true } });
    await expect(t.engine().rotate(t.credential.id, { confirmResetInPlace: 'wrong' })).rejects.toMatchObject({ message: expect.stringContaining(`a new key replaces ${t.user.accessKeyId}, which stops working at once`) });
    const crashing = t.engine((at) => {
      if (at === point) throw new Crash(`killed at ${point}`);
    });
    await expect(crashing.rotate(t.credential.id, { confirmResetInPlace: t.user.accessKeyId })).rejects.toBeInstanceOf(Crash);
    await expect(t.engine().recoverRotations()).resolves.toMatchObject([{ outcome }]);
    const key = await t.expectOneWorkingKey(outcome === 'finished' ? 'new' : 'old');
    if (outcome === 'finished') expect(await t.works(t.user.accessKeyId, t.user.secretAccessKey)).toBe(false);
    expect(key).toBe(t.vault.get(t.twin.id).accessKeyId);
  });

  it('finds out when the provider reset the secret but its answer was lost, and finishes the rotation', async () => {
    const t = await rotationFixture(rgw, RESET);
    t.faults.regenerate = 'answer-lost';
    await expect(t.engine().rotate(t.credential.id, { confirmResetInPlace: t.user.accessKeyId })).resolves.toMatchObject({ oldKey: 'replaced' });
    await expectResetKey(t, true);
  });

  it('where the provider cannot show secrets again, says plainly that a secret reset just before a crash is lost', async () => {
    const t = await rotationFixture(rgw, { ...RESET, canShowSecretAgain: false });
    await expect(t.engine().plan(t.credential.id)).resolves.toMatchObject({ resetInPlace: { recoverable: false } });
    const crashing = t.engine((at) => {
      if (at === 'provider-answered') throw new Crash('killed');
    });
    await expect(crashing.rotate(t.credential.id, { confirmResetInPlace: t.user.accessKeyId })).rejects.toBeInstanceOf(Crash);
    const [recovered] = await t.engine().recoverRotations();
    expect(recovered).toMatchObject({ outcome: 'failed', error: { code: 'NOT_FOUND', message: expect.stringMatching(/new secret just before Keydesk stopped.*cannot show secrets again/) } });
    // Reported once: nothing more can be learnt, so the journal does not repeat it at every start.
    expect(await t.journals()).toEqual([]);
    await expect(t.engine().recoverRotations()).resolves.toEqual([]);
  });

  it('where it cannot show secrets again, an interrupted rotation that never reached the provider rolls back (the saved secret still works)', async () => {
    const t = await rotationFixture(rgw, { ...RESET, canShowSecretAgain: false });
    const crashing = t.engine((at) => {
      if (at === 'started') throw new Crash('killed');
    });
    await expect(crashing.rotate(t.credential.id, { confirmResetInPlace: t.user.accessKeyId })).rejects.toBeInstanceOf(Crash);
    await expect(t.engine().recoverRotations()).resolves.toMatchObject([{ outcome: 'rolled-back' }]);
    await expectResetKey(t, false);
  });

  it('a process SIGKILLed after RGW reset the secret but before the keychain write: the next start fetches the secret and saves it', async () => {
    const t = await rotationFixture(rgw);
    expect(await killChildAt('test/core/rotation/reset-in-place.child.ts', { ROTATION_HOME: t.home, ROTATION_CREDENTIAL: t.credential.id }, 'PROVIDER-ANSWERED')).toBe('SIGKILL');
    // At the instant of the kill: RGW holds a new secret that no keychain entry has.
    expect(await t.works(t.user.accessKeyId, t.user.secretAccessKey)).toBe(false);
    expect(await t.journals()).toHaveLength(1);
    expect((await t.keychain.list()).filter((name) => name.startsWith('rotation:'))).toEqual([]);

    const [recovered] = await t.engine().recoverRotations();
    expect(recovered).toMatchObject({ credentialId: t.credential.id, outcome: 'finished' });
    await expectResetKey(t, true);
  });
});
