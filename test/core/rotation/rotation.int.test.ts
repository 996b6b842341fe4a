import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { AccountService } from '../../../src-main/core/accounts/account-service';
import { KeydeskError } from '../../../src-main/core/errors';
import type { ProviderCapabilities, ProviderSession } from '../../../src-main/core/providers/adapter';
import { RotationEngine, type RotationDeps, type RotationProgress } from '../../../src-main/core/rotation/engine';
import type { RotationPhase } from '../../../src-main/core/rotation/journal';
import { createS3Client } from '../../../src-main/core/s3/client';
import { CredentialVault } from '../../../src-main/core/vault/credential-vault';
import { MetadataStore, openConfStore } from '../../../src-main/core/vault/metadata-store';
import { KeychainSecretStore, type SecretStore } from '../../../src-main/core/vault/secret-store';
import { createRgwUser } from '../../helpers/rgw-users';

const rgw = inject('rgw');

/** Faults injected into the keychain and the provider session; each fires once, then clears. */
interface Faults {
  secretSet?: (name: string) => boolean;
  create?: 'fail' | 'bad-secret';
  deleteKey?: boolean;
}

class FaultySecrets implements SecretStore {
  constructor(
    private readonly inner: SecretStore,
    private readonly faults: Faults,
  ) {}
  get = (name: string) => this.inner.get(name);
  delete = (name: string) => this.inner.delete(name);
  list = () => this.inner.list();
  async set(name: string, secret: string) {
    if (this.faults.secretSet?.(name)) {
      this.faults.secretSet = undefined;
      throw new KeydeskError({ code: 'KEYCHAIN_UNAVAILABLE', message: 'Could not save the secret to the OS keychain: the keychain is locked.' });
    }
    return this.inner.set(name, secret);
  }
}

function faultySession(inner: ProviderSession, faults: Faults): ProviderSession {
  return {
    ...inner,
    async createKey(options) {
      const fault = faults.create;
      faults.create = undefined;
      if (fault === 'fail') throw new KeydeskError({ code: 'PROVIDER', message: 'Ceph RGW refused: injected create failure — 500' });
      const key = await inner.createKey(options);
      // A real key whose secret arrives damaged: it exists at the provider but can never verify.
      return fault === 'bad-secret' ? { ...key, secretAccessKey: `${key.secretAccessKey}x` } : key;
    },
    async deleteKey(keyId, scope) {
      if (faults.deleteKey) {
        faults.deleteKey = false;
        throw new KeydeskError({ code: 'PROVIDER', message: 'Ceph RGW refused: injected delete failure — 500' });
      }
      return inner.deleteKey!(keyId, scope);
    },
  };
}

class Crash extends Error {}

