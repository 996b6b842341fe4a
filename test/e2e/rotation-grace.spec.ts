import AxeBuilder from '@axe-core/playwright';
import type { WebSocketRoute } from '@playwright/test';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { iamOnRgw } from '../helpers/iam-on-rgw';
import { createRgwUser } from '../helpers/rgw-users';
import { startFakeIam } from '../servers/fake-iam';
import { expect, filesContaining, snapSizes, test } from './fixtures';
import { createSavedKey, credentialRow, listBuckets, rgwKeys, savedRgwKey } from './rgw-account';

const DAY_MS = 86_400_000;

/** The old keys waiting to be revoked, as this test home's state holds them (one JSON file each). */
async function pendingRevocations(home: string): Promise<{ dueAt: string }[]> {
  const dir = join(home, 'state', 'revocations');
  const files = (await readdir(dir)).filter((name) => name.endsWith('.json'));
  return Promise.all(files.map(async (name) => JSON.parse(await readFile(join(dir, name), 'utf8')) as { dueAt: string }));
}
const refused = { $metadata: { httpStatusCode: 403 } };

test('Rotate with a grace period: the dialog says what will happen, the old key keeps working on S3, "Revoke now" ends it', async ({ page, rgw, home, snap }) => {
  const { uid, bucket, keyId: oldKeyId, key: oldKey, label, row } = await savedRgwKey(page, rgw, 'grace');

  await row.getByRole('button', { name: 'Rotate now', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: `Rotate ${label}` });
  await expect(dialog.getByRole('region', { name: 'New key', exact: true })).toContainText('Keydesk asks Ceph RGW (RGW lab) for a new access key');
  const switches = dialog.getByRole('region', { name: 'Switches to the new key' });
  await expect(switches.getByRole('listitem')).toHaveText([`${label} · profile rgw-lab-e2e-grace`]);
  await expect(switches.locator('code[title$="credential-process --profile NAME"]')).toHaveText('credential_process');
  const oldKeyGroup = dialog.getByRole('group', { name: `The old key ${oldKeyId}` });
  await expect(oldKeyGroup.getByRole('radio')).toHaveCount(2);
  await expect(oldKeyGroup.getByRole('radio', { name: /Keep it working for/ })).toBeChecked();
  await expect(oldKeyGroup.getByLabel('Grace period in days')).toHaveValue('7');
  await expect(oldKeyGroup).toContainText('Delete it now');
  await expect(oldKeyGroup).not.toContainText('Deactivate');
  await oldKeyGroup.getByLabel('Grace period in days').fill('10');
  await expect(oldKeyGroup).toContainText(`Tools still using it keep working until`);
  // Nothing happened yet.
  expect(await rgwKeys(rgw, uid)).toHaveLength(1);
  expect((await new AxeBuilder({ page }).include('dialog').analyze()).violations).toEqual([]);
  await snapSizes(page, snap, 'rotation-dialog');

  await dialog.getByRole('button', { name: 'Rotate', exact: true }).click();
  await expect(dialog.getByRole('status')).toContainText(`Rotated: 1 saved credential now uses`);
  await expect(dialog.getByRole('status')).toContainText(`The old key ${oldKeyId} keeps working until`);
  await expect(dialog.getByRole('status')).toContainText('(in 10 days)');
  await dialog.getByRole('button', { name: 'Done' }).click();

  const keys = await rgwKeys(rgw, uid);
  expect(keys).toHaveLength(2);
  const newKey = keys.find((k) => k.accessKeyId !== oldKeyId)!;
  await expect(row).toContainText(newKey.accessKeyId);
  const pending = row.getByRole('group', { name: `Old key ${oldKeyId}` });
  await expect(pending).toContainText(`Old key ${oldKeyId}: still works; deleted`);
  await expect(pending).toContainText('(in 10 days)');
  await expect(pending.getByRole('button', { name: `Restore old key ${oldKeyId}` })).toBeVisible();
  expect((await new AxeBuilder({ page }).include('table').analyze()).violations).toEqual([]);
  // The old key still works on S3 (a real request), and so does the new one.
  expect(await listBuckets(rgw, oldKey.accessKeyId, oldKey.secretAccessKey)).toContain(bucket);
  expect(await listBuckets(rgw, newKey.accessKeyId, newKey.secretAccessKey)).toContain(bucket);
  await snapSizes(page, snap, 'rotation-pending-row');

  // The keys screen marks the old key too.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Accounts' }).click();
  await page.getByRole('button', { name: 'RGW lab' }).first().click();
  await expect(page.getByRole('table', { name: 'Access keys' }).getByRole('row').filter({ hasText: oldKeyId })).toContainText('Old key · deleted');

  await (await credentialRow(page, label)).getByRole('button', { name: `Revoke now: old key ${oldKeyId}` }).click();
  const confirm = page.getByRole('dialog', { name: `Revoke old key ${oldKeyId} now?` });
  await expect(confirm).toContainText('anything still using it fails at once');
  await confirm.getByRole('button', { name: 'Delete key' }).click();
  await expect(confirm).toBeHidden();
  await expect(pending).toBeHidden();
  await expect(listBuckets(rgw, oldKey.accessKeyId, oldKey.secretAccessKey)).rejects.toMatchObject(refused);
  expect(await rgwKeys(rgw, uid)).toEqual([newKey]);
  expect(await filesContaining(home, oldKey.secretAccessKey)).toEqual([]);
  expect(await filesContaining(home, newKey.secretAccessKey)).toEqual([]);
});

