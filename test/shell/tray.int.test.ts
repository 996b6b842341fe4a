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

  const trusted = () => ({ senderFrame: { parent: null, url: fake.current.windows[0].loadedUrl! } });
  const works = async (accessKeyId: string, secretAccessKey: string) => {
    const client = createS3Client({ endpoint: rgw.endpoint, region: rgw.region, accessKeyId, secretAccessKey, forcePathStyle: true, checksums: 'when-required' }, { maxAttempts: 1 });
    try {
      await client.send(new ListBucketsCommand({}));
      return true;
    } catch {
      return false;
    } finally {
      client.destroy();
    }
  };

  it('"Rotate now…" opens the rotation dialog in the window and rotates nothing by itself', async () => {
    const window = fake.current.windows[0];
    window.hide();
    action('app', 'Rotate now…').click!();
    expect(window.visible).toBe(true);
    expect(window.webContents.sent).toContainEqual({ channel: 'keydesk-event:app:navigate', payload: { view: 'rotate', credentialId } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { vault, accounts } = reopen();
    expect(vault.get(credentialId).accessKeyId).toBe(user.accessKeyId);
    expect((await (await accounts.session(accountId)).listKeys({})).map((k) => k.accessKeyId)).toEqual([user.accessKeyId]);
  });

  it('"Report leaked…" opens the leak screen in the window and stops nothing by itself', async () => {
    action('app', 'Report leaked…').click!();
    expect(fake.current.windows[0].webContents.sent).toContainEqual({ channel: 'keydesk-event:app:navigate', payload: { view: 'leak', credentialId } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await works(user.accessKeyId, user.secretAccessKey)).toBe(true);
  });

  it('lists the old key after a rotation with a grace period: Extend notifies, Revoke now… opens the confirmation', async () => {
    const run = await fake.current.handlers.get('rotation:run')!(trusted(), { credentialId, oldKey: { kind: 'grace', days: 7, then: 'delete' } });
    expect(run).toMatchObject({ ok: true, value: { oldKey: 'kept' } });
    const id = (run as { value: { pending: { id: string } } }).value.pending.id;
    const oldLabel = `app: ${user.accessKeyId} — `;
    await until(() => menu().find((item) => item.label === `${oldLabel}deleted in 7 days`) && keyItem('app')?.label === 'app — rotated today');
    expect(menu().map((item) => item.label).filter(Boolean)).toEqual(['Ceph test', 'app — rotated today', 'Old keys waiting to be revoked', `${oldLabel}deleted in 7 days`, 'Show Keydesk', 'Quit']);
    expect(await works(user.accessKeyId, user.secretAccessKey)).toBe(true);
    expect(fake.current.module.app.badgeCount).toBe(0);

    action(oldLabel.slice(0, -3), 'Extend by 7 days').click!();
    const extended = await until(() => fake.current.notifications.find((n) => n.title === 'Grace period extended'));
    expect(extended.body).toContain(`${user.accessKeyId} (app) keeps working until`);
    await until(() => menu().find((item) => item.label === `${oldLabel}deleted in 14 days`));

    action(oldLabel.slice(0, -3), 'Revoke now…').click!();
    expect(fake.current.windows[0].webContents.sent).toContainEqual({ channel: 'keydesk-event:app:navigate', payload: { view: 'revocation', revocationId: id, action: 'revoke' } });
    // Still there: the menu opened the confirmation, it did not revoke.
    expect(await works(user.accessKeyId, user.secretAccessKey)).toBe(true);
    await expect(fake.current.handlers.get('rotation:revokeNow')!(trusted(), { id })).resolves.toEqual({ ok: true, value: { id, oldKey: 'deleted' } });
    await until(() => !menu().some((item) => item.label?.startsWith(oldLabel)));
    expect(await works(user.accessKeyId, user.secretAccessKey)).toBe(false);
  });

  it('regroups the keys when their account is removed: no "Rotate now" without an account', async () => {
    const trusted = { senderFrame: { parent: null, url: fake.current.windows[0].loadedUrl! } };
    await expect(fake.current.handlers.get('accounts:remove')!(trusted, { id: accountId })).resolves.toEqual({ ok: true, value: undefined });
    await until(() => menu().find((item) => item.label === 'Saved keys'));
    expect(menu().map((item) => item.label).filter(Boolean)).toEqual(['Saved keys', 'app — rotated today', 'Show Keydesk', 'Quit']);
    expect(action('app', 'Rotate now…').enabled).toBe(false);
  });
});
