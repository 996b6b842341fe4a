import { HeadObjectCommand, ListMultipartUploadsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type RequestListener } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdir, readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createBucket } from '../../../src-main/core/s3/buckets';
import type { S3Connection } from '../../../src-main/core/s3/client';
import type { S3Session } from '../../../src-main/core/s3/session';
import { ITEM_LOG_FILE, replayItemLog } from '../../../src-main/core/transfers/item-log';
import type { ItemRecord } from '../../../src-main/core/transfers/journal';
import { TransferQueue, type TransferQueueOptions } from '../../../src-main/core/transfers/queue';
import type { TransferEvent, TransferItemSnapshot } from '../../../src-main/core/transfers/types';
import { md5File, MiB, onSwift, overHttps, randomFile, tempDir, userFixture } from '../../helpers/s3-fixtures';

const rgw = inject('rgw');
let session: S3Session;
let connection: S3Connection;
let bucket: string;
let dir: string;
const queues: TransferQueue[] = [];

beforeAll(async () => {
  const fixture = await userFixture(rgw, 'xfer');
  ({ session, connection } = fixture);
  bucket = `${fixture.user.uid}-x`;
  await createBucket(session, bucket);
  dir = await tempDir('keydesk-xfer-');
});

afterEach(async () => {
  await Promise.all(queues.splice(0).map((q) => q.shutdown()));
});

function queue(journalDir = join(dir, 'journal'), options: Partial<TransferQueueOptions> & { concurrency?: number } = {}): TransferQueue {
  const created = new TransferQueue({
    journalDir,
    resolveEndpoint: () => ({ connection, settings: { partSizeMiB: 5, concurrency: options.concurrency ?? 2 } }),
    progressIntervalMs: 10,
    ...options,
  });
  queues.push(created);
  return created;
}

/** Calls `act` once the item has moved at least `bytes` (progress events every 10 ms). */
function whenProgress(q: TransferQueue, id: string, bytes: number, act: () => unknown): void {
  const stop = q.subscribe((event) => {
    if (event.type === 'progress' && event.items.some((i) => i.id === id && i.bytesDone >= bytes)) {
      stop();
      act();
    }
  });
}

async function objectMd5(key: string): Promise<string> {
  const target = join(dir, `check-${Math.random().toString(36).slice(2)}`);
  const q = queue(join(dir, 'check-journal'));
  const item = await q.addDownload({ credentialId: 'c', bucket, key, target });
  expect((await q.wait(item.id)).state).toBe('done');
  return md5File(target);
}

/** The transfer list as the queue saved it for a restart. */
async function itemRecords(journalDir: string): Promise<ItemRecord[]> {
  return [...replayItemLog(await readFile(join(journalDir, ITEM_LOG_FILE), 'utf8')).values()];
}

async function pendingUploads(): Promise<number> {
  return (await session.client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads?.length ?? 0;
}

async function headOrNull(key: string) {
  return session.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).catch(() => null);
}

