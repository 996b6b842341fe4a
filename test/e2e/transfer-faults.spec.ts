import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRgwUser } from '../helpers/rgw-users';
import { s3ErrorXml, startHttpFaultProxy } from '../helpers/tcp-proxy';
import { addCredential, openBucket, row, s3For, typePath } from './browse-helpers';
import { expect, snapSizes, test } from './fixtures';

/*
 * The transfer panel when the server has a bad minute: Keydesk sits behind an HTTP proxy that answers
 * some requests with 503 SlowDown itself (test/helpers/tcp-proxy.ts). A burst is ridden out and the bytes
 * arrive whole; a server that never recovers ends in an error that says what happened and how often
 * Keydesk tried.
 */

let local: string;
let s3: S3Client | undefined;
let proxy: Awaited<ReturnType<typeof startHttpFaultProxy>> | undefined;
test.beforeEach(async () => {
  local = await mkdtemp(join(tmpdir(), 'keydesk-faults-'));
});
test.afterEach(async () => {
  s3?.destroy();
  s3 = undefined;
  await proxy?.close();
  proxy = undefined;
  await rm(local, { recursive: true, force: true });
});

const slowDown = { status: 503, headers: { 'retry-after': '1', 'content-type': 'application/xml' }, body: s3ErrorXml('SlowDown', 'Please reduce your request rate.') };

test('an upload rides out a burst of 503 SlowDown; a download from a server that stays overloaded fails with a clear error', async ({ page, rgw, snap }) => {
  const user = await createRgwUser(rgw, 'e2e');
  const bucket = `${user.uid}-faults`;
  s3 = s3For(rgw, user);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'report.bin', Body: randomBytes(64 * 1024) }));
  proxy = await startHttpFaultProxy(Number(new URL(rgw.endpoint).port));
  await addCredential(page, { ...rgw, endpoint: `http://127.0.0.1:${proxy.port}` }, user);
  await openBucket(page, bucket);
  const transfers = page.getByRole('region', { name: 'Transfers' });

  // Three uploads answered 503 SlowDown (Retry-After: 1), then the server recovers.
  const bytes = randomBytes(1024 * 1024 + 17);
  await writeFile(join(local, 'upload.bin'), bytes);
  proxy.answer({ match: (request) => request.method === 'PUT', times: 3, answer: slowDown });
  await page.getByRole('button', { name: 'Upload files' }).click();
  await typePath(page, join(local, 'upload.bin'), 'Upload');
  await expect(transfers.getByRole('listitem', { name: 'Upload upload.bin' })).toContainText('Done', { timeout: 30_000 });
  expect(proxy.stats.answered).toBe(3);
  const stored = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'upload.bin' }));
  expect(createHash('md5').update(await stored.Body!.transformToByteArray()).digest('hex')).toBe(createHash('md5').update(bytes).digest('hex'));
  await snapSizes(page, snap, 'transfer-recovered');

  // Every read of the object is answered 503 from now on: the download gives up after its attempts.
  proxy.answer({ match: (request) => request.method !== 'PUT' && (request.url ?? '').includes('report.bin'), answer: slowDown });
  await row(page, 'report.bin').click();
  await page.getByRole('button', { name: 'Download' }).click();
  await typePath(page, local, 'Download');
  const failed = transfers.getByRole('listitem', { name: `Download ${join(local, 'report.bin')}` });
  await expect(failed).toContainText('Failed', { timeout: 45_000 });
  await expect(failed).toContainText(
    /The S3 server could not handle the request \(SlowDown, HTTP 503\): Please reduce your request rate \(tried 5 times over \d+ s\)\. The server or the network kept failing; try again later, and check the connection or proxy if it persists\./,
  );
  await snapSizes(page, snap, 'transfer-failed-clear-error');

  // Once the server is well again, Retry finishes it.
  proxy.answer();
  await failed.getByRole('button', { name: 'Retry' }).click();
  await expect(failed).toContainText('Done', { timeout: 30_000 });
});
