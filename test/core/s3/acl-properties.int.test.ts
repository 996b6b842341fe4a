import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { addGrant, removeGrant } from '../../../src-main/core/s3/acl';
import { readObjectProperties, updateManyObjects, updateObjectProperties } from '../../../src-main/core/s3/object-properties';
import { planPreview, readRange, PDF_LIMIT, PREVIEW_CHUNK, TEXT_LIMIT } from '../../../src-main/core/s3/preview';
import { ServerProfiles } from '../../../src-main/core/s3/server-profile';
import type { S3Session } from '../../../src-main/core/s3/session';
import { serverContext, type ServerContext } from '../../../src-main/core/s3/settings-area';
import { measure } from '../../../src-main/core/s3/sizes';
import { MiB, userFixture, type UserFixture } from '../../helpers/s3-fixtures';

const rgw = inject('rgw');
let owner: UserFixture;
let other: UserFixture;
let ctx: ServerContext;
let bucket: string;

beforeAll(async () => {
  [owner, other] = await Promise.all([userFixture(rgw, 'acl-a'), userFixture(rgw, 'acl-b')]);
  bucket = `${owner.user.uid}-shared`;
  await owner.session.client.send(new CreateBucketCommand({ Bucket: bucket }));
  ctx = await serverContext(owner.session, new ServerProfiles(), bucket);
});

const put = (key: string, body: string | Buffer, extra: Partial<ConstructorParameters<typeof PutObjectCommand>[0]> = {}) =>
  owner.session.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ...extra }));

async function allowed(work: () => Promise<unknown>): Promise<boolean> {
  try {
    await work();
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'AccessDenied') return false;
    throw error;
  }
}
const otherReads = (session: S3Session, key: string) => allowed(() => session.client.send(new GetObjectCommand({ Bucket: bucket, Key: key })));

