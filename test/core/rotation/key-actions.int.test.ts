import { describe, expect, inject, it } from 'vitest';
import type { RotationCheckpoint } from '../../../src-main/core/rotation/engine';
import { recoveryNotice } from '../../../src-main/core/rotation/recovery';
import { killChildAt } from '../../helpers/kill-child';
import { Crash, rotationFixture } from '../../helpers/rotation-fixture';

const rgw = inject('rgw');
type Fixture = Awaited<ReturnType<typeof rotationFixture>>;
type Outcome = 'rolled-back' | 'finished';

const crashAt = (point: RotationCheckpoint) => (at: RotationCheckpoint) => {
  if (at === point) throw new Crash(`killed at ${point}`);
};

/** Both saved credentials on the user's key with one secret that works on S3, the key alone at RGW, and nothing left over. */
async function expectHoldersWork(t: Fixture, changed: boolean) {
  const [a, b] = [await t.vault.connection(t.credential.id), await t.vault.connection(t.twin.id)];
  expect([a.accessKeyId, b.accessKeyId]).toEqual([t.user.accessKeyId, t.user.accessKeyId]);
  expect(b.secretAccessKey).toBe(a.secretAccessKey);
  expect(a.secretAccessKey === t.user.secretAccessKey).toBe(!changed);
  expect(await t.works(a.accessKeyId, a.secretAccessKey)).toBe(true);
  expect(await t.works(t.user.accessKeyId, t.user.secretAccessKey)).toBe(!changed);
  await expectNothingLeft(t);
}

/** No journal, staged secret or pending revocation left: the next start has nothing to do. */
async function expectNothingLeft(t: Fixture) {
  expect(await t.journals()).toEqual([]);
  expect(await t.pendingFiles()).toEqual([]);
  expect((await t.keychain.list()).filter((name) => name.startsWith('rotation'))).toEqual([]);
  await expect(t.engine().recoverRotations()).resolves.toEqual([]);
}

/** A second key of the user that no saved credential holds (made at RGW directly). */
async function unsavedKey(t: Fixture) {
  const key = await t.providerSession.createKey({ owner: t.user.uid });
  return { ...key, ...(await t.providerSession.listKeys({ owner: t.user.uid })).find((k) => k.accessKeyId === key.accessKeyId) };
}

