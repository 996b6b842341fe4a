import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRgwUser } from '../helpers/rgw-users';
import { addCredential, row, s3For, typePath } from './browse-helpers';
import { expect, test } from './fixtures';

let local: string;
let s3: S3Client | undefined;
test.beforeEach(async () => {
  local = await mkdtemp(join(tmpdir(), 'keydesk-conflicts-'));
});
test.afterEach(async () => {
  s3?.destroy();
  s3 = undefined;
  await rm(local, { recursive: true, force: true });
});

async function objectText(client: S3Client, bucket: string, key: string): Promise<string> {
  const result = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return result.Body!.transformToString();
}

async function keysIn(client: S3Client, bucket: string): Promise<string[]> {
  const result = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (result.Contents ?? []).map((o) => o.Key!);
}

test('a download onto an existing file: Keep both writes a renamed copy, Overwrite replaces the file', async ({ page, rgw, snap }) => {
  const user = await createRgwUser(rgw, 'e2e');
  const bucket = `${user.uid}-down`;
  s3 = s3For(rgw, user);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const server = `server bytes ${Date.now()}\n`;
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'report.txt', Body: server }));
  const original = 'the local original\n';
  await writeFile(join(local, 'report.txt'), original);

  await addCredential(page, rgw, user);
  await page.getByRole('button', { name: bucket }).click();
  const transfers = page.getByRole('region', { name: 'Transfers' });
  const conflict = transfers.getByRole('alertdialog', { name: 'Transfer conflict' });

  await row(page, 'report.txt').click();
  await page.getByRole('button', { name: 'Download' }).click();
  await typePath(page, local, 'Download');
  await expect(conflict).toContainText(`${join(local, 'report.txt')} already exists on this computer.`);
  await expect(transfers.getByRole('status')).toContainText('1 transfer waiting for your decision.');
  await snap('conflict-download');
  await conflict.getByRole('button', { name: 'Keep both', exact: true }).click();
  await expect(conflict).toBeHidden();
  await expect(transfers.getByRole('listitem', { name: `Download ${join(local, 'report (1).txt')}` })).toContainText('Done');
  expect(await readFile(join(local, 'report.txt'), 'utf8')).toBe(original);
  expect(await readFile(join(local, 'report (1).txt'), 'utf8')).toBe(server);

  await page.getByRole('button', { name: 'Download' }).click();
  await typePath(page, local, 'Download');
  await expect(conflict).toContainText(`${join(local, 'report.txt')} already exists`);
  await conflict.getByRole('button', { name: 'Overwrite', exact: true }).click();
  await expect(transfers.getByRole('listitem', { name: `Download ${join(local, 'report.txt')}` })).toContainText('Done');
  expect(await readFile(join(local, 'report.txt'), 'utf8')).toBe(server);
  // Nothing else was written: no third copy, no leftover partial file.
  expect((await readdir(local)).sort()).toEqual(['report (1).txt', 'report.txt']);
});

test('an upload onto an existing object: Keep both adds a renamed object, Overwrite replaces its bytes', async ({ page, rgw, snap }) => {
  const user = await createRgwUser(rgw, 'e2e');
  const bucket = `${user.uid}-up`;
  s3 = s3For(rgw, user);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const original = 'the server original\n';
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'docs/notes.txt', Body: original }));
  const file = join(local, 'notes.txt');
  await writeFile(file, 'local version two\n');

  await addCredential(page, rgw, user);
  await page.getByRole('button', { name: bucket }).click();
  await row(page, 'docs/').dblclick();
  await expect(row(page, 'notes.txt')).toBeVisible();
  const transfers = page.getByRole('region', { name: 'Transfers' });
  const conflict = transfers.getByRole('alertdialog', { name: 'Transfer conflict' });

  await page.getByRole('button', { name: 'Upload files' }).click();
  await typePath(page, file, 'Upload');
  await expect(conflict).toContainText(`“docs/notes.txt” already exists in ${bucket}.`);
  await snap('conflict-upload');
  await conflict.getByRole('button', { name: 'Keep both', exact: true }).click();
  await expect(transfers.getByRole('listitem', { name: 'Upload docs/notes (1).txt' })).toContainText('Done');
  await expect(row(page, 'notes (1).txt')).toBeVisible();
  expect(await objectText(s3, bucket, 'docs/notes.txt')).toBe(original);
  expect(await objectText(s3, bucket, 'docs/notes (1).txt')).toBe('local version two\n');

  await writeFile(file, 'local version three\n');
  await page.getByRole('button', { name: 'Upload files' }).click();
  await typePath(page, file, 'Upload');
  await expect(conflict).toContainText('“docs/notes.txt” already exists');
  await conflict.getByRole('button', { name: 'Overwrite', exact: true }).click();
  await expect(transfers.getByRole('listitem', { name: 'Upload docs/notes.txt' })).toContainText('Done');
  expect(await objectText(s3, bucket, 'docs/notes.txt')).toBe('local version three\n');
  expect(await objectText(s3, bucket, 'docs/notes (1).txt')).toBe('local version two\n');
  expect((await keysIn(s3, bucket)).sort()).toEqual(['docs/notes (1).txt', 'docs/notes.txt']);
});

test('a folder download onto existing files: Keep both for all, then Overwrite all, decide every waiting file at once', async ({ page, rgw, snap }) => {
  const user = await createRgwUser(rgw, 'e2e');
  const bucket = `${user.uid}-folder`;
  s3 = s3For(rgw, user);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  for (const name of ['a.txt', 'b.txt']) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `photos/${name}`, Body: `server ${name}` }));
  const folder = join(local, 'photos');
  await mkdir(folder);
  for (const name of ['a.txt', 'b.txt']) await writeFile(join(folder, name), `local ${name}`);

  await addCredential(page, rgw, user);
  await page.getByRole('button', { name: bucket }).click();
  const transfers = page.getByRole('region', { name: 'Transfers' });
  const conflict = transfers.getByRole('alertdialog', { name: 'Transfer conflict' });
  const group = transfers.getByRole('listitem', { name: `Download ${folder}/` });

  await row(page, 'photos/').click();
  await page.getByRole('button', { name: 'Download' }).click();
  await typePath(page, local, 'Download');
  await expect(conflict).toContainText('(1 more waiting)');
  await expect(transfers.getByRole('status')).toContainText('2 transfers waiting for your decision.');
  await snap('conflict-download-folder');
  await conflict.getByRole('button', { name: 'Keep both for all' }).click();
  await expect(conflict).toBeHidden();
  await expect(group).toContainText('Done');
  for (const name of ['a', 'b']) {
    expect(await readFile(join(folder, `${name}.txt`), 'utf8')).toBe(`local ${name}.txt`);
    expect(await readFile(join(folder, `${name} (1).txt`), 'utf8')).toBe(`server ${name}.txt`);
  }

  await transfers.getByRole('button', { name: 'Clear finished' }).click();
  await page.getByRole('button', { name: 'Download' }).click();
  await typePath(page, local, 'Download');
  await expect(conflict).toContainText('(1 more waiting)');
  await conflict.getByRole('button', { name: 'Overwrite all' }).click();
  await expect(group).toContainText('Done');
  for (const name of ['a', 'b']) {
    expect(await readFile(join(folder, `${name}.txt`), 'utf8')).toBe(`server ${name}.txt`);
    expect(await readFile(join(folder, `${name} (1).txt`), 'utf8')).toBe(`server ${name}.txt`);
  }
  expect((await readdir(folder)).sort()).toEqual(['a (1).txt', 'a.txt', 'b (1).txt', 'b.txt']);
});
