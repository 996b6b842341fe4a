import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { snippets } from '../../../src-main/core/ecosystem/snippets';
import { CredentialVault } from '../../../src-main/core/vault/credential-vault';
import { METADATA_VERSION, MetadataStore, openConfStore, type CredentialRecord } from '../../../src-main/core/vault/metadata-store';
import { findByProfile } from '../../../src-main/core/vault/profile-names';
import type { SecretStore } from '../../../src-main/core/vault/secret-store';

const ACCOUNT = '6a1f4f39-9d0c-4b6f-8a53-1c2f7e1d0a01';
const GONE_ACCOUNT = '6a1f4f39-9d0c-4b6f-8a53-1c2f7e1d0a02';

function record(id: string, change: Partial<CredentialRecord>): CredentialRecord {
  return {
    id,
    label: id,
    endpoint: 'http://rgw.lab:7480',
    region: 'us-east-1',
    accessKeyId: `KEY${id}`,
    forcePathStyle: true,
    checksums: 'when-required',
    createdAt: '2025-01-01T00:00:00.000Z',
    rotationMaxAgeDays: 90,
    transfer: { partSizeMiB: 16, concurrency: 8 },
    ...change,
  };
}

/** A settings file as Keydesk 1 wrote it, with the labels it made up from key IDs. */
function versionOne() {
  return {
    version: 1,
    accounts: [{ id: ACCOUNT, providerId: 'ceph-rgw', label: 'Lab Ceph', settings: {}, createdAt: '2025-01-01T00:00:00.000Z' }],
    credentials: [
      // Rotated: the label names the deleted key.
      record('rotated', { accountId: ACCOUNT, owner: 'alice', label: 'Lab Ceph: 27T0ABCDEFGH12345678', accessKeyId: 'NEWKEYAAAAAAAAAAAAA1', rotatedAt: '2025-04-01T00:00:00.000Z' }),
      // Not rotated yet: names its own key; same account and owner, so it gets a number.
      record('current', { accountId: ACCOUNT, owner: 'alice', label: 'Lab Ceph: 9ZZZ8YYY7XXX6WWW5VVV', accessKeyId: '9ZZZ8YYY7XXX6WWW5VVV' }),
      record('described', { accountId: ACCOUNT, owner: 'alice', label: 'Lab Ceph: nightly backups' }),
      record('user-words', { accountId: ACCOUNT, owner: 'alice', label: 'Lab Ceph: Backups2024Primary' }),
      record('pasted', { label: 'AKIAIOSFODNN7EXAMPLE @ s3.example.com', endpoint: 'https://s3.example.com', accessKeyId: 'AKIAIOSFODNN7EXAMPLE' }),
      record('other-host', { label: 'AKIAIOSFODNN7EXAMPLE @ elsewhere.example.com', endpoint: 'https://s3.example.com', accessKeyId: 'AKIAIOSFODNN7EXAMPL2' }),
      record('mine', { label: 'Production' }),
      // Its account was removed since; Keystone's EC2 access keys are 32 hex digits.
      record('orphan', { accountId: GONE_ACCOUNT, owner: 'proj-a', label: 'Old Cloud: 0123456789abcdef0123456789abcdef', accessKeyId: '0123456789abcdef0123456789abcdef' }),
    ],
  };
}

const noSecrets: SecretStore = { get: async () => 'secret', set: async () => undefined, delete: async () => true, list: async () => [] };

describe('metadata migrations', () => {
  it('1 → 2: made-up labels that name a key ID become stable, user-written ones stay, old profile names keep working', () => {
    const before = versionOne();
    const oldProfiles = Object.fromEntries(before.credentials.map((c) => [c.id, snippets(c, before.credentials, 'keydesk').profile]));
    const backing = { store: structuredClone(before) as Record<string, unknown> };
    const store = new MetadataStore(backing);
    const labels = Object.fromEntries(store.credentials().map((c) => [c.id, c.label]));
    expect(labels).toEqual({
      rotated: 'Lab Ceph: alice',
      current: 'Lab Ceph: alice (2)',
      described: 'Lab Ceph: nightly backups',
      'user-words': 'Lab Ceph: Backups2024Primary',
      pasted: 's3.example.com',
      'other-host': 'AKIAIOSFODNN7EXAMPLE @ elsewhere.example.com',
      mine: 'Production',
      orphan: 'Old Cloud: proj-a',
    });
    expect(backing.store.version).toBe(METADATA_VERSION);
    expect(backing.store.health).toEqual({});

    // credential_process lines written with the old profile names still find their credential.
    const all = store.credentials();
    expect(oldProfiles.rotated).toBe('lab-ceph-27t0abcdefgh12345678');
    for (const id of ['rotated', 'current', 'pasted', 'orphan']) expect(findByProfile(all, oldProfiles[id]).id).toBe(id);
    expect(findByProfile(all, 'lab-ceph-alice').id).toBe('rotated');
    // Everything but the label is as it was.
    const { label: _a, formerProfiles: _b, ...rest } = all[0];
    const { label: _c, ...original } = before.credentials[0];
    expect(rest).toEqual(original);
  });

  it('leaves damaged records alone, and a migrated file unchanged on the next open', () => {
    const data = versionOne() as unknown as { credentials: unknown[] };
    data.credentials.push({ id: 'broken' }, null);
    const backing = { store: data as Record<string, unknown> };
    new MetadataStore(backing);
    const once = structuredClone(backing.store);
    expect((once.credentials as unknown[]).slice(-2)).toEqual([{ id: 'broken' }, null]);
    new MetadataStore(backing);
    expect(backing.store).toEqual(once);
  });

  it('migrates an unversioned file all the way, through the real settings file', async () => {
    const home = await mkdtemp(join(tmpdir(), 'keydesk-migrate-'));
    const { version: _v, ...unversioned } = versionOne();
    await writeFile(join(home, 'keydesk.json'), JSON.stringify(unversioned));
    const store = new MetadataStore(openConfStore(home));
    expect(store.credentials().find((c) => c.id === 'rotated')?.label).toBe('Lab Ceph: alice');
    const file = JSON.parse(await readFile(join(home, 'keydesk.json'), 'utf8')) as { version: number; health: object };
    expect(file).toMatchObject({ version: METADATA_VERSION, health: {} });
    expect(() => new MetadataStore(openConfStore(home))).not.toThrow();
  });
});

describe('labels after the migration', () => {
  it('a rename keeps the old profile name answering; a label spelling out a replaced key ID follows the new key', async () => {
    const vault = new CredentialVault(new MetadataStore({ store: versionOne() }), noSecrets);
    vault.update('mine', { label: 'Production EU' });
    vault.update('mine', { label: 'Production (EU)' });
    const all = vault.list();
    expect(findByProfile(all, 'production').id).toBe('mine');
    expect(findByProfile(all, 'production-eu').id).toBe('mine');
    expect(() => vault.update('mine', { label: '  ' })).toThrow(/Enter a label/);

    vault.update('other-host', { label: 'AKIAIOSFODNN7EXAMPL2 for backups' });
    const replaced = await vault.replaceKey('other-host', 'AKIANEWKEY0000000002', 'new-secret');
    expect(replaced.label).toBe('AKIANEWKEY0000000002 for backups');
    expect(findByProfile(vault.list(), 'akiaiosfodnn7exampl2-for-backups').id).toBe('other-host');
    // A made-up stable label has nothing to follow.
    expect((await vault.replaceKey('rotated', 'NEWKEYBBBBBBBBBBBBB2', 's')).label).toBe('Lab Ceph: alice');
  });
});
