import {
  CreateBucketCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { pngFile } from '../helpers/png-file';
import { createRgwUser } from '../helpers/rgw-users';
import { addCredential, bucketAction, objectAction, openBucket, row, s3For } from './browse-helpers';
import { expect, snapSizes, test } from './fixtures';

/** A 240 × 160 gradient, so the image preview's screenshot shows something. */
const PNG = pngFile(240, 160, (x, y) => [Math.round((x / 240) * 255), Math.round((y / 160) * 255), 160]);

test('versions: show, restore and delete one for good; settings: versioning, lifecycle, policy validation; size', async ({ page, rgw, snap }) => {
  test.setTimeout(120_000);
  const user = await createRgwUser(rgw, 'tools');
  const s3 = s3For(rgw, user);
  const bucket = `${user.uid}-versions`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  for (const body of ['draft one', 'draft two', 'final']) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'notes.txt', Body: body }));
  await addCredential(page, rgw, user);
  await openBucket(page, bucket);

  // Versions under each key, newest first, the latest marked.
  await objectAction(page, 'Show versions');
  const grid = page.getByRole('grid', { name: 'Objects' });
  await expect(grid.getByRole('row').filter({ hasText: 'notes.txt' })).toHaveCount(3);
  await expect(grid.getByRole('row').filter({ hasText: 'latest' })).toHaveCount(1);
  await snapSizes(page, snap, 'versions-listing');

  // Restore the oldest: it becomes the latest content, a fourth version.
  await grid.getByRole('row').filter({ hasText: 'notes.txt' }).nth(2).click();
  await page.getByRole('button', { name: 'Restore version' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'as the latest notes.txt' })).toBeVisible();
  const latest = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'notes.txt' }));
  expect(await latest.Body?.transformToString()).toBe('draft one');
  await expect(grid.getByRole('row').filter({ hasText: 'notes.txt' })).toHaveCount(4);

  // Delete one version for good: typed confirmation, says it is permanent.
  await grid.getByRole('row').filter({ hasText: 'notes.txt' }).nth(1).click();
  await page.getByRole('button', { name: 'Delete version…' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete this version for good?' });
  await expect(confirm).toContainText('deleted permanently');
  await expect(confirm.getByRole('button', { name: 'Delete version' })).toBeDisabled();
  await confirm.getByLabel(/Type/).fill('delete');
  await snapSizes(page, snap, 'versions-delete-confirm');
  await confirm.getByRole('button', { name: 'Delete version' }).click();
  await expect(grid.getByRole('row').filter({ hasText: 'notes.txt' })).toHaveCount(3);
  expect((await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }))).Versions).toHaveLength(3);

  // Settings: versioning explained, then lifecycle's common rule.
  await bucketAction(page, 'Settings…');
  const settings = page.getByRole('dialog', { name: `Settings of ${bucket}` });
  await expect(settings.getByRole('tabpanel')).toContainText('Versioning is on');
  await expect(settings.getByRole('button', { name: 'Suspend versioning' })).toBeVisible();
  await snapSizes(page, snap, 'settings-versioning');
  await settings.getByRole('tab', { name: 'Lifecycle' }).click();
  await settings.getByRole('checkbox', { name: /Abort unfinished multipart uploads/ }).check();
  await settings.getByLabel('Days before aborting unfinished uploads').fill('3');
  await settings.getByRole('checkbox', { name: /Delete old versions/ }).check();
  await settings.getByRole('button', { name: 'Save rules' }).click();
  await expect(settings.getByRole('status')).toContainText('Saved 2 rules.');
  await snapSizes(page, snap, 'settings-lifecycle');
  const rules = (await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }))).Rules ?? [];
  expect(rules.find((r) => r.ID === 'abort-incomplete-uploads')?.AbortIncompleteMultipartUpload?.DaysAfterInitiation).toBe(3);
  expect(rules.find((r) => r.ID === 'expire-old-versions')?.NoncurrentVersionExpiration?.NoncurrentDays).toBe(30);

  // Policy: bad JSON is explained and cannot be saved; a public template warns and needs a confirmation.
  await settings.getByRole('tab', { name: 'Policy' }).click();
  const editor = settings.getByLabel('Bucket policy JSON');
  await editor.fill('{"Version": "2012-10-17", "Statement": [');
  await expect(settings.getByRole('alert').first()).toContainText('not valid JSON');
  await expect(settings.getByRole('button', { name: 'Save policy' })).toBeDisabled();
  await editor.fill(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'GetObject', Resource: 'arn:aws:s3:::elsewhere/*' }] }));
  await expect(settings.getByRole('alert').filter({ hasText: 'is not an S3 action' })).toBeVisible();
  await expect(settings.getByRole('alert').filter({ hasText: 'not in this bucket' })).toBeVisible();
  await settings.getByLabel('Template').selectOption('public');
  await settings.getByLabel('Prefix anyone may read').fill('public/');
  await settings.getByRole('button', { name: 'Use template' }).click();
  await expect(settings.getByRole('alert')).toContainText('This policy makes data public');
  await expect(settings.getByRole('button', { name: 'Save policy' })).toBeDisabled();
  await snapSizes(page, snap, 'settings-policy-public-warning');
  await settings.getByRole('checkbox', { name: /I understand/ }).check();
  await settings.getByRole('button', { name: 'Save policy' }).click();
  await expect(settings.getByRole('status').filter({ hasText: 'Policy saved.' })).toBeVisible();
  expect((await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy).toContain(`arn:aws:s3:::${bucket}/public/*`);

  // RGW 16 has no default-encryption setting: shown as unavailable with the reason, not an error.
  await settings.getByRole('tab', { name: 'Lock, encryption, quota' }).click();
  await expect(settings.getByRole('status').filter({ hasText: 'Default encryption is not available on this server.' })).toBeVisible();
  await snapSizes(page, snap, 'settings-status');
  await settings.getByRole('button', { name: 'Close' }).click();

  // Calculate size of the bucket, with old versions.
  await bucketAction(page, 'Calculate size');
  const size = page.getByRole('dialog', { name: `Size of bucket ${bucket}` });
  await expect(size.getByRole('definition').first()).toHaveText('1');
  await size.getByRole('checkbox', { name: /Include old versions/ }).check();
  await expect(size).toContainText('3 versions');
  await snapSizes(page, snap, 'size-dialog');
});

