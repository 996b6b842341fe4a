import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createBucket } from '../../../src-main/core/s3/buckets';
import type { S3Connection } from '../../../src-main/core/s3/client';
import { TransferQueue } from '../../../src-main/core/transfers/queue';
import type { TransferEvent } from '../../../src-main/core/transfers/types';
import type { TransferSettings } from '../../../src-main/core/vault/metadata-store';
import { md5File, MiB, randomFile, tempDir, userFixture } from '../../helpers/s3-fixtures';

const rgw = inject('rgw');
let connection: S3Connection;
let bucket: string;
let dir: string;
const queues: TransferQueue[] = [];

beforeAll(async () => {
  const fixture = await userFixture(rgw, 'bw');
  connection = fixture.connection;
  bucket = `${fixture.user.uid}-bw`;
  await createBucket(fixture.session, bucket);
  dir = await tempDir('keydesk-bw-');
});

afterEach(async () => {
  await Promise.all(queues.splice(0).map((q) => q.shutdown()));
});

function queue(settings: TransferSettings, name: string): { q: TransferQueue; events: TransferEvent[] } {
  const q = new TransferQueue({ journalDir: join(dir, name), resolveEndpoint: () => ({ connection, settings }), progressIntervalMs: 100 });
  queues.push(q);
  const events: TransferEvent[] = [];
  q.subscribe((event) => events.push(event));
  return { q, events };
}

/** Each progress event's bytesDone for the item, in order. */
function progressOf(events: TransferEvent[], id: string): number[] {
  return events.flatMap((e) => (e.type === 'progress' ? e.items.filter((i) => i.id === id).map((i) => i.bytesDone) : []));
}

/** The speeds reported for the item while it ran, and the totals' speeds. */
function speedsOf(events: TransferEvent[], id: string): { item: number[]; total: number[] } {
  const progress = events.filter((e) => e.type === 'progress');
  return {
    item: progress.flatMap((e) => e.items.filter((i) => i.id === id && i.bytesPerSecond > 0).map((i) => i.bytesPerSecond)),
    total: progress.map((e) => e.total.bytesPerSecond).filter((s) => s > 0),
  };
}

const limited: TransferSettings = { partSizeMiB: 5, concurrency: 4, bandwidthLimitKiBps: 1024 };

describe('bandwidth limit per credential', () => {
  it('holds a 4 MiB upload and its download to 1 MiB/s, and reports that rate', async () => {
    const file = await randomFile(join(dir, 'four.bin'), 4 * MiB);
    const { q, events } = queue(limited, 'up');
    let started = performance.now();
    const up = await q.addUpload({ credentialId: 'c', bucket, key: 'bw/four.bin', file });
    expect((await q.wait(up.id)).state).toBe('done');
    const upSeconds = (performance.now() - started) / 1000;
    expect(upSeconds).toBeGreaterThanOrEqual(3.5);
    expect(upSeconds).toBeLessThan(12);
    // Byte-accurate: progress moves in slices while the single PUT is on its way, not once at its end.
    const steps = progressOf(events, up.id).filter((b) => b > 0 && b < 4 * MiB);
    expect(steps.length).toBeGreaterThanOrEqual(10);
    const upSpeeds = speedsOf(events, up.id);
    const lastUp = upSpeeds.item.at(-1) ?? 0;
    expect(lastUp).toBeGreaterThan(0.8 * MiB);
    expect(lastUp).toBeLessThan(1.25 * MiB);
    // One transfer: the header's speed is the row's.
    expect(upSpeeds.total.at(-1)).toBeCloseTo(lastUp, -3);

    const down = queue(limited, 'down');
    started = performance.now();
    const target = join(dir, 'four-back.bin');
    const item = await down.q.addDownload({ credentialId: 'c', bucket, key: 'bw/four.bin', target });
    expect((await down.q.wait(item.id)).state).toBe('done');
    expect((performance.now() - started) / 1000).toBeGreaterThanOrEqual(3.5);
    expect(await md5File(target)).toBe(await md5File(file));
    const lastDown = speedsOf(down.events, item.id).item.at(-1) ?? 0;
    expect(lastDown).toBeGreaterThan(0.8 * MiB);
    expect(lastDown).toBeLessThan(1.25 * MiB);
  });

  it('shares one limit among all transfers of the credential, multipart uploads included', async () => {
    const a = await randomFile(join(dir, 'a.bin'), 6 * MiB);
    const b = await randomFile(join(dir, 'b.bin'), 2 * MiB);
    const { q, events } = queue({ ...limited, bandwidthLimitKiBps: 2048 }, 'shared');
    const started = performance.now();
    const items = await Promise.all([q.addUpload({ credentialId: 'c', bucket, key: 'bw/a.bin', file: a }), q.addUpload({ credentialId: 'c', bucket, key: 'bw/b.bin', file: b })]);
    for (const item of items) expect((await q.wait(item.id)).state).toBe('done');
    // 8 MiB at 2 MiB/s together: not 3 s (each at 2 MiB/s on its own), at least ~3.5.
    expect((performance.now() - started) / 1000).toBeGreaterThanOrEqual(3.5);
    // The 6 MiB file goes in two parts of 5 and 1 MiB: its progress moved inside the first part.
    expect(progressOf(events, items[0].id).some((bytes) => bytes > 0 && bytes < 5 * MiB)).toBe(true);
  });

  it('lifts or changes the limit for transfers already running', async () => {
    const file = await randomFile(join(dir, 'lift.bin'), 8 * MiB);
    const { q } = queue({ ...limited, bandwidthLimitKiBps: 256 }, 'lift');
    const started = performance.now();
    const item = await q.addUpload({ credentialId: 'c', bucket, key: 'bw/lift.bin', file });
    await new Promise((resolve) => setTimeout(resolve, 500));
    q.setBandwidthLimit('c', 0);
    expect((await q.wait(item.id)).state).toBe('done');
    // At 256 KiB/s it would take 32 s.
    expect((performance.now() - started) / 1000).toBeLessThan(10);
  });

  it('holds a transfer that started without a limit to one set while it runs', async () => {
    const file = await randomFile(join(dir, 'late.bin'), 64 * MiB);
    const settings: TransferSettings = { partSizeMiB: 8, concurrency: 4 };
    const { q, events } = queue(settings, 'late');
    // The limit comes with the first progress event: loopback would otherwise finish 64 MiB in well under a second.
    let limitedAt: number | undefined;
    q.subscribe((event) => {
      if (limitedAt === undefined && event.type === 'progress' && event.items.some((i) => i.bytesDone > 0)) {
        limitedAt = events.length;
        settings.bandwidthLimitKiBps = 256;
        q.setBandwidthLimit('c', 256);
      }
    });
    const item = await q.addUpload({ credentialId: 'c', bucket, key: 'bw/late.bin', file });
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const held = progressOf(events.slice(limitedAt), item.id);
    q.setBandwidthLimit('c', 0);
    expect((await q.wait(item.id)).state).toBe('done');
    // 2.5 s at 256 KiB/s is 640 KiB; slices already on their way add at most one per parallel part.
    expect(held.length).toBeGreaterThan(2);
    expect(held.at(-1)! - held[0]).toBeLessThan(640 * 1024 + 4 * 64 * 1024 + 256 * 1024);
  });
});
