import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AccountService } from '../../../src-main/core/accounts/account-service';
import { MetadataStore, openConfStore } from '../../../src-main/core/vault/metadata-store';
import type { SecretStore } from '../../../src-main/core/vault/secret-store';

function memorySecrets(): SecretStore & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    get: async (name) => entries.get(name) ?? null,
    set: async (name, secret) => void entries.set(name, secret),
    delete: async (name) => entries.delete(name),
    list: async () => [...entries.keys()],
  };
}

async function service() {
  const secrets = memorySecrets();
  const metadata = new MetadataStore(openConfStore(await mkdtemp(join(tmpdir(), 'keydesk-accounts-'))));
  return { secrets, metadata, accounts: new AccountService(metadata, secrets) };
}

describe('AccountService input checks (nothing is saved on refusal)', () => {
  it('sends pasted-key providers to Add credentials', async () => {
    const { accounts, metadata, secrets } = await service();
    await expect(accounts.add({ providerId: 'manual', label: 'x', fields: {} })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('Add credentials'),
    });
    expect(metadata.accounts()).toEqual([]);
    expect(secrets.entries.size).toBe(0);
  });

  it('names missing required fields, malformed URLs and unknown fields before calling the provider', async () => {
    const { accounts, metadata } = await service();
    await expect(accounts.add({ providerId: 'ceph-rgw', label: '', fields: {} })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/^Enter the /) });
    await expect(
      accounts.add({ providerId: 'ceph-rgw', label: '', fields: { endpoint: 'not a url', accessKeyId: 'a', secretAccessKey: 'b' } }),
    ).rejects.toMatchObject({ message: expect.stringContaining('is not a valid URL') });
    await expect(
      accounts.add({ providerId: 'ceph-rgw', label: '', fields: { endpoint: 'http://127.0.0.1:1', accessKeyId: 'a', secretAccessKey: 'b', bogus: 'x' } }),
    ).rejects.toMatchObject({ message: expect.stringContaining('Unknown field(s) for Ceph RGW: bogus') });
    await expect(accounts.add({ providerId: 'nope', label: '', fields: {} })).rejects.toMatchObject({ message: 'Unknown provider "nope".' });
    expect(metadata.accounts()).toEqual([]);
  });

  it("checks a table field's rows before calling the provider", async () => {
    const { accounts, metadata } = await service();
    const add = (regions: string) => accounts.add({ providerId: 'openstack-regions', label: '', fields: { regions, username: 'u', password: 'p', projectName: 'p' } });
    await expect(add('[]')).rejects.toMatchObject({ code: 'INVALID_INPUT', message: 'Regions: add at least one row.' });
    await expect(add('[{"name":"sto2","authUrl":""}]')).rejects.toMatchObject({ message: 'Regions: enter the Keystone URL in row 1.' });
    await expect(add('[{"name":"sto2","authUrl":"keystone"}]')).rejects.toMatchObject({ message: 'Regions: the Keystone URL "keystone" in row 1 is not a valid URL.' });
    await expect(add('{"name":"sto2"}')).rejects.toMatchObject({ message: 'Regions: not a list of rows.' });
    expect(metadata.accounts()).toEqual([]);
  });
});