async function setup(capabilities: Partial<ProviderCapabilities> = {}) {
  const home = await mkdtemp(join(tmpdir(), 'keydesk-rotation-'));
  const keychain = new KeychainSecretStore(`Keydesk@${home}`);
  const faults: Faults = {};
  const secrets = new FaultySecrets(keychain, faults);
  const metadata = new MetadataStore(openConfStore(home));
  const vault = new CredentialVault(metadata, secrets);
  const accountService = new AccountService(metadata, keychain);
  const user = await createRgwUser(rgw, 'rot');
  const { account } = await accountService.add({
    providerId: 'ceph-rgw',
    label: 'rgw',
    fields: { endpoint: rgw.endpoint, region: rgw.region, accessKeyId: rgw.admin.accessKeyId, secretAccessKey: rgw.admin.secretAccessKey, uid: user.uid },
  });
  const accounts: RotationDeps['accounts'] = {
    get: (id) => {
      const summary = accountService.get(id);
      return { ...summary, provider: { ...summary.provider, capabilities: { ...summary.provider.capabilities, ...capabilities } } };
    },
    session: async (id) => faultySession(await accountService.session(id), faults),
  };
  const base = { endpoint: rgw.endpoint, region: rgw.region, accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey, accountId: account.id, owner: user.uid };
  const credential = await vault.add({ label: 'main', ...base });
  // The same key saved twice, as files from before duplicates were refused may hold it: rotation must move both.
  const twin = { ...credential, id: randomUUID(), label: 'twin' };
  await keychain.set(`credential:${twin.id}`, user.secretAccessKey);
  metadata.putCredential(twin);
  const progress: RotationProgress[] = [];
  const engine = (afterJournal?: RotationDeps['afterJournal'], timeoutMs = 2_000) =>
    new RotationEngine({
      vault,
      secrets,
      accounts,
      stateDir: join(home, 'state'),
      verify: { timeoutMs, baseDelayMs: 200, maxDelayMs: 500 },
      onProgress: (p) => progress.push(p),
      afterJournal,
    });
  const rgwSession = await accountService.session(account.id);

  /** Exactly one key, `expected` (or any new one), saved for both credentials, working on S3, and nothing else left. */
  async function expectOneWorkingKey(expected: 'old' | 'new'): Promise<string> {
    const records = [vault.get(credential.id), vault.get(twin.id)];
    const accessKeyId = records[0].accessKeyId;
    expect(records[1].accessKeyId).toBe(accessKeyId);
    if (expected === 'old') expect(accessKeyId).toBe(user.accessKeyId);
    else expect(accessKeyId).not.toBe(user.accessKeyId);
    for (const record of records) {
      const connection = await vault.connection(record.id);
      const client = createS3Client(connection, { maxAttempts: 1 });
      await expect(client.send(new ListBucketsCommand({}))).resolves.toBeDefined();
      client.destroy();
    }
    expect((await keychain.list()).sort()).toEqual(
      [`account:${account.id}:secretAccessKey`, `credential:${credential.id}`, `credential:${twin.id}`].sort(),
    );
    expect((await rgwSession.listKeys({})).map((k) => k.accessKeyId)).toEqual([accessKeyId]);
    expect(await readdir(join(home, 'state', 'rotations')).catch(() => [])).toEqual([]);
    return accessKeyId;
  }

  return { home, vault, keychain, faults, engine, progress, credential, twin, user, rgwSession, expectOneWorkingKey };
}

