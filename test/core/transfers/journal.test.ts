import { appendFile, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ITEM_LOG_FILE, replayItemLog } from '../../../src-main/core/transfers/item-log';
import { JournalStore, type DownloadJournal, type ItemRecord } from '../../../src-main/core/transfers/journal';
import { outside, PLANTINGS } from '../../helpers/planted-links';
import { tempDir } from '../../helpers/s3-fixtures';

function record(id: string, extra: Partial<ItemRecord> = {}): ItemRecord {
  return { id, kind: 'upload', credentialId: 'c', bucket: 'b', key: `k/${id}`, localPath: `/tmp/${id}`, conflict: 'ask', createdAt: new Date(0).toISOString(), ...extra };
}

function journal(id: string): DownloadJournal {
  return { kind: 'download', id, credentialId: 'c', bucket: 'b', key: 'k', conflict: 'ask', createdAt: '', target: '/t', temp: '/t.part', size: 1, etag: 'e', partSize: 1, doneParts: [] };
}

async function recordsOnDisk(dir: string): Promise<string[]> {
  return [...replayItemLog(await readFile(join(dir, ITEM_LOG_FILE), 'utf8')).keys()].sort();
}

describe('the transfer list on disk (item log)', () => {
  it('has every record on disk when put() resolves, written in few appends, and none once all are removed', async () => {
    const dir = join(await tempDir('keydesk-log-'), 'transfers');
    const store = new JournalStore(dir);
    await Promise.all(Array.from({ length: 200 }, (_, i) => store.saveItem(record(`r${i}`))));
    expect((await recordsOnDisk(dir)).length).toBe(200);
    await Promise.all(Array.from({ length: 150 }, (_, i) => store.removeItem(`r${i}`)));
    expect(await recordsOnDisk(dir)).toEqual(Array.from({ length: 50 }, (_, i) => `r${150 + i}`).sort());
    const reopened = await new JournalStore(dir).loadItems();
    expect(reopened.map((r) => r.id).sort()).toEqual(Array.from({ length: 50 }, (_, i) => `r${150 + i}`).sort());
    await Promise.all(reopened.map((r) => store.removeItem(r.id)));
    expect(await readdir(dir)).toEqual([]);
  });

  it('rewrites the list with only the live records once changes have grown it past them by a MiB', async () => {
    const dir = await tempDir('keydesk-log-');
    const store = new JournalStore(dir);
    await store.saveItem(record('kept'));
    // ~4 MiB of changes to one record, in batches as transfers make them.
    for (let round = 0; round < 100; round++) {
      await Promise.all(Array.from({ length: 40 }, (_, i) => store.saveItem(record('busy', { key: `k/${round}-${i}`.padEnd(1000, '.') }))));
    }
    expect((await stat(join(dir, ITEM_LOG_FILE))).size).toBeLessThan(1.1 * 1024 * 1024);
    const reopened = await new JournalStore(dir).loadItems();
    expect(reopened.map((r) => [r.id, r.key.slice(0, 7)])).toEqual([
      ['kept', 'k/kept'],
      ['busy', 'k/99-39'],
    ]);
  });

  it('skips a last line cut short by a crash, and reads the list an older version left', async () => {
    const dir = await tempDir('keydesk-log-');
    const store = new JournalStore(dir);
    await store.saveItem(record('a'));
    await store.saveItem(record('b', { finish: { key: 'k/b', size: 3, etag: 'abc' } }));
    await appendFile(join(dir, ITEM_LOG_FILE), '{"put":{"id":"c","ki');
    expect((await new JournalStore(dir).loadItems()).map((r) => [r.id, r.finish])).toEqual([
      ['a', undefined],
      ['b', { key: 'k/b', size: 3, etag: 'abc' }],
    ]);

    const legacy = await tempDir('keydesk-log-');
    await writeFile(join(legacy, 'queue.items.json'), JSON.stringify([record('old')]));
    expect((await new JournalStore(legacy).loadItems()).map((r) => r.id)).toEqual(['old']);
    expect(await readdir(legacy)).toEqual([ITEM_LOG_FILE]);
  });

  it('removes temp files a crash left mid-write', async () => {
    const dir = await tempDir('keydesk-log-');
    await writeFile(join(dir, '.queue.items.log.0a1b2c.tmp'), 'half');
    await writeFile(join(dir, '.x.json.0a1b2c.tmp'), 'half');
    await new JournalStore(dir).loadItems();
    expect(await readdir(dir)).toEqual([]);
  });

  it.each(PLANTINGS)('replaces a %s at the list’s name instead of writing through it', async (kind) => {
    const world = await outside();
    const dir = await tempDir('keydesk-log-');
    await world.plant(kind, join(dir, ITEM_LOG_FILE));
    const store = new JournalStore(dir);
    await store.saveItem(record('a'));
    await store.saveItem(record('b'));
    await world.expectUntouched();
    expect(await recordsOnDisk(dir)).toEqual(['a', 'b']);
  });

  it.each(PLANTINGS)('keeps writing to its own file when a %s appears at the list’s name later', async (kind) => {
    const world = await outside();
    const dir = await tempDir('keydesk-log-');
    const store = new JournalStore(dir);
    await store.saveItem(record('a'));
    await rm(join(dir, ITEM_LOG_FILE));
    await world.plant(kind, join(dir, ITEM_LOG_FILE));
    await store.saveItem(record('b'));
    await store.removeItem('a');
    await world.expectUntouched();
  });

  it.each(PLANTINGS)('replaces a %s at a journal’s name', async (kind) => {
    const world = await outside();
    const dir = await tempDir('keydesk-log-');
    await world.plant(kind, join(dir, 'j1.json'));
    const store = new JournalStore(dir);
    await store.save(journal('j1'));
    await world.expectUntouched();
    expect(JSON.parse(await readFile(join(dir, 'j1.json'), 'utf8'))).toMatchObject({ id: 'j1' });
  });

  it.each(PLANTINGS)('refuses a %s in place of its folder, with a sentence, writing nothing', async (kind) => {
    const world = await outside();
    const dir = join(await tempDir('keydesk-log-'), 'transfers');
    await world.plant(kind, dir);
    const store = new JournalStore(dir);
    await expect(store.saveItem(record('a'))).rejects.toThrow(/The transfer journal in .* could not be written: .* Keydesk keeps this data only in a folder of its own/);
    await expect(store.save(journal('j'))).rejects.toThrow(/folder of its own/);
    await world.expectUntouched();
  });
});