test('properties, ACL grant to a second user, and previews', async ({ page, rgw, snap }) => {
  test.setTimeout(120_000);
  const [user, other] = await Promise.all([createRgwUser(rgw, 'tools-a'), createRgwUser(rgw, 'tools-b')]);
  const s3 = s3For(rgw, user);
  const otherS3 = s3For(rgw, other);
  const bucket = `${user.uid}-props`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'report.txt', Body: 'line one\nline two\n', ContentType: 'application/octet-stream' }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'logo.png', Body: PNG, ContentType: 'application/octet-stream' }));
  await addCredential(page, rgw, user);
  await openBucket(page, bucket);

  // Edit Content-Type, Cache-Control and metadata of one object.
  await row(page, 'report.txt').click();
  await objectAction(page, 'Properties…');
  const props = page.getByRole('dialog', { name: 'Properties of report.txt' });
  await props.getByLabel('Content-Type').fill('text/plain; charset=utf-8');
  await props.getByLabel('Cache-Control').fill('max-age=600');
  await props.getByRole('button', { name: 'Add row' }).click();
  await props.getByLabel('Metadata key 1').fill('reviewed-by');
  await props.getByLabel('Metadata value 1').fill('ann');
  await snapSizes(page, snap, 'object-properties');
  await props.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Changed 1 object.' })).toBeVisible();
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'report.txt' }));
  expect(head).toMatchObject({ ContentType: 'text/plain; charset=utf-8', CacheControl: 'max-age=600', Metadata: { 'reviewed-by': 'ann' } });

  // Share report.txt with the second user by canonical ID: they can read it only after the grant.
  const otherReads = () => otherS3.send(new GetObjectCommand({ Bucket: bucket, Key: 'report.txt' })).then(() => true, () => false);
  expect(await otherReads()).toBe(false);
  await row(page, 'report.txt').click();
  await objectAction(page, 'Permissions…');
  const acl = page.getByRole('dialog', { name: 'Permissions of report.txt' });
  await acl.getByLabel('Canonical user ID', { exact: true }).fill(other.uid);
  await acl.getByLabel('Permission').selectOption('READ');
  await acl.getByRole('button', { name: 'Grant' }).click();
  await expect(acl.getByRole('table', { name: 'Grants' })).toContainText(other.uid);
  await snapSizes(page, snap, 'object-permissions');
  expect(await otherReads()).toBe(true);
  await acl.getByRole('row').filter({ hasText: other.uid }).getByRole('button', { name: 'Remove' }).click();
  await expect(acl.getByRole('table', { name: 'Grants' })).not.toContainText(other.uid);
  expect(await otherReads()).toBe(false);
  await acl.getByRole('button', { name: 'Close' }).click();

  // Previews: text as text, the PNG (declared octet-stream) as an image from a blob: URL (PDFs: bucket-previews.spec).
  await objectAction(page, 'Preview');
  const text = page.getByRole('dialog', { name: 'Preview of report.txt' });
  await expect(text.getByLabel('File contents')).toHaveText('line one\nline two\n');
  await snapSizes(page, snap, 'preview-text');
  await text.getByRole('button', { name: 'Close' }).click();
  await row(page, 'logo.png').click();
  await objectAction(page, 'Preview');
  const image = page.getByRole('dialog', { name: 'Preview of logo.png' }).getByRole('img');
  await expect(image).toHaveAttribute('src', /^blob:/);
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(240);
  await expect(page.getByRole('dialog')).toContainText('image/png · 240 × 160 px');
  await snapSizes(page, snap, 'preview-image');
  await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
});
