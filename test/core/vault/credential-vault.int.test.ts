import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { KeydeskError } from '../../../src-main/core/errors';
import { CredentialVault } from '../../../src-main/core/vault/credential-vault';
import { METADATA_VERSION, MetadataStore, openConfStore } from '../../../src-main/core/vault/metadata-store';
import { KeychainSecretStore, type SecretStore } from '../../../src-main/core/vault/secret-store';
import { createRgwUser } from '../../helpers/rgw-users';

const rgw = inject('rgw');

async function freshVault(secrets?: SecretStore) {
  const home = await mkdtemp(join(tmpdir(), 'keydesk-vault-'));
  const store = secrets ?? new KeychainSecretStore(`Keydesk@${home}`);
  return { home, secrets: store, vault: new CredentialVault(new MetadataStore(openConfStore(home)), store) };
}

const brokenKeychain: SecretStore = {
  get: async () => null,
  list: async () => [],
  delete: async () => false,
  set: async () => {
    throw new KeydeskError({ code: 'KEYCHAIN_UNAVAILABLE', message: 'Could not save the secret to the OS keychain: the keychain is locked.' });
  },
};

describe.skipIf(!process.env.DBUS_SESSION_BUS_ADDRESS)('CredentialVault with RGW and a real keychain', () => {
  it('tests, then saves the secret to the keychain and only metadata to disk', async () => {
    const user = await createRgwUser(rgw);
    const { home, vault, secrets } = await freshVault();
    const saved = await vault.add({ label: 'ceph', endpoint: `${rgw.endpoint}/`, region: '', ...user });
    expect(saved).toMatchObject({ endpoint: rgw.endpoint, region: 'us-east-1', accessKeyId: user.accessKeyId, checksums: 'when-required' });
    expect(await secrets.get(`credential:${saved.id}`)).toBe(user.secretAccessKey);
    const file = await readFile(join(home, 'keydesk.json'), 'utf8');
    expect(file).toContain(user.accessKeyId);
    expect(file).not.toContain(user.secretAccessKey);
    expect((await vault.connection(saved.id)).secretAccessKey).toBe(user.secretAccessKey);

    await vault.remove(saved.id);
    expect(await secrets.get(`credential:${saved.id}`)).toBeNull();
    expect(vault.list()).toEqual([]);
  });

  it('saves nothing when the key pair does not work', async () => {
    const user = await createRgwUser(rgw);
    const { vault, secrets } = await freshVault();
    await expect(vault.add({ label: '', endpoint: rgw.endpoint, region: 'us-east-1', ...user, secretAccessKey: 'wrong' })).rejects.toMatchObject({
      code: 'SIGNATURE_MISMATCH',
    });
    expect(vault.list()).toEqual([]);
    expect(await secrets.list()).toEqual([]);
  });

  it('saves nothing when the keychain refuses the secret', async () => {
    const user = await createRgwUser(rgw);
    const { vault, home } = await freshVault(brokenKeychain);
    await expect(vault.add({ label: 'x', endpoint: rgw.endpoint, region: 'us-east-1', ...user })).rejects.toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE' });
    expect(vault.list()).toEqual([]);
    expect(await readFile(join(home, 'keydesk.json'), 'utf8')).not.toContain(user.accessKeyId);
  });
});

describe('MetadataStore versions', () => {
  it('migrates an unversioned file and refuses one from a newer Keydesk', async () => {
    const home = await mkdtemp(join(tmpdir(), 'keydesk-meta-'));
    await writeFile(join(home, 'keydesk.json'), JSON.stringify({ credentials: [] }));
    const store = new MetadataStore(openConfStore(home));
    expect(store.accounts()).toEqual([]);
    expect(JSON.parse(await readFile(join(home, 'keydesk.json'), 'utf8')).version).toBe(METADATA_VERSION);

    await writeFile(join(home, 'keydesk.json'), JSON.stringify({ version: 99, credentials: [], accounts: [] }));
    expect(() => new MetadataStore(openConfStore(home))).toThrow(/newer Keydesk/);
  });
});
