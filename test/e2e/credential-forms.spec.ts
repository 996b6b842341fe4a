import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { addRgwKey, createRgwUser, removeRgwKey, type RgwUser } from '../helpers/rgw-users';
import type { RgwInfo } from '../servers/rgw';
import { expectAccessibleInBothThemes } from './a11y';
import { expect, filesContaining, snapSizes, test } from './fixtures';

const port = (rgw: RgwInfo) => new URL(rgw.endpoint).port;
const table = (page: Page) => page.getByRole('table', { name: 'Saved credentials' });
const rowOf = (page: Page, label: string) => table(page).getByRole('row').filter({ has: page.locator('[data-row-label]', { hasText: new RegExp(`^${label}$`) }) });

/** Add credentials as a person would, with the endpoint typed however the test likes. */
async function addByForm(page: Page, endpoint: string, user: RgwUser, label: string): Promise<void> {
  await page.getByRole('button', { name: 'Add credentials' }).first().click();
  await page.getByLabel('Label').fill(label);
  await page.getByLabel('Endpoint').fill(endpoint);
  await page.getByLabel('Access key ID').fill(user.accessKeyId);
  await page.getByLabel('Secret access key').fill(user.secretAccessKey);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(rowOf(page, label)).toBeVisible();
}

async function openSettings(page: Page, label: string) {
  await page.getByRole('button', { name: `Settings of ${label}`, exact: true }).click();
  return page.getByRole('dialog', { name: `Settings of ${label}` });
}