test('a pending revocation survives a restart, and runs when due — also when that came while Keydesk was closed', async ({ page, rgw, restartApp, snap }) => {
  // Two restarts, and the notice pictured at two sizes with axe-core.
  test.setTimeout(120_000);
  const saved = await savedRgwKey(page, rgw, 'restart');
  const { uid, keyId: oldKeyId, key: oldKey, label } = saved;
  let row = saved.row;
  await row.getByRole('button', { name: 'Rotate now', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: `Rotate ${label}` });
  await dialog.getByRole('button', { name: 'Rotate', exact: true }).click();
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(row.getByRole('group', { name: `Old key ${oldKeyId}` })).toContainText('(in 7 days)');

  await restartApp();
  row = await credentialRow(page, label);
  await expect(row.getByRole('group', { name: `Old key ${oldKeyId}` })).toContainText('(in 7 days)');
  expect(await listBuckets(rgw, oldKey.accessKeyId, oldKey.secretAccessKey)).toBeDefined();
  const notices = page.getByRole('region', { name: 'Key rotation notices' });
  await expect(notices).toHaveCount(0);

  // Eight days later (Keydesk's clock in this test home), Keydesk starts again: the overdue revocation runs.
  await restartApp({ KEYDESK_TEST_CLOCK_OFFSET_MS: String(8 * DAY_MS) });
  row = await credentialRow(page, label);
  await expect.poll(async () => (await rgwKeys(rgw, uid)).map((k) => k.accessKeyId)).not.toContain(oldKeyId);
  await expect(listBuckets(rgw, oldKey.accessKeyId, oldKey.secretAccessKey)).rejects.toMatchObject(refused);
  // It ran before this page connected; the window says so all the same, at the top of Credentials.
  const revoked = notices.getByRole('status').filter({ hasText: 'Old key revoked' });
  await expect(revoked).toContainText(`${oldKeyId} (${label}) was deleted;`);
  await expect(revoked).toContainText('stays in use.');
  await snapSizes(page, snap, 'rotation-notice-revoked');
  await page.reload();
  await expect(row).toBeVisible();
  await expect(row.getByRole('group', { name: `Old key ${oldKeyId}` })).toHaveCount(0);
  // Until dismissed: a reload shows it again, and so does the Accounts screen.
  await expect(revoked).toBeVisible();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Accounts' }).click();
  await expect(revoked).toBeVisible();
  await revoked.getByRole('button', { name: 'Dismiss: Old key revoked' }).click();
  await expect(notices).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Accounts', exact: true })).toBeVisible();
  row = await credentialRow(page, label);
  await expect(row).toBeVisible();
  await expect(notices).toHaveCount(0);
});

test('a revocation that comes due while the window is open: its notice appears without a reload', async ({ page, rgw, restartApp, home }) => {
  test.setTimeout(120_000);
  const { uid, keyId: oldKeyId, label, row } = await savedRgwKey(page, rgw, 'live');
  await row.getByRole('button', { name: 'Rotate now', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: `Rotate ${label}` });
  await dialog.getByRole('button', { name: 'Rotate', exact: true }).click();
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(row.getByRole('group', { name: `Old key ${oldKeyId}` })).toContainText('(in 7 days)');

  // Keydesk starts again with its clock 30 s short of the due time: nothing runs at start, then the scheduler's timer fires.
  const [entry] = await pendingRevocations(home);
  await restartApp({ KEYDESK_TEST_CLOCK_OFFSET_MS: String(Date.parse(entry.dueAt) - Date.now() - 30_000) });
  const pending = (await credentialRow(page, label)).getByRole('group', { name: `Old key ${oldKeyId}` });
  await expect(pending).toBeVisible();
  const notices = page.getByRole('region', { name: 'Key rotation notices' });
  await expect(notices).toHaveCount(0);
  expect((await rgwKeys(rgw, uid)).map((k) => k.accessKeyId)).toContain(oldKeyId);

  const revoked = notices.getByRole('status').filter({ hasText: 'Old key revoked' });
  await expect(revoked).toContainText(`${oldKeyId} (${label}) was deleted;`, { timeout: 60_000 });
  await expect(pending).toHaveCount(0);
  expect((await rgwKeys(rgw, uid)).map((k) => k.accessKeyId)).not.toContain(oldKeyId);
});

