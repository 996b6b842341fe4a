import { CreateMultipartUploadCommand, GetObjectCommand, ListMultipartUploadsCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createBucket, deleteBucket, emptyBucket, listBuckets } from '../../../src-main/core/s3/buckets';
import { copyObject, moveFolder, moveObject } from '../../../src-main/core/s3/copy';
import { countObjects, listFolder, searchObjects, type ListingPage } from '../../../src-main/core/s3/listing';
import { createFolder, deleteObjects, objectDetails } from '../../../src-main/core/s3/objects';
import type { BatchProgress, S3Session } from '../../../src-main/core/s3/session';
import { MAX_SHARE_SECONDS, shareLink } from '../../../src-main/core/s3/share';
import { folderPrefix, parseS3Uri, toS3Uri } from '../../../src-main/core/s3/uri';
import { Agent, fetch } from 'undici';
import { MiB, onSwift, overHttps, userFixture } from '../../helpers/s3-fixtures';
import { readFileSync } from 'node:fs';

const rgw = inject('rgw');
let session: S3Session;
let uid: string;

beforeAll(async () => {
  const fixture = await userFixture(rgw, 'browse');
  session = fixture.session;
  uid = fixture.user.uid;
});

async function put(bucket: string, key: string, body: string | Buffer = 'x', extra: Partial<ConstructorParameters<typeof PutObjectCommand>[0]> = {}) {
  await session.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ...extra }));
}

async function newBucket(suffix: string): Promise<string> {
  const name = `${uid}-${suffix}`;
  await createBucket(session, name, 'us-east-1');
  return name;
}

async function text(bucket: string, key: string): Promise<string> {
  const result = await session.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await result.Body?.transformToString()) ?? '';
}

async function pages(iterable: AsyncIterable<ListingPage>): Promise<ListingPage[]> {
  const all: ListingPage[] = [];
  for await (const page of iterable) all.push(page);
  return all;
}

describe('buckets', () => {
  it('creates and lists buckets with their region, and explains a refused region', async () => {
    const name = await newBucket('list');
    const buckets = await listBuckets(session, { withRegions: true });
    const bucket = buckets.find((b) => b.name === name);
    // Swift lists every bucket as created on 2009-02-03 (a constant): no date is better than a made-up one.
    if (onSwift) expect(bucket).toMatchObject({ name, createdAt: undefined });
    else expect(bucket?.createdAt).toMatch(/^\d{4}-/);
    // RGW reports its zonegroup; Swift an empty location, which is us-east-1 (its configured `location`).
    expect(bucket?.region).toBe(onSwift ? 'us-east-1' : 'default');
    await expect(createBucket(session, `${uid}-eu`, 'eu-west-1')).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      providerCode: 'InvalidLocationConstraint',
      message: expect.stringContaining('"eu-west-1"'),
    });
  });

  it('refuses to delete a bucket that holds objects, naming the count, and deletes it once empty', async () => {
    const name = await newBucket('del');
    await Promise.all(['a', 'b', 'c/d'].map((k) => put(name, k)));
    await expect(deleteBucket(session, name)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('holds 3 objects') });
    const progress: BatchProgress[] = [];
    expect(await emptyBucket(session, name, { onProgress: (p) => progress.push(p) })).toBe(3);
    expect(progress.at(-1)).toEqual({ done: 3, total: 3 });
    await deleteBucket(session, name);
    expect((await listBuckets(session)).map((b) => b.name)).not.toContain(name);
  });

  it('empties a versioned bucket (versions and delete markers) and aborts unfinished uploads', async () => {
    const name = await newBucket('ver');
    await session.client.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Enabled' } }));
    await put(name, 'v', '1');
    await put(name, 'v', '2');
    await deleteObjects(session, name, { keys: ['v'] }); // leaves a delete marker on top of two versions
    await session.client.send(new CreateMultipartUploadCommand({ Bucket: name, Key: 'half' }));
    expect(await emptyBucket(session, name)).toBe(4);
    const uploads = await session.client.send(new ListMultipartUploadsCommand({ Bucket: name }));
    expect(uploads.Uploads ?? []).toHaveLength(0);
    await deleteBucket(session, name);
  });

  it('stops emptying on cancel', async () => {
    const name = await newBucket('cancel');
    await put(name, 'a');
    const controller = new AbortController();
    controller.abort();
    await expect(emptyBucket(session, name, { signal: controller.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
    expect((await countObjects(session, name, '')).count).toBe(1);
  });

  it('names a missing bucket', async () => {
    await expect(deleteBucket(session, `${uid}-nope`)).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('NoSuchBucket') });
  });
});