test('an endpoint without a scheme is read as Keydesk will use it, and the form says what is missing before Save', async ({ page, rgw, snap }) => {
  const user = await createRgwUser(rgw, 'forms');
  await page.getByRole('button', { name: 'Add credentials' }).first().click();
  const save = page.getByRole('button', { name: 'Save', exact: true });
  await expect(page.getByText('Still needed: the endpoint, the access key ID and the secret access key.')).toBeVisible();
  await expect(save).toBeEnabled();
  await save.click();
  // Each field says why, and focus goes to the first.
  await expect(page.getByLabel('Endpoint')).toBeFocused();
  await expect(page.getByLabel('Endpoint')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('Enter the endpoint, like https://s3.example.com.')).toBeVisible();
  await expect(page.getByText('Enter the access key ID.')).toBeVisible();
  await expect(page.getByText('Enter the secret access key.')).toBeVisible();
  await expect(page.getByLabel('Endpoint')).toHaveAccessibleDescription('Enter the endpoint, like https://s3.example.com.');
  await snapSizes(page, snap, 'add-credentials-problems');

  await page.getByLabel('Endpoint').fill('ftp://files.example.com');
  await expect(page.getByText('The endpoint must start with https:// or http://, not ftp://.')).toBeVisible();
  await page.getByLabel('Endpoint').fill('s3.example.com');
  await expect(page.getByLabel('Endpoint')).toHaveAccessibleDescription(/^Keydesk will connect to https:\/\/s3\.example\.com \(no scheme given: https;/);
  await page.getByLabel('Endpoint').fill(`127.0.0.1:${port(rgw)}`);
  await expect(page.getByLabel('Endpoint')).toHaveAccessibleDescription(`Keydesk will connect to http://127.0.0.1:${port(rgw)} (no scheme given: http for this computer and local network addresses; type https:// to use TLS).`);
  await page.getByLabel('Access key ID').fill(user.accessKeyId);
  await page.getByLabel('Secret access key').fill(user.secretAccessKey);
  await expect(page.getByText(/^Still needed/)).toHaveCount(0);
  await expectAccessibleInBothThemes(page, 'Add credentials');
  await save.click();
  await expect(table(page)).toContainText(`127.0.0.1:${port(rgw)}`);
  await table(page).getByRole('button', { name: /^Settings of / }).click();
  await expect(page.getByRole('dialog').getByLabel('Endpoint')).toHaveValue(`http://127.0.0.1:${port(rgw)}`);
});

test('services fill in endpoint, region and addressing; R2 needs the account ID in the host', async ({ page, snap }) => {
  await page.getByRole('button', { name: 'Add credentials' }).first().click();
  const service = page.getByLabel('Service');
  const endpoint = page.getByLabel('Endpoint');
  await page.getByText('Advanced').click();
  const pathStyle = page.getByLabel('Path-style addressing (needed by most S3-compatible servers)');
  const checksums = page.getByLabel('CRC32 checksum headers');

  await service.selectOption({ label: 'Amazon S3' });
  await expect(endpoint).toHaveValue('https://s3.us-east-1.amazonaws.com');
  await expect(endpoint).toHaveAttribute('readonly', '');
  await page.getByLabel('Region').fill('eu-central-1');
  await expect(endpoint).toHaveValue('https://s3.eu-central-1.amazonaws.com');
  await expect(pathStyle).not.toBeChecked();
  await expect(checksums).toHaveValue('when-supported');

  await service.selectOption({ label: 'Backblaze B2' });
  await expect(endpoint).toHaveValue('https://s3.us-west-004.backblazeb2.com');
  await page.getByLabel('Region').fill('eu-central-003');
  await expect(endpoint).toHaveValue('https://s3.eu-central-003.backblazeb2.com');
  await expect(pathStyle).toBeChecked();
  await expect(checksums).toHaveValue('when-required');

  await service.selectOption({ label: 'DigitalOcean Spaces' });
  await page.getByLabel('Datacenter').selectOption('fra1');
  await expect(endpoint).toHaveValue('https://fra1.digitaloceanspaces.com');

  await service.selectOption({ label: 'IONOS Object Storage' });
  await page.getByLabel('Region').selectOption('eu-south-2');
  await expect(endpoint).toHaveValue('https://s3.eu-south-2.ionoscloud.com');

  await service.selectOption({ label: 'Wasabi' });
  await page.getByLabel('Region').fill('ap-northeast-1');
  await expect(endpoint).toHaveValue('https://s3.ap-northeast-1.wasabisys.com');

  await service.selectOption({ label: 'Cloudflare R2' });
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByText('Enter the account ID.')).toBeVisible();
  await expect(page.getByText(/^Still needed: the account ID,/)).toBeVisible();
  await page.getByLabel('Account ID').fill('not-an-account');
  await expect(page.getByText('Account ID: 32 characters, digits and a–f.')).toBeVisible();
  await page.getByLabel('Account ID').fill('0123456789ABCDEF0123456789abcdef');
  await expect(endpoint).toHaveValue('https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com');
  await page.getByLabel('Jurisdiction').selectOption({ label: 'EU jurisdiction' });
  await expect(endpoint).toHaveValue('https://0123456789abcdef0123456789abcdef.eu.r2.cloudflarestorage.com');
  await snapSizes(page, snap, 'add-credentials-r2');

  await service.selectOption({ label: 'MinIO' });
  await expect(endpoint).not.toHaveAttribute('readonly', '');
  await expect(endpoint).toHaveAttribute('placeholder', 'http://192.168.1.20:9000');
  await expect(checksums).toHaveValue('when-supported');
  await expectAccessibleInBothThemes(page, 'Add credentials with a service chosen');
});