describe('uploads', () => {
  it('uploads a small file in one PUT and a large one in parallel parts, with progress', async () => {
    const q = queue();
    const events: TransferEvent[] = [];
    q.subscribe((e) => events.push(e));
    const small = await randomFile(join(dir, 'small.txt'), 1000);
    const large = await randomFile(join(dir, 'large.bin'), 16 * MiB + 7);
    const [a, b] = await Promise.all([q.addUpload({ credentialId: 'c', bucket, key: 'up/small.txt', file: small }), q.addUpload({ credentialId: 'c', bucket, key: 'up/large.bin', file: large })]);
    expect((await q.wait(a.id)).state).toBe('done');
    const done = await q.wait(b.id);
    expect(done).toMatchObject({ state: 'done', bytesDone: 16 * MiB + 7, bytesTotal: 16 * MiB + 7, finishedAt: expect.any(String) });
    expect((await headOrNull('up/small.txt'))?.ContentType).toBe('text/plain; charset=utf-8');
    expect((await headOrNull('up/large.bin'))?.ETag).toMatch(/-4"$/);
    expect(await objectMd5('up/large.bin')).toBe(await md5File(large));
    expect(events.filter((e) => e.type === 'item').map((e) => (e as { item: TransferItemSnapshot }).item.state)).toEqual(expect.arrayContaining(['queued', 'running', 'done']));
    expect(JSON.parse(JSON.stringify(events))).toEqual(events); // plain data for IPC
    expect(q.totals().counts.done).toBe(2);
    expect(q.clear()).toHaveLength(2);
    expect(q.list()).toEqual([]);
    // Item records are written in batches: once they have landed, nothing is left on disk.
    await q.shutdown();
    expect(await readdir(join(dir, 'journal')).catch(() => [])).toEqual([]);
  });

  it('stops mid-upload on cancel: no object, no multipart upload, no journal', async () => {
    const q = queue(join(dir, 'cancel-up'), { concurrency: 1 });
    const file = await randomFile(join(dir, 'cancel.bin'), 30 * MiB);
    const item = await q.addUpload({ credentialId: 'c', bucket, key: 'up/cancelled.bin', file });
    whenProgress(q, item.id, 5 * MiB, () => q.cancel(item.id));
    const result = await q.wait(item.id);
    expect(result.state).toBe('cancelled');
    expect(result.bytesDone).toBeLessThan(30 * MiB);
    expect(await headOrNull('up/cancelled.bin')).toBeNull();
    expect(await pendingUploads()).toBe(0);
    // The transfer list is rewritten in batches (every 500 ms): it goes once the cancel is written.
    await expect.poll(() => readdir(join(dir, 'cancel-up')), { timeout: 3_000 }).toEqual([]);
  });

  it('resumes an upload after a restart from its journal, and the bytes match', async () => {
    const journalDir = join(dir, 'restart-up');
    const first = queue(journalDir, { concurrency: 1 });
    const file = await randomFile(join(dir, 'restart.bin'), 26 * MiB);
    const item = await first.addUpload({ credentialId: 'c', bucket, key: 'up/restarted.bin', file });
    whenProgress(first, item.id, 10 * MiB, () => first.shutdown());
    expect((await first.wait(item.id)).state).toBe('interrupted');
    await first.shutdown();
    expect((await readdir(journalDir)).sort()).toEqual([`${item.id}.json`, ITEM_LOG_FILE]);
    expect(await pendingUploads()).toBe(1);

    const second = queue(journalDir);
    const resumed = await second.resumePending();
    expect(resumed.map((r) => [r.id, r.key, r.bytesTotal])).toEqual([[item.id, 'up/restarted.bin', 26 * MiB]]);
    expect((await second.wait(item.id)).state).toBe('done');
    expect(await objectMd5('up/restarted.bin')).toBe(await md5File(file));
    expect(await pendingUploads()).toBe(0);
    await expect.poll(() => readdir(journalDir)).toEqual([]);
  });

  it('starts over when the source file changed before the resume', async () => {
    const journalDir = join(dir, 'changed-up');
    const first = queue(journalDir, { concurrency: 1 });
    const file = await randomFile(join(dir, 'changed.bin'), 16 * MiB);
    const item = await first.addUpload({ credentialId: 'c', bucket, key: 'up/changed.bin', file });
    whenProgress(first, item.id, 5 * MiB, () => first.shutdown());
    expect((await first.wait(item.id)).state).toBe('interrupted');
    await randomFile(file, 12 * MiB);
    const second = queue(journalDir);
    await second.resumePending();
    expect((await second.wait(item.id)).state).toBe('done');
    expect((await headOrNull('up/changed.bin'))?.ContentLength).toBe(12 * MiB);
    expect(await objectMd5('up/changed.bin')).toBe(await md5File(file));
    expect(await pendingUploads()).toBe(0);
  });

  it('fails with a sentence naming the cause and leaves nothing behind', async () => {
    const q = queue(join(dir, 'fail-up'));
    const file = await randomFile(join(dir, 'fail.bin'), 6 * MiB);
    const item = await q.addUpload({ credentialId: 'c', bucket: `${bucket}-missing`, key: 'x', file });
    const result = await q.wait(item.id);
    expect(result).toMatchObject({ state: 'failed', error: { code: 'NOT_FOUND', message: expect.stringContaining('NoSuchBucket') } });
    // No multipart upload or journal; the item record keeps it listed as failed until cleared.
    expect(await pendingUploads()).toBe(0);
    await expect.poll(() => readdir(join(dir, 'fail-up'))).toEqual([ITEM_LOG_FILE]);
    expect(await itemRecords(join(dir, 'fail-up'))).toMatchObject([{ id: item.id, error: { code: 'NOT_FOUND' } }]);
    await expect(q.addUpload({ credentialId: 'c', bucket, key: 'x', file: join(dir, 'nope') })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    q.clear();
    await q.shutdown();
    expect(await readdir(join(dir, 'fail-up'))).toEqual([]);
  });

  it('asks, skips or keeps both when the object exists and the policy says so', async () => {
    const q = queue();
    const file = await randomFile(join(dir, 'c.txt'), 10);
    await session.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'conf/c.txt', Body: 'old' }));
    const ask = await q.addUpload({ credentialId: 'c', bucket, key: 'conf/c.txt', file, conflict: 'ask' });
    expect((await q.wait(ask.id)).state).toBe('conflict');
    q.resolveConflict(ask.id, 'keep-both');
    expect(await q.wait(ask.id)).toMatchObject({ state: 'done', key: 'conf/c (1).txt' });
    const skip = await q.addUpload({ credentialId: 'c', bucket, key: 'conf/c.txt', file, conflict: 'skip' });
    expect((await q.wait(skip.id)).state).toBe('skipped');
    expect((await headOrNull('conf/c.txt'))?.ContentLength).toBe(3);
  });
});

