import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { iamOnRgw } from '../../helpers/iam-on-rgw';
import { rotationFixture } from '../../helpers/rotation-fixture';
import { createRgwUser } from '../../helpers/rgw-users';
import { startFakeIam } from '../../servers/fake-iam';

const rgw = inject('rgw');
const DAY = 86_400_000;
const MANAGER = 'AKIAMANAGER000000000';

/**
 * AWS IAM's deactivate/delete paths and its last-use report (GetAccessKeyLastUsed), on the IAM stand-in
 * whose keys are real RGW keys: what IAM creates works on S3, what it deactivates or deletes is refused.
 */
describe.skipIf(!process.env.DBUS_SESSION_BUS_ADDRESS)('Rotation with AWS IAM (IAM stand-in backed by RGW)', () => {
  const owners = new Map<string, string>();
  let iam: Awaited<ReturnType<typeof startFakeIam>>;
  let next = 0;

  beforeAll(async () => {
    iam = await startFakeIam({ [MANAGER]: 'manager' }, ['manager'], iamOnRgw(rgw, (user) => owners.get(user)!));
  });
  afterAll(async () => {
    await iam?.stop();
  });

  /** A fresh IAM user whose one key (also an RGW key) is saved twice and rotated. */
  async function iamFixture() {
    const rgwUser = await createRgwUser(rgw, 'iam');
    const name = `user${next++}`;
    owners.set(name, rgwUser.uid);
    iam.addUser(name);
    iam.addKey(name, rgwUser.accessKeyId, rgwUser.secretAccessKey);
    const t = await rotationFixture(rgw, {}, {
      providerId: 'aws-iam',
      fields: { accessKeyId: MANAGER, secretAccessKey: 'manager-secret', endpoint: iam.endpoint, s3Endpoint: rgw.endpoint, region: rgw.region },
      key: rgwUser,
      owner: name,
    });
    const revocations = t.revocationService();
    await revocations.start();
    return { ...t, revocations, oldKey: rgwUser.accessKeyId, oldSecret: rgwUser.secretAccessKey, calls: (action: string) => iam.requests.filter((r) => r.action === action && r.params.AccessKeyId === rgwUser.accessKeyId) };
  }

  const at = (ms: number) => new Date(ms).toISOString();

  it('shows when the old key was last used in the preview, and offers grace, deactivate and delete', async () => {
    const t = await iamFixture();
    iam.markUsed(t.oldKey, at(t.clock.now() - 2 * DAY));
    await expect(t.engine().plan(t.credential.id)).resolves.toMatchObject({
      reportsLastUsed: true,
      oldKey: { accessKeyId: t.oldKey, lastUsedAt: at(t.clock.now() - 2 * DAY) },
      options: [{ kind: 'grace', then: ['delete', 'deactivate'] }, { kind: 'deactivate' }, { kind: 'delete' }],
    });
  });

  it('"Report leaked…" deactivates the key first (IAM can, so it can be restored) and shows its last use, with service and region, before and after', async () => {
    const t = await iamFixture();
    iam.markUsed(t.oldKey, at(t.clock.now() - DAY));
    const plan = await t.leak().plan({ credentialId: t.credential.id });
    expect(plan).toMatchObject({
      providerName: 'Amazon Web Services (IAM)',
      stops: [{ stop: 'deactivate' }, { stop: 'delete' }],
      defaultStop: 'deactivate',
      reportsLastUsed: true,
      lastUse: { at: at(t.clock.now() - DAY), service: 's3', region: 'us-east-1' },
    });
    const leak = t.leak(async (point) => {
      // Someone used the leaked key between the plan and the stop: the "after" report shows it.
      if (point === 'started') iam.markUsed(t.oldKey, at(t.clock.now() - 60_000));
    });
    const result = await leak.report({ credentialId: t.credential.id }, { stop: 'deactivate' });
    expect(t.calls('UpdateAccessKey').map((r) => r.params.Status)).toEqual(['Inactive']);
    expect(t.calls('DeleteAccessKey')).toHaveLength(0);
    expect(result).toMatchObject({
      stopped: 'deactivated',
      lastUseBefore: { at: at(t.clock.now() - DAY), service: 's3' },
      lastUseAfter: { at: at(t.clock.now() - 60_000), service: 's3', region: 'us-east-1' },
    });
    expect(result.log.join('\n')).toMatch(/reports .* last used: .* \(s3 in us-east-1\)/);
    expect(await t.works(t.oldKey, t.oldSecret)).toBe(false);
    const saved = await t.vault.connection(t.twin.id);
    expect(saved.accessKeyId).toBe(result.newAccessKeyId);
    expect(await t.works(saved.accessKeyId, saved.secretAccessKey)).toBe(true);
    // Deactivated, not deleted: it is still there to investigate or switch on again.
    expect((await t.keysAtProvider()).sort()).toEqual([t.oldKey, result.newAccessKeyId].sort());
    expect(await t.journals()).toEqual([]);
  });

  it('"Report leaked…" refuses to deactivate when the user already holds two keys (a deactivated key still counts), and offers delete', async () => {
    const t = await iamFixture();
    await t.providerSession.createKey({ owner: t.user.uid });
    const plan = await t.leak().plan({ credentialId: t.credential.id });
    expect(plan.stops).toEqual([{ stop: 'deactivate', refused: expect.stringContaining('a deactivated key still counts') }, { stop: 'delete' }]);
    expect(plan.defaultStop).toBe('delete');
    await expect(t.leak().report({ credentialId: t.credential.id }, { stop: 'deactivate' })).rejects.toMatchObject({ code: 'LIMIT_REACHED' });
    expect(t.calls('UpdateAccessKey')).toHaveLength(0);
    await expect(t.leak().report({ credentialId: t.credential.id }, { stop: 'delete', confirm: true })).resolves.toMatchObject({ stopped: 'deleted' });
    expect(await t.works(t.oldKey, t.oldSecret)).toBe(false);
  });

  it('revokes an old key not used since the switch when its grace period ends, asking IAM first', async () => {
    const t = await iamFixture();
    iam.markUsed(t.oldKey, at(t.clock.now() - DAY));
    const result = await t.engine().rotate(t.credential.id);
    expect(await t.works(t.oldKey, t.oldSecret)).toBe(true);
    await t.revocations.idle();
    t.clock.advance(7 * DAY + 1000);
    await t.revocations.idle();
    expect(t.calls('GetAccessKeyLastUsed').length).toBeGreaterThan(0);
    expect(t.calls('DeleteAccessKey')).toHaveLength(1);
    expect(await t.works(t.oldKey, t.oldSecret)).toBe(false);
    expect(await t.keysAtProvider()).toEqual([result.newAccessKeyId]);
    expect(t.notices.map((n) => n.kind)).toEqual(['revoked']);
  });

  it('leaves an old key used after the switch alone when it falls due, flags and notifies; "Revoke now" refuses until overridden', async () => {
    const t = await iamFixture();
    const result = await t.engine().rotate(t.credential.id);
    const id = result.pending!.id;
    // Something outside Keydesk (a server, a backup job) still signs with the old key an hour later.
    iam.markUsed(t.oldKey, at(t.clock.now() + 3_600_000));
    await t.revocations.idle();
    t.clock.advance(7 * DAY + 1000);
    await t.revocations.idle();
    expect(t.calls('DeleteAccessKey')).toHaveLength(0);
    expect(await t.works(t.oldKey, t.oldSecret)).toBe(true);
    expect(await t.revocations.list()).toMatchObject([{ id, usedAfterSwitch: { lastUsedAt: at(t.clock.now() - 7 * DAY - 1000 + 3_600_000) } }]);
    expect(t.notices).toMatchObject([{ kind: 'refused', title: 'Old key not revoked' }]);
    // Not retried behind the user's back.
    t.clock.advance(30 * DAY);
    await t.revocations.idle();
    expect(t.calls('DeleteAccessKey')).toHaveLength(0);
    await expect(t.revocations.lastUsed(id)).resolves.toMatchObject({ usedAfterSwitch: true });

    await expect(t.revocations.revokeNow(id)).rejects.toMatchObject({ code: 'CONFLICT', providerCode: 'UsedAfterSwitch', message: expect.stringContaining(`The old key ${t.oldKey} was used at`) });
    expect(await t.works(t.oldKey, t.oldSecret)).toBe(true);
    await expect(t.revocations.revokeNow(id, { force: true })).resolves.toMatchObject({ oldKey: 'deleted' });
    expect(await t.works(t.oldKey, t.oldSecret)).toBe(false);
    await t.expectOneWorkingKey('new');
  });

  it('"Extend" clears a refusal, and the check runs again at the new date', async () => {
    const t = await iamFixture();
    const { pending } = await t.engine().rotate(t.credential.id);
    iam.markUsed(t.oldKey, at(t.clock.now() + 60_000));
    await t.revocations.idle();
    t.clock.advance(8 * DAY);
    await t.revocations.idle();
    expect(await t.revocations.get(pending!.id)).toMatchObject({ usedAfterSwitch: expect.any(Object) });
    const extended = await t.revocations.extend(pending!.id, 2);
    expect(extended.usedAfterSwitch).toBeUndefined();
    t.clock.advance(2 * DAY + 1000);
    await t.revocations.idle();
    // Still used after the switch: refused again, key still there.
    expect(await t.revocations.get(pending!.id)).toMatchObject({ usedAfterSwitch: expect.any(Object) });
    expect(t.notices.map((n) => n.kind)).toEqual(['refused', 'refused']);
    expect(await t.works(t.oldKey, t.oldSecret)).toBe(true);
  });

  it('"delete now" is refused for a key used after the switch: the rotation still succeeds, the old key stays pending', async () => {
    const t = await iamFixture();
    iam.markUsed(t.oldKey, at(t.clock.now() + DAY));
    const result = await t.engine().rotate(t.credential.id, { oldKey: { kind: 'delete' } });
    expect(result).toMatchObject({ oldKey: 'kept', notRevoked: { providerCode: 'UsedAfterSwitch' }, pending: { usedAfterSwitch: expect.any(Object) } });
    expect(await t.works(t.oldKey, t.oldSecret)).toBe(true);
    const saved = await t.vault.connection(t.credential.id);
    expect(await t.works(saved.accessKeyId, saved.secretAccessKey)).toBe(true);
  });

  it('grace then deactivate: IAM switches the key off when due (S3 refuses it), and "Restore old key" switches it on again and back', async () => {
    const t = await iamFixture();
    const result = await t.engine().rotate(t.credential.id, { oldKey: { kind: 'grace', days: 3, then: 'deactivate' } });
    await t.revocations.idle();
    t.clock.advance(3 * DAY + 1000);
    await t.revocations.idle();
    expect(t.calls('UpdateAccessKey').map((r) => r.params.Status)).toEqual(['Inactive']);
    expect(await t.works(t.oldKey, t.oldSecret)).toBe(false);
    const [entry] = await t.revocations.list();
    expect(entry).toMatchObject({ state: 'deactivated', then: 'deactivate', revokeAction: 'delete' });
    expect(Date.parse(entry.dueAt) - t.clock.now()).toBe(3 * DAY);
    expect(t.notices.map((n) => n.kind)).toEqual(['deactivated']);

    await t.revocations.restore(entry.id);
    expect(t.calls('UpdateAccessKey').map((r) => r.params.Status)).toEqual(['Inactive', 'Active']);
    const restored = await t.vault.connection(t.twin.id);
    expect(restored.accessKeyId).toBe(t.oldKey);
    expect(await t.works(restored.accessKeyId, restored.secretAccessKey)).toBe(true);
    // The new key now waits its turn (its secret kept for restoring again); revoking it leaves the original key alone.
    const newSecret = (await t.keychain.get(`rotation-old:${entry.id}:${result.newAccessKeyId}`))!;
    expect(await t.works(result.newAccessKeyId, newSecret)).toBe(true);
    await t.revocations.revokeNow(entry.id);
    expect(await t.keysAtProvider()).toEqual([t.oldKey]);
    expect(await t.works(result.newAccessKeyId, newSecret)).toBe(false);
    await t.expectOneWorkingKey('old');
  });

  it('"deactivate now": off at once (undoable), deleted when the period ends', async () => {
    const t = await iamFixture();
    const result = await t.engine().rotate(t.credential.id, { oldKey: { kind: 'deactivate', days: 7 } });
    expect(result).toMatchObject({ oldKey: 'deactivated', pending: { state: 'deactivated', then: 'delete' } });
    expect(await t.works(t.oldKey, t.oldSecret)).toBe(false);
    expect(await t.keysAtProvider()).toHaveLength(2);
    await t.revocations.idle();
    t.clock.advance(7 * DAY + 1000);
    await t.revocations.idle();
    expect(t.calls('DeleteAccessKey')).toHaveLength(1);
    await t.expectOneWorkingKey('new');
  });
});
