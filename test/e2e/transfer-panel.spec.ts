import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Page } from '@playwright/test';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRgwUser } from '../helpers/rgw-users';
import { expectNoSeriousA11yViolations } from './a11y';
import { addCredential, objectAction, openBucket, row, s3For, typePath } from './browse-helpers';
import { expect, snapSizes, test } from './fixtures';

let local: string;
let s3: S3Client | undefined;
test.beforeEach(async () => {
  local = await mkdtemp(join(tmpdir(), 'keydesk-panel-'));
});
test.afterEach(async () => {
  s3?.destroy();
  s3 = undefined;
  await rm(local, { recursive: true, force: true });
});

const panel = (page: Page) => page.getByRole('region', { name: 'Transfers' });
const headStatus = (page: Page) => panel(page).locator('.transfers-head [role="status"]');
const rowNames = (page: Page) => panel(page).getByRole('list', { name: 'Transfer list' }).getByRole('listitem').evaluateAll((items) => items.map((item) => item.getAttribute('aria-label')));

async function upload(page: Page, path: string, action: 'Upload files' | 'Upload folder' = 'Upload files'): Promise<void> {
  await objectAction(page, action);
  await typePath(page, path, 'Upload');
}

test('transfer panel: newest first, a failure summary instead of "All transfers finished.", Retry all failed', async ({ page, rgw, snap }) => {
  test.setTimeout(120_000);
  const user = await createRgwUser(rgw, 'panel');
  const bucket = `${user.uid}-panel`;
  s3 = s3For(rgw, user);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await writeFile(join(local, 'first.txt'), 'first\n');
  await writeFile(join(local, 'second.txt'), 'second\n');
  await writeFile(join(local, 'single.txt'), 'single\n');
  const album = join(local, 'album');
  await mkdir(album);
  for (const name of ['a.txt', 'b.txt', 'c.txt']) await writeFile(join(album, name), `${name}\n`);

  await page.setViewportSize({ width: 1280, height: 800 });
  await addCredential(page, rgw, user);
  await openBucket(page, bucket);

  // Newest first: what was queued last is at the top, in view.
  await upload(page, join(local, 'first.txt'));
  await expect(panel(page).getByRole('listitem', { name: 'Upload first.txt' })).toContainText('Done');
  await upload(page, join(local, 'second.txt'));
  await expect(panel(page).getByRole('listitem', { name: 'Upload second.txt' })).toContainText('Done');
  expect(await rowNames(page)).toEqual(['Upload second.txt', 'Upload first.txt']);
  await expect(headStatus(page)).toHaveText('All transfers finished.');

  // Real failures: the bucket is removed behind Keydesk's back, then a folder and a file are uploaded into it.
  await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: 'first.txt' }, { Key: 'second.txt' }] } }));
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  await upload(page, album, 'Upload folder');
  const folder = panel(page).getByRole('listitem', { name: 'Upload album/' });
  await expect(folder).toContainText('Failed');
  await upload(page, join(local, 'single.txt'));
  const single = panel(page).getByRole('listitem', { name: 'Upload single.txt' });
  await expect(single).toContainText('Failed');
  expect(await rowNames(page)).toEqual(['Upload single.txt', 'Upload album/', 'Upload second.txt', 'Upload first.txt']);

  // The header counts the failed files (not rows) and never claims that everything finished.
  await expect(headStatus(page)).toHaveText('4 failed, the others finished.');
  // Message and hint read as sentences: "… (NoSuchBucket). Check …", never "(NoSuchBucket).Check".
  const folderError = folder.locator('.transfer-error');
  await expect(folderError).toContainText(/^3 of 3 failed\. The bucket does not exist \(NoSuchBucket\)\./);
  for (const text of [await folderError.textContent(), await single.locator('.transfer-error').textContent()]) expect(text).not.toMatch(/[.)!?][A-Za-z]/);
  await snapSizes(page, snap, 'transfers-failed');
  await expectNoSeriousA11yViolations(page, 'transfer panel with failures');

  // Retry all failed: with the bucket back, every failed file goes up, and the summary says so.
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await panel(page).getByRole('button', { name: 'Retry all failed' }).click();
  await expect(folder).toContainText('Done');
  await expect(single).toContainText('Done');
  await expect(headStatus(page)).toHaveText('All transfers finished.');
  await expect(panel(page).getByRole('button', { name: 'Retry all failed' })).toBeHidden();
  for (const key of ['album/a.txt', 'album/b.txt', 'album/c.txt', 'single.txt']) {
    expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ContentLength).toBeGreaterThan(0);
  }
  await page.getByRole('button', { name: 'Refresh', exact: true }).click();
  await expect(row(page, 'album/')).toBeVisible();
  // The README's picture (docs/screenshot.png): a file chosen, its details beside the listing, the transfers.
  await page.getByRole('button', { name: 'Hide bucket list' }).click();
  await row(page, 'single.txt').click();
  await objectAction(page, 'Details');
  await expect(page.getByRole('complementary', { name: 'Details' })).toContainText('single.txt');
  await snapSizes(page, snap, 'transfers-retried');
});

