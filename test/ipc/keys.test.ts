import { describe, expect, it } from 'vitest';
import { KeydeskError } from '../../src-main/core/errors';
import type { AccessKeyInfo, NewAccessKey, ProviderCapabilities, ProviderDescriptor, ProviderSession } from '../../src-main/core/providers/adapter';
import { CredentialVault } from '../../src-main/core/vault/credential-vault';
import { MetadataStore } from '../../src-main/core/vault/metadata-store';
import type { SecretStore } from '../../src-main/core/vault/secret-store';
import type { AppContext } from '../../src-main/ipc/app-context';
import { dispatch } from '../../src-main/ipc/dispatch';
import { EventBus } from '../../src-main/ipc/events';
import { keyHandlers } from '../../src-main/ipc/handlers/keys';
import type { Handlers } from '../../src-main/ipc/contract';

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
  const ctx = { vault, events, accounts: { get: () => account, session: async () => session } } as unknown as AppContext;
  const handlers = keyHandlers(ctx);
  const call = (name: string, payload: unknown) => dispatch(handlers as Handlers, name, payload);
  return { handlers, session, secrets, vault, emitted, call };
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
});