describe('part size', () => {
  // Swift's S3 API takes at most 1,000 parts (RGW and AWS 10,000): with 5 MiB parts a 6 GiB file would be
  // refused at part 1,001, so on Swift its parts grow to 7 MiB. A sparse file: nothing is read past part 1.
  it(`sizes the parts of a 6 GiB upload for the server's part limit (${onSwift ? 'Swift: 1,000 parts' : '10,000 parts'})`, async () => {
    const file = join(dir, 'sparse-6g.bin');
    await writeFile(file, '');
    await truncate(file, 6 * 1024 * MiB);
    let journaled: number | undefined;
    const q = queue(join(dir, 'sparse'), {
      onStep: async (step, id) => {
        if (step !== 'journaled') return;
        const [entry] = (await readdir(join(dir, 'sparse'))).filter((name) => name.endsWith('.json'));
        journaled = (JSON.parse(await readFile(join(dir, 'sparse', entry), 'utf8')) as { partSize: number }).partSize;
        void q.cancel(id);
      },
    });
    const item = await q.addUpload({ credentialId: 'c', bucket, key: 'up/sparse-6g.bin', file });
    expect((await q.wait(item.id)).state).toBe('cancelled');
    expect(journaled).toBe((onSwift ? 7 : 5) * MiB);
  });
});

