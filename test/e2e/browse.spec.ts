import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRgwUser } from '../helpers/rgw-users';
import { addCredential, bucketAction, objectAction, row, s3For, typePath } from './browse-helpers';
import { expect, test } from './fixtures';

let local: string;
test.beforeEach(async () => {
  local = await mkdtemp(join(tmpdir(), 'keydesk-browse-'));
});
test.afterEach(async () => {
  await rm(local, { recursive: true, force: true });
});

test('buckets, folders, uploads, details, rename, download, share, delete and empty against RGW', async ({ page, rgw, snap }) => {
  test.setTimeout(120_000);
  const user = await createRgwUser(rgw, 'e2e');
  const bucket = `${user.uid}-browse`;
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await addCredential(page, rgw, user);
  await expect(page.getByRole('heading', { name: 'Choose a bucket' })).toBeVisible();

  // Create: a bad name is explained before any request, then a good one opens.
  await page.getByRole('button', { name: 'New bucket' }).click();
  await page.getByLabel('Bucket name').fill('Bad_Name');
  await page.getByRole('button', { name: 'Create bucket' }).click();
  await expect(page.getByRole('dialog').getByRole('alert')).toContainText('A bucket name holds only lowercase letters, digits, dots and dashes.');
  await snap('browse-create-bucket-invalid');
  await page.getByLabel('Bucket name').fill(bucket);
  await page.getByRole('button', { name: 'Create bucket' }).click();
  await expect(page.getByRole('table', { name: 'Buckets' })).toContainText(bucket);
  await expect(page.getByRole('heading', { name: 'This folder is empty' })).toBeVisible();
  await snap('browse-empty-bucket');

  // Folders and breadcrumbs.
  await objectAction(page, 'New folder');
  await page.getByLabel('Folder name').fill('docs');
  await page.getByRole('button', { name: 'Create folder' }).click();
  await row(page, 'docs/').dblclick();
  const crumbs = page.getByRole('navigation', { name: 'Folder path' });
  await expect(crumbs.getByRole('button', { name: 'docs' })).toHaveAttribute('aria-current', 'location');
  await objectAction(page, 'New folder');
  await page.getByLabel('Folder name').fill('inner');
  await page.getByRole('button', { name: 'Create folder' }).click();
  await row(page, 'inner/').dblclick();
  await expect(crumbs.getByRole('button', { name: 'inner' })).toHaveAttribute('aria-current', 'location');
  await snap('browse-breadcrumbs');
  await crumbs.getByRole('button', { name: 'docs' }).click();
  await expect(row(page, 'inner/')).toBeVisible();
  await crumbs.getByRole('button', { name: bucket }).click();
  await expect(row(page, 'docs/')).toBeVisible();

  // Upload a file and a folder by typed paths (browser mode has no file dialog).
  const content = `hello from keydesk ${Date.now()}\n`;
  await writeFile(join(local, 'hello.txt'), content);
  const album = join(local, 'album');
  await mkdir(join(album, 'sub'), { recursive: true });
  await writeFile(join(album, 'a.txt'), 'a');
  await writeFile(join(album, 'b.txt'), 'bb');
  await writeFile(join(album, 'sub', 'c.txt'), 'ccc');

  await page.getByRole('button', { name: 'Upload files' }).click();
  await snap('browse-upload-path-dialog');
  await typePath(page, join(local, 'hello.txt'), 'Upload');
  const transfers = page.getByRole('region', { name: 'Transfers' });
  await expect(transfers.getByRole('listitem', { name: 'Upload hello.txt' })).toContainText('Done');
  await objectAction(page, 'Upload folder');
  await typePath(page, album, 'Upload');
  await expect(transfers.getByRole('listitem', { name: 'Upload album/' })).toContainText('Done');
  await expect(transfers.getByRole('listitem', { name: 'Upload album/' })).toContainText('3 files');
  await expect(row(page, 'album/')).toBeVisible();
  await expect(row(page, 'hello.txt')).toBeVisible();
  await snap('browse-uploaded');

  // Uploading the same file again asks; Skip leaves the object alone.
  await page.getByRole('button', { name: 'Upload files' }).click();
  await typePath(page, join(local, 'hello.txt'), 'Upload');
  const conflict = transfers.getByRole('alertdialog', { name: 'Transfer conflict' });
  await expect(conflict).toContainText('“hello.txt” already exists');
  await snap('browse-upload-conflict');
  await conflict.getByRole('button', { name: 'Skip' }).click();
  await expect(conflict).toBeHidden();
  await transfers.getByRole('button', { name: 'Clear finished' }).click();
  await expect(transfers).toContainText('No transfers yet.');

  // A large file into docs/ shows its progress (multipart, bytes/s) while it runs.
  await writeFile(join(local, 'large.bin'), Buffer.alloc(96 * 1024 * 1024, 7));
  await row(page, 'docs/').dblclick();
  await page.getByRole('button', { name: 'Upload files' }).click();
  await typePath(page, join(local, 'large.bin'), 'Upload');
  const large = transfers.getByRole('listitem', { name: 'Upload docs/large.bin' });
  await expect(large).toContainText('Transferring');
  await expect(transfers.getByRole('status')).toContainText('1 transfer active');
  // Best effort: a frame with bytes moving (RGW may finish before a second progress event).
  await expect(large).toContainText(/B\/s/, { timeout: 3000 }).catch(() => undefined);
  await snap('browse-upload-running');
  await expect(large).toContainText('Done', { timeout: 60_000 });
  await expect(row(page, 'large.bin')).toBeVisible();
  await crumbs.getByRole('button', { name: bucket }).click();

  // Details.
  await row(page, 'hello.txt').click();
  await page.getByRole('button', { name: 'Details' }).click();
  const details = page.getByRole('complementary', { name: 'Details' });
  await expect(details).toContainText(`${content.length} bytes`);
  await expect(details).toContainText('ETag');
  await expect(details).toContainText('text/plain');
  await expect(details).toContainText(`s3://${bucket}/hello.txt`);
  await snap('browse-details');

  // Rename.
  await page.getByRole('button', { name: 'Rename/Move' }).click();
  await page.getByLabel('New path in the bucket').fill('greeting.txt');
  await page.getByRole('dialog').getByRole('button', { name: 'Rename' }).click();
  await expect(row(page, 'greeting.txt')).toBeVisible();
  await expect(row(page, 'hello.txt')).toHaveCount(0);

  // Download to a folder typed as a path, and compare bytes.
  const downloads = join(local, 'downloads');
  await mkdir(downloads);
  await row(page, 'greeting.txt').click();
  await page.getByRole('button', { name: 'Download' }).click();
  await typePath(page, downloads, 'Download');
  await expect(transfers.getByRole('listitem', { name: `Download ${join(downloads, 'greeting.txt')}` })).toContainText('Done');
  expect(await readFile(join(downloads, 'greeting.txt'), 'utf8')).toBe(content);
  await snap('browse-downloaded');

  // Move a folder (every object under it), then download it as a folder.
  await row(page, 'album/').click();
  await page.getByRole('button', { name: 'Rename/Move' }).click();
  await page.getByLabel('New path in the bucket').fill('photos');
  await page.getByRole('dialog').getByRole('button', { name: 'Move folder' }).click();
  await expect(page.getByText('Moved album/ to photos/ (3 objects).')).toBeVisible();
  await expect(row(page, 'album/')).toHaveCount(0);
  await row(page, 'photos/').click();
  await page.getByRole('button', { name: 'Download' }).click();
  await typePath(page, downloads, 'Download');
  await expect(transfers.getByRole('listitem', { name: `Download ${join(downloads, 'photos')}/` })).toContainText('Done');
  expect(await readFile(join(downloads, 'photos', 'sub', 'c.txt'), 'utf8')).toBe('ccc');
  expect(await readFile(join(downloads, 'photos', 'b.txt'), 'utf8')).toBe('bb');

  // Browser mode cannot learn the paths of files dropped from the OS: it says so.
  const dropped = await page.evaluateHandle(() => {
    const data = new DataTransfer();
    data.items.add(new File(['x'], 'x.txt'));
    return data;
  });
  await page.getByRole('region', { name: `Bucket ${bucket}` }).dispatchEvent('drop', { dataTransfer: dropped });
  await expect(page.getByRole('alert').filter({ hasText: 'Drag and drop of local files needs the desktop app.' })).toBeVisible();
  await snap('browse-drop-browser-mode');
  await row(page, 'greeting.txt').click();

  // Share link: longer than 7 days is refused; the link works with a plain fetch.
  await objectAction(page, 'Share link');
  const share = page.getByRole('dialog', { name: 'Share link' });
  await share.getByLabel('Valid for').selectOption({ label: 'Other (hours)…' });
  await share.getByLabel('Hours (up to 168)').fill('200');
  await share.getByRole('button', { name: 'Create and copy link' }).click();
  await expect(share.getByRole('alert')).toContainText('7 days');
  await share.getByLabel('Valid for').selectOption({ label: '1 hour' });
  await share.getByRole('button', { name: 'Create and copy link' }).click();
  await expect(share.getByRole('status')).toContainText('Copied to the clipboard');
  const url = await share.getByLabel('Link').inputValue();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
  await snap('browse-share-link');
  expect(await (await fetch(url)).text()).toBe(content);
  await share.getByRole('button', { name: 'Close' }).click();

  // Copy S3 URI.
  await objectAction(page, 'Copy S3 URI');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`s3://${bucket}/greeting.txt`);

  // Delete a file, then a folder (its object count is shown first).
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await expect(row(page, 'greeting.txt')).toHaveCount(0);
  await row(page, 'photos/').click();
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(page.getByRole('dialog')).toContainText('The folder holds 3 objects');
  await snap('browse-delete-folder-count');
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await expect(row(page, 'photos/')).toHaveCount(0);

  // A bucket holding objects is refused with their count; Empty bucket (typed name), then delete.
  await bucketAction(page, 'Delete bucket…');
  await page.getByRole('dialog').getByRole('button', { name: 'Delete bucket' }).click();
  await expect(page.getByRole('dialog').getByRole('alert')).toContainText('holds 3 objects');
  await expect(page.getByRole('dialog').getByRole('button', { name: 'Delete bucket' })).toBeDisabled();
  await snap('browse-delete-bucket-refused');
  await page.getByRole('dialog').getByRole('button', { name: 'Empty bucket…' }).click();
  const empty = page.getByRole('dialog', { name: `Empty bucket ${bucket}?` });
  await expect(empty.getByRole('button', { name: 'Empty bucket' })).toBeDisabled();
  await empty.getByLabel(/Type .* to confirm/).fill(bucket);
  await snap('browse-empty-confirm');
  await empty.getByRole('button', { name: 'Empty bucket' }).click();
  const again = page.getByRole('dialog', { name: `Delete bucket ${bucket}?` });
  await expect(again).toBeVisible();
  await expect(page.getByText(`Emptied ${bucket}: 3 objects deleted.`)).toBeVisible();
  await again.getByRole('button', { name: 'Delete bucket' }).click();
  await expect(page.getByRole('table', { name: 'Buckets' })).toHaveCount(0);
  await expect(page.getByText('This key can see no buckets yet.')).toBeVisible();
  await snap('browse-bucket-deleted');
});

