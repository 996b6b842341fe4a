import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, snapSizes, testWithUserHome } from './fixtures';
import { listBuckets, rgwKeys, savedRgwKey } from './rgw-account';

const test = testWithUserHome;

test('Report leaked… from a credential row on RGW: delete confirmed, replacement switched, log shown, the plain-text copy becomes credential_process', async ({ page, rgw, userHome, snap }) => {
  const { uid, bucket, keyId: oldKeyId, key: oldKey, label, row } = await savedRgwKey(page, rgw, 'leak');
  const credentialsFile = join(userHome, '.aws', 'credentials');
  await writeFile(credentialsFile, ['[backup]', `aws_access_key_id = ${oldKeyId}`, `aws_secret_access_key = ${oldKey.secretAccessKey}`, ''].join('\n'), { mode: 0o600 });
  await writeFile(join(userHome, '.aws', 'config'), ['[profile backup]', `endpoint_url = ${rgw.endpoint}`, ''].join('\n'));
  // The secret alone, as a shell history keeps it: found by the secret Keydesk held.
  const history = join(userHome, '.bash_history');
  await writeFile(history, ['ls', `export AWS_SECRET_ACCESS_KEY=${oldKey.secretAccessKey}`, ''].join('\n'), { mode: 0o600 });

  await row.getByRole('button', { name: 'Report leaked…' }).click();
  await expect(page.getByRole('heading', { name: `Report leaked key: ${label}` })).toBeVisible();
  const stops = page.getByRole('group', { name: 'Stop the key' });
  // RGW cannot switch a key off: the stop is a delete, and suspending the user is offered instead.
  await expect(stops.getByRole('radio', { name: /Delete it now/ })).toBeChecked();
  await expect(stops).toContainText('Ceph RGW cannot switch keys off, so the key is deleted');
  await expect(stops.getByRole('radio', { name: /Suspend its user instead/ })).toBeEnabled();
  await expect(stops.getByRole('radio', { name: /Deactivate/ })).toHaveCount(0);
  await expect(page.getByText('Switches to the replacement')).toBeVisible();
  const go = page.getByRole('button', { name: 'Stop key and replace it' });
  await expect(go).toBeDisabled();
  // Nothing happened yet.
  expect(await listBuckets(rgw, oldKeyId, oldKey.secretAccessKey)).toEqual([bucket]);
  await stops.getByRole('checkbox', { name: /cannot be restored/ }).check();
  await snapSizes(page, snap, 'leak-plan');

  await go.click();
  const outcome = page.getByRole('region', { name: 'Outcome' });
  await expect(outcome).toContainText(`${oldKeyId} is deleted`, { timeout: 30_000 });
  const keys = await rgwKeys(rgw, uid);
  expect(keys).toHaveLength(1);
  const newKey = keys[0];
  expect(newKey.accessKeyId).not.toBe(oldKeyId);
  await expect(outcome).toContainText(`${newKey.accessKeyId} replaces it and works on S3`);
  await expect(outcome.getByRole('region', { name: 'Not switched' })).toContainText('needs the new key');
  const progress = page.getByRole('region', { name: 'Progress' });
  await expect(progress.locator('li[data-state="done"]')).toHaveCount(5);
  const log = progress.getByLabel('Log');
  await expect(log).toContainText(`Deleting ${oldKeyId}`);
  await expect(log).toContainText(`Switched “${label}” (and its credential_process profile)`);
  expect(await listBuckets(rgw, newKey.accessKeyId, newKey.secretAccessKey)).toEqual([bucket]);
  await expect(listBuckets(rgw, oldKeyId, oldKey.secretAccessKey)).rejects.toThrow();

  // The scan for the leaked key ID: the AWS profile can ask Keydesk for the replacement instead.
  await expect(page.getByRole('heading', { name: 'Found 2 plain-text copies in 2 files' })).toBeVisible({ timeout: 30_000 });
  const copy = page.getByRole('list', { name: `Copies in ${credentialsFile}` }).getByRole('listitem');
  await expect(copy).toContainText(`The leaked key, replaced by “${label}”`);
  await expect(copy).toContainText('Access key ID and secret');
  await expect(page.getByRole('list', { name: `Copies in ${history}` }).getByRole('listitem')).toContainText('Secret key');
  await expect(copy.getByRole('combobox')).toHaveValue('credential-process');
  expect(await page.locator('body').innerText()).not.toContain(oldKey.secretAccessKey);
  expect(await page.locator('body').innerText()).not.toContain(newKey.secretAccessKey);
  await snapSizes(page, snap, 'leak-done');

  await copy.getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Change 1 copy…' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Change files' }).click();
  await expect(page.getByRole('region', { name: 'Changes made' })).toContainText('Changed');
  const rewritten = await readFile(credentialsFile, 'utf8');
  expect(rewritten).toMatch(/credential_process = .* credential-process --profile rgw-lab-e2e-leak/);
  expect(rewritten).not.toContain(oldKey.secretAccessKey);

  await page.getByRole('button', { name: '← Back' }).click();
  await expect(page.getByRole('table', { name: 'Saved credentials' }).getByRole('row').filter({ hasText: label })).toContainText(newKey.accessKeyId);
});

test('Report leaked… from a key row on the keys screen: the plan, then the key replaced and the credential switched', async ({ page, rgw, snap }) => {
  const { uid, keyId: oldKeyId, label } = await savedRgwKey(page, rgw, 'leakrow');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Accounts' }).click();
  await page.getByRole('button', { name: 'Manage keys' }).first().click();
  await page.getByRole('row').filter({ hasText: oldKeyId }).getByRole('button', { name: 'Report leaked…' }).click();
  await expect(page.getByRole('heading', { name: `Report leaked key: ${label}` })).toBeVisible();
  await expect(page.getByRole('group', { name: 'Stop the key' }).getByRole('radio', { name: /Suspend its user instead/ })).toBeVisible();
  await page.getByRole('group', { name: 'Stop the key' }).getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Stop key and replace it' }).click();
  await expect(page.getByRole('region', { name: 'Outcome' })).toContainText(`${oldKeyId} is deleted`, { timeout: 30_000 });
  const [newKey] = await rgwKeys(rgw, uid);
  await expect(page.getByRole('region', { name: 'Outcome' }).getByRole('button', { name: `Show it: ${label}` })).toBeVisible();
  await snapSizes(page, snap, 'leak-key-row-done');
  await page.getByRole('button', { name: '← Back' }).click();
  await expect(page.getByText(newKey.accessKeyId)).toBeVisible();
  await expect(page.getByText(oldKeyId)).toHaveCount(0);
});
