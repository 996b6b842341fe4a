import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { expect, filesContaining, test } from './fixtures';
import { addRgwAccount, keylessUserWithBucket, listBuckets } from './rgw-account';

async function downloadText(page: Page, name: string): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name }).click()]);
  return readFile(await download.path(), 'utf8');
}

test('provider account → create S3 credentials → browse → regenerate → delete, against a real RGW', async ({ page, rgw, home, snap }) => {
  const { uid, bucket } = await keylessUserWithBucket(rgw);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Accounts' }).click();
  await expect(page.getByRole('heading', { name: 'No provider accounts yet' })).toBeVisible();
  await snap('accounts-empty');

  await addRgwAccount(page, rgw, uid, rgw.admin.secretAccessKey);
  await snap('add-account-form');
  await page.getByRole('button', { name: 'Verify and save' }).click();

  // A new account with no key: the primary action is to create S3 credentials.
  await expect(page.getByRole('heading', { name: 'RGW lab' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'No access keys yet' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Browse Buckets' })).toHaveCount(0);
  await snap('keys-empty');

  await page.getByRole('button', { name: 'Create S3 credentials' }).click();
  const createDialog = page.getByRole('dialog', { name: 'Create key' });
  await createDialog.getByLabel('Description').fill('e2e backups');
  await expect(createDialog.getByLabel(/Save in keychain/)).toBeChecked();
  await snap('create-key-form');
  await createDialog.getByRole('button', { name: 'Create key' }).click();

  const created = page.getByRole('dialog', { name: 'Key created' });
  await expect(created.getByText('Saved in the keychain as "RGW lab: e2e backups"')).toBeVisible();
  await expect(created.getByRole('button', { name: 'Copy access key' })).toBeVisible();
  await expect(created.getByText(/Copy or download the secret now/)).toBeVisible();
  const accessKeyId = (await created.getByTestId('new-access-key').textContent())!.trim();
  const csv = await downloadText(page, 'Download key pair as CSV');
  const json = JSON.parse(await downloadText(page, 'Download key pair as JSON')) as { accessKeyId: string; secretAccessKey: string; endpoint: string };
  expect(json).toMatchObject({ accessKeyId, endpoint: rgw.endpoint });
  const secret = json.secretAccessKey;
  // RGW keeps no key descriptions, so that column stays empty.
  expect(csv.split('\r\n')[1]).toBe(`${accessKeyId},${secret},${rgw.endpoint},us-east-1,`);

  await page.clock.install();
  await created.getByRole('button', { name: 'Copy secret' }).click();
  await expect(created.getByRole('status').filter({ hasText: 'Secret copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
  await snap('key-created');
  await page.clock.runFor(31_000);
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe('');
  await created.getByRole('button', { name: 'Done' }).click();

  const row = page.getByRole('table', { name: 'Access keys' }).getByRole('row').filter({ hasText: accessKeyId });
  await expect(row).toContainText('In keychain');
  expect(await listBuckets(rgw, accessKeyId, secret)).toContain(bucket);
  await snap('keys-list');

  await page.getByRole('button', { name: 'Browse Buckets' }).click();
  await expect(page.getByRole('table', { name: 'Buckets' })).toContainText(bucket);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Accounts' }).click();
  await page.getByRole('button', { name: 'RGW lab', exact: true }).click();

  // Regenerate: confirmed, the old secret stops working, the saved credential follows.
  await row.getByRole('button', { name: 'Regenerate secret' }).click();
  const confirm = page.getByRole('dialog', { name: `Regenerate the secret of ${accessKeyId}?` });
  await expect(confirm).toContainText('The existing secret stops working immediately');
  await snap('regenerate-confirm');
  await confirm.getByRole('button', { name: 'Regenerate secret' }).click();
  const regenerated = page.getByRole('dialog', { name: 'New secret' });
  await expect(regenerated).toContainText('Updated the saved credential "RGW lab: e2e backups" with the new secret.');
  await regenerated.getByRole('button', { name: 'Reveal' }).click();
  const newSecret = (await regenerated.locator('code.secret').textContent())!.trim();
  expect(newSecret).not.toBe(secret);
  await snap('regenerated');
  await regenerated.getByRole('button', { name: 'Done' }).click();
  await expect(listBuckets(rgw, accessKeyId, secret)).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
  expect(await listBuckets(rgw, accessKeyId, newSecret)).toContain(bucket);
  await page.getByRole('button', { name: 'Browse Buckets' }).click();
  await expect(page.getByRole('table', { name: 'Buckets' })).toContainText(bucket);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Accounts' }).click();
  await page.getByRole('button', { name: 'RGW lab', exact: true }).click();

  // RGW can show a secret again, after a confirmation.
  await row.getByRole('button', { name: 'Show secret' }).click();
  await page.getByRole('dialog', { name: `Show the secret of ${accessKeyId}?` }).getByRole('button', { name: 'Show secret' }).click();
  // One confirmation is enough: the secret is on screen at once.
  const shown = page.getByRole('dialog', { name: 'Secret access key' });
  await expect(shown.locator('code.secret')).toHaveText(newSecret);
  await expect(shown.getByRole('button', { name: 'Hide' })).toBeVisible();
  await shown.getByRole('button', { name: 'Done' }).click();

  await page.getByRole('searchbox', { name: 'Search keys' }).fill('no such key');
  await expect(page.getByText('No key matches')).toBeVisible();
  await page.getByRole('searchbox', { name: 'Search keys' }).fill(accessKeyId.slice(0, 6));
  await expect(row).toBeVisible();

  // Delete, confirmed by typing the key ID; the saved credential goes with it.
  await row.getByRole('button', { name: 'Delete' }).click();
  const del = page.getByRole('dialog', { name: `Delete key ${accessKeyId}?` });
  await expect(del).toContainText('Its saved credential in Keydesk is removed too.');
  await expect(del.getByRole('button', { name: 'Delete key' })).toBeDisabled();
  await del.getByRole('textbox').fill(accessKeyId);
  await snap('delete-confirm');
  await del.getByRole('button', { name: 'Delete key' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Deleted key ${accessKeyId}.` })).toContainText('Removed its saved credential from Keydesk: "RGW lab: e2e backups".');
  await expect(page.getByRole('button', { name: 'Create S3 credentials' })).toBeVisible();
  await snap('key-deleted');
  await expect(listBuckets(rgw, accessKeyId, newSecret)).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });

  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Credentials' }).click();
  await expect(page.getByRole('heading', { name: 'No credentials yet' })).toBeVisible();
  expect(await filesContaining(home, secret)).toEqual([]);
  expect(await filesContaining(home, newSecret)).toEqual([]);
  expect(await filesContaining(home, rgw.admin.secretAccessKey)).toEqual([]);
});

test('a wrong admin secret is named clearly and nothing is saved', async ({ page, rgw, home, snap }) => {
  const { uid } = await keylessUserWithBucket(rgw);
  const wrong = `${rgw.admin.secretAccessKey.slice(0, -4)}XXXX`;
  await addRgwAccount(page, rgw, uid, wrong);
  await page.getByRole('button', { name: 'Verify and save' }).click();
  await expect(page.getByRole('alert')).toContainText('Ceph RGW refused: the admin secret key is wrong (SignatureDoesNotMatch)');
  await expect(page.getByRole('alert')).toContainText('Copy the admin secret key again');
  await snap('add-account-error');

  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('heading', { name: 'No provider accounts yet' })).toBeVisible();
  expect(await filesContaining(home, wrong)).toEqual([]);
  expect(await filesContaining(home, uid)).toEqual([]);
});

test('at the key limit "Create key" is disabled with the reason shown', async ({ page, rgw, snap }) => {
  // RGW has no key limit, so the bridge adds one to every key listing; main's own refusal is unit-tested.
  await page.routeWebSocket(/\/bridge/, (ws) => {
    const server = ws.connectToServer();
    server.onMessage((message) => {
      const data = JSON.parse(String(message)) as { envelope?: { ok: boolean; value?: { keys?: unknown[]; limit?: unknown } } };
      const value = data.envelope?.ok ? data.envelope.value : undefined;
      if (value && Array.isArray(value.keys)) value.limit = { maxKeysPerOwner: 1, scope: 'user', message: 'Ceph RGW allows 1 key per user' };
      ws.send(JSON.stringify(data));
    });
  });
  await page.reload();
  const { uid } = await keylessUserWithBucket(rgw);
  await addRgwAccount(page, rgw, uid, rgw.admin.secretAccessKey);
  await page.getByRole('button', { name: 'Verify and save' }).click();
  await page.getByRole('button', { name: 'Create S3 credentials' }).click();
  await page.getByRole('dialog', { name: 'Create key' }).getByRole('button', { name: 'Create key' }).click();
  await page.getByRole('dialog', { name: 'Key created' }).getByRole('button', { name: 'Done' }).click();

  const create = page.getByRole('button', { name: 'Create key' });
  await expect(create).toBeDisabled();
  await expect(create).toHaveAccessibleDescription('Ceph RGW allows 1 key per user');
  await snap('limit-reached');
});

test('an existing key the provider can show again is saved in the keychain from its row, and browses buckets', async ({ page, rgw, home, snap }) => {
  const { uid, bucket } = await keylessUserWithBucket(rgw);
  await addRgwAccount(page, rgw, uid, rgw.admin.secretAccessKey);
  await page.getByRole('button', { name: 'Verify and save' }).click();

  await page.getByRole('button', { name: 'Create S3 credentials' }).click();
  const createDialog = page.getByRole('dialog', { name: 'Create key' });
  await createDialog.getByLabel(/Save in keychain/).uncheck();
  await createDialog.getByRole('button', { name: 'Create key' }).click();
  const created = page.getByRole('dialog', { name: 'Key created' });
  const accessKeyId = (await created.getByTestId('new-access-key').textContent())!.trim();
  await created.getByRole('button', { name: 'Done' }).click();

  const row = page.getByRole('table', { name: 'Access keys' }).getByRole('row').filter({ hasText: accessKeyId });
  await expect(row).not.toContainText('In keychain');
  await row.getByRole('button', { name: 'Save in keychain' }).click();
  await expect(page.getByText(`Saved ${accessKeyId} in the keychain`)).toBeVisible();
  await expect(row).toContainText('In keychain');
  await expect(row.getByRole('button', { name: 'Save in keychain' })).toHaveCount(0);
  await snap('key-saved-from-row');

  await page.getByRole('button', { name: 'Browse Buckets' }).click();
  await expect(page.getByText(bucket)).toBeVisible();
  expect((await filesContaining(home, accessKeyId)).length).toBeGreaterThan(0);
});
