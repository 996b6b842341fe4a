import { CreateBucketCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRgwUser } from '../helpers/rgw-users';
import { addCredential, s3For, typePath } from './browse-helpers';
import { expect, test } from './fixtures';

let local: string;
let s3: S3Client | undefined;
test.beforeEach(async () => {
  local = await mkdtemp(join(tmpdir(), 'keydesk-settings-'));
});
test.afterEach(async () => {
  s3?.destroy();
  s3 = undefined;
  await rm(local, { recursive: true, force: true });
});

test("a credential's part size and parallel parts are saved and used by the next upload", async ({ page, rgw, snap }) => {
  const user = await createRgwUser(rgw, 'e2e');
  const bucket = `${user.uid}-parts`;
  s3 = s3For(rgw, user);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  // 12 MiB: one request with the default 16 MiB parts, three with 5 MiB parts.
  await writeFile(join(local, 'before.bin'), Buffer.alloc(12 * 1024 * 1024, 3));
  await copyFile(join(local, 'before.bin'), join(local, 'after.bin'));
  const transfers = page.getByRole('region', { name: 'Transfers' });
  const upload = async (name: string) => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Buckets' }).click();
    // "Buckets" opens the bucket browsed last; the list picks it either way.
    await page.getByRole('table', { name: 'Buckets' }).getByRole('button', { name: bucket }).click();
    await page.getByRole('button', { name: 'Upload files' }).click();
    await typePath(page, join(local, name), 'Upload');
    await expect(transfers.getByRole('listitem', { name: `Upload ${name}` })).toContainText('Done');
    return (await s3!.send(new HeadObjectCommand({ Bucket: bucket, Key: name }))).ETag;
  };

  await addCredential(page, rgw, user);
  expect(await upload('before.bin')).toMatch(/^"[0-9a-f]{32}"$/);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Credentials' }).click();
  await page.getByRole('button', { name: 'Settings of RGW browse' }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings of RGW browse' });
  await expect(dialog.getByLabel('Part size (MiB)')).toHaveValue('16');
  await expect(dialog.getByLabel('Parts in parallel per file')).toHaveValue('8');
  await dialog.getByLabel('Part size (MiB)').fill('4');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog.getByLabel('Part size (MiB)')).toHaveAccessibleDescription('A whole number of MiB from 5 to 5120.');
  await expect(dialog.getByText('Still needed: a part size from 5 to 5120 MiB.')).toBeVisible();
  await dialog.getByLabel('Part size (MiB)').fill('5');
  await dialog.getByLabel('Parts in parallel per file').fill('2');
  await dialog.getByLabel('Label').fill('RGW small parts');
  await expect(dialog).toContainText('up to 10 MiB per file');
  await snap('credential-settings');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('table', { name: 'Saved credentials' })).toContainText('RGW small parts');
  await snap('credential-settings-saved');

  // Kept by main: a reopened dialog shows the saved values.
  await page.getByRole('button', { name: 'Settings of RGW small parts' }).click();
  const reopened = page.getByRole('dialog', { name: 'Settings of RGW small parts' });
  await expect(reopened.getByLabel('Part size (MiB)')).toHaveValue('5');
  await expect(reopened.getByLabel('Parts in parallel per file')).toHaveValue('2');
  await reopened.getByRole('button', { name: 'Cancel' }).click();

  expect(await upload('after.bin')).toMatch(/-3"$/);
});