describe('downloads', () => {
  let source: string;
  beforeAll(async () => {
    source = await randomFile(join(dir, 'source.bin'), 30 * MiB + 3);
    const q = queue(join(dir, 'seed'), { concurrency: 4 });
    const item = await q.addUpload({ credentialId: 'c', bucket, key: 'down/big.bin', file: source });
    expect((await q.wait(item.id)).state).toBe('done');
  });

  it('downloads with parallel ranges, verifies and renames into place', async () => {
    const q = queue(join(dir, 'dl'), { concurrency: 4 });
    const target = join(dir, 'out', 'deep', 'big.bin');
    const item = await q.addDownload({ credentialId: 'c', bucket, key: 'down/big.bin', target });
    expect(await q.wait(item.id)).toMatchObject({ state: 'done', bytesDone: 30 * MiB + 3, localPath: target });
    expect(await md5File(target)).toBe(await md5File(source));
    expect(await readdir(join(dir, 'out', 'deep'))).toEqual(['big.bin']);
  });

  it('stops mid-download on cancel: nothing at the destination, temp file removed', async () => {
    const q = queue(join(dir, 'dl-cancel'), { concurrency: 1 });
    const outDir = join(dir, 'out-cancel');
    const item = await q.addDownload({ credentialId: 'c', bucket, key: 'down/big.bin', target: join(outDir, 'big.bin') });
    whenProgress(q, item.id, 5 * MiB, () => q.cancel(item.id));
    expect((await q.wait(item.id)).state).toBe('cancelled');
    expect(await readdir(outDir)).toEqual([]);
    await expect.poll(() => readdir(join(dir, 'dl-cancel')), { timeout: 3_000 }).toEqual([]);
  });

  it('resumes a download from the partial temp file after a restart', async () => {
    const journalDir = join(dir, 'dl-restart');
    const first = queue(journalDir, { concurrency: 1 });
    const target = join(dir, 'out-restart', 'big.bin');
    const item = await first.addDownload({ credentialId: 'c', bucket, key: 'down/big.bin', target });
    // One part at a time: a byte of the third part means the first two are written and journaled.
    whenProgress(first, item.id, 10 * MiB + 1, () => first.shutdown());
    expect((await first.wait(item.id)).state).toBe('interrupted');
    // A hidden temp name with a random part, beside the target.
    expect(await readdir(join(dir, 'out-restart'))).toEqual([expect.stringMatching(/^\.big\.bin\.[0-9a-f]{16}\.keydesk-part$/)]);
    const journal = JSON.parse(await readFile(join(journalDir, `${item.id}.json`), 'utf8')) as { doneParts: number[] };
    expect(journal.doneParts.length).toBeGreaterThanOrEqual(2);

    const second = queue(journalDir);
    const events: TransferEvent[] = [];
    second.subscribe((e) => events.push(e));
    await second.resumePending();
    expect((await second.wait(item.id)).state).toBe('done');
    expect(await md5File(target)).toBe(await md5File(source));
    expect(await readdir(join(dir, 'out-restart'))).toEqual(['big.bin']);
    // The parts already on disk count at once: the first progress is at least what the journal held.
    const firstProgress = events.find((e) => e.type === 'progress') as Extract<TransferEvent, { type: 'progress' }>;
    expect(firstProgress.items[0].bytesDone).toBeGreaterThanOrEqual(journal.doneParts.length * 5 * MiB);
  });

  it('never overwrites an existing file without a policy: ask, then decide; skip; overwrite; keep-both', async () => {
    const q = queue(join(dir, 'dl-conflict'));
    await session.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'down/note.txt', Body: 'new content' }));
    const outDir = join(dir, 'out-conflict');
    const target = join(outDir, 'note.txt');
    await mkdir(outDir, { recursive: true });
    await writeFile(target, 'mine');

    const ask = await q.addDownload({ credentialId: 'c', bucket, key: 'down/note.txt', target });
    expect((await q.wait(ask.id)).state).toBe('conflict');
    expect(await readFile(target, 'utf8')).toBe('mine');
    q.resolveConflict(ask.id, 'keep-both');
    expect(await q.wait(ask.id)).toMatchObject({ state: 'done', localPath: join(outDir, 'note (1).txt') });
    expect(await readFile(join(outDir, 'note (1).txt'), 'utf8')).toBe('new content');

    const skip = await q.addDownload({ credentialId: 'c', bucket, key: 'down/note.txt', target, conflict: 'skip' });
    expect((await q.wait(skip.id)).state).toBe('skipped');
    expect(await readFile(target, 'utf8')).toBe('mine');

    const overwrite = await q.addDownload({ credentialId: 'c', bucket, key: 'down/note.txt', target, conflict: 'overwrite' });
    expect((await q.wait(overwrite.id)).state).toBe('done');
    expect(await readFile(target, 'utf8')).toBe('new content');
    expect((await readdir(outDir)).sort()).toEqual(['note (1).txt', 'note.txt']);
    expect(() => q.resolveConflict(overwrite.id, 'skip')).toThrow(/not waiting/);
  });

  it('uploads a folder and downloads it back as a folder', async () => {
    const local = join(dir, 'tree');
    await mkdir(join(local, 'a', 'b'), { recursive: true });
    await randomFile(join(local, 'one.txt'), 100);
    await randomFile(join(local, 'a', 'two.txt'), 200);
    await randomFile(join(local, 'a', 'b', 'three.bin'), 6 * MiB);
    const q = queue(join(dir, 'tree-journal'));
    const added = await q.addUploadFolder({ credentialId: 'c', bucket, prefix: 'tree', folder: local });
    expect(added.map((i) => i.key).sort()).toEqual(['tree/a/b/three.bin', 'tree/a/two.txt', 'tree/one.txt']);
    expect(new Set(added.map((i) => i.groupId)).size).toBe(1);
    await q.whenIdle();
    await session.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'tree/empty/', Body: new Uint8Array(0), ContentLength: 0 }));

    const back = join(dir, 'tree-back');
    const downloads = await q.addDownloadFolder({ credentialId: 'c', bucket, prefix: 'tree/', targetDir: back });
    expect(downloads).toHaveLength(3);
    await q.whenIdle();
    expect(q.list().every((i) => i.state === 'done')).toBe(true);
    for (const path of ['one.txt', 'a/two.txt', 'a/b/three.bin']) expect(await md5File(join(back, path))).toBe(await md5File(join(local, path)));
    expect((await stat(join(back, 'empty'))).isDirectory()).toBe(true);
  });

  it('refuses object names that would escape the target folder', async () => {
    await session.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'evil/../../escape.txt', Body: 'x' }));
    const q = queue(join(dir, 'evil-journal'));
    await expect(q.addDownloadFolder({ credentialId: 'c', bucket, prefix: 'evil/', targetDir: join(dir, 'evil-out') })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('outside'),
    });
  });

  it('fails a download of a missing object with NOT_FOUND', async () => {
    const q = queue(join(dir, 'dl-missing'));
    const item = await q.addDownload({ credentialId: 'c', bucket, key: 'down/missing', target: join(dir, 'missing') });
    expect(await q.wait(item.id)).toMatchObject({ state: 'failed', error: { code: 'NOT_FOUND' } });
  });
});

