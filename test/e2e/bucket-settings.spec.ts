import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetBucketCorsCommand,
  GetBucketTaggingCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { request } from 'undici';
import { createRgwUser } from '../helpers/rgw-users';
import type { RgwInfo } from '../servers/rgw';
import { addCredential, bucketAction, objectAction, openBucket, row, s3For } from './browse-helpers';
import { expect, snapSizes, test } from './fixtures';

/** A browser's CORS preflight, sent to RGW itself: what a web app on `origin` would be told. */
async function preflight(rgw: RgwInfo, bucket: string, origin: string, method: string, headers = '') {
  const answer = await request(`${rgw.endpoint}/${bucket}/upload.bin`, {
    method: 'OPTIONS',
    headers: { Origin: origin, 'Access-Control-Request-Method': method, ...(headers && { 'Access-Control-Request-Headers': headers }) },
  });
  await answer.body.dump();
  return { status: answer.statusCode, allowOrigin: answer.headers['access-control-allow-origin'], allowMethods: String(answer.headers['access-control-allow-methods'] ?? '') };
}

const otherCanList = (other: S3Client, bucket: string) => other.send(new ListObjectsV2Command({ Bucket: bucket })).then(() => true, () => false);

test('bucket settings: CORS from the form and as JSON (answered by RGW to real preflights), tags, and the ACL tab', async ({ page, rgw, snap }) => {
  test.setTimeout(120_000);
  const [user, other] = await Promise.all([createRgwUser(rgw, 'set-a'), createRgwUser(rgw, 'set-b')]);
  const s3 = s3For(rgw, user);
  const bucket = `${user.uid}-settings`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await addCredential(page, rgw, user);
  await openBucket(page, bucket);
  await bucketAction(page, 'Settings…');
  const settings = page.getByRole('dialog', { name: `Settings of ${bucket}` });

  // CORS from the form: nothing is allowed before, the saved rule is what RGW answers preflights with.
  expect((await preflight(rgw, bucket, 'https://app.example.com', 'PUT')).status).toBe(403);
  await settings.getByRole('tab', { name: 'CORS' }).click();
  await expect(settings.getByRole('tabpanel')).toContainText('No CORS rules');
  await settings.getByLabel('Allowed origins').fill('https://app.example.com');
  await settings.getByRole('group', { name: 'Allowed methods' }).getByLabel('PUT').check();
  await settings.getByLabel('Allowed headers').fill('content-type, x-amz-meta-*');
  await settings.getByLabel('Exposed headers').fill('ETag');
  await settings.getByRole('button', { name: 'Add rule' }).click();
  await expect(settings.locator('.rule-row')).toContainText('GET, PUT from https://app.example.com');
  await settings.getByRole('button', { name: 'Save CORS rules' }).click();
  await expect(settings.getByRole('status')).toHaveText('Saved 1 CORS rule.');
  await snapSizes(page, snap, 'settings-cors');
  const saved = (await s3.send(new GetBucketCorsCommand({ Bucket: bucket }))).CORSRules ?? [];
  expect(saved).toEqual([expect.objectContaining({ AllowedOrigins: ['https://app.example.com'], AllowedMethods: ['GET', 'PUT'], AllowedHeaders: ['content-type', 'x-amz-meta-*'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 3000 })]);
  const allowed = await preflight(rgw, bucket, 'https://app.example.com', 'PUT', 'content-type');
  expect(allowed).toMatchObject({ status: 200, allowOrigin: 'https://app.example.com' });
  expect(allowed.allowMethods).toContain('PUT');
  expect((await preflight(rgw, bucket, 'https://elsewhere.example', 'PUT')).status).toBe(403);

  // The same rules as JSON (the AWS CLI's shape), edited: a second origin may read.
  await settings.getByText('Edit as JSON').click();
  const json = settings.getByLabel('CORS JSON');
  expect(JSON.parse(await json.inputValue()).CORSRules[0].AllowedOrigins).toEqual(['https://app.example.com']);
  await json.fill('{"CORSRules": [');
  await settings.getByRole('button', { name: 'Save JSON' }).click();
  await expect(settings.getByRole('alert')).toContainText('The JSON is not usable');
  await json.fill(JSON.stringify({ CORSRules: [...saved, { AllowedOrigins: ['https://viewer.example.org'], AllowedMethods: ['GET', 'HEAD'], MaxAgeSeconds: 60 }] }, null, 2));
  await settings.getByRole('button', { name: 'Save JSON' }).click();
  await expect(settings.getByRole('status')).toHaveText('Saved 2 CORS rules.');
  await snapSizes(page, snap, 'settings-cors-json');
  expect((await s3.send(new GetBucketCorsCommand({ Bucket: bucket }))).CORSRules).toHaveLength(2);
  expect(await preflight(rgw, bucket, 'https://viewer.example.org', 'GET')).toMatchObject({ status: 200, allowOrigin: 'https://viewer.example.org' });
  expect((await preflight(rgw, bucket, 'https://viewer.example.org', 'PUT')).status).toBe(403);

  // Tags.
  await settings.getByRole('tab', { name: 'Tags' }).click();
  await settings.getByRole('button', { name: 'Add tag' }).click();
  await settings.getByLabel('Tags key 1').fill('cost-centre');
  await settings.getByLabel('Tags value 1').fill('research');
  await settings.getByRole('button', { name: 'Add tag' }).click();
  await settings.getByLabel('Tags key 2').fill('owner');
  await settings.getByLabel('Tags value 2').fill('data team');
  await settings.getByRole('button', { name: 'Save tags' }).click();
  await expect(settings.getByRole('status')).toHaveText('Tags saved.');
  await snapSizes(page, snap, 'settings-tags');
  expect((await s3.send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet).toEqual(
    expect.arrayContaining([
      { Key: 'cost-centre', Value: 'research' },
      { Key: 'owner', Value: 'data team' },
    ]),
  );

  // The bucket's ACL: the second user may list the bucket only while granted READ.
  const otherS3 = s3For(rgw, other);
  expect(await otherCanList(otherS3, bucket)).toBe(false);
  await settings.getByRole('tab', { name: 'Access (ACL)' }).click();
  await settings.getByLabel('Canonical user ID', { exact: true }).fill(other.uid);
  await settings.getByLabel('Permission').selectOption('READ');
  await settings.getByRole('button', { name: 'Grant' }).click();
  const grants = settings.getByRole('table', { name: 'Grants' });
  await expect(grants.getByRole('row').filter({ hasText: other.uid })).toContainText('List objects (READ)');
  await snapSizes(page, snap, 'settings-acl');
  expect(await otherCanList(otherS3, bucket)).toBe(true);
  await grants.getByRole('row').filter({ hasText: other.uid }).getByRole('button', { name: 'Remove' }).click();
  await expect(grants).not.toContainText(other.uid);
  expect(await otherCanList(otherS3, bucket)).toBe(false);

  // Everything saved is read back from the server when the settings open again.
  await settings.getByRole('button', { name: 'Close' }).click();
  await bucketAction(page, 'Settings…');
  await settings.getByRole('tab', { name: 'CORS' }).click();
  await expect(settings.locator('.rule-row')).toHaveCount(2);
  await expect(settings.locator('.rule-row').nth(1)).toContainText('GET, HEAD from https://viewer.example.org; cached 60 s');
  await settings.getByRole('tab', { name: 'Tags' }).click();
  await expect(settings.getByLabel('Tags value 2')).toHaveValue(/research|data team/);
});

test('batch property edit: progress, then a cancel mid-way leaves changed objects changed (metadata, tags and grants kept) and the rest untouched', async ({ page, rgw, snap }) => {
  test.setTimeout(180_000);
  const [user, other] = await Promise.all([createRgwUser(rgw, 'batch-a'), createRgwUser(rgw, 'batch-b')]);
  const s3 = s3For(rgw, user);
  const otherS3 = s3For(rgw, other);
  const bucket = `${user.uid}-batch`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const keys = Array.from({ length: 400 }, (_, i) => `batch/item-${String(i).padStart(3, '0')}.txt`);
  for (let i = 0; i < keys.length; i += 40) {
    await Promise.all(
      keys.slice(i, i + 40).map((key) =>
        s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key, ContentType: 'text/plain', Metadata: { origin: 'seed' }, Tagging: 'team=alpha', GrantRead: `id="${other.uid}"`, GrantFullControl: `id="${user.uid}"` })),
      ),
    );
  }
  await addCredential(page, rgw, user);
  await openBucket(page, bucket);
  await row(page, 'batch/').dblclick();
  await expect(page.getByRole('region', { name: `Bucket ${bucket}` }).getByRole('status').filter({ hasText: '400 items' })).toBeVisible();
  await row(page, keys[0].slice(6)).click();
  await page.getByRole('grid', { name: 'Objects' }).press('Control+a');
  await objectAction(page, 'Properties…');

  const dialog = page.getByRole('dialog', { name: 'Change 400 objects' });
  await dialog.getByRole('checkbox', { name: 'Change Cache-Control' }).check();
  await dialog.getByLabel('Cache-Control', { exact: true }).fill('max-age=77');
  await dialog.getByRole('checkbox', { name: /Set these metadata entries/ }).check();
  await dialog.getByRole('button', { name: 'Add row' }).click();
  await dialog.getByLabel('Metadata key 1').fill('reviewed');
  await dialog.getByLabel('Metadata value 1').fill('yes');
  await snapSizes(page, snap, 'batch-properties');
  await dialog.getByRole('button', { name: 'Apply to 400 objects' }).click();

  const banner = page.getByRole('status', { name: 'Changing objects:' });
  await expect(banner).toContainText(/Changing objects: [1-9][\d,]* of 400/);
  await snapSizes(page, snap, 'batch-properties-progress');
  await banner.getByRole('button', { name: 'Cancel' }).click();
  await expect(banner).toBeHidden();

  // On the server: each object either has the whole change or none of it, and keeps its tags and grant.
  let changed = 0;
  for (let i = 0; i < keys.length; i += 40) {
    const heads = await Promise.all(keys.slice(i, i + 40).map((key) => s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))));
    for (const [j, head] of heads.entries()) {
      const key = keys[i + j];
      if (head.CacheControl === 'max-age=77') {
        changed++;
        expect(head.Metadata, key).toEqual({ origin: 'seed', reviewed: 'yes' });
      } else {
        expect(head.CacheControl, key).toBeUndefined();
        expect(head.Metadata, key).toEqual({ origin: 'seed' });
      }
      expect(head.ContentType, key).toBe('text/plain');
    }
  }
  expect(changed).toBeGreaterThan(0);
  expect(changed).toBeLessThan(keys.length);
  // Changed ones kept their tags and the second user's read grant (a sample across the range).
  for (const key of keys.filter((_, i) => i % 25 === 0)) {
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }))).TagSet, key).toEqual([{ Key: 'team', Value: 'alpha' }]);
    expect(await otherS3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(() => true, () => false), key).toBe(true);
  }
});

