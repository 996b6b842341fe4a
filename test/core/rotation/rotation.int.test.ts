import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import type { RotationCheckpoint } from '../../../src-main/core/rotation/engine';
import type { OldKeyChoice } from '../../../src-main/core/rotation/plan';
import { Crash, rotationFixture } from '../../helpers/rotation-fixture';

const rgw = inject('rgw');
const DAY = 86_400_000;
const DELETE_NOW: OldKeyChoice = { kind: 'delete' };
const GRACE: OldKeyChoice = { kind: 'grace', days: 7, then: 'delete' };

describe.skipIf(!process.env.DBUS_SESSION_BUS_ADDRESS)('RotationEngine against a real RGW and keychain', () => {
  it('previews the rotation: both credentials switch, the old key can have a grace period (default) or be deleted now', async () => {
    const t = await rotationFixture(rgw);
    const plan = await t.engine().plan(t.credential.id);
    expect(plan).toMatchObject({
      providerName: 'Ceph RGW',
      strategy: 'two-slot',
      oldKey: { accessKeyId: t.user.accessKeyId },
      reportsLastUsed: false,
      switches: [
        { id: t.credential.id, label: 'main' },
        { id: t.twin.id, label: 'twin' },
      ],
      options: [{ kind: 'grace', then: ['delete'] }, { kind: 'delete' }],
      defaultChoice: GRACE,
    });
    expect(plan.blocked).toBeUndefined();
    // Nothing happened.
    expect(await t.keysAtProvider()).toEqual([t.user.accessKeyId]);
  });

  it('rotates with "delete now": new key created, verified, saved for every credential using the old key, old key deleted', async () => {
    const t = await rotationFixture(rgw);
    const result = await t.engine().rotate(t.credential.id, { oldKey: DELETE_NOW });
    expect(result).toMatchObject({ oldAccessKeyId: t.user.accessKeyId, oldKey: 'deleted', switched: [t.credential.id, t.twin.id] });
    expect(result.pending).toBeUndefined();
    const newKey = await t.expectOneWorkingKey('new');
    expect(result.newAccessKeyId).toBe(newKey);
    expect(t.vault.get(t.credential.id).rotatedAt).toBeDefined();
    expect(t.progress.map((p) => p.step)).toEqual(['create', 'verify', 'switch', 'revoke', 'done']);
    // The health column refreshes on credentials:changed with the switched IDs.
    expect(t.credentialsChanged).toContainEqual([t.credential.id, t.twin.id]);
  });

  it('keeps the old key working by default: both keys work on S3, the old secret waits in the keychain, nothing secret on disk', async () => {
    const t = await rotationFixture(rgw);
    const result = await t.engine().rotate(t.credential.id);
    expect(result).toMatchObject({ oldKey: 'kept', pending: { state: 'active', then: 'delete', days: 7 } });
    const pending = result.pending!;
    expect(Date.parse(pending.dueAt) - Date.parse(pending.switchedAt)).toBe(7 * DAY);
    expect(await t.keysAtProvider()).toEqual([t.user.accessKeyId, result.newAccessKeyId].sort());
    expect(await t.works(t.user.accessKeyId, t.user.secretAccessKey)).toBe(true);
    const saved = await t.vault.connection(t.twin.id);
    expect(saved.accessKeyId).toBe(result.newAccessKeyId);
    expect(await t.works(saved.accessKeyId, saved.secretAccessKey)).toBe(true);
    expect(await t.keychain.get(`rotation-old:${pending.id}:${t.user.accessKeyId}`)).toBe(t.user.secretAccessKey);
    expect(await t.journals()).toEqual([]);
    const file = await readFile(join(t.stateDir, 'revocations', `${pending.id}.json`), 'utf8');
    for (const secret of [t.user.secretAccessKey, saved.secretAccessKey]) expect(file).not.toContain(secret);
    expect(JSON.parse(file)).toMatchObject({ retiring: { accessKeyId: t.user.accessKeyId }, keeping: { accessKeyId: result.newAccessKeyId } });
  });

  it('refuses to rotate again while the previous old key waits, and says so in the preview', async () => {
    const t = await rotationFixture(rgw);
    await t.engine().rotate(t.credential.id);
    const before = await t.keysAtProvider();
    await expect(t.engine().rotate(t.credential.id)).rejects.toMatchObject({ code: 'CONFLICT', providerCode: 'RevocationPending' });
    await expect(t.engine().plan(t.twin.id)).resolves.toMatchObject({ blocked: { providerCode: 'RevocationPending' } });
    expect(await t.keysAtProvider()).toEqual(before);
  });

  it('rolls back when creating the key fails', async () => {
    const t = await rotationFixture(rgw);
    t.faults.create = 'fail';
    await expect(t.engine().rotate(t.credential.id)).rejects.toThrow(/injected create failure/);
    await t.expectOneWorkingKey('old');
  });

  it('removes the new key when it never verifies, and keeps the old one', async () => {
    const t = await rotationFixture(rgw);
    t.faults.create = 'bad-secret';
    await expect(t.engine().rotate(t.credential.id)).rejects.toMatchObject({ code: 'SIGNATURE_MISMATCH', message: expect.stringMatching(/did not work on S3 within 2 s.*removed again/) });
    await t.expectOneWorkingKey('old');
    expect(t.progress.map((p) => p.step)).toContain('rollback');
  });

  it('removes the new key when the keychain refuses to stage it', async () => {
    const t = await rotationFixture(rgw);
    t.faults.secretSet = (name) => name.startsWith('rotation:');
    await expect(t.engine().rotate(t.credential.id)).rejects.toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE' });
    await t.expectOneWorkingKey('old');
  });

  it('puts switched credentials back and removes the new key when the keychain fails half-way through the switch', async () => {
    const t = await rotationFixture(rgw);
    t.faults.secretSet = (name) => name === `credential:${t.twin.id}`;
    await expect(t.engine().rotate(t.credential.id)).rejects.toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE' });
    await t.expectOneWorkingKey('old');
    expect(t.vault.get(t.credential.id).rotatedAt).toBeUndefined();
  });

  it('keeps the old key pending when "delete now" fails at the provider, and the scheduler retries until it is gone', async () => {
    const t = await rotationFixture(rgw);
    const revocations = t.revocationService();
    await revocations.start();
    t.faults.deleteKey = true;
    const result = await t.engine().rotate(t.credential.id, { oldKey: DELETE_NOW });
    expect(result).toMatchObject({ oldKey: 'kept', notRevoked: { message: expect.stringMatching(/new key is saved and works, but the old key .* could not be revoked yet: .*injected delete failure/) } });
    expect(result.pending).toMatchObject({ failures: 1, lastError: { message: expect.stringContaining('injected delete failure') } });
    expect(await t.keysAtProvider()).toHaveLength(2);
    await revocations.idle();
    t.clock.advance(14 * 60_000);
    await revocations.idle();
    expect(await t.keysAtProvider()).toHaveLength(2);
    t.clock.advance(2 * 60_000);
    await revocations.idle();
    expect(await t.expectOneWorkingKey('new')).toBe(result.newAccessKeyId);
    expect(t.notices.map((n) => n.kind)).toEqual(['revoked']);
  });

  const checkpoints: RotationCheckpoint[] = ['started', 'provider-answered', 'created', 'verified', 'switched', 'settled'];
  const outcomeAt = (point: RotationCheckpoint) => (['started', 'provider-answered', 'created'].includes(point) ? 'rolled-back' : 'finished');

  it.each(checkpoints)('"delete now" killed at %s: recovery leaves exactly one working key, saved for both credentials', async (point) => {
    const t = await rotationFixture(rgw);
    const crashing = t.engine((at) => {
      if (at === point) throw new Crash(`killed at ${point}`);
    });
    await expect(crashing.rotate(t.credential.id, { oldKey: DELETE_NOW })).rejects.toBeInstanceOf(Crash);
    // The journal names keys only; the new secret waits in the keychain (from 'created' on).
    const [file] = await t.journals();
    const journal = await readFile(join(t.stateDir, 'rotations', file), 'utf8');
    const staged = await t.keychain.get(`rotation:${file.replace(/\.json$/, '')}`);
    if (!['started', 'provider-answered'].includes(point)) expect(JSON.parse(staged!).secretAccessKey).toMatch(/\S{20,}/);
    for (const secret of [t.user.secretAccessKey, staged && JSON.parse(staged).secretAccessKey].filter(Boolean)) expect(journal).not.toContain(secret);
    await expect(t.engine().recoverRotations()).resolves.toMatchObject([{ credentialId: t.credential.id, outcome: outcomeAt(point) }]);
    await t.expectOneWorkingKey(outcomeAt(point) === 'finished' ? 'new' : 'old');
  });

  it.each(checkpoints)('grace period killed at %s: after recovery the old key still works until it is due', async (point) => {
    const t = await rotationFixture(rgw);
    await expect(
      t
        .engine((at) => {
          if (at === point) throw new Crash(`killed at ${point}`);
        })
        .rotate(t.credential.id, { oldKey: GRACE }),
    ).rejects.toBeInstanceOf(Crash);
    const [recovered] = await t.engine().recoverRotations();
    expect(recovered).toMatchObject({ outcome: outcomeAt(point) });
    if (recovered.outcome === 'rolled-back') {
      await t.expectOneWorkingKey('old');
      return;
    }
    expect(recovered.settled).toMatchObject({ oldKey: 'kept', pending: { state: 'active' } });
    expect(await t.journals()).toEqual([]);
    expect(await t.works(t.user.accessKeyId, t.user.secretAccessKey)).toBe(true);
    const revocations = t.revocationService();
    await revocations.start();
    t.clock.advance(8 * DAY);
    await revocations.idle();
    await t.expectOneWorkingKey('new');
  });

  it('settles an unfinished rotation of the same key before rotating it again', async () => {
    const t = await rotationFixture(rgw);
    await expect(
      t
        .engine((at) => {
          if (at === 'switched') throw new Crash('killed');
        })
        .rotate(t.credential.id, { oldKey: DELETE_NOW }),
    ).rejects.toBeInstanceOf(Crash);
    const result = await t.engine().rotate(t.credential.id, { oldKey: DELETE_NOW });
    expect(result.newAccessKeyId).toBe(await t.expectOneWorkingKey('new'));
  });

  it('cancels while waiting for the new key to work, and rolls back', async () => {
    const t = await rotationFixture(rgw);
    t.faults.create = 'bad-secret';
    const engine = t.engine(undefined, 60_000);
    const running = engine.rotate(t.credential.id);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(engine.cancel(t.credential.id)).toBe(true);
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
    await t.expectOneWorkingKey('old');
  });

  it('explains, and changes nothing, when the key limit leaves no room for a second key', async () => {
    const t = await rotationFixture(rgw, { rotation: 'create-then-delete', maxKeysPerOwner: 1, limitScope: 'project' });
    await expect(t.engine().plan(t.credential.id)).resolves.toMatchObject({ blocked: { code: 'LIMIT_REACHED' } });
    await expect(t.engine().rotate(t.credential.id)).rejects.toMatchObject({
      code: 'LIMIT_REACHED',
      message: expect.stringMatching(/1 key per project.*never left without a working key/),
    });
    await t.expectOneWorkingKey('old');
  });

  it('refuses choices the provider cannot carry out, providers without rotation, and keys without an account', async () => {
    const t = await rotationFixture(rgw);
    await expect(t.engine().rotate(t.credential.id, { oldKey: { kind: 'deactivate', days: 7 } })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const none = await rotationFixture(rgw, { rotation: 'none' });
    await expect(none.engine().rotate(none.credential.id)).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    const manual = await t.vault.save({ label: 'manual', endpoint: rgw.endpoint, region: rgw.region, accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'not-used' });
    await expect(t.engine().rotate(manual.id)).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringContaining('not linked to a provider account') });
    await t.vault.remove(manual.id);
    await t.expectOneWorkingKey('old');
  });

  it('finishes journals written by the previous Keydesk (no old-key choice: revoked at once, as it did)', async () => {
    const t = await rotationFixture(rgw);
    await expect(
      t
        .engine((at) => {
          if (at === 'verified') throw new Crash('killed');
        })
        .rotate(t.credential.id, { oldKey: GRACE }),
    ).rejects.toBeInstanceOf(Crash);
    const [file] = await t.journals();
    const path = join(t.stateDir, 'rotations', file);
    const { oldKey: _choice, previousRotatedAt: _previous, label: _label, ...legacy } = JSON.parse(await readFile(path, 'utf8'));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path, JSON.stringify(legacy));
    await expect(t.engine().recoverRotations()).resolves.toMatchObject([{ outcome: 'finished', settled: { oldKey: 'deleted' } }]);
    await t.expectOneWorkingKey('new');
    expect(await readdir(join(t.stateDir, 'rotations'))).toEqual([]);
  });
});
