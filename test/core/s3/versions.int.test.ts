import { CreateBucketCommand, GetObjectCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { deleteObjects } from '../../../src-main/core/s3/objects';
import type { S3Session } from '../../../src-main/core/s3/session';
import { countVersions, deleteAllVersions, deleteVersion, listVersionsFolder, restoreVersion, type VersionEntry } from '../../../src-main/core/s3/versions';
import { TransferQueue } from '../../../src-main/core/transfers/queue';
import { MiB, tempDir, userFixture, type UserFixture } from '../../helpers/s3-fixtures';

const rgw = inject('rgw');
let fixture: UserFixture;
let session: S3Session;
let n = 0;

beforeAll(async () => {
  fixture = await userFixture(rgw, 'versions');
  session = fixture.session;
});

async function versionedBucket(): Promise<string> {
  const name = `${fixture.user.uid}-v${++n}`;
  await session.client.send(new CreateBucketCommand({ Bucket: name }));
  await session.client.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Enabled' } }));
  return name;
}

const put = (bucket: string, key: string, body: string | Buffer) => session.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
async function read(bucket: string, key: string, versionId?: string): Promise<Buffer> {
  const result = await session.client.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
  return Buffer.from((await result.Body?.transformToByteArray()) ?? []);
}
async function versionsIn(bucket: string, prefix: string, pageSize?: number): Promise<{ rows: VersionEntry[]; pages: number; folders: string[] }> {
  const rows: VersionEntry[] = [];
  const folders: string[] = [];
  let pages = 0;
  for await (const page of listVersionsFolder(session, bucket, prefix, { pageSize })) {
    pages++;
    rows.push(...(page.objects as VersionEntry[]));
    folders.push(...page.folders.map((f) => f.prefix));
  }
  return { rows, pages, folders };
}

describe('object versions on Ceph RGW', () => {
  it('lists versions and delete markers per key, newest first, a page at a time (markers), with folders', async () => {
    const b = await versionedBucket();
    for (const body of ['v1', 'v2', 'v3']) await put(b, 'a.txt', body);
    await put(b, 'b.txt', 'bee');
    await put(b, 'sub/c.txt', 'see');
    await deleteObjects(session, b, { keys: ['b.txt'] }); // leaves a delete marker
    const { rows, pages, folders } = await versionsIn(b, '', 2);
    expect(pages).toBeGreaterThan(2);
    expect(folders).toEqual(['sub/']);
    expect(rows.map((r) => [r.key, r.isLatest, r.deleteMarker, r.size])).toEqual([
      ['a.txt', true, false, 2],
      ['a.txt', false, false, 2],
      ['a.txt', false, false, 2],
      ['b.txt', true, true, 0],
      ['b.txt', false, false, 3],
    ]);
    expect(new Set(rows.map((r) => r.versionId)).size).toBe(5);
    expect(await countVersions(session, b, { folders: [''] })).toEqual({ versions: 5, deleteMarkers: 1, bytes: 2 * 3 + 3 + 3, current: { count: 2, bytes: 2 + 3 } });
  });

  it('restores an old version as the latest, keeping every version', async () => {
    const b = await versionedBucket();
    for (const body of ['first', 'second']) await put(b, 'doc.txt', body);
    const [latest, old] = (await versionsIn(b, '')).rows;
    await restoreVersion(session, b, 'doc.txt', old.versionId);
    expect((await read(b, 'doc.txt')).toString()).toBe('first');
    const after = (await versionsIn(b, '')).rows;
    expect(after).toHaveLength(3);
    expect(after.map((r) => r.versionId)).toEqual(expect.arrayContaining([latest.versionId, old.versionId]));
  });

  it('restores part by part above the multipart threshold (as rename does above 5 GB)', async () => {
    const b = await versionedBucket();
    const original = randomBytes(11 * MiB);
    await put(b, 'big.bin', original);
    await put(b, 'big.bin', 'overwritten');
    const old = (await versionsIn(b, '')).rows[1];
    await restoreVersion(session, b, 'big.bin', old.versionId, { multipartThreshold: 5 * MiB, partSize: 5 * MiB });
    expect((await read(b, 'big.bin')).equals(original)).toBe(true);
  });

  it('deletes one version for good; deleting a delete marker brings the key back', async () => {
    const b = await versionedBucket();
    for (const body of ['keep', 'drop']) await put(b, 'x.txt', body);
    const drop = (await versionsIn(b, '')).rows[0];
    await deleteVersion(session, b, 'x.txt', drop.versionId);
    expect((await read(b, 'x.txt')).toString()).toBe('keep');
    await deleteObjects(session, b, { keys: ['x.txt'] });
    const marker = (await versionsIn(b, '')).rows.find((r) => r.deleteMarker);
    await expect(read(b, 'x.txt')).rejects.toMatchObject({ name: 'NoSuchKey' });
    await deleteVersion(session, b, 'x.txt', marker?.versionId ?? '');
    expect((await read(b, 'x.txt')).toString()).toBe('keep');
  });

  it('a folder delete in a versioned bucket leaves markers; "delete all versions" counts first and removes everything', async () => {
    const b = await versionedBucket();
    await put(b, 'f/1', 'a');
    await put(b, 'f/1', 'bb');
    await put(b, 'f/2', 'ccc');
    await put(b, 'other', 'kept');
    await deleteObjects(session, b, { folders: ['f/'] });
    expect(await countVersions(session, b, { folders: ['f/'] })).toEqual({ versions: 3, deleteMarkers: 2, bytes: 6, current: { count: 0, bytes: 0 } });
    const progress: number[] = [];
    expect(await deleteAllVersions(session, b, { folders: ['f/'] }, { onProgress: (p) => progress.push(p.done) })).toBe(5);
    expect(progress.at(-1)).toBe(5);
    expect(await countVersions(session, b, { folders: [''] })).toMatchObject({ versions: 1, deleteMarkers: 0 });
    expect((await read(b, 'other')).toString()).toBe('kept');
    await expect(deleteAllVersions(session, b, { folders: [''] })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('downloads an old version through the transfer queue, pinned by its version ID', async () => {
    const b = await versionedBucket();
    const old = randomBytes(12 * MiB);
    await put(b, 'data.bin', old);
    await put(b, 'data.bin', 'new');
    const version = (await versionsIn(b, '')).rows[1];
    const dir = await tempDir('keydesk-version-dl-');
    const queue = new TransferQueue({ journalDir: join(dir, 'journal'), resolveEndpoint: () => ({ connection: fixture.connection, settings: { partSizeMiB: 5, concurrency: 2 } }) });
    try {
      const item = await queue.addDownload({ credentialId: 'c', bucket: b, key: 'data.bin', versionId: version.versionId, target: join(dir, 'data.bin'), size: version.size, etag: version.etag });
      expect(item.versionId).toBe(version.versionId);
      expect((await queue.wait(item.id)).state).toBe('done');
      expect((await readFile(join(dir, 'data.bin'))).equals(old)).toBe(true);
    } finally {
      await queue.shutdown();
    }
  });
});