describe.skipIf(!process.env.DBUS_SESSION_BUS_ADDRESS)('The keys screen’s regenerate and create against a real RGW and keyring: a crash at any instant leaves a working key', () => {
  it('regenerates a saved key: both credentials holding it get the new secret, which works on S3; the old one stops', async () => {
    const t = await rotationFixture(rgw);
    const result = await t.keysScreen()['keys:regenerate']({ accountId: t.account.id, owner: t.user.uid, keyId: t.user.accessKeyId });
    expect(result.savedCredentials.map((c) => c.id).sort()).toEqual([t.credential.id, t.twin.id].sort());
    expect(result.key.secretAccessKey).toBe((await t.vault.connection(t.credential.id)).secretAccessKey);
    await expectHoldersWork(t, true);
  });

  const regenerate: [RotationCheckpoint, Outcome][] = [
    ['started', 'rolled-back'],
    ['provider-answered', 'finished'],
    ['created', 'finished'],
    ['switched', 'finished'],
  ];
  it.each(regenerate)('regenerate of a saved key killed at %s: the next start ends %s, both credentials on a secret that works on S3', async (point, outcome) => {
    const t = await rotationFixture(rgw);
    await expect(t.keysScreen(crashAt(point))['keys:regenerate']({ accountId: t.account.id, owner: t.user.uid, keyId: t.user.accessKeyId })).rejects.toBeInstanceOf(Crash);
    await expect(t.engine().recoverRotations()).resolves.toMatchObject([{ outcome, keyAction: 'regenerate' }]);
    await expectHoldersWork(t, outcome === 'finished');
  });

  it.each(regenerate)('regenerate of a key nobody saved killed at %s: its secret, never shown, is saved as a new credential that works on S3', async (point) => {
    const t = await rotationFixture(rgw);
    const key = await unsavedKey(t);
    await expect(t.keysScreen(crashAt(point))['keys:regenerate']({ accountId: t.account.id, owner: t.user.uid, keyId: key.id })).rejects.toBeInstanceOf(Crash);
    const [result] = await t.engine().recoverRotations();
    // Killed before RGW was asked, nothing can tell that from a reset whose answer was lost: RGW shows the secret, so it is saved too.
    expect(result).toMatchObject({ outcome: 'finished', keyAction: 'regenerate', savedAs: { label: `rgw: ${t.user.uid} (regenerated when Keydesk stopped)` } });
    expect(recoveryNotice(result)).toMatchObject({ kind: 'recovered', body: expect.stringContaining(result.savedAs!.label) });
    const saved = await t.vault.connection(result.savedAs!.id);
    expect(saved).toMatchObject({ accessKeyId: key.accessKeyId, accountId: t.account.id, owner: t.user.uid });
    expect(await t.works(saved.accessKeyId, saved.secretAccessKey)).toBe(true);
    expect(await t.works(key.accessKeyId, key.secretAccessKey)).toBe(point === 'started');
    await expectHoldersWork(t, false);
  });

  it('a rotation of the key asked for before any restart first finishes the interrupted regenerate, then still rotates', async () => {
    const t = await rotationFixture(rgw);
    await expect(t.keysScreen(crashAt('created'))['keys:regenerate']({ accountId: t.account.id, owner: t.user.uid, keyId: t.user.accessKeyId })).rejects.toBeInstanceOf(Crash);
    const rotated = await t.engine().rotate(t.credential.id, { oldKey: { kind: 'delete' } });
    expect(rotated).toMatchObject({ oldAccessKeyId: t.user.accessKeyId, oldKey: 'deleted' });
    expect(rotated.newAccessKeyId).not.toBe(t.user.accessKeyId);
    expect(await t.expectOneWorkingKey('new')).toBe(rotated.newAccessKeyId);
  });

  it('where the provider cannot show secrets again, says plainly that the secret reset just before the crash is lost, once', async () => {
    const t = await rotationFixture(rgw, { canShowSecretAgain: false });
    await expect(t.keysScreen(crashAt('provider-answered'))['keys:regenerate']({ accountId: t.account.id, owner: t.user.uid, keyId: t.user.accessKeyId })).rejects.toBeInstanceOf(Crash);
    const [result] = await t.engine().recoverRotations();
    expect(result).toMatchObject({ outcome: 'failed', error: { code: 'NOT_FOUND', message: expect.stringMatching(/new secret just before Keydesk stopped.*cannot show secrets again/) } });
    expect(recoveryNotice(result)).toMatchObject({ kind: 'failed', title: 'Regenerating a key did not finish', body: expect.stringContaining('Reset the key again') });
    await expectNothingLeft(t);
  });

  it('where it cannot show secrets again, a regenerate killed before RGW was asked rolls back: the saved secret still works', async () => {
    const t = await rotationFixture(rgw, { canShowSecretAgain: false });
    await expect(t.keysScreen(crashAt('started'))['keys:regenerate']({ accountId: t.account.id, owner: t.user.uid, keyId: t.user.accessKeyId })).rejects.toBeInstanceOf(Crash);
    await expect(t.engine().recoverRotations()).resolves.toMatchObject([{ outcome: 'rolled-back' }]);
    await expectHoldersWork(t, false);
  });

  const create: [RotationCheckpoint, Outcome][] = [
    ['started', 'rolled-back'],
    ['provider-answered', 'rolled-back'],
    ['created', 'finished'],
    ['switched', 'finished'],
  ];
  it.each(create)('create with "save in keychain" killed at %s: the next start ends %s, the key saved and working or gone from RGW', async (point, outcome) => {
    const t = await rotationFixture(rgw);
    await expect(t.keysScreen(crashAt(point))['keys:create']({ accountId: t.account.id, owner: t.user.uid, description: 'backups', saveInKeychain: true })).rejects.toBeInstanceOf(Crash);
    await expect(t.engine().recoverRotations()).resolves.toMatchObject([{ outcome, keyAction: 'create' }]);
    const added = t.vault.list().filter((c) => c.id !== t.credential.id && c.id !== t.twin.id);
    if (outcome === 'finished') {
      expect(added).toMatchObject([{ label: 'rgw: backups', accountId: t.account.id, owner: t.user.uid }]);
      const saved = await t.vault.connection(added[0].id);
      expect(await t.works(saved.accessKeyId, saved.secretAccessKey)).toBe(true);
      expect(await t.keysAtProvider()).toEqual([t.user.accessKeyId, saved.accessKeyId].sort());
    } else {
      expect(added).toEqual([]);
      expect(await t.keysAtProvider()).toEqual([t.user.accessKeyId]);
    }
    await expectHoldersWork(t, false);
  });

  it('a process SIGKILLed after RGW reset a saved key’s secret but before the keychain write: the next start saves the new secret for both credentials', async () => {
    const t = await rotationFixture(rgw);
    const env = { KEYS_HOME: t.home, KEYS_ACCOUNT: t.account.id, KEYS_OWNER: t.user.uid!, KEYS_ACTION: 'regenerate', KEYS_KEY: t.user.accessKeyId };
    expect(await killChildAt('test/core/rotation/key-actions.child.ts', env, 'PROVIDER-ANSWERED')).toBe('SIGKILL');
    // At the instant of the kill: RGW holds a secret no keychain entry has, and every saved credential a dead one.
    expect(await t.works(t.user.accessKeyId, t.user.secretAccessKey)).toBe(false);
    expect(await t.journals()).toHaveLength(1);
    expect((await t.keychain.list()).filter((name) => name.startsWith('rotation'))).toEqual([]);
    await expect(t.engine().recoverRotations()).resolves.toMatchObject([{ outcome: 'finished', keyAction: 'regenerate' }]);
    await expectHoldersWork(t, true);
  });

  it('a process SIGKILLed after RGW created a key but before the keychain write: the next start removes the key nobody has the secret of', async () => {
    const t = await rotationFixture(rgw);
    const env = { KEYS_HOME: t.home, KEYS_ACCOUNT: t.account.id, KEYS_OWNER: t.user.uid!, KEYS_ACTION: 'create' };
    expect(await killChildAt('test/core/rotation/key-actions.child.ts', env, 'PROVIDER-ANSWERED')).toBe('SIGKILL');
    expect(await t.keysAtProvider()).toHaveLength(2);
    await expect(t.engine().recoverRotations()).resolves.toMatchObject([{ outcome: 'rolled-back', keyAction: 'create' }]);
    expect(await t.keysAtProvider()).toEqual([t.user.accessKeyId]);
    await expectHoldersWork(t, false);
  });
});
