import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { AccountService } from '../../src-main/core/accounts/account-service';
import { createS3Client } from '../../src-main/core/s3/client';
import { CredentialVault } from '../../src-main/core/vault/credential-vault';
import { MetadataStore, openConfStore } from '../../src-main/core/vault/metadata-store';
import { KeychainSecretStore } from '../../src-main/core/vault/secret-store';
import { createRgwUser, type RgwUser } from '../helpers/rgw-users';

const fake = vi.hoisted(() => ({ current: undefined as unknown as import('../helpers/fake-electron').FakeElectron }));
vi.mock('electron', async () => {
  const { createFakeElectron: create } = await import('../helpers/fake-electron');
  fake.current = create();
  return fake.current.module;
});

const rgw = inject('rgw');

type Item = { label?: string; enabled?: boolean; click?: () => void; submenu?: Item[] };
const menu = () => (fake.current.trays[0].menu as { items: Item[] }).items;
const keyItem = (label: string) => menu().find((item) => item.label?.startsWith(`${label} — `));
const action = (key: string, label: string) => keyItem(key)!.submenu!.find((item) => item.label === label)!;

async function until<T>(check: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(!process.env.DBUS_SESSION_BUS_ADDRESS)('Tray against a real RGW (electron faked)', () => {
  let home: string;
  let user: RgwUser;
  let credentialId: string;
  let accountId: string;
  let reopen: () => { vault: CredentialVault; accounts: AccountService };

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'keydesk-tray-'));
    process.env.KEYDESK_HOME = home;
    reopen = () => {
      const metadata = new MetadataStore(openConfStore(home));
      const secrets = new KeychainSecretStore(`Keydesk@${home}`);
      return { vault: new CredentialVault(metadata, secrets), accounts: new AccountService(metadata, secrets) };
    };
    const { vault, accounts } = reopen();
    user = await createRgwUser(rgw, 'tray');
    const { account } = await accounts.add({
      providerId: 'ceph-rgw',
      label: 'Ceph test',
      fields: { endpoint: rgw.endpoint, region: rgw.region, accessKeyId: rgw.admin.accessKeyId, secretAccessKey: rgw.admin.secretAccessKey, uid: user.uid },
    });
    const saved = await vault.add({ label: 'app', endpoint: rgw.endpoint, region: rgw.region, ...user, accountId: account.id, owner: user.uid });
    credentialId = saved.id;
    accountId = account.id;
    // Saved 100 days ago: due under the default 90-day policy.
    new MetadataStore(openConfStore(home)).putCredential({ ...saved, createdAt: new Date(Date.now() - 100 * 86_400_000).toISOString() });

    await import('../../src-main/shell/main');
    fake.current.module.app.ready();
    await until(() => fake.current.trays[0]?.menu);
  });

  it('lists the account and its key with its age, and notifies that it is due', () => {
    expect(menu().map((item) => item.label).filter(Boolean)).toEqual(['Ceph test', 'app — added 100 days ago (rotation due)', 'Show Keydesk', 'Quit']);
    expect(fake.current.trays[0].tooltip).toBe('Keydesk — 1 key due for rotation');
    expect(fake.current.module.app.badgeCount).toBe(1);
    expect(fake.current.notifications).toContainEqual({ title: '1 key due for rotation', body: 'app (added 100 days ago)', shown: true });
  });

  it('copies the access key ID and opens Browse Buckets for the key', () => {
    action('app', 'Copy access key ID').click!();
    expect(fake.current.clipboard.text).toBe(user.accessKeyId);
    const window = fake.current.windows[0];
    window.hide();
    action('app', 'Browse Buckets').click!();
    expect(window.visible).toBe(true);
    expect(window.webContents.sent).toContainEqual({ channel: 'keydesk-event:app:navigate', payload: { view: 'browse', credentialId } });
  });

  it('rotates the key from "Rotate now": new key saved and working, old key deleted, menu rebuilt', async () => {
    action('app', 'Rotate now').click!();
    const done = await until(() => fake.current.notifications.find((n) => n.title === 'Key rotated' || n.title === 'Rotation failed'));
    expect(done.title).toBe('Key rotated');

    const { vault, accounts } = reopen();
    const record = vault.get(credentialId);
    expect(record.accessKeyId).not.toBe(user.accessKeyId);
    expect(done.body).toBe(`app now uses ${record.accessKeyId}; the old key was deleted.`);
    const client = createS3Client(await vault.connection(credentialId), { maxAttempts: 1 });
    await expect(client.send(new ListBucketsCommand({}))).resolves.toBeDefined();
    client.destroy();
    const session = await accounts.session(record.accountId!);
    expect((await session.listKeys({})).map((k) => k.accessKeyId)).toEqual([record.accessKeyId]);

    expect(keyItem('app')!.label).toBe('app — rotated today');
    expect(fake.current.trays[0].tooltip).toBe('Keydesk');
    expect(fake.current.module.app.badgeCount).toBe(0);
    expect(fake.current.windows[0].webContents.sent.map((m) => m.channel)).toContain('keydesk-event:rotation:progress');
  });

  it('regroups the keys when their account is removed: no "Rotate now" without an account', async () => {
    const trusted = { senderFrame: { parent: null, url: fake.current.windows[0].loadedUrl! } };
    await expect(fake.current.handlers.get('accounts:remove')!(trusted, { id: accountId })).resolves.toEqual({ ok: true, value: undefined });
    expect(menu().map((item) => item.label).filter(Boolean)).toEqual(['Saved keys', 'app — rotated today', 'Show Keydesk', 'Quit']);
    expect(action('app', 'Rotate now').enabled).toBe(false);
  });
});