test('Settings changes endpoint, region and secret, each verified against RGW; a wrong secret is refused and nothing changes', async ({ page, rgw, home, snap }) => {
  const user = await createRgwUser(rgw, 'settings');
  await addByForm(page, rgw.endpoint, user, 'Lab');

  // Another name for the same server, and another region: verified, then saved.
  let dialog = await openSettings(page, 'Lab');
  await expect(dialog.getByLabel('Endpoint')).toHaveValue(rgw.endpoint);
  await dialog.getByLabel('Endpoint').fill(`localhost:${port(rgw)}`);
  await expect(dialog.getByLabel('Endpoint')).toHaveAccessibleDescription(new RegExp(`^Keydesk will connect to http://localhost:${port(rgw)} `));
  await dialog.getByLabel('Region').fill('eu-lab-1');
  await expect(dialog.getByRole('button', { name: 'Verify and save' })).toBeVisible();
  await snapSizes(page, snap, 'credential-settings-connection');
  await expectAccessibleInBothThemes(page, 'credential Settings');
  await dialog.getByRole('button', { name: 'Verify and save' }).click();
  await expect(dialog).toBeHidden();
  await expect(rowOf(page, 'Lab')).toContainText(`localhost:${port(rgw)} · eu-lab-1`);
  await expect(rowOf(page, 'Lab').getByTestId('key-health')).toContainText('Verified');
  const file = () => readFile(join(home, 'keydesk.json'), 'utf8');
  expect(JSON.parse(await file()).credentials[0]).toMatchObject({ endpoint: `http://localhost:${port(rgw)}`, region: 'eu-lab-1' });

  // A wrong secret: refused with the server's reason, nothing saved.
  const before = await file();
  dialog = await openSettings(page, 'Lab');
  await dialog.getByLabel('New secret access key').fill(`${user.secretAccessKey}x`);
  await dialog.getByLabel('Endpoint').fill(rgw.endpoint);
  await dialog.getByRole('button', { name: 'Verify and save' }).click();
  await expect(dialog.getByRole('alert')).toContainText('The secret access key is wrong');
  await expect(dialog.getByRole('alert')).toContainText('Nothing was changed');
  // Below the fields of a dialog that scrolls: brought into view.
  await expect(dialog.getByRole('alert')).toBeInViewport({ ratio: 1 });
  await snap('credential-settings-refused');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  expect(await file()).toBe(before);
  await rowOf(page, 'Lab').getByRole('button', { name: 'Check now' }).click();
  await expect(rowOf(page, 'Lab').getByTestId('key-health')).toContainText('Verified');

  // The provider gives the key a new secret: the saved one fails until it is typed in Settings.
  const newSecret = `${user.secretAccessKey.slice(0, 20)}NEWSECRETNEWSECRET00`;
  await removeRgwKey(rgw, user.uid, user.accessKeyId);
  await addRgwKey(rgw, user.uid, user.accessKeyId, newSecret);
  await rowOf(page, 'Lab').getByRole('button', { name: 'Check now' }).click();
  await expect(rowOf(page, 'Lab').getByTestId('key-health')).toContainText('wrong secret');
  dialog = await openSettings(page, 'Lab');
  await dialog.getByLabel('New secret access key').fill(newSecret);
  await dialog.getByRole('button', { name: 'Verify and save' }).click();
  await expect(dialog).toBeHidden();
  await expect(rowOf(page, 'Lab').getByTestId('key-health')).toContainText('Verified');
  expect(await filesContaining(home, newSecret)).toEqual([]);
  expect(await filesContaining(home, user.secretAccessKey)).toEqual([]);

  // The same key saved under the server's other name: moving this one there is refused, with the pointer.
  await addByForm(page, `http://127.0.0.1:${port(rgw)}`, { ...user, secretAccessKey: newSecret }, 'Lab by address');
  dialog = await openSettings(page, 'Lab');
  await expect(dialog.getByLabel('Endpoint')).toHaveValue(`http://localhost:${port(rgw)}`);
  await dialog.getByLabel('Endpoint').fill(`http://127.0.0.1:${port(rgw)}/`);
  await dialog.getByRole('button', { name: 'Verify and save' }).click();
  await expect(dialog.getByRole('alert')).toContainText('This key is already saved in Keydesk as "Lab by address"');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(rowOf(page, 'Lab')).toContainText(`localhost:${port(rgw)}`);

  // Invalid values say why next to the field; Save says what is missing.
  dialog = await openSettings(page, 'Lab');
  await dialog.getByLabel('Part size (MiB)').fill('4');
  await dialog.getByLabel('Label').fill('');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog.getByLabel('Label')).toBeFocused();
  await expect(dialog.getByText('Enter a label.')).toBeVisible();
  await expect(dialog.getByText('A whole number of MiB from 5 to 5120.')).toBeVisible();
  await expect(dialog.getByText('Still needed: a label and a part size from 5 to 5120 MiB.')).toBeVisible();
  await snap('credential-settings-problems');
});
