import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeydeskError } from '../../src-main/core/errors';
import type { AccessKeyInfo, NewAccessKey, ProviderCapabilities, ProviderDescriptor, ProviderSession } from '../../src-main/core/providers/adapter';
import { RotationEngine, type RotationCheckpoint, type RotationDeps } from '../../src-main/core/rotation/engine';
import { KeyActions } from '../../src-main/core/rotation/key-actions';
import { keyLockId, RotationLocks } from '../../src-main/core/rotation/locks';
import { CredentialVault } from '../../src-main/core/vault/credential-vault';
import { MetadataStore } from '../../src-main/core/vault/metadata-store';
import type { SecretStore } from '../../src-main/core/vault/secret-store';
import type { AppContext } from '../../src-main/ipc/app-context';
import { dispatch } from '../../src-main/ipc/dispatch';
import { EventBus } from '../../src-main/ipc/events';
import { keyHandlers } from '../../src-main/ipc/handlers/keys';
import type { Handlers } from '../../src-main/ipc/contract';

class Crash extends Error {}

const ACCOUNT = '0b7f3c52-8d7e-4a4e-9a55-1f1f0c2b6a11';

class MemorySecrets implements SecretStore {
  readonly entries = new Map<string, string>();
  failWrites = false;
  async get(name: string) {
    return this.entries.get(name) ?? null;
  }
  async set(name: string, secret: string) {
    if (this.failWrites) throw new KeydeskError({ code: 'KEYCHAIN_UNAVAILABLE', message: 'The OS keychain is locked.' });
    this.entries.set(name, secret);
  }
  async delete(name: string) {
    return this.entries.delete(name);
  }
  async list() {
    return [...this.entries.keys()];
  }
}

const capabilities: ProviderCapabilities = {
  maxKeysPerOwner: 2,
  limitScope: 'user',
  canDeactivate: true,
  canDelete: true,
  canShowSecretAgain: false,
  canRegenerate: true,
  hasGracePeriod: false,
  canEditDescription: false,
  hasRegions: false,
  hasRoles: false,
  keysForOtherUsers: false,
  canSuspendOwner: false,
  reportsLastUsed: false,
  rotation: 'two-slot',
};

/** An in-memory provider: keys live in a map, secrets are counters. */
function fakeSession(): ProviderSession & { keys: Map<string, NewAccessKey> } {
  const keys = new Map<string, NewAccessKey>();
  let n = 0;
  const info = ({ secretAccessKey: _secret, ...key }: NewAccessKey): AccessKeyInfo => key;
  return {
    keys,
    verify: async () => ({ id: 'me', name: 'me' }),
    listKeys: async () => [...keys.values()].map(info),
    createKey: async ({ description }) => {
      n += 1;
      const key: NewAccessKey = { id: `K${n}`, accessKeyId: `K${n}`, status: 'active', description, secretAccessKey: `secret-${n}` };
      keys.set(key.id, key);
      return key;
    },
    regenerateSecret: async (keyId) => {
      const key = { ...keys.get(keyId)!, secretAccessKey: `regenerated-${keyId}` };
      keys.set(keyId, key);
      return key;
    },
    deleteKey: async (keyId) => void keys.delete(keyId),
    showSecret: async (keyId) => keys.get(keyId)!.secretAccessKey,
    setKeyActive: async () => undefined,
    s3Location: () => ({ endpoint: 'https://s3.fake.test', region: 'us-east-1', forcePathStyle: true }),
  };
}