describe.skipIf(!process.env.DBUS_SESSION_BUS_ADDRESS)('RotationEngine against a real RGW and keychain', () => {
  it('rotates two-slot: new key created, verified, saved for every credential using the old key, old key deleted', async () => {
    const t = await setup();
    const result = await t.engine().rotate(t.credential.id);
    expect(result).toMatchObject({ oldAccessKeyId: t.user.accessKeyId, revoked: 'deleted', switched: [t.credential.id, t.twin.id] });
    const newKey = await t.expectOneWorkingKey('new');
    expect(result.newAccessKeyId).toBe(newKey);
    expect(t.vault.get(t.credential.id).rotatedAt).toBeDefined();
    expect(t.progress.map((p) => p.step)).toEqual(['create', 'verify', 'switch', 'revoke', 'done']);
  });

  it('rolls back when creating the key fails', async () => {
    const t = await setup();
    t.faults.create = 'fail';
    await expect(t.engine().rotate(t.credential.id)).rejects.toThrow(/injected create failure/);
    await t.expectOneWorkingKey('old');
  });

  it('removes the new key when it never verifies, and keeps the old one', async () => {
    const t = await setup();
    t.faults.create = 'bad-secret';
    await expect(t.engine().rotate(t.credential.id)).rejects.toMatchObject({ code: 'SIGNATURE_MISMATCH', message: expect.stringMatching(/did not work on S3 within 2 s.*removed again/) });
    await t.expectOneWorkingKey('old');
    expect(t.progress.map((p) => p.step)).toContain('rollback');
  });

  it('removes the new key when the keychain refuses to stage it', async () => {
    const t = await setup();
    t.faults.secretSet = (name) => name.startsWith('rotation:');
    await expect(t.engine().rotate(t.credential.id)).rejects.toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE' });
    await t.expectOneWorkingKey('old');
  });

  it('puts switched credentials back and removes the new key when the keychain fails half-way through the switch', async () => {
    const t = await setup();
    t.faults.secretSet = (name) => name === `credential:${t.twin.id}`;
    await expect(t.engine().rotate(t.credential.id)).rejects.toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE' });
    await t.expectOneWorkingKey('old');
    expect(t.vault.get(t.credential.id).rotatedAt).toBeUndefined();
  });

  it('keeps the new key when revoking the old one fails, and finishes the revoke at the next start', async () => {
    const t = await setup();
    t.faults.deleteKey = true;
    await expect(t.engine().rotate(t.credential.id)).rejects.toThrow(/new key is saved and works, but the old key .* could not be revoked/);
    const saved = t.vault.get(t.credential.id).accessKeyId;
    expect(saved).not.toBe(t.user.accessKeyId);
    expect((await t.rgwSession.listKeys({})).map((k) => k.accessKeyId).sort()).toEqual([t.user.accessKeyId, saved].sort());
    await expect(t.engine().recoverRotations()).resolves.toMatchObject([{ outcome: 'finished' }]);
    expect(await t.expectOneWorkingKey('new')).toBe(saved);
  });

  const crashes: [RotationPhase, 'rolled-back' | 'finished'][] = [
    ['started', 'rolled-back'],
    ['created', 'rolled-back'],
    ['verified', 'finished'],
    ['switched', 'finished'],
    ['revoked', 'finished'],
  ];
  it.each(crashes)('recovers a process killed right after the %s journal write (%s)', async (phase, outcome) => {
    const t = await setup();
    const crashing = t.engine((at) => {
      if (at === phase) throw new Crash(`killed after ${phase}`);
    });
    await expect(crashing.rotate(t.credential.id)).rejects.toBeInstanceOf(Crash);
    // The journal names keys only; the new secret waits in the keychain (from 'created' on).
    const [file] = await readdir(join(t.home, 'state', 'rotations'));
    const journal = await readFile(join(t.home, 'state', 'rotations', file), 'utf8');
    const staged = await t.keychain.get(`rotation:${file.replace(/\.json$/, '')}`);
    if (phase !== 'started') expect(JSON.parse(staged!).secretAccessKey).toMatch(/\S{20,}/);
    for (const secret of [t.user.secretAccessKey, staged && JSON.parse(staged).secretAccessKey].filter(Boolean)) expect(journal).not.toContain(secret);
    await expect(t.engine().recoverRotations()).resolves.toMatchObject([{ credentialId: t.credential.id, outcome }]);
    await t.expectOneWorkingKey(outcome === 'finished' ? 'new' : 'old');
  });

  it('settles an unfinished rotation of the same key before rotating it again', async () => {
    const t = await setup();
    await expect(t.engine((at) => { if (at === 'switched') throw new Crash('killed'); }).rotate(t.credential.id)).rejects.toBeInstanceOf(Crash);
    const result = await t.engine().rotate(t.credential.id);
    expect(result.newAccessKeyId).toBe(await t.expectOneWorkingKey('new'));
  });

  it('cancels while waiting for the new key to work, and rolls back', async () => {
    const t = await setup();
    t.faults.create = 'bad-secret';
    const engine = t.engine(undefined, 60_000);
    const running = engine.rotate(t.credential.id);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(engine.cancel(t.credential.id)).toBe(true);
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
    await t.expectOneWorkingKey('old');
  });

  it('regenerates in place only after confirmation', async () => {
    const t = await setup({ rotation: 'regenerate' });
    await expect(t.engine().rotate(t.credential.id)).rejects.toMatchObject({ code: 'CONFLICT', providerCode: 'ConfirmationRequired' });
    const before = (await t.vault.connection(t.credential.id)).secretAccessKey;
    const result = await t.engine().rotate(t.credential.id, { confirmNoFallback: true });
    expect(result).toMatchObject({ newAccessKeyId: t.user.accessKeyId, revoked: 'replaced' });
    expect((await t.vault.connection(t.twin.id)).secretAccessKey).not.toBe(before);
    await t.expectOneWorkingKey('old');
  });

  it('explains, and changes nothing, when the key limit leaves no room for a second key', async () => {
    const t = await setup({ rotation: 'create-then-delete', maxKeysPerOwner: 1, limitScope: 'project' });
    await expect(t.engine().rotate(t.credential.id)).rejects.toMatchObject({
      code: 'LIMIT_REACHED',
      message: expect.stringMatching(/1 key per project.*never left without a working key/),
    });
    await t.expectOneWorkingKey('old');
  });

  it('refuses providers without rotation, and keys without an account', async () => {
    const t = await setup({ rotation: 'none' });
    await expect(t.engine().rotate(t.credential.id)).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    const manual = await t.vault.save({ label: 'manual', endpoint: rgw.endpoint, region: rgw.region, accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'not-used' });
    await expect(t.engine().rotate(manual.id)).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringContaining('not linked to a provider account') });
  });
});