describe('ACL grants by canonical ID (two real RGW users)', () => {
  it('the other user can read an object only while the READ grant exists', async () => {
    await put('report.csv', 'a,b\n1,2\n');
    expect(await otherReads(other.session, 'report.csv')).toBe(false);
    const granted = await addGrant(ctx, { bucket, key: 'report.csv' }, other.user.uid, 'READ');
    expect(granted.owner.id).toBe(owner.user.uid);
    expect(granted.grants).toEqual(expect.arrayContaining([{ grantee: expect.objectContaining({ type: 'CanonicalUser', id: other.user.uid }), permission: 'READ' }]));
    expect(await otherReads(other.session, 'report.csv')).toBe(true);
    const grant = granted.grants.find((g) => g.grantee.id === other.user.uid);
    const after = await removeGrant(ctx, { bucket, key: 'report.csv' }, grant!);
    expect(after.grants.some((g) => g.grantee.id === other.user.uid)).toBe(false);
    expect(await otherReads(other.session, 'report.csv')).toBe(false);
  });

  it('a bucket READ grant lets the other user list; WRITE lets them upload; the owner keeps FULL_CONTROL', async () => {
    const list = () => allowed(() => other.session.client.send(new ListObjectsV2Command({ Bucket: bucket })));
    const write = () => allowed(() => other.session.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'from-b.txt', Body: 'hi' })));
    expect(await list()).toBe(false);
    expect(await write()).toBe(false);
    await addGrant(ctx, { bucket }, other.user.uid, 'READ');
    const acl = await addGrant(ctx, { bucket }, other.user.uid, 'WRITE');
    expect(await list()).toBe(true);
    expect(await write()).toBe(true);
    for (const grant of acl.grants.filter((g) => g.grantee.id === other.user.uid)) await removeGrant(ctx, { bucket }, grant);
    expect(await list()).toBe(false);
    const ownerGrant = acl.grants.find((g) => g.grantee.id === owner.user.uid && g.permission === 'FULL_CONTROL');
    await expect(removeGrant(ctx, { bucket }, ownerGrant!)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(addGrant(ctx, { bucket, key: 'report.csv' }, other.user.uid, 'WRITE')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(addGrant(ctx, { bucket }, 'two words', 'READ')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('object properties (copy in place)', () => {
  it('edits Content-Type, Cache-Control, Content-Disposition, metadata and tags; keeps bytes, storage class and ACL grants', async () => {
    await put('page.html', '<h1>hi</h1>', { ContentType: 'text/plain', Metadata: { author: 'ann', stale: 'yes' }, ContentLanguage: 'en' });
    await addGrant(ctx, { bucket, key: 'page.html' }, other.user.uid, 'READ');
    const changed = await updateObjectProperties(ctx, bucket, 'page.html', {
      contentType: 'text/html; charset=utf-8',
      cacheControl: 'public, max-age=3600',
      contentDisposition: 'inline',
      metadata: { replace: { author: 'ann', reviewed: '2024' } },
      tags: { replace: [{ Key: 'env', Value: 'prod' }] },
    });
    expect(changed).toBe(true);
    const props = await readObjectProperties(ctx, bucket, 'page.html');
    expect(props).toMatchObject({
      contentType: 'text/html; charset=utf-8',
      cacheControl: 'public, max-age=3600',
      contentDisposition: 'inline',
      contentLanguage: 'en',
      metadata: { author: 'ann', reviewed: '2024' },
      tags: { state: 'ok', value: [{ Key: 'env', Value: 'prod' }] },
      storageClass: 'STANDARD',
    });
    expect(await otherReads(other.session, 'page.html')).toBe(true);
    const body = await owner.session.client.send(new GetObjectCommand({ Bucket: bucket, Key: 'page.html' }));
    expect(await body.Body?.transformToString()).toBe('<h1>hi</h1>');
    // Nothing to change: no copy is made.
    expect(await updateObjectProperties(ctx, bucket, 'page.html', { contentType: 'text/html; charset=utf-8' })).toBe(false);
    await expect(updateObjectProperties(ctx, bucket, 'page.html', { metadata: { set: { 'bad name': 'x' } } })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('copies part by part above the threshold and keeps headers and tags it was not asked to change', async () => {
    const original = randomBytes(11 * MiB);
    await put('big.bin', original, { ContentType: 'application/x-big', CacheControl: 'no-cache', Tagging: 'keep=me' });
    await updateObjectProperties(ctx, bucket, 'big.bin', { metadata: { set: { checked: 'yes' } } }, { multipartThreshold: 5 * MiB, partSize: 5 * MiB });
    const props = await readObjectProperties(ctx, bucket, 'big.bin');
    expect(props).toMatchObject({ contentType: 'application/x-big', cacheControl: 'no-cache', metadata: { checked: 'yes' }, tags: { state: 'ok', value: [{ Key: 'keep', Value: 'me' }] }, size: original.length });
    expect(props.etag).toMatch(/-3"$/);
    const body = await owner.session.client.send(new GetObjectCommand({ Bucket: bucket, Key: 'big.bin' }));
    expect(Buffer.from(await body.Body!.transformToByteArray()).equals(original)).toBe(true);
  });

  it('applies one change to a selection with progress, and a cancel stops it', async () => {
    const keys = Array.from({ length: 12 }, (_, i) => `batch/${i}.txt`);
    await Promise.all(keys.map((k) => put(k, k)));
    const progress: number[] = [];
    expect(await updateManyObjects(ctx, bucket, keys, { cacheControl: 'max-age=60' }, { onProgress: (p) => progress.push(p.done) })).toBe(12);
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(12);
    for (const key of keys) expect((await readObjectProperties(ctx, bucket, key)).cacheControl).toBe('max-age=60');
    const controller = new AbortController();
    const run = updateManyObjects(ctx, bucket, keys, { cacheControl: 'max-age=1' }, { signal: controller.signal, onProgress: (p) => p.done >= 2 && controller.abort() });
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    const changed = (await Promise.all(keys.map((k) => readObjectProperties(ctx, bucket, k)))).filter((p) => p.cacheControl === 'max-age=1').length;
    expect(changed).toBeGreaterThanOrEqual(2);
    expect(changed).toBeLessThan(12);
  });
});

describe('sizes and previews', () => {
  it('measures folders and the whole bucket with progress, streamed', async () => {
    const b = `${owner.user.uid}-sizes`;
    await owner.session.client.send(new CreateBucketCommand({ Bucket: b }));
    await Promise.all(Array.from({ length: 25 }, (_, i) => owner.session.client.send(new PutObjectCommand({ Bucket: b, Key: `${i < 10 ? 'a' : 'b'}/${i}`, Body: 'x'.repeat(i) }))));
    const seen: number[] = [];
    expect(await measure(owner.session, b, ['a/'], { onProgress: (p) => seen.push(p.objects) })).toEqual({ objects: 10, bytes: 45 });
    expect(seen.at(-1)).toBe(10);
    expect(await measure(owner.session, b, [''])).toEqual({ objects: 25, bytes: 300 });
    expect(await measure(owner.session, b, ['a/', 'b/'], { withVersions: true })).toEqual({ objects: 25, bytes: 300, versions: { versions: 25, deleteMarkers: 0, bytes: 300 } });
  });

  it('decides the preview in main: images and PDFs by their bytes, text (first 256 KiB of a large one)', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    await put('pic.dat', png, { ContentType: 'application/octet-stream' });
    await put('fake.png', '<script>alert(1)</script>', { ContentType: 'image/png' });
    await put('big.log', 'line\n'.repeat(100_000));
    await put('doc', '%PDF-1.4\n%…', { ContentType: 'application/octet-stream' });
    await put('junk-first.pdf', 'junk\n%PDF-1.7\n');
    await put('talks-about-pdf.txt', 'Files start with %PDF-1.7, like this one does not.');
    await put('named.pdf', 'not a pdf at all', { ContentType: 'application/pdf' });
    await put('huge.pdf', Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(PDF_LIMIT)]));
    await put('blob.bin', Buffer.from([0, 1, 2, 3, 0, 0, 255]));
    expect(await planPreview(owner.session, bucket, 'pic.dat')).toMatchObject({ kind: 'image', mime: 'image/png', limit: png.length });
    // Declared image/png but not an image: shown as text, never handed to <img> as what it claims.
    expect(await planPreview(owner.session, bucket, 'fake.png')).toMatchObject({ kind: 'text' });
    const log = await planPreview(owner.session, bucket, 'big.log');
    expect(log).toMatchObject({ kind: 'text', limit: TEXT_LIMIT, truncated: true, size: 500_000 });
    expect(log.first.length).toBe(PREVIEW_CHUNK);
    // PDFs: by the "%PDF-" header at the start (further in only for objects that say they are PDFs), whole, up to 50 MiB.
    expect(await planPreview(owner.session, bucket, 'doc')).toMatchObject({ kind: 'pdf', mime: 'application/pdf', limit: 13 });
    expect(await planPreview(owner.session, bucket, 'junk-first.pdf')).toMatchObject({ kind: 'pdf', limit: 14 });
    expect(await planPreview(owner.session, bucket, 'talks-about-pdf.txt')).toMatchObject({ kind: 'text' });
    expect(await planPreview(owner.session, bucket, 'named.pdf')).toMatchObject({ kind: 'text' });
    expect(await planPreview(owner.session, bucket, 'huge.pdf')).toMatchObject({ kind: 'none', limit: 0, reason: expect.stringContaining('larger than 50 MiB') });
    expect(await planPreview(owner.session, bucket, 'blob.bin')).toMatchObject({ kind: 'none' });
    const details = { etag: (await readObjectProperties(ctx, bucket, 'big.log')).etag };
    expect((await readRange(owner.session, bucket, 'big.log', details, 10, 20)).toString()).toBe('line\nline\n');
    await expect(readRange(owner.session, bucket, 'big.log', details, 0, PREVIEW_CHUNK + 1)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await put('big.log', 'replaced');
    await expect(readRange(owner.session, bucket, 'big.log', details, 0, 4)).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});
