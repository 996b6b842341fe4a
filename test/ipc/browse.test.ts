import { afterEach, describe, expect, it, vi } from 'vitest';
import { KeydeskError } from '../../src-main/core/errors';
import type { ListingPage } from '../../src-main/core/s3/listing';
import type { TransferEvent } from '../../src-main/core/transfers/types';
import type { TransferQueue } from '../../src-main/core/transfers/queue';
import type { Handlers } from '../../src-main/ipc/contract';
import { dispatch } from '../../src-main/ipc/dispatch';
import { EventBus } from '../../src-main/ipc/events';
import { ListingRegistry } from '../../src-main/ipc/listings';
import { OperationRegistry } from '../../src-main/ipc/operations';
import { forwardTransferEvents } from '../../src-main/ipc/transfer-events';

const ID = '0b7f3c52-8d7e-4a4e-9a55-1f1f0c2b6a11';
const OP = '11111111-1111-4111-8111-111111111111';

// Every handler answers "ok": these tests are about what dispatch lets through to them.
const handlers = new Proxy({}, { get: () => async () => 'ok' }) as Handlers;
const call = (channel: string, payload: unknown) => dispatch(handlers, channel, payload);
const refused = { ok: false, error: { code: 'INVALID_INPUT' } };

afterEach(() => {
  vi.useRealTimers();
});

describe('browse channel validation', () => {
  it('applies the S3 naming rules to new buckets, with sentences', async () => {
    for (const name of ['ab', 'Bad_Name', '-start', 'end-', 'a..b', '192.168.1.1', 'xn--punycode', 'x'.repeat(64)]) {
      await expect(call('buckets:create', { credentialId: ID, name }), name).resolves.toMatchObject(refused);
    }
    await expect(call('buckets:create', { credentialId: ID, name: 'Bad_Name' })).resolves.toMatchObject({
      error: { message: expect.stringContaining('A bucket name holds only lowercase letters') },
    });
    await expect(call('buckets:create', { credentialId: ID, name: 'team-backups.2024', region: 'eu-central-1' })).resolves.toEqual({ ok: true, value: 'ok' });
    // Existing (legacy) buckets may have capitals and underscores: browsing them is allowed.
    await expect(call('objects:listStart', { credentialId: ID, bucket: 'Legacy_Bucket', prefix: '' })).resolves.toMatchObject({ ok: true });
    await expect(call('objects:listStart', { credentialId: ID, bucket: 'a/b', prefix: '' })).resolves.toMatchObject(refused);
  });

  it('refuses control characters, over-long keys and folder/file mix-ups', async () => {
    const at = { credentialId: ID, bucket: 'b' };
    await expect(call('objects:details', { ...at, key: 'bad\nname' })).resolves.toMatchObject(refused);
    await expect(call('objects:details', { ...at, key: 'é'.repeat(513) })).resolves.toMatchObject(refused);
    await expect(call('objects:details', { ...at, key: 'é'.repeat(512) })).resolves.toMatchObject({ ok: true });
    await expect(call('objects:newFolder', { ...at, prefix: '', name: 'a/b' })).resolves.toMatchObject(refused);
    await expect(call('objects:newFolder', { ...at, prefix: '', name: '..' })).resolves.toMatchObject(refused);
    await expect(call('objects:move', { ...at, from: 'dir/', to: 'file.txt', operationId: OP })).resolves.toMatchObject(refused);
    await expect(call('objects:delete', { ...at, keys: [], folders: ['no-slash'], operationId: OP })).resolves.toMatchObject(refused);
    await expect(call('objects:delete', { ...at, keys: Array(2001).fill('k'), folders: [], operationId: OP })).resolves.toMatchObject(refused);
  });

  it('refuses share links longer than 7 days', async () => {
    const share = { credentialId: ID, bucket: 'b', key: 'k' };
    await expect(call('objects:share', { ...share, expiresInSeconds: 7 * 24 * 3600 + 1 })).resolves.toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('7 days') },
    });
    await expect(call('objects:share', { ...share, expiresInSeconds: 7 * 24 * 3600 })).resolves.toMatchObject({ ok: true });
  });

  it('takes only absolute local paths', async () => {
    const at = { credentialId: ID, bucket: 'b', prefix: '' };
    await expect(call('transfers:uploadFiles', { ...at, paths: ['relative/file.txt'] })).resolves.toMatchObject(refused);
    await expect(call('transfers:uploadFolder', { ...at, path: '/tmp/a\0b' })).resolves.toMatchObject(refused);
    await expect(call('transfers:download', { credentialId: ID, bucket: 'b', files: [], folders: [], targetDir: '~/Downloads' })).resolves.toMatchObject(refused);
    await expect(call('transfers:uploadFiles', { ...at, paths: ['/tmp/file.txt'], conflict: 'ask' })).resolves.toMatchObject({ ok: true });
    await expect(call('transfers:resolve', { ids: [ID], decision: 'ask' })).resolves.toMatchObject(refused);
  });
});

