import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src-main/core/s3/client';
import { createRgwUser } from '../helpers/rgw-users';
import { expect, filesContaining, test } from './fixtures';

test('first run → add a manual key pair → Browse Buckets lists RGW buckets, and no secret reaches disk', async ({ page, rgw, home, snap }) => {
  const user = await createRgwUser(rgw, 'e2e');
  const bucket = `${user.uid}-photos`;
  const s3 = createS3Client({ endpoint: rgw.endpoint, region: rgw.region, ...user, forcePathStyle: true, checksums: 'when-required' });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));

  await expect(page.getByRole('heading', { name: 'No credentials yet' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Browse Buckets' })).toBeDisabled();
  await snap('first-run');

  await page.getByRole('button', { name: 'Add credentials' }).first().click();
  await page.getByLabel('Label').fill('RGW test');
  await page.getByLabel('Endpoint').fill(rgw.endpoint);
  await page.getByLabel('Region').fill(rgw.region);
  await page.getByLabel('Access key ID').fill(user.accessKeyId);
  await page.getByLabel('Secret access key').fill(user.secretAccessKey);
  // The defaults suit RGW: path-style addressing on, CRC32 headers only where required.
  await page.getByText('Advanced').click();
  await expect(page.getByLabel('Path-style addressing (needed by most S3-compatible servers)')).toBeChecked();
  await expect(page.getByLabel('CRC32 checksum headers')).toHaveValue('when-required');
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('status')).toHaveText(/Connection works: 1 bucket visible/);
  await snap('add-credentials-tested');

  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('table', { name: 'Saved credentials' })).toContainText(user.accessKeyId);
  await expect(page.getByRole('button', { name: 'Browse Buckets' })).toBeEnabled();
  await snap('credentials-saved');

  await page.getByRole('button', { name: 'Browse Buckets' }).click();
  await expect(page.getByRole('table', { name: 'Buckets' })).toContainText(bucket);
  await snap('bucket-list');

  expect(await filesContaining(home, user.secretAccessKey)).toEqual([]);
});

test('bad input names its cause and saves nothing', async ({ page, rgw, home, snap }) => {
  const user = await createRgwUser(rgw, 'e2e');
  await page.getByRole('button', { name: 'Add credentials' }).first().click();
  const fill = async (endpoint: string, accessKeyId: string, secret: string) => {
    await page.getByLabel('Endpoint').fill(endpoint);
    await page.getByLabel('Access key ID').fill(accessKeyId);
    await page.getByLabel('Secret access key').fill(secret);
    await page.getByRole('button', { name: 'Save' }).click();
  };
  const alert = page.getByRole('alert');

  // A typo is named next to the field, before any request.
  await fill('s3 dot example', user.accessKeyId, user.secretAccessKey);
  await expect(page.getByLabel('Endpoint')).toHaveAccessibleDescription('"s3 dot example" is not a valid URL. Enter the endpoint like https://s3.example.com.');
  await expect(page.getByLabel('Endpoint')).toBeFocused();

  await fill('http://127.0.0.1:1', user.accessKeyId, user.secretAccessKey);
  await expect(alert).toContainText('connection refused');

  await fill(rgw.endpoint, user.accessKeyId, `${user.secretAccessKey}x`);
  await expect(alert).toContainText('SignatureDoesNotMatch');

  await fill(rgw.endpoint, 'AKIANOSUCHKEY000000', user.secretAccessKey);
  await expect(alert).toContainText('InvalidAccessKeyId');
  await snap('add-credentials-error');

  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('heading', { name: 'No credentials yet' })).toBeVisible();
  expect(await filesContaining(home, user.secretAccessKey)).toEqual([]);
});

test('"Other S3 provider" in the account picker leads to Add credentials', async ({ page, snap }) => {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Accounts' }).click();
  await page.getByRole('button', { name: 'Add account' }).first().click();
  await page.getByRole('radio', { name: /Other S3 provider/ }).check();
  await expect(page.getByText('has no key-management API Keydesk can use')).toBeVisible();
  await snap('add-account-pasted-key');
  await page.getByRole('button', { name: 'Add credentials' }).click();
  await expect(page.getByRole('heading', { name: 'Add credentials' })).toBeVisible();
});