test('"Delete all versions instead…": the count and size first, then every version gone from RGW', async ({ page, rgw, snap }) => {
  test.setTimeout(120_000);
  const user = await createRgwUser(rgw, 'allver');
  const s3 = s3For(rgw, user);
  const bucket = `${user.uid}-allversions`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  const put = (key: string, body: string) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  for (const body of ['a1', 'a2 longer', 'a3 longest']) await put('old/a.txt', body);
  for (const body of ['b1', 'b2']) await put('old/b.txt', body);
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'old/b.txt' }));
  for (const body of ['report v1', 'report v2']) await put('report.txt', body);
  for (const body of ['keep 1', 'keep 2']) await put('keep.txt', body);
  await addCredential(page, rgw, user);
  await openBucket(page, bucket);

  await row(page, 'old/').click();
  await row(page, 'report.txt').click({ modifiers: ['Control'] });
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  const ask = page.getByRole('dialog', { name: 'Delete 2 items?' });
  await expect(ask).toContainText('This bucket keeps versions');
  await ask.getByRole('button', { name: 'Delete all versions instead…' }).click();

  const confirm = page.getByRole('dialog', { name: 'Delete every version?' });
  const bytes = ['a1', 'a2 longer', 'a3 longest', 'b1', 'b2', 'report v1', 'report v2'].join('').length;
  await expect(confirm.getByRole('status')).toHaveText(`7 versions (${bytes} B) and 1 delete marker will be deleted; 2 objects of them are current.`);
  await expect(confirm.getByRole('button', { name: 'Delete all versions' })).toBeDisabled();
  await confirm.getByLabel(/Type/).fill('delete');
  await snapSizes(page, snap, 'delete-all-versions');
  await confirm.getByRole('button', { name: 'Delete all versions' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Deleted 8 versions and delete markers for good.' })).toBeVisible();

  const left = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
  expect([...(left.Versions ?? []), ...(left.DeleteMarkers ?? [])].map((v) => v.Key)).toEqual(['keep.txt', 'keep.txt']);
  await expect(row(page, 'old/')).toHaveCount(0);
  await expect(row(page, 'keep.txt')).toHaveCount(1);
});