function setup(overrides: Partial<ProviderCapabilities> = {}, limits?: ProviderSession['limits']) {
  const provider: ProviderDescriptor = { id: 'fake', name: 'Fake Cloud', summary: '', capabilities: { ...capabilities, ...overrides }, accountFields: [] };
  const session = Object.assign(fakeSession(), { limits });
  const secrets = new MemorySecrets();
  const vault = new CredentialVault(new MetadataStore({ store: {} }), secrets);
  const events = new EventBus();
  const emitted: string[][] = [];
  events.subscribe((_event, payload) => {
    if ('ids' in payload) emitted.push(payload.ids);
  });
  const account = { id: ACCOUNT, providerId: 'fake', label: 'Fake', settings: {}, createdAt: '', provider };
  const accounts = { get: () => account, session: async () => session } as unknown as RotationDeps['accounts'];
  const stateDir = mkdtempSync(join(tmpdir(), 'keydesk-keys-'));
  const crashes: { at?: RotationCheckpoint } = {};
  const locks = new RotationLocks();
  const keyActions = (checkpoint?: RotationDeps['checkpoint']) =>
    new KeyActions({ vault, secrets, accounts, stateDir, locks, onCredentialsChanged: (ids) => events.emit('credentials:changed', { ids }), checkpoint });
  const ctx = {
    vault,
    events,
    accounts,
    keyActions: keyActions((point) => {
      if (point === crashes.at) throw new Crash(point);
    }),
  } as unknown as AppContext;
  /** A restart: a fresh engine settles what the journal holds. */
  const recover = () => new RotationEngine({ vault, secrets, accounts, stateDir, locks }).recoverRotations();
  const journals = () => readdirSync(join(stateDir, 'rotations'));
  const handlers = keyHandlers(ctx);
  const call = (name: string, payload: unknown) => dispatch(handlers as Handlers, name, payload);
  return { handlers, session, secrets, vault, emitted, call, crashes, recover, journals, locks };
}