test('use before revoke on AWS IAM (stand-in backed by RGW): a key used after the switch is not revoked, unless "Revoke anyway"', async ({ page, rgw, restartApp, snap }) => {
  const user = await createRgwUser(rgw, 'e2eiam');
  const iam = await startFakeIam({ AKIAMANAGER000000000: 'manager' }, ['manager', 'e2e'], iamOnRgw(rgw, () => user.uid));
  try {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Accounts' }).click();
    await page.getByRole('button', { name: 'Add account' }).first().click();
    await page.getByRole('radio', { name: /Amazon Web Services/ }).check();
    await page.getByLabel('Account name').fill('AWS lab');
    await page.getByLabel('Access key ID', { exact: true }).fill('AKIAMANAGER000000000');
    await page.getByLabel('Secret access key', { exact: true }).fill('manager-secret');
    await page.getByLabel(/^IAM user name/).fill('e2e');
    await page.getByLabel(/^S3 region/).fill(rgw.region);
    await page.getByLabel(/^IAM endpoint/).fill(iam.endpoint);
    await page.getByLabel(/^S3 endpoint/).fill(rgw.endpoint);
    await page.getByRole('button', { name: 'Verify and save' }).click();
    const oldKeyId = await createSavedKey(page, 'e2e iam');
    await expect(page.getByRole('table', { name: 'Access keys' })).toContainText('Never');
    const label = 'AWS lab: e2e iam';
    let row = await credentialRow(page, label);

    await row.getByRole('button', { name: 'Rotate now', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `Rotate ${label}` });
    await expect(dialog.getByTestId('old-key-last-used')).toHaveText('Old key last used: never (as Amazon Web Services (IAM) reports it).');
    const group = dialog.getByRole('group', { name: `The old key ${oldKeyId}` });
    await expect(group.getByRole('radio')).toHaveCount(3);
    await expect(group.getByLabel('When the grace period ends')).toHaveValue('delete');
    await expect(group).toContainText('whether anything used it after the switch');
    await snapSizes(page, snap, 'rotation-dialog-iam');
    await dialog.getByRole('button', { name: 'Rotate', exact: true }).click();
    await dialog.getByRole('button', { name: 'Done' }).click();

    // A server outside Keydesk still signs with the old key a minute after the switch.
    iam.markUsed(oldKeyId, new Date(Date.now() + 60_000).toISOString());
    await page.reload();
    row = await credentialRow(page, label);
    const pending = row.getByRole('group', { name: `Old key ${oldKeyId}` });
    await expect(pending).toContainText('Last used:');
    await pending.getByRole('button', { name: `Revoke now: old key ${oldKeyId}` }).click();
    const confirm = page.getByRole('dialog', { name: `Revoke old key ${oldKeyId} now?` });
    await confirm.getByRole('button', { name: 'Delete key' }).click();
    await expect(confirm.getByRole('alert')).toContainText(`The old key ${oldKeyId} was used at`);
    await expect(confirm.getByRole('alert')).toContainText('after Keydesk switched to the new key');
    await snapSizes(page, snap, 'rotation-revoke-refused');
    expect(iam.requests.filter((r) => r.action === 'DeleteAccessKey')).toEqual([]);

    // The scheduler refuses too when the grace period ends (eight days later, after a restart), and flags it.
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await restartApp({ KEYDESK_TEST_CLOCK_OFFSET_MS: String(8 * DAY_MS) });
    row = await credentialRow(page, label);
    await expect(row.getByTestId('used-after-switch')).toContainText('after the switch — not revoked');
    await snapSizes(page, snap, 'rotation-pending-refused');
    expect(iam.requests.filter((r) => r.action === 'DeleteAccessKey')).toEqual([]);

    await row.getByRole('button', { name: `Revoke now: old key ${oldKeyId}` }).click();
    await confirm.getByRole('button', { name: 'Delete key' }).click();
    await confirm.getByRole('button', { name: 'Revoke anyway' }).click();
    await expect(confirm).toBeHidden();
    await expect(row.getByRole('group', { name: `Old key ${oldKeyId}` })).toHaveCount(0);
    expect(iam.requests.filter((r) => r.action === 'DeleteAccessKey').map((r) => r.params.AccessKeyId)).toEqual([oldKeyId]);
  } finally {
    await iam.stop();
  }
});