describe('the transfer list across a restart', () => {
  it('brings back queued and running items, which start over and complete; finished and cancelled ones stay gone', async () => {
    const journalDir = join(dir, 'list-restart');
    const outDir = join(dir, 'list-restart-out');
    const first = queue(journalDir, { maxActiveItems: 1 });
    const files = await Promise.all([4 * MiB, 1000, 2000].map((size, i) => randomFile(join(dir, `list-${i}.bin`), size)));
    const sources = [randomBytes(50_000), randomBytes(1), randomBytes(70_000)];
    await Promise.all(sources.map((Body, i) => session.client.send(new PutObjectCommand({ Bucket: bucket, Key: `list/src-${i}.bin`, Body }))));
    const finished = await first.addUpload({ credentialId: 'c', bucket, key: 'list/finished.bin', file: files[1] });
    expect((await first.wait(finished.id)).state).toBe('done');

    // One at a time: the 4 MiB upload (one PUT) runs while the rest wait.
    const pending: TransferItemSnapshot[] = [];
    for (const [i, file] of files.entries()) pending.push(await first.addUpload({ credentialId: 'c', bucket, key: `list/up-${i}.bin`, file }));
    for (const i of sources.keys()) pending.push(await first.addDownload({ credentialId: 'c', bucket, key: `list/src-${i}.bin`, target: join(outDir, `d-${i}.bin`), size: i === 0 ? 50_000 : undefined }));
    const cancelled = await first.addDownload({ credentialId: 'c', bucket, key: 'list/src-0.bin', target: join(outDir, 'cancelled.bin') });
    await first.cancel(cancelled.id);
    await first.shutdown();
    expect(first.get(pending[0].id).state).toBe('interrupted');
    const interrupted = pending.filter((p) => first.get(p.id).state === 'interrupted').map((p) => p.id);
    expect(interrupted.length).toBeGreaterThanOrEqual(4);
    expect(await readdir(journalDir)).toEqual([ITEM_LOG_FILE]);
    const records = await itemRecords(journalDir);
    expect(records.map((r) => r.id).sort()).toEqual([...interrupted].sort());
    const record = await readFile(join(journalDir, ITEM_LOG_FILE), 'utf8');
    expect(records.find((r) => r.id === pending[3].id)).toMatchObject({ kind: 'download', credentialId: 'c', bucket, key: 'list/src-0.bin', localPath: join(outDir, 'd-0.bin'), conflict: 'ask', size: 50_000 });
    expect(record).not.toContain(connection.secretAccessKey);

    const second = queue(journalDir, { maxActiveItems: 2 });
    const resumed = await second.resumePending();
    expect(resumed.map((r) => r.id).sort()).toEqual([...interrupted].sort());
    expect(resumed.find((r) => r.id === pending[3].id)?.bytesTotal).toBe(50_000);
    await second.whenIdle();
    for (const id of interrupted) expect(second.get(id).state).toBe('done');
    expect(() => second.get(cancelled.id)).toThrow();
    expect(() => second.get(finished.id)).toThrow();
    for (const [i, file] of files.entries()) expect(await objectMd5(`list/up-${i}.bin`)).toBe(await md5File(file));
    for (const [i, body] of sources.entries()) expect(await md5File(join(outDir, `d-${i}.bin`))).toBe(createHash('md5').update(body).digest('hex'));
    expect((await readdir(outDir)).sort()).toEqual(['d-0.bin', 'd-1.bin', 'd-2.bin']);
    await expect.poll(() => readdir(journalDir)).toEqual([]);
    expect(await queue(journalDir).resumePending()).toEqual([]);
  });

  it('uploads a file that changed while it waited as it is now, with its new size', async () => {
    const journalDir = join(dir, 'list-changed');
    const first = queue(journalDir);
    const file = await randomFile(join(dir, 'list-changed.bin'), 1000);
    const item = await first.addUpload({ credentialId: 'c', bucket, key: 'list/changed.bin', file });
    await first.shutdown();
    expect(first.get(item.id).state).toBe('interrupted');
    await randomFile(file, 3000);

    const second = queue(journalDir);
    await second.resumePending();
    expect(await second.wait(item.id)).toMatchObject({ state: 'done', bytesDone: 3000, bytesTotal: 3000 });
    expect(await objectMd5('list/changed.bin')).toBe(await md5File(file));
    await expect.poll(() => readdir(journalDir)).toEqual([]);
  });

  it('lists a failed item as failed after a restart until it is cleared', async () => {
    const journalDir = join(dir, 'list-failed');
    const first = queue(journalDir);
    const file = await randomFile(join(dir, 'list-failed.bin'), 1000);
    const item = await first.addUpload({ credentialId: 'c', bucket: `${bucket}-missing`, key: 'x', file });
    expect((await first.wait(item.id)).state).toBe('failed');
    await first.shutdown();

    const second = queue(journalDir);
    const resumed = await second.resumePending();
    expect(resumed).toMatchObject([{ id: item.id, state: 'failed', error: { code: 'NOT_FOUND' }, finishedAt: expect.any(String) }]);
    await second.whenIdle();
    expect(second.clear()).toEqual([item.id]);
    await second.shutdown();
    await expect.poll(() => readdir(journalDir)).toEqual([]);
    expect(await queue(journalDir).resumePending()).toEqual([]);
  });
});

