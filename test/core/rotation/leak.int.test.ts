import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import type { RotationCheckpoint } from '../../../src-main/core/rotation/engine';
import { killChildAt } from '../../helpers/kill-child';
import { Crash, rotationFixture } from '../../helpers/rotation-fixture';

const rgw = inject('rgw');
const root = resolve(import.meta.dirname, '../../..');
const run = promisify(execFile);

/** Both credentials on one new key that works, the leaked key gone at RGW, no journal, no staged secret. */
async function expectReplaced(t: Awaited<ReturnType<typeof rotationFixture>>): Promise<string> {
  const newKey = await t.expectOneWorkingKey('new');
  expect(await t.works(t.user.accessKeyId, t.user.secretAccessKey)).toBe(false);
  return newKey;
}

describe.skipIf(!process.env.DBUS_SESSION_BUS_ADDRESS)('"Report leaked…" against a real RGW and keychain', () => {
  it('plans from capabilities: RGW cannot deactivate, so the stop is a delete, and suspending the user is offered', async () => {
    const t = await rotationFixture(rgw);
    const plan = await t.leak().plan({ credentialId: t.credential.id });
    expect(plan).toMatchObject({
      accessKeyId: t.user.accessKeyId,
      providerName: 'Ceph RGW',
      owner: t.user.uid,
      stops: [{ stop: 'delete' }, { stop: 'suspend-owner' }],
      defaultStop: 'delete',
      switches: [
        { id: t.credential.id, label: 'main' },
        { id: t.twin.id, label: 'twin' },
      ],
      reportsLastUsed: false,
    });
    expect(plan.manual).toBeUndefined();
    // The same plan from the key's row on the keys screen.
    await expect(t.leak().plan({ accountId: t.account.id, keyId: t.user.accessKeyId, owner: t.user.uid })).resolves.toMatchObject({ accessKeyId: t.user.accessKeyId, switches: plan.switches });
    expect(await t.keysAtProvider()).toEqual([t.user.accessKeyId]);
  });

  it('refuses to delete without confirmation, and changes nothing', async () => {
    const t = await rotationFixture(rgw);
    await expect(t.leak().report({ credentialId: t.credential.id }, { stop: 'delete' })).rejects.toMatchObject({ code: 'CONFLICT', providerCode: 'ConfirmationRequired' });
    await expect(t.leak().report({ credentialId: t.credential.id }, { stop: 'deactivate' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: 'Ceph RGW cannot deactivate this key.' });
    await t.expectOneWorkingKey('old');
  });

  it('deletes the leaked key first, then creates, verifies and switches both credentials; the log names keys, never a secret', async () => {
    const t = await rotationFixture(rgw);
    const steps: string[] = [];
    let oldKeyWorksAtCreate: boolean | undefined;
    const leak = t.leak(async (point) => {
      steps.push(point);
      if (point === 'provider-answered') oldKeyWorksAtCreate = await t.works(t.user.accessKeyId, t.user.secretAccessKey);
    });
    const result = await leak.report({ credentialId: t.credential.id }, { stop: 'delete', confirm: true });
    // Stopped before the replacement was asked for: no grace period.
    expect(oldKeyWorksAtCreate).toBe(false);
    expect(steps).toEqual(['started', 'stopped', 'provider-answered', 'created', 'verified', 'switched', 'settled']);
    const newKey = await expectReplaced(t);
    expect(result).toMatchObject({ accessKeyId: t.user.accessKeyId, stopped: 'deleted', newAccessKeyId: newKey, switched: [{ label: 'main' }, { label: 'twin' }], notSwitched: [], revokedPending: [] });
    expect(result.unverified).toBeUndefined();
    expect(t.leakProgress.map((p) => p.step)).toEqual(expect.arrayContaining(['stop', 'create', 'verify', 'switch', 'revoke-pending', 'done']));
    const newSecret = (await t.vault.connection(t.credential.id)).secretAccessKey;
    const log = [...result.log, ...t.leakProgress.map((p) => p.line)].join('\n');
    expect(log).toContain(`Deleting ${t.user.accessKeyId}`);
    expect(log).toContain('Switched “twin” (and its credential_process profile)');
    for (const secret of [t.user.secretAccessKey, newSecret]) expect(log).not.toContain(secret);
    expect(t.credentialsChanged.flat()).toEqual(expect.arrayContaining([t.credential.id, t.twin.id]));
  });

  it("names the stop in the provider's own word where deleting a key is called revoking it (GleSYS)", async () => {
    const t = await rotationFixture(rgw, { deleteVerb: 'Revoke' });
    const result = await t.leak().report({ credentialId: t.credential.id }, { stop: 'delete', confirm: true });
    const log = [...result.log, ...t.leakProgress.map((p) => p.line)].join('\n');
    expect(log).toContain(`Revoking ${t.user.accessKeyId}…`);
    expect(log).toContain(`${t.user.accessKeyId} is revoked.`);
    expect(log).not.toMatch(/Deleting|is deleted/);
    await expectReplaced(t);
  });

  it('switches credential_process profiles for real: the AWS CLI lists buckets through Keydesk with the replacement', async () => {
    const t = await rotationFixture(rgw);
    const home = join(t.home, 'user-home');
    await mkdir(join(home, '.aws'), { recursive: true });
    // The CLI as `keydesk credential-process` runs it, from source through Vite's module runner.
    const keydesk = join(t.home, 'keydesk');
    const runner = `const { runnerImport } = await import('vite'); await runnerImport(${JSON.stringify(join(root, 'src-main/cli/main.ts'))}, { configFile: false, root: ${JSON.stringify(root)}, logLevel: 'error' });`;
    await writeFile(keydesk, `#!/bin/sh\ncd ${JSON.stringify(root)} && exec ${JSON.stringify(process.execPath)} --input-type=module -e ${JSON.stringify(runner)} -- keydesk "$@"\n`);
    await chmod(keydesk, 0o755);
    await writeFile(join(home, '.aws', 'config'), `[profile main]\ncredential_process = ${keydesk} credential-process --profile main\nregion = ${rgw.region}\n`);
    const env = { ...process.env, HOME: home, KEYDESK_HOME: t.home, AWS_CONFIG_FILE: join(home, '.aws', 'config'), AWS_SHARED_CREDENTIALS_FILE: join(home, '.aws', 'credentials') };
    const answer = async () => JSON.parse((await run(keydesk, ['credential-process', '--profile', 'main'], { env })).stdout) as { AccessKeyId: string };
    const listBuckets = () => run('aws', ['s3api', 'list-buckets', '--profile', 'main', '--endpoint-url', rgw.endpoint], { env, timeout: 60_000 });
    expect((await answer()).AccessKeyId).toBe(t.user.accessKeyId);
    await listBuckets();

    const result = await t.leak().report({ credentialId: t.credential.id }, { stop: 'delete', confirm: true });
    expect((await answer()).AccessKeyId).toBe(result.newAccessKeyId);
    await expect(listBuckets()).resolves.toMatchObject({ stdout: expect.stringContaining('Buckets') });
  }, 120_000);

  it('suspending the user instead stops every key of that user and makes no replacement; resuming brings it back', async () => {
    const t = await rotationFixture(rgw);
    const result = await t.leak().report({ credentialId: t.credential.id }, { stop: 'suspend-owner' });
    expect(result).toMatchObject({ stopped: 'owner-suspended', switched: [], notSwitched: [{ what: 'main', why: expect.stringContaining('is suspended') }, { what: 'twin' }] });
    expect(result.newAccessKeyId).toBeUndefined();
    expect(await t.works(t.user.accessKeyId, t.user.secretAccessKey)).toBe(false);
    expect(await t.keysAtProvider()).toEqual([t.user.accessKeyId]);
    expect(await t.journals()).toEqual([]);
    await t.providerSession.setOwnerSuspended!(t.user.uid!, false);
    await t.expectOneWorkingKey('old');
  });

  it('revokes the old key an earlier rotation left in its grace period, so "Restore old key" cannot bring it back', async () => {
    const t = await rotationFixture(rgw);
    const rotated = await t.engine().rotate(t.credential.id);
    expect(rotated.pending).toBeDefined();
    const plan = await t.leak().plan({ credentialId: t.credential.id });
    expect(plan.pending).toEqual([{ id: rotated.pending!.id, accessKeyId: t.user.accessKeyId }]);
    const result = await t.leak().report({ credentialId: t.credential.id }, { stop: 'delete', confirm: true });
    expect(result.accessKeyId).toBe(rotated.newAccessKeyId);
    expect(result.revokedPending).toEqual([t.user.accessKeyId]);
    expect(await t.pendingFiles()).toEqual([]);
    // Only the replacement is left: the rotated-to key (leaked) and the grace-period key are both gone.
    expect(await t.keysAtProvider()).toEqual([result.newAccessKeyId]);
    expect((await t.keychain.list()).filter((n) => n.startsWith('rotation'))).toEqual([]);
  });

  it('from a key row with no saved credential: the replacement is saved as a new credential', async () => {
    const t = await rotationFixture(rgw);
    const extra = await t.providerSession.createKey({ owner: t.user.uid });
    const result = await t.leak().report({ accountId: t.account.id, keyId: extra.id, owner: t.user.uid }, { stop: 'delete', confirm: true });
    expect(result.switched).toHaveLength(1);
    const saved = t.vault.get(result.switched[0].id);
    expect(saved).toMatchObject({ accessKeyId: result.newAccessKeyId, accountId: t.account.id, owner: t.user.uid, label: expect.stringContaining(`replacement for ${extra.accessKeyId}`) });
    expect(await t.works(saved.accessKeyId, (await t.vault.connection(saved.id)).secretAccessKey)).toBe(true);
    expect(await t.works(extra.accessKeyId, extra.secretAccessKey)).toBe(false);
    // The saved key was not touched.
    expect(t.vault.get(t.credential.id).accessKeyId).toBe(t.user.accessKeyId);
    expect(await t.works(t.user.accessKeyId, t.user.secretAccessKey)).toBe(true);
  });

  it('keeps an unverified replacement (the leaked key is stopped, so it is the only one) and says so', async () => {
    const t = await rotationFixture(rgw);
    t.faults.create = 'bad-secret';
    const result = await t.leak().report({ credentialId: t.credential.id }, { stop: 'delete', confirm: true });
    expect(result.unverified).toMatchObject({ message: expect.stringContaining('saved anyway') });
    expect(result.notSwitched).toEqual([{ what: `New key ${result.newAccessKeyId}`, why: expect.stringContaining('did not work on S3 in time') }]);
    expect(t.vault.get(t.twin.id).accessKeyId).toBe(result.newAccessKeyId);
    expect(await t.journals()).toEqual([]);
  });

  const points: RotationCheckpoint[] = ['started', 'stopped', 'provider-answered', 'created', 'verified', 'switched', 'settled'];
  it.each(points)('killed at %s: the next start finishes forward, ending with one working replacement for both credentials', async (point) => {
    const t = await rotationFixture(rgw);
    const crashing = t.leak((at) => {
      if (at === point) throw new Crash(`killed at ${point}`);
    });
    await expect(crashing.report({ credentialId: t.credential.id }, { stop: 'delete', confirm: true })).rejects.toBeInstanceOf(Crash);
    const [file] = await t.journals();
    const journal = await readFile(join(t.stateDir, 'rotations', file), 'utf8');
    expect(JSON.parse(journal)).toMatchObject({ leak: { stop: 'delete' } });
    expect(journal).not.toContain(t.user.secretAccessKey);
    await expect(t.engine().recoverRotations()).resolves.toMatchObject([{ credentialId: t.credential.id, outcome: 'finished' }]);
    await expectReplaced(t);
  });

  it('a crash is also finished when the user reports the key again, instead of at the next start', async () => {
    const t = await rotationFixture(rgw);
    const crashing = t.leak((at) => {
      if (at === 'stopped') throw new Crash('killed');
    });
    await expect(crashing.report({ credentialId: t.credential.id }, { stop: 'delete', confirm: true })).rejects.toBeInstanceOf(Crash);
    // The leaked key is gone already: the plan says the earlier report is finished, and running it does.
    await expect(t.leak().plan({ credentialId: t.credential.id })).resolves.toMatchObject({ resume: true, accessKeyId: t.user.accessKeyId, stops: [{ stop: 'delete' }] });
    await expect(t.leak().report({ credentialId: t.credential.id }, { stop: 'delete', confirm: true })).resolves.toMatchObject({ accessKeyId: t.user.accessKeyId, newAccessKeyId: expect.any(String) });
    await expectReplaced(t);
  });

  it('a process SIGKILLed after RGW created the replacement but before its secret was saved: the next start removes it and makes another', async () => {
    const t = await rotationFixture(rgw);
    expect(await killChildAt('test/core/rotation/leak.child.ts', { LEAK_HOME: t.home, LEAK_CREDENTIAL: t.credential.id }, 'PROVIDER-ANSWERED')).toBe('SIGKILL');
    // At the instant of the kill: the leaked key is deleted, RGW holds a new key whose secret no keychain entry has.
    const orphan = (await t.keysAtProvider()).filter((k) => k !== t.user.accessKeyId);
    expect(orphan).toHaveLength(1);
    expect(await t.works(t.user.accessKeyId, t.user.secretAccessKey)).toBe(false);
    expect((await t.keychain.list()).filter((name) => name.startsWith('rotation:'))).toEqual([]);

    await expect(t.engine().recoverRotations()).resolves.toMatchObject([{ credentialId: t.credential.id, outcome: 'finished' }]);
    const replacement = await expectReplaced(t);
    expect(replacement).not.toBe(orphan[0]);
  }, 60_000);
});