describe('objects', () => {
  let bucket: string;
  beforeAll(async () => {
    bucket = await newBucket('obj');
    await Promise.all([
      ...Array.from({ length: 7 }, (_, i) => put(bucket, `docs/file-${i}.txt`, `content ${i}`)),
      put(bucket, 'docs/sub/deep.txt'),
      put(bucket, 'docs/sub2/'),
      put(bucket, 'top.txt', 'top', { ContentType: 'text/plain', Metadata: { owner: 'ada' } }),
    ]);
  });

  it('streams a folder listing page by page, folders separate from objects', async () => {
    const result = await pages(listFolder(session, bucket, 'docs', { pageSize: 3 }));
    expect(result.length).toBeGreaterThan(2); // first rows arrive before the listing is complete
    expect(result.flatMap((p) => p.folders.map((f) => f.name))).toEqual(['sub', 'sub2']);
    const objects = result.flatMap((p) => p.objects);
    expect(objects.map((o) => o.name)).toEqual(Array.from({ length: 7 }, (_, i) => `file-${i}.txt`));
    expect(objects[0]).toMatchObject({ key: 'docs/file-0.txt', size: 9, etag: expect.any(String), lastModified: expect.stringMatching(/^\d{4}-/) });
    const root = await pages(listFolder(session, bucket, ''));
    expect(root[0].folders.map((f) => f.prefix)).toEqual(['docs/']);
    expect(root[0].objects.map((o) => o.key)).toEqual(['top.txt']);
    // An empty folder lists its marker as the folder itself, not as a row inside it.
    expect((await pages(listFolder(session, bucket, 'docs/sub2/')))[0]).toEqual({ folders: [], objects: [] });
  });

  it('searches by key prefix at any depth', async () => {
    const result = await pages(searchObjects(session, bucket, 'docs/s'));
    expect(result.flatMap((p) => p.objects.map((o) => [o.key, o.name]))).toEqual([
      ['docs/sub/deep.txt', 'sub/deep.txt'],
      ['docs/sub2/', 'sub2/'],
    ]);
  });

  it('shows object details from HeadObject', async () => {
    expect(await objectDetails(session, bucket, 'top.txt')).toMatchObject({
      size: 3,
      contentType: 'text/plain',
      metadata: { owner: 'ada' },
      storageClass: 'STANDARD',
      etag: expect.stringMatching(/^"[0-9a-f]{32}"$/),
    });
    await expect(objectDetails(session, bucket, 'missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('creates a folder as a zero-byte marker and rejects bad names', async () => {
    expect(await createFolder(session, bucket, 'docs/', 'new')).toBe('docs/new/');
    expect(await objectDetails(session, bucket, 'docs/new/')).toMatchObject({ size: 0 });
    await expect(createFolder(session, bucket, '', 'a/b')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('deletes objects and folders, counting folder contents first', async () => {
    const name = await newBucket('delobj');
    await Promise.all([...Array.from({ length: 25 }, (_, i) => put(name, `f/${i}`)), put(name, 'f/'), put(name, 'g/1'), put(name, 'one'), put(name, 'keep')]);
    const progress: BatchProgress[] = [];
    expect(await deleteObjects(session, name, { keys: ['one'], folders: ['f', 'g/'] }, { onProgress: (p) => progress.push(p) })).toBe(28);
    expect(progress[0]).toEqual({ done: 0, total: 28 });
    expect(progress.at(-1)).toEqual({ done: 28, total: 28 });
    expect((await countObjects(session, name, '')).count).toBe(1);
    await expect(deleteObjects(session, name, { folders: [''] })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('renames an object, refusing to overwrite unless asked', async () => {
    await put(bucket, 'ren/a', 'A', { ContentType: 'text/x-a', Metadata: { tag: '1' } });
    await put(bucket, 'ren/b', 'B');
    await expect(moveObject(session, { bucket, key: 'ren/a' }, { bucket, key: 'ren/b' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await moveObject(session, { bucket, key: 'ren/a' }, { bucket, key: 'ren/c' });
    expect(await text(bucket, 'ren/c')).toBe('A');
    expect(await objectDetails(session, bucket, 'ren/c')).toMatchObject({ contentType: 'text/x-a', metadata: { tag: '1' } });
    await expect(objectDetails(session, bucket, 'ren/a')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await moveObject(session, { bucket, key: 'ren/c' }, { bucket, key: 'ren/b' }, { overwrite: true });
    expect(await text(bucket, 'ren/b')).toBe('A');
  });

  it('copies above the threshold part by part (UploadPartCopy), keeping bytes and metadata', async () => {
    const body = Buffer.alloc(11 * MiB);
    for (let i = 0; i < body.length; i += 4096) body.writeUInt32BE(i, i);
    await put(bucket, 'big/src.bin', body, { ContentType: 'application/x-test', Metadata: { k: 'v' } });
    await copyObject(session, { bucket, key: 'big/src.bin' }, { bucket, key: 'big/dst.bin' }, { multipartThreshold: 1, partSize: 5 * MiB });
    const details = await objectDetails(session, bucket, 'big/dst.bin');
    expect(details).toMatchObject({ size: body.length, contentType: 'application/x-test', metadata: { k: 'v' } });
    expect(details.etag).toMatch(/-3"$/); // three parts: 5 + 5 + 1 MiB
    const copied = await session.client.send(new GetObjectCommand({ Bucket: bucket, Key: 'big/dst.bin' }));
    expect(Buffer.from(await copied.Body!.transformToByteArray()).equals(body)).toBe(true);
    const uploads = await session.client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(uploads.Uploads ?? []).toHaveLength(0);
  });

  it('moves a whole folder with progress, and refuses to move it into itself or onto an existing folder', async () => {
    await Promise.all(Array.from({ length: 12 }, (_, i) => put(bucket, `mv/src/${i % 3}/f${i}`, `m${i}`)));
    const progress: BatchProgress[] = [];
    expect(await moveFolder(session, { bucket, prefix: 'mv/src' }, { bucket, prefix: 'mv/dst/' }, { onProgress: (p) => progress.push(p), multipartThreshold: 1 })).toBe(12);
    expect(progress.at(-1)).toEqual({ done: 12, total: 12 });
    expect((await countObjects(session, bucket, 'mv/src/')).count).toBe(0);
    expect(await text(bucket, 'mv/dst/2/f5')).toBe('m5');
    await expect(moveFolder(session, { bucket, prefix: 'mv/dst/' }, { bucket, prefix: 'mv/dst/inner/' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await put(bucket, 'mv/other/x');
    await expect(moveFolder(session, { bucket, prefix: 'mv/dst/' }, { bucket, prefix: 'mv/other/' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('1 object'),
    });
  });

  it('makes share links that work with a plain fetch, up to 7 days', async () => {
    const link = await shareLink(session, bucket, 'top.txt', 3600, { downloadName: 'Top file.txt' });
    expect(new Date(link.expiresAt).getTime()).toBeGreaterThan(Date.now() + 3500_000);
    // As a browser that trusts the private CA would fetch it.
    const response = await fetch(link.url, overHttps ? { dispatcher: new Agent({ connect: { ca: readFileSync(rgw.tls.caFile) } }) } : {});
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('top');
    expect(response.headers.get('content-disposition')).toContain("filename*=UTF-8''Top%20file.txt");
    await shareLink(session, bucket, 'top.txt', MAX_SHARE_SECONDS);
    await expect(shareLink(session, bucket, 'top.txt', MAX_SHARE_SECONDS + 1)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('7 days') });
    await expect(shareLink(session, bucket, 'nope.txt', 60)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('s3:// URIs', () => {
  it('formats and parses', () => {
    expect(toS3Uri('b', 'a/b c.txt')).toBe('s3://b/a/b c.txt');
    expect(parseS3Uri('s3://b/a/b c.txt')).toEqual({ bucket: 'b', key: 'a/b c.txt' });
    expect(parseS3Uri('s3://b')).toEqual({ bucket: 'b', key: '' });
    expect(() => parseS3Uri('http://b/k')).toThrow(/not an S3 URI/);
    expect(folderPrefix('/a/b')).toBe('a/b/');
  });
});
