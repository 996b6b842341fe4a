import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { link, lstat, mkdir, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createBucket } from '../../../src-main/core/s3/buckets';
import type { S3Connection } from '../../../src-main/core/s3/client';
import type { S3Session } from '../../../src-main/core/s3/session';
import type { TransferStep } from '../../../src-main/core/transfers/context';
import { ITEM_LOG_FILE, replayItemLog } from '../../../src-main/core/transfers/item-log';
import { tempPathFor } from '../../../src-main/core/transfers/local-files';
import { TransferQueue, type TransferQueueOptions } from '../../../src-main/core/transfers/queue';
import { outside, PLANTINGS, type Planting } from '../../helpers/planted-links';
import { md5File, MiB, tempDir, userFixture } from '../../helpers/s3-fixtures';

/*
 * Downloads with links planted at every name they write: the temp file's (the old fixed one and the real
 * random one, before the start and on resume), the target's (under each conflict policy), and the folders
 * of a folder download. What the links point to stays untouched, and the download either lands safely as a
 * plain file or fails with a sentence saying what is in the way.
 */

const rgw = inject('rgw');
let session: S3Session;
let connection: S3Connection;
let bucket: string;
let dir: string;
const queues: TransferQueue[] = [];
const SMALL = randomBytes(3000);
// Two parts (5 MiB and the rest): a ranged download, resumable.
const LARGE = randomBytes(6 * MiB + 1);
const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');

beforeAll(async () => {
  const fixture = await userFixture(rgw, 'links');
  ({ session, connection } = fixture);
  bucket = `${fixture.user.uid}-l`;
  await createBucket(session, bucket);
  await session.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'small.bin', Body: SMALL }));
  await session.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'large.bin', Body: LARGE }));
  for (const key of ['tree/top.txt', 'tree/sub/inner.txt']) await session.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
  dir = await tempDir('keydesk-links-');
});