test('a bandwidth limit per credential holds its uploads and downloads to that rate', async ({ page, rgw, snap }) => {
  test.setTimeout(120_000);
  const user = await createRgwUser(rgw, 'limit');
  const bucket = `${user.uid}-limit`;
  s3 = s3For(rgw, user);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const size = 1536 * 1024;
  const body = Buffer.alloc(size);
  for (let i = 0; i < size; i++) body[i] = (i * 31 + (i >> 11)) & 0xff;
  await writeFile(join(local, 'limited.bin'), body);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'remote.bin', Body: body }));

  await addCredential(page, rgw, user);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Credentials' }).click();
  await page.getByRole('button', { name: 'Settings of RGW browse' }).click();
  const settings = page.getByRole('dialog', { name: 'Settings of RGW browse' });
  await settings.getByLabel('Limit (MiB/s)').fill('0.25');
  await settings.getByRole('button', { name: 'Save' }).click();
  await expect(settings).toBeHidden();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Buckets' }).click();
  await openBucket(page, bucket);

  // 1.5 MiB at 0.25 MiB/s takes about 6 s; loopback without a limit takes milliseconds. The bound is loose
  // (twice the limit) so a slow machine cannot fail it: only a limit that does not hold can.
  const limit = 0.25 * 1024 * 1024;
  const timed = async (run: () => Promise<void>, done: () => Promise<void>) => {
    const start = Date.now();
    await run();
    await done();
    return size / ((Date.now() - start) / 1000);
  };
  const up = panel(page).getByRole('listitem', { name: 'Upload limited.bin' });
  const upRate = await timed(
    () => upload(page, join(local, 'limited.bin')),
    async () => {
      await expect(up).toContainText('Transferring');
      await expect(up).toContainText(/\d KB\/s/);
      await snapSizes(page, snap, 'transfers-limited');
      await expect(up).toContainText('Done', { timeout: 30_000 });
    },
  );
  expect(upRate).toBeLessThan(2 * limit);
  const uploaded = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'limited.bin' }));
  expect(Buffer.from(await uploaded.Body!.transformToByteArray()).equals(body)).toBe(true);

  await row(page, 'remote.bin').click();
  const down = panel(page).getByRole('listitem', { name: `Download ${join(local, 'remote.bin')}` });
  const downRate = await timed(
    async () => {
      await objectAction(page, 'Download');
      await typePath(page, local, 'Download');
    },
    () => expect(down).toContainText('Done', { timeout: 30_000 }),
  );
  expect(downRate).toBeLessThan(2 * limit);
  expect((await readFile(join(local, 'remote.bin'))).equals(body)).toBe(true);
});