async function* pages(count: number, signal: AbortSignal, log: string[]): AsyncGenerator<ListingPage> {
  try {
    for (let i = 0; i < count; i++) {
      if (signal.aborted) throw new KeydeskError({ code: 'CANCELLED', message: 'Cancelled.' });
      log.push(`page ${i}`);
      yield { folders: [], objects: [{ key: `k${i}`, name: `k${i}`, size: i }] };
    }
  } finally {
    log.push('closed');
  }
}

describe('ListingRegistry', () => {
  it('hands out pages one pull at a time and closes the listing at its end', async () => {
    const registry = new ListingRegistry();
    const log: string[] = [];
    const close = vi.fn();
    const first = await registry.start((signal) => pages(2, signal, log), close);
    expect(first).toMatchObject({ done: false, page: { objects: [{ key: 'k0' }] } });
    expect((await registry.next(first.listingId)).page.objects[0].key).toBe('k1');
    expect(await registry.next(first.listingId)).toMatchObject({ done: true });
    expect(close).toHaveBeenCalledOnce();
    expect(registry.size).toBe(0);
    await expect(registry.next(first.listingId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('keeps at most `max` listings open, closing the least recently used', async () => {
    const registry = new ListingRegistry({ max: 2 });
    const closed: string[] = [];
    const open = async (name: string) => (await registry.start((signal) => pages(10, signal, []), () => closed.push(name))).listingId;
    const a = await open('a');
    const b = await open('b');
    await registry.next(a);
    await open('c');
    expect(closed).toEqual(['b']);
    expect(registry.size).toBe(2);
    await expect(registry.next(b)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    registry.closeAll();
  });

  it('closes listings nobody pulled from for idleMs', async () => {
    vi.useFakeTimers();
    const registry = new ListingRegistry({ idleMs: 1000 });
    const close = vi.fn();
    await registry.start((signal) => pages(10, signal, []), close);
    await vi.advanceTimersByTimeAsync(2500);
    expect(close).toHaveBeenCalledOnce();
    expect(registry.size).toBe(0);
  });
});

describe('OperationRegistry', () => {
  it('reports progress as events and cancels through the signal', async () => {
    const events = new EventBus();
    const seen: unknown[] = [];
    events.subscribe((event, payload) => seen.push({ event, payload }));
    const operations = new OperationRegistry(events);
    const running = operations.run(OP, ({ signal, onProgress }) => {
      onProgress({ done: 0, total: 5 });
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new KeydeskError({ code: 'CANCELLED', message: 'Cancelled.' }))));
    });
    await expect(operations.run(OP, async () => 1)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(operations.cancel(OP)).toBe(true);
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(operations.cancel(OP)).toBe(false);
    expect(seen).toEqual([{ event: 'operations:progress', payload: { operationId: OP, done: 0, total: 5 } }]);
  });
});

describe('forwardTransferEvents', () => {
  it('batches item changes (latest state per item) with the latest progress', async () => {
    vi.useFakeTimers();
    let listener: (event: TransferEvent) => void = () => {};
    const queue = { subscribe: (l: typeof listener) => ((listener = l), () => undefined) } as unknown as TransferQueue;
    const events = new EventBus();
    const seen: unknown[] = [];
    events.subscribe((_event, payload) => seen.push(payload));
    forwardTransferEvents(queue, events, 100);
    const item = { id: 'a', state: 'queued' } as never;
    listener({ type: 'item', item });
    listener({ type: 'item', item: { ...(item as object), state: 'running' } as never });
    listener({ type: 'progress', items: [{ id: 'a', bytesDone: 5, bytesPerSecond: 1 }], total: { bytesDone: 5 } as never });
    expect(seen).toEqual([]);
    await vi.advanceTimersByTimeAsync(100);
    expect(seen).toEqual([{ items: [{ id: 'a', state: 'running' }], removed: [], progress: { items: [{ id: 'a', bytesDone: 5, bytesPerSecond: 1 }], total: { bytesDone: 5 } } }]);
  });
});