test('a folder of 2000 objects shows its first rows at once and scrolls with few rows in the DOM', async ({ page, rgw, snap }) => {
  test.setTimeout(120_000);
  const user = await createRgwUser(rgw, 'e2e');
  const bucket = `${user.uid}-many`;
  const s3 = s3For(rgw, user);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const keys = Array.from({ length: 2000 }, (_, i) => `item-${String(i).padStart(5, '0')}.txt`);
  for (let i = 0; i < keys.length; i += 50) {
    // ContentLength: the SDK warns about "a Stream of unknown length" for every empty body otherwise.
    await Promise.all(keys.slice(i, i + 50).map((Key, j) => s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: 'x'.repeat((i + j) % 97), ContentLength: (i + j) % 97 }))));
  }
  s3.destroy();

  await addCredential(page, rgw, user);
  await page.getByRole('button', { name: bucket }).click();
  const grid = page.getByRole('grid', { name: 'Objects' });
  await expect(row(page, 'item-00000.txt')).toBeVisible();
  await expect(page.getByText('2,000 items')).toBeVisible();
  await expect(grid).toHaveAttribute('aria-rowcount', '2001');
  // Virtualized: the DOM holds a window of rows, not 2000.
  expect(await grid.getByRole('row').count()).toBeLessThan(80);
  await snap('browse-many-top');

  await grid.evaluate((el) => (el.scrollTop = el.scrollHeight));
  await expect(row(page, 'item-01999.txt')).toBeVisible();
  expect(await grid.getByRole('row').count()).toBeLessThan(80);
  await snap('browse-many-bottom');

  // Sort by size, descending: the largest objects (96 bytes) first; filter narrows the loaded rows.
  await grid.getByRole('button', { name: 'Size' }).click();
  await grid.getByRole('button', { name: 'Size' }).click();
  await expect(grid.getByRole('row').nth(1)).toContainText('96 B');
  await page.getByLabel('Filter').fill('item-0199');
  await expect(page.getByText('2,000 items, 10 shown')).toBeVisible();

  // Server-side search by prefix (in name order again).
  await grid.getByRole('button', { name: 'Name' }).click();
  await page.getByLabel('Find mode').selectOption('search');
  await page.getByLabel('Search prefix').fill('item-015');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page.getByText('100 items')).toBeVisible();
  await snap('browse-many-search');

  // Keyboard and shift selection.
  await row(page, 'item-01500.txt').click();
  await row(page, 'item-01504.txt').click({ modifiers: ['Shift'] });
  await expect(page.getByText('5 selected')).toBeVisible();
});