test('reset in place: a warning, and the access key ID typed to confirm, before the old secret stops', async ({ page, rgw, snap }) => {
  const { uid, bucket, keyId, key: before, label, row } = await savedRgwKey(page, rgw, 'reset', { resetInPlace: true });
  await row.getByRole('button', { name: 'Rotate now', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: `Rotate ${label}` });
  const warning = dialog.getByRole('alert');
  await expect(warning).toContainText('The old secret stops working at once');
  await expect(warning).toContainText('saving the new secret, it fetches it again from Ceph RGW at its next start');
  const reset = dialog.getByRole('button', { name: 'Reset secret' });
  await expect(reset).toBeDisabled();
  await dialog.getByLabel(`Type ${keyId} to reset it`).fill(keyId.slice(0, -1));
  await expect(reset).toBeDisabled();
  await dialog.getByLabel(`Type ${keyId} to reset it`).fill(keyId);
  await expect(reset).toBeEnabled();
  expect(await rgwKeys(rgw, uid)).toEqual([before]);
  await snapSizes(page, snap, 'rotation-reset-in-place');
  await reset.click();
  await expect(dialog.getByRole('status')).toContainText('The old secret no longer works.');
  await dialog.getByRole('button', { name: 'Done' }).click();

  const [after] = await rgwKeys(rgw, uid);
  expect(after.accessKeyId).toBe(keyId);
  expect(after.secretAccessKey).not.toBe(before.secretAccessKey);
  await expect(listBuckets(rgw, keyId, before.secretAccessKey)).rejects.toMatchObject(refused);
  expect(await listBuckets(rgw, keyId, after.secretAccessKey)).toContain(bucket);
  await row.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByRole('table', { name: 'Buckets' })).toContainText(bucket);
});

test('the tray’s "Rotate now…", "Revoke now…" and "Restore old key…" open the dialog and the confirmations in the window', async ({ page, rgw, home }) => {
  // Main's navigation events, as the desktop tray sends them, injected into the page's bridge.
  let bridge: WebSocketRoute | undefined;
  await page.routeWebSocket(/\/bridge/, (ws) => {
    bridge = ws;
    ws.connectToServer();
  });
  await page.reload();
  const navigate = (payload: unknown) => bridge!.send(JSON.stringify({ event: 'app:navigate', payload }));
  const { uid, keyId: oldKeyId, label, row } = await savedRgwKey(page, rgw, 'tray');
  const credentialId = (JSON.parse(await readFile(join(home, 'keydesk.json'), 'utf8')) as { credentials: { id: string }[] }).credentials[0].id;

  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Accounts' }).click();
  navigate({ view: 'rotate', credentialId });
  const dialog = page.getByRole('dialog', { name: `Rotate ${label}` });
  await expect(dialog.getByRole('radio', { name: /Keep it working for/ })).toBeChecked();
  await dialog.getByRole('button', { name: 'Rotate', exact: true }).click();
  await dialog.getByRole('button', { name: 'Done' }).click();
  const [revocationId] = (await readdir(join(home, 'state', 'revocations'))).map((name) => name.replace(/\.json$/, ''));

  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Accounts' }).click();
  navigate({ view: 'revocation', revocationId, action: 'revoke' });
  const revoke = page.getByRole('dialog', { name: `Revoke old key ${oldKeyId} now?` });
  await expect(revoke).toBeVisible();
  await revoke.getByRole('button', { name: 'Cancel' }).click();

  navigate({ view: 'revocation', revocationId, action: 'restore' });
  const restore = page.getByRole('dialog', { name: `Switch back to ${oldKeyId}?` });
  await expect(restore).toContainText('1 saved credential uses the old key again');
  await restore.getByRole('button', { name: 'Restore old key' }).click();
  await expect(restore).toBeHidden();
  await expect(row.getByRole('cell').filter({ hasText: oldKeyId }).first()).toBeVisible();
  const [newKeyId] = (await rgwKeys(rgw, uid)).map((k) => k.accessKeyId).filter((id) => id !== oldKeyId);
  await expect(row.getByRole('group', { name: `Old key ${newKeyId}` })).toContainText('still works; deleted');
});