describe('keys handlers', () => {
  it('validates payloads strictly: uuid account ids, bounded strings, no extra fields', async () => {
    const { call } = setup();
    await expect(call('keys:list', { accountId: 'not-a-uuid' })).resolves.toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    await expect(call('keys:list', { accountId: ACCOUNT, extra: 1 })).resolves.toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    await expect(call('keys:create', { accountId: ACCOUNT })).resolves.toMatchObject({ ok: false, error: { message: expect.stringContaining('saveInKeychain') } });
    await expect(call('keys:create', { accountId: ACCOUNT, saveInKeychain: true, description: 'x'.repeat(257) })).resolves.toMatchObject({ ok: false });
    await expect(call('keys:delete', { accountId: ACCOUNT, keyId: '' })).resolves.toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    await expect(call('keys:regenerate', { accountId: ACCOUNT, keyId: 'K1', region: 'eu west' })).resolves.toMatchObject({ ok: false });
  });

  it('reports the limit with its reason and refuses to create beyond it', async () => {
    const { handlers, call } = setup();
    await handlers['keys:create']({ accountId: ACCOUNT, saveInKeychain: false });
    await handlers['keys:create']({ accountId: ACCOUNT, saveInKeychain: false });
    const list = await handlers['keys:list']({ accountId: ACCOUNT });
    expect(list.keys).toHaveLength(2);
    expect(list.limit).toEqual({ maxKeysPerOwner: 2, scope: 'user', message: 'Fake Cloud allows 2 keys per user' });
    await expect(call('keys:create', { accountId: ACCOUNT, saveInKeychain: false })).resolves.toMatchObject({
      ok: false,
      error: { code: 'LIMIT_REACHED', message: 'Fake Cloud allows 2 keys per user.' },
    });
  });

  it('uses the session limit over the descriptor', async () => {
    const { handlers } = setup({ maxKeysPerOwner: undefined }, { maxKeysPerOwner: 1, limitScope: 'project' });
    expect((await handlers['keys:list']({ accountId: ACCOUNT })).limit?.message).toBe('Fake Cloud allows 1 key per project');
    await handlers['keys:create']({ accountId: ACCOUNT, saveInKeychain: false });
    await expect(handlers['keys:create']({ accountId: ACCOUNT, saveInKeychain: false })).rejects.toMatchObject({ code: 'LIMIT_REACHED' });
  });

  it('saves a created key as a credential, and never lists a secret', async () => {
    const { handlers, secrets, emitted } = setup();
    const created = await handlers['keys:create']({ accountId: ACCOUNT, description: 'backups', saveInKeychain: true });
    expect(created.key.secretAccessKey).toBe('secret-1');
    expect(created.savedCredentials).toEqual([{ id: expect.any(String), label: 'Fake: backups' }]);
    expect([...secrets.entries.values()]).toEqual(['secret-1']);
    expect(emitted).toEqual([[created.savedCredentials[0].id]]);
    const list = await handlers['keys:list']({ accountId: ACCOUNT });
    expect(list.keys[0].credentialId).toBe(created.savedCredentials[0].id);
    expect(JSON.stringify(list)).not.toContain('secret-1');
  });

  it('still hands out the key once when the keychain refuses it, and says it was not saved', async () => {
    const { handlers, secrets, vault } = setup();
    secrets.failWrites = true;
    const created = await handlers['keys:create']({ accountId: ACCOUNT, saveInKeychain: true });
    expect(created.key.secretAccessKey).toBe('secret-1');
    expect(created.savedCredentials).toEqual([]);
    expect(created.saveError).toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE' });
    expect(vault.list()).toEqual([]);
  });

  it('regenerating updates the saved secret; deleting removes the saved credential', async () => {
    const { handlers, secrets, vault, emitted } = setup();
    const created = await handlers['keys:create']({ accountId: ACCOUNT, saveInKeychain: true });
    const regenerated = await handlers['keys:regenerate']({ accountId: ACCOUNT, keyId: 'K1' });
    expect(regenerated.key.secretAccessKey).toBe('regenerated-K1');
    expect(regenerated.savedCredentials.map((c) => c.id)).toEqual(created.savedCredentials.map((c) => c.id));
    expect((await vault.connection(created.savedCredentials[0].id)).secretAccessKey).toBe('regenerated-K1');
    await expect(handlers['keys:regenerate']({ accountId: ACCOUNT, keyId: 'K1', graceMinutes: 10 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });

    const removed = await handlers['keys:delete']({ accountId: ACCOUNT, keyId: 'K1' });
    expect(removed).toEqual(created.savedCredentials);
    expect(vault.list()).toEqual([]);
    expect(secrets.entries.size).toBe(0);
    expect(emitted).toHaveLength(3);
  });

  it('knows a key saved by hand under another spelling of its endpoint: listed as held, its secret follows a regenerate', async () => {
    const { handlers, vault } = setup();
    await handlers['keys:create']({ accountId: ACCOUNT, saveInKeychain: false });
    const pasted = await vault.save({ label: 'Pasted by hand', endpoint: 'HTTPS://S3.Fake.Test:443/', region: 'eu-west-1', accessKeyId: 'K1', secretAccessKey: 'secret-1', forcePathStyle: false });
    expect((await handlers['keys:list']({ accountId: ACCOUNT })).keys[0].credentialId).toBe(pasted.id);
    const regenerated = await handlers['keys:regenerate']({ accountId: ACCOUNT, keyId: 'K1' });
    expect(regenerated.savedCredentials).toEqual([{ id: pasted.id, label: 'Pasted by hand' }]);
    expect((await vault.connection(pasted.id)).secretAccessKey).toBe('regenerated-K1');
  });

  it('names saved keys after the account and what stays (description or owner), never the key ID', async () => {
    const { handlers } = setup({ maxKeysPerOwner: 5 });
    const labels = [];
    for (const description of [undefined, undefined, 'backups', 'backups']) {
      labels.push((await handlers['keys:create']({ accountId: ACCOUNT, description, saveInKeychain: true })).savedCredentials[0].label);
    }
    expect(labels).toEqual(['Fake', 'Fake (2)', 'Fake: backups', 'Fake: backups (2)']);
  });

  it('a reset in place moves the saved credential to the new key pair, found by the old access key', async () => {
    const { handlers, session, vault } = setup({ resetReplacesKey: true, rotation: 'regenerate' });
    session.regenerateSecret = async (keyId) => {
      session.keys.delete(keyId);
      const key: NewAccessKey = { id: 'R1', accessKeyId: 'R1', status: 'active', secretAccessKey: 'reset-secret' };
      session.keys.set(key.id, key);
      return key;
    };
    const created = await handlers['keys:create']({ accountId: ACCOUNT, saveInKeychain: true });
    const reset = await handlers['keys:regenerate']({ accountId: ACCOUNT, keyId: 'K1' });
    expect(reset.savedCredentials).toEqual(created.savedCredentials);
    expect(await vault.connection(created.savedCredentials[0].id)).toMatchObject({ accessKeyId: 'R1', secretAccessKey: 'reset-secret' });
  });

  it('refuses what the provider cannot do, by name', async () => {
    const { handlers } = setup({ canDelete: false, canRegenerate: false });
    await expect(handlers['keys:showSecret']({ accountId: ACCOUNT, keyId: 'K1' })).rejects.toMatchObject({ code: 'UNSUPPORTED', message: 'Fake Cloud cannot show a secret again.' });
    await expect(handlers['keys:delete']({ accountId: ACCOUNT, keyId: 'K1' })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await expect(handlers['keys:regenerate']({ accountId: ACCOUNT, keyId: 'K1' })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await expect(handlers['keys:owners']({ accountId: ACCOUNT })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await expect(
      handlers['keys:create']({ accountId: ACCOUNT, grants: [{ bucket: 'photos', permission: 'read' }], saveInKeychain: false }),
    ).rejects.toMatchObject({ code: 'UNSUPPORTED', message: 'Fake Cloud cannot limit keys to some buckets.' });
  });

  describe('journaled like a rotation: a crash at any instant leaves a working key', () => {
    const regeneratePoints: [RotationCheckpoint, 'rolled-back' | 'finished'][] = [
      ['started', 'rolled-back'],
      ['provider-answered', 'finished'],
      ['created', 'finished'],
      ['switched', 'finished'],
    ];

    it.each(regeneratePoints)('regenerate killed at %s: the next start ends %s, and the saved credential holds the secret the provider has', async (point, outcome) => {
      const t = setup({ canShowSecretAgain: true });
      const created = await t.handlers['keys:create']({ accountId: ACCOUNT, saveInKeychain: true });
      const saved = created.savedCredentials[0].id;
      t.crashes.at = point;
      await expect(t.handlers['keys:regenerate']({ accountId: ACCOUNT, keyId: 'K1' })).rejects.toBeInstanceOf(Crash);
      expect(t.journals()).toHaveLength(1);
      await expect(t.recover()).resolves.toMatchObject([{ outcome, keyAction: 'regenerate', credentialId: saved }]);
      expect((await t.vault.connection(saved)).secretAccessKey).toBe(t.session.keys.get('K1')!.secretAccessKey);
      expect(t.session.keys.get('K1')!.secretAccessKey).toBe(point === 'started' ? 'secret-1' : 'regenerated-K1');
      expect(t.vault.list()).toHaveLength(1);
      expect(t.journals()).toEqual([]);
      expect([...t.secrets.entries.keys()].filter((name) => name.startsWith('rotation'))).toEqual([]);
    });

    it.each(regeneratePoints.slice(1))('regenerate of a key nobody saved, killed at %s: its secret, never shown, is saved as a new credential that says so', async (point) => {
      const t = setup({ canShowSecretAgain: true });
      await t.handlers['keys:create']({ accountId: ACCOUNT, description: 'backups', saveInKeychain: false });
      t.crashes.at = point;
      await expect(t.handlers['keys:regenerate']({ accountId: ACCOUNT, keyId: 'K1' })).rejects.toBeInstanceOf(Crash);
      const [result] = await t.recover();
      expect(result).toMatchObject({ outcome: 'finished', savedAs: { label: 'Fake: backups (regenerated when Keydesk stopped)' } });
      expect(t.vault.list()).toMatchObject([{ id: result.savedAs!.id, accessKeyId: 'K1', accountId: ACCOUNT }]);
      expect((await t.vault.connection(result.savedAs!.id)).secretAccessKey).toBe('regenerated-K1');
      expect(t.journals()).toEqual([]);
      // Settled once: a second start has nothing left to do.
      await expect(t.recover()).resolves.toEqual([]);
    });

    it('recovery at start leaves a journal alone while the same key is being changed (a regenerate or leak report started meanwhile)', async () => {
      const t = setup({ canShowSecretAgain: true });
      await t.handlers['keys:create']({ accountId: ACCOUNT, saveInKeychain: false });
      t.crashes.at = 'created';
      await expect(t.handlers['keys:regenerate']({ accountId: ACCOUNT, keyId: 'K1' })).rejects.toBeInstanceOf(Crash);
      await t.locks.with([keyLockId(ACCOUNT, 'K1')], async () => {
        await expect(t.recover()).resolves.toMatchObject([{ outcome: 'failed', error: { code: 'CONFLICT' } }]);
      });
      expect(t.journals()).toHaveLength(1);
      await expect(t.recover()).resolves.toMatchObject([{ outcome: 'finished', savedAs: { label: 'Fake (regenerated when Keydesk stopped)' } }]);
    });

    it('where the provider cannot show secrets again and nobody saved the key, says plainly that a secret reset just before the crash is lost, once', async () => {
      const t = setup();
      await t.handlers['keys:create']({ accountId: ACCOUNT, saveInKeychain: false });
      t.crashes.at = 'provider-answered';
      await expect(t.handlers['keys:regenerate']({ accountId: ACCOUNT, keyId: 'K1' })).rejects.toBeInstanceOf(Crash);
      const [result] = await t.recover();
      expect(result).toMatchObject({
        outcome: 'failed',
        error: { code: 'NOT_FOUND', message: expect.stringContaining('that new secret is lost'), hint: expect.stringContaining('regenerate it again') },
      });
      expect(t.vault.list()).toEqual([]);
      expect(t.journals()).toEqual([]);
      await expect(t.recover()).resolves.toEqual([]);
    });

    it('where it cannot show secrets again and the saved secret cannot be checked on S3 (endpoint unreachable), the journal stays for the next start', async () => {
      const t = setup();
      await t.handlers['keys:create']({ accountId: ACCOUNT, saveInKeychain: true });
      t.crashes.at = 'provider-answered';
      await expect(t.handlers['keys:regenerate']({ accountId: ACCOUNT, keyId: 'K1' })).rejects.toBeInstanceOf(Crash);
      // The fake endpoint cannot be reached, so the check is inconclusive: the journal stays for the next start.
      await expect(t.recover()).resolves.toMatchObject([{ outcome: 'failed' }]);
      expect(t.journals()).toHaveLength(1);
    });

    const createPoints: [RotationCheckpoint, 'rolled-back' | 'finished'][] = [
      ['started', 'rolled-back'],
      ['provider-answered', 'rolled-back'],
      ['created', 'finished'],
      ['switched', 'finished'],
    ];

    it.each(createPoints)('create with "save in keychain" killed at %s: the next start ends %s, with the key saved or no key left taking a slot', async (point, outcome) => {
      const t = setup();
      t.crashes.at = point;
      await expect(t.handlers['keys:create']({ accountId: ACCOUNT, description: 'backups', saveInKeychain: true })).rejects.toBeInstanceOf(Crash);
      await expect(t.recover()).resolves.toMatchObject([{ outcome, keyAction: 'create' }]);
      if (outcome === 'finished') {
        expect(t.vault.list()).toMatchObject([{ label: 'Fake: backups', accessKeyId: 'K1' }]);
        expect((await t.vault.connection(t.vault.list()[0].id)).secretAccessKey).toBe('secret-1');
        expect([...t.session.keys.keys()]).toEqual(['K1']);
      } else {
        expect(t.vault.list()).toEqual([]);
        expect([...t.session.keys.keys()]).toEqual([]);
      }
      expect(t.journals()).toEqual([]);
      expect([...t.secrets.entries.keys()].filter((name) => name.startsWith('rotation'))).toEqual([]);
    });

    it('create without saving, killed once the provider answered: the key nobody saw is removed', async () => {
      const t = setup();
      t.crashes.at = 'provider-answered';
      await expect(t.handlers['keys:create']({ accountId: ACCOUNT, saveInKeychain: false })).rejects.toBeInstanceOf(Crash);
      await expect(t.recover()).resolves.toMatchObject([{ outcome: 'rolled-back' }]);
      expect(t.session.keys.size).toBe(0);
    });

    it('an orphan is removed only when it is the one new key: a key someone else made meanwhile stays', async () => {
      const t = setup({ maxKeysPerOwner: 5 });
      t.crashes.at = 'provider-answered';
      await expect(t.handlers['keys:create']({ accountId: ACCOUNT, saveInKeychain: true })).rejects.toBeInstanceOf(Crash);
      await t.session.createKey({});
      await expect(t.recover()).resolves.toMatchObject([{ outcome: 'rolled-back' }]);
      expect(t.session.keys.size).toBe(2);
    });

    it('a regenerate whose answer was lost still gives the saved credential the new secret, and shows it', async () => {
      const t = setup({ canShowSecretAgain: true });
      const created = await t.handlers['keys:create']({ accountId: ACCOUNT, saveInKeychain: true });
      const regenerate = t.session.regenerateSecret!;
      t.session.regenerateSecret = async (keyId, options) => {
        await regenerate(keyId, options);
        throw new KeydeskError({ code: 'NETWORK', message: 'The connection was reset.' });
      };
      const result = await t.handlers['keys:regenerate']({ accountId: ACCOUNT, keyId: 'K1' });
      expect(result).toMatchObject({ key: { accessKeyId: 'K1', secretAccessKey: 'regenerated-K1' }, savedCredentials: created.savedCredentials });
      expect((await t.vault.connection(created.savedCredentials[0].id)).secretAccessKey).toBe('regenerated-K1');
      expect(t.journals()).toEqual([]);
    });

    it('a provider refusal leaves nothing behind and says why', async () => {
      const t = setup({ canShowSecretAgain: true });
      await t.handlers['keys:create']({ accountId: ACCOUNT, saveInKeychain: true });
      t.session.regenerateSecret = async () => {
        throw new KeydeskError({ code: 'ACCESS_DENIED', message: 'Fake Cloud refused: AccessDenied.' });
      };
      await expect(t.handlers['keys:regenerate']({ accountId: ACCOUNT, keyId: 'K1' })).rejects.toMatchObject({ code: 'ACCESS_DENIED' });
      expect(t.journals()).toEqual([]);
    });

    it('a keychain that refuses the staged secret still shows it once, says the saved credentials keep the old one, and leaves no journal', async () => {
      const t = setup();
      const created = await t.handlers['keys:create']({ accountId: ACCOUNT, saveInKeychain: true });
      t.secrets.failWrites = true;
      const result = await t.handlers['keys:regenerate']({ accountId: ACCOUNT, keyId: 'K1' });
      expect(result).toMatchObject({ key: { secretAccessKey: 'regenerated-K1' }, savedCredentials: [], saveError: { code: 'KEYCHAIN_UNAVAILABLE', message: expect.stringContaining('still hold the old secret') } });
      t.secrets.failWrites = false;
      expect((await t.vault.connection(created.savedCredentials[0].id)).secretAccessKey).toBe('secret-1');
      expect(t.journals()).toEqual([]);
    });

    it('refuses to regenerate a key that a rotation or leak report is changing right now', async () => {
      const t = setup();
      const created = await t.handlers['keys:create']({ accountId: ACCOUNT, saveInKeychain: true });
      await t.locks.with([created.savedCredentials[0].id], async () => {
        await expect(t.handlers['keys:regenerate']({ accountId: ACCOUNT, keyId: 'K1' })).rejects.toMatchObject({ code: 'CONFLICT' });
      });
      await t.locks.with([keyLockId(ACCOUNT, created.key.accessKeyId)], async () => {
        await expect(t.handlers['keys:regenerate']({ accountId: ACCOUNT, keyId: 'K1' })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('being rotated') });
      });
      expect(t.session.keys.get('K1')!.secretAccessKey).toBe('secret-1');
    });
  });
});