describe('transient failures', () => {
  it('retries parts the server answered with 503 SlowDown, and the upload completes', async () => {
    // A reverse proxy in front of RGW (TLS like RGW's when the suite runs over HTTPS) that throttles the first two part uploads.
    let throttled = 0;
    const target = new URL(connection.endpoint);
    const proxy = await frontServer((req, res) => {
      if (req.method === 'PUT' && req.url?.includes('partNumber=') && throttled < 2) {
        throttled++;
        req.resume();
        res.writeHead(503, { 'content-type': 'application/xml' }).end('<Error><Code>SlowDown</Code><Message>Slow down</Message></Error>');
        return;
      }
      const upstream = (overHttps ? httpsRequest : httpRequest)({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, ca: overHttps ? readFileSync(rgw.tls.caFile) : undefined }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstream);
    });
    try {
      const port = (proxy.address() as AddressInfo).port;
      const q = new TransferQueue({
        journalDir: join(dir, 'flaky'),
        resolveEndpoint: () => ({ connection: { ...connection, endpoint: `${target.protocol}//127.0.0.1:${port}` }, settings: { partSizeMiB: 5, concurrency: 2 } }),
        retry: { baseDelayMs: 10 },
      });
      queues.push(q);
      const file = await randomFile(join(dir, 'flaky.bin'), 11 * MiB);
      const item = await q.addUpload({ credentialId: 'c', bucket, key: 'up/flaky.bin', file });
      expect((await q.wait(item.id)).state).toBe('done');
      expect(throttled).toBe(2);
      expect(await objectMd5('up/flaky.bin')).toBe(await md5File(file));
    } finally {
      proxy.close();
    }
  });
});

/** An HTTP server on 127.0.0.1 (for RGW and Swift), or HTTPS with RGW's own test certificate when the suite runs over HTTPS. */
async function frontServer(handler: RequestListener) {
  const tlsDir = overHttps ? join(rgw.cephDir, 'tls') : '';
  const server = overHttps ? createHttpsServer({ key: readFileSync(join(tlsDir, 'server.key')), cert: readFileSync(join(tlsDir, 'server.pem')) }, handler) : createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