afterEach(async () => {
  await Promise.all(queues.splice(0).map((q) => q.shutdown()));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let counter = 0;
function queue(options: Partial<TransferQueueOptions> = {}, journalDir = join(dir, `journal-${++counter}`)): TransferQueue {
  const created = new TransferQueue({ journalDir, resolveEndpoint: () => ({ connection, settings: { partSizeMiB: 5, concurrency: 1 } }), ...options });
  queues.push(created);
  return created;
}

async function freshFolder(): Promise<string> {
  const folder = join(dir, `out-${++counter}`);
  await mkdir(folder);
  return folder;
}

/** The target holds exactly the object's bytes, as a plain file with one name. */
async function expectPlainFile(path: string, bytes: Uint8Array): Promise<void> {
  const stats = await lstat(path);
  expect(stats.isFile() && !stats.isSymbolicLink()).toBe(true);
  expect(stats.nlink).toBe(1);
  expect(await md5File(path)).toBe(md5(bytes));
}

const objects = [
  ['small.bin', SMALL],
  ['large.bin', LARGE],
] as const;

describe('a link at the temp file’s name', () => {
  it.each(PLANTINGS)('at the old fixed name (.NAME.keydesk-part), a %s is never followed', async (kind) => {
    for (const [key, bytes] of objects) {
      const world = await outside();
      const out = await freshFolder();
      await world.plant(kind, join(out, `.${key}.keydesk-part`));
      const q = queue();
      const item = await q.addDownload({ credentialId: 'c', bucket, key, target: join(out, key), conflict: 'overwrite' });
      expect((await q.wait(item.id)).state).toBe('done');
      await expectPlainFile(join(out, key), bytes);
      await world.expectUntouched();
    }
  });

  it.each(PLANTINGS)('at the real, random name, a %s put there before the start is removed unopened', async (kind) => {
    for (const [key, bytes] of objects) {
      const world = await outside();
      const out = await freshFolder();
      const journalDir = join(dir, `journal-${++counter}`);
      // The name is unpredictable; the test learns it from the item's record while the item waits at its first step.
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const q = queue({ onStep: (step: TransferStep) => (step === 'recorded' ? held : undefined) }, journalDir);
      const item = await q.addDownload({ credentialId: 'c', bucket, key, target: join(out, key) });
      await expect.poll(async () => replayItemLog(await readFile(join(journalDir, ITEM_LOG_FILE), 'utf8').catch(() => '')).get(item.id)?.token).toBeDefined();
      const token = replayItemLog(await readFile(join(journalDir, ITEM_LOG_FILE), 'utf8')).get(item.id)?.token as string;
      await world.plant(kind, tempPathFor(join(out, key), token));
      release();
      expect((await q.wait(item.id)).state).toBe('done');
      await expectPlainFile(join(out, key), bytes);
      expect(await readdir(out)).toEqual([key]);
      await world.expectUntouched();
    }
  });

  it.each([...PLANTINGS, 'another file', 'a second name for the temp file'] as const)('on resume, a %s in place of the journal’s temp file is never opened: the download starts over', async (kind) => {
    const world = await outside();
    const out = await freshFolder();
    const journalDir = join(dir, `journal-${++counter}`);
    const target = join(out, 'large.bin');
    let first!: TransferQueue;
    // Stopped (as at quit) once the first part is in the temp file and the journal.
    first = queue({ onStep: (step: TransferStep) => void (step === 'part-saved' && first.shutdown()) }, journalDir);
    const item = await first.addDownload({ credentialId: 'c', bucket, key: 'large.bin', target });
    expect((await first.wait(item.id)).state).toBe('interrupted');
    await first.shutdown();
    const [temp] = await readdir(out);
    expect(temp).toMatch(/^\.large\.bin\.[0-9a-f]{16}\.keydesk-part$/);
    const tempPath = join(out, temp);
    if (kind === 'another file') {
      await rm(tempPath);
      await writeFile(tempPath, Buffer.alloc(LARGE.length));
    } else if (kind === 'a second name for the temp file') {
      await link(tempPath, join(world.folder, 'copy'));
    } else {
      await rename(tempPath, join(dir, `kept-${counter}`));
      await world.plant(kind as Planting, tempPath);
    }
    const stolen = kind === 'a second name for the temp file' ? await md5File(join(world.folder, 'copy')) : undefined;

    const second = queue({}, journalDir);
    await second.resumePending();
    const result = await second.wait(item.id);
    expect(result.error).toBeUndefined();
    expect(result.state).toBe('done');
    await expectPlainFile(target, LARGE);
    expect(await readdir(out)).toEqual(['large.bin']);
    if (stolen) {
      // The second name keeps the partial file it was given; not one byte more reached it.
      expect(await md5File(join(world.folder, 'copy'))).toBe(stolen);
      await rm(join(world.folder, 'copy'));
    }
    await world.expectUntouched();
  });
});

describe('a link at the target’s name', () => {
  it.each(PLANTINGS)('overwrite replaces a %s as a name and writes nothing through it', async (kind) => {
    for (const [key, bytes] of objects) {
      const world = await outside();
      const out = await freshFolder();
      await world.plant(kind, join(out, key));
      const q = queue();
      const item = await q.addDownload({ credentialId: 'c', bucket, key, target: join(out, key), conflict: 'overwrite' });
      expect((await q.wait(item.id)).state).toBe('done');
      await expectPlainFile(join(out, key), bytes);
      expect(await readdir(out)).toEqual([key]);
      await world.expectUntouched();
    }
  });

  it.each(PLANTINGS)('ask treats a %s as a file in the way, and keep-both saves beside it', async (kind) => {
    const world = await outside();
    const out = await freshFolder();
    await world.plant(kind, join(out, 'small.bin'));
    const q = queue();
    const ask = await q.addDownload({ credentialId: 'c', bucket, key: 'small.bin', target: join(out, 'small.bin'), conflict: 'ask' });
    expect((await q.wait(ask.id)).state).toBe('conflict');
    const both = await q.addDownload({ credentialId: 'c', bucket, key: 'small.bin', target: join(out, 'small.bin'), conflict: 'keep-both' });
    expect(await q.wait(both.id)).toMatchObject({ state: 'done', localPath: join(out, 'small (1).bin') });
    await expectPlainFile(join(out, 'small (1).bin'), SMALL);
    expect((await lstat(join(out, 'small.bin'))).isFile()).toBe(kind === 'hard link to a file');
    await world.expectUntouched();
  });

  it('a folder at the target’s name is reported as in the way, and nothing is left behind', async () => {
    const out = await freshFolder();
    await mkdir(join(out, 'small.bin'));
    await writeFile(join(out, 'small.bin', 'keep.txt'), 'kept');
    const q = queue();
    const item = await q.addDownload({ credentialId: 'c', bucket, key: 'small.bin', target: join(out, 'small.bin'), conflict: 'overwrite' });
    expect(await q.wait(item.id)).toMatchObject({ state: 'failed', error: { code: 'CONFLICT', message: expect.stringMatching(/small\.bin could not be written: a folder is in the way/) } });
    expect(await readdir(out)).toEqual(['small.bin']);
    expect(await readFile(join(out, 'small.bin', 'keep.txt'), 'utf8')).toBe('kept');
  });
});

describe('links among the folders of a folder download', () => {
  it.each(['symlink to a folder', 'dangling symlink'] as const)('a %s planted inside the chosen folder does not lead files out of it', async (kind) => {
    const world = await outside();
    const root = await freshFolder();
    await mkdir(join(root, 'tree'));
    await world.plant(kind, join(root, 'tree', 'sub'));
    const q = queue();
    const items = await q.addDownloadFolder({ credentialId: 'c', bucket, prefix: 'tree/', targetDir: join(root, 'tree'), root });
    await q.whenIdle();
    const byKey = Object.fromEntries(items.map((i) => [i.key, q.get(i.id)]));
    expect(byKey['tree/top.txt'].state).toBe('done');
    expect(byKey['tree/sub/inner.txt']).toMatchObject({
      state: 'failed',
      error: { code: 'ACCESS_DENIED', message: expect.stringMatching(new RegExp(`tree/sub is a link to .*, outside the folder you chose \\(${root}\\); nothing was saved there`)) },
    });
    expect(await readFile(join(root, 'tree', 'top.txt'), 'utf8')).toBe('tree/top.txt');
    await world.expectUntouched();
  });

  it('a folder marker object under such a link is refused before anything is created outside', async () => {
    const world = await outside();
    const root = await freshFolder();
    await session.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'marked/sub/empty/', Body: '' }));
    await mkdir(join(root, 'marked'));
    await symlink(world.folder, join(root, 'marked', 'sub'));
    const q = queue();
    await expect(q.addDownloadFolder({ credentialId: 'c', bucket, prefix: 'marked/', targetDir: join(root, 'marked'), root })).rejects.toMatchObject({ code: 'ACCESS_DENIED' });
    await world.expectUntouched();
  });

  it('a link inside the chosen folder that stays inside it is followed', async () => {
    const root = await freshFolder();
    await mkdir(join(root, 'real-sub'));
    await mkdir(join(root, 'tree'));
    await symlink(join(root, 'real-sub'), join(root, 'tree', 'sub'));
    const q = queue();
    await q.addDownloadFolder({ credentialId: 'c', bucket, prefix: 'tree/', targetDir: join(root, 'tree'), root });
    await q.whenIdle();
    expect(q.list().map((i) => i.state)).toEqual(['done', 'done']);
    expect(await readFile(join(root, 'real-sub', 'inner.txt'), 'utf8')).toBe('tree/sub/inner.txt');
  });
});
