import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { CredentialVault } from '../../../src-main/core/vault/credential-vault';
import { MetadataStore, openConfStore } from '../../../src-main/core/vault/metadata-store';
import { KeychainSecretStore, type SecretStore } from '../../../src-main/core/vault/secret-store';
import { MemorySecrets } from '../../helpers/memory-secrets';
import { addRgwKey, createRgwUser, removeRgwKey } from '../../helpers/rgw-users';

const rgw = inject('rgw');
const port = new URL(rgw.endpoint).port;

async function freshVault(secrets?: SecretStore) {
  const home = await mkdtemp(join(tmpdir(), 'keydesk-reconnect-'));
  const metadata = new MetadataStore(openConfStore(home));
  const store = secrets ?? new KeychainSecretStore(`Keydesk@${home}`);
  return { home, metadata, secrets: store, vault: new CredentialVault(metadata, store) };
}

describe.skipIf(!process.env.DBUS_SESSION_BUS_ADDRESS)('Settings → Connection against RGW and a real keychain', () => {
  it('moves a key to another spelling of its endpoint and region, verified first', async () => {
    const user = await createRgwUser(rgw);
    const { vault, home } = await freshVault();
    const saved = await vault.add({ label: 'ceph', endpoint: rgw.endpoint, region: 'us-east-1', ...user });

    const { record, check } = await vault.changeConnection(saved.id, { endpoint: `localhost:${port}/`, region: 'eu-test-1', forcePathStyle: true });
    // No scheme: http, as for every loopback address.
    expect(record).toMatchObject({ endpoint: `http://localhost:${port}`, region: 'eu-test-1', accessKeyId: user.accessKeyId, label: 'ceph', createdAt: saved.createdAt });
    expect(check.works).toBe(true);
    expect(vault.get(saved.id)).toEqual(record);
    expect((await vault.connection(saved.id)).secretAccessKey).toBe(user.secretAccessKey);
    expect(await readFile(join(home, 'keydesk.json'), 'utf8')).not.toContain(user.secretAccessKey);
  });

  it('refuses a wrong secret, an unreachable endpoint and a bad region, and changes nothing', async () => {
    const user = await createRgwUser(rgw);
    const { vault, home } = await freshVault();
    const saved = await vault.add({ label: 'ceph', endpoint: rgw.endpoint, region: 'us-east-1', ...user });
    const before = await readFile(join(home, 'keydesk.json'), 'utf8');

    await expect(vault.changeConnection(saved.id, { endpoint: rgw.endpoint, region: 'us-east-1', secretAccessKey: `${user.secretAccessKey}x` })).rejects.toMatchObject({
      code: 'SIGNATURE_MISMATCH',
      hint: expect.stringContaining('Nothing was changed'),
    });
    await expect(vault.changeConnection(saved.id, { endpoint: 'http://127.0.0.1:1', region: 'us-east-1' })).rejects.toMatchObject({ code: 'NETWORK' });
    await expect(vault.changeConnection(saved.id, { endpoint: rgw.endpoint, region: 'eu west' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(vault.changeConnection(saved.id, { endpoint: 'ftp://x', region: 'us-east-1' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });

    expect(await readFile(join(home, 'keydesk.json'), 'utf8')).toBe(before);
    expect((await vault.connection(saved.id)).secretAccessKey).toBe(user.secretAccessKey);
  });

  it('takes a secret typed again when the provider changed it, into the keychain only', async () => {
    const user = await createRgwUser(rgw);
    const { vault, home, secrets } = await freshVault();
    const saved = await vault.add({ label: 'ceph', endpoint: rgw.endpoint, region: 'us-east-1', ...user });
    // The provider gives the same access key a new secret: the saved one stops working.
    const newSecret = `${user.secretAccessKey.slice(0, 20)}NEWSECRETNEWSECRET00`;
    await removeRgwKey(rgw, user.uid, user.accessKeyId);
    await addRgwKey(rgw, user.uid, user.accessKeyId, newSecret);
    expect((await vault.check(saved.id)).works).toBe(false);

    await vault.changeConnection(saved.id, { endpoint: rgw.endpoint, region: 'us-east-1', secretAccessKey: ` ${newSecret} ` });
    expect(await secrets.get(`credential:${saved.id}`)).toBe(newSecret);
    expect((await vault.check(saved.id)).works).toBe(true);
    expect(await readFile(join(home, 'keydesk.json'), 'utf8')).not.toContain(newSecret);
  });

  it('refuses an endpoint where this key is saved already, and names that entry', async () => {
    const user = await createRgwUser(rgw);
    const { vault } = await freshVault();
    // The same key under two names of one server: two entries, as Keydesk tells services apart by host.
    const first = await vault.add({ label: 'by address', endpoint: rgw.endpoint, region: 'us-east-1', ...user });
    const second = await vault.add({ label: 'by name', endpoint: `http://localhost:${port}`, region: 'us-east-1', ...user });
    await expect(vault.changeConnection(second.id, { endpoint: `${rgw.endpoint}/`, region: 'us-east-1' })).rejects.toMatchObject({
      code: 'CONFLICT',
      existing: { id: first.id, label: 'by address' },
    });
    expect(vault.get(second.id).endpoint).toBe(`http://localhost:${port}`);
  });
});

describe('Settings → Connection when saving fails half-way (in-memory keychain)', () => {
  it('puts the previous secret back when the settings file cannot be written', async () => {
    const user = await createRgwUser(rgw);
    const secrets = new MemorySecrets();
    const { vault, metadata } = await freshVault(secrets);
    const saved = await vault.add({ label: 'ceph', endpoint: rgw.endpoint, region: 'us-east-1', ...user });
    const newSecret = `${user.secretAccessKey.slice(0, 20)}ROTATEDROTATEDROTATE`;
    await removeRgwKey(rgw, user.uid, user.accessKeyId);
    await addRgwKey(rgw, user.uid, user.accessKeyId, newSecret);
    metadata.putCredential = () => {
      throw new Error('disk full');
    };
    await expect(vault.changeConnection(saved.id, { endpoint: rgw.endpoint, region: 'us-east-1', secretAccessKey: newSecret })).rejects.toThrow('disk full');
    expect(secrets.entries.get(`credential:${saved.id}`)).toBe(user.secretAccessKey);
    expect(vault.get(saved.id)).toEqual(saved);
  });
});
