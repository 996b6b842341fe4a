import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RotationJournalStore, type RotationJournal } from '../../../src-main/core/rotation/journal';
import { PendingRevocationStore, type PendingRevocation } from '../../../src-main/core/rotation/pending';
import { outside, PLANTINGS } from '../../helpers/planted-links';
import { tempDir } from '../../helpers/s3-fixtures';

const entry: RotationJournal = {
  id: 'r1',
  credentialId: 'c1',
  label: 'main',
  credentialIds: ['c1'],
  accountId: 'a1',
  scope: {},
  strategy: 'two-slot',
  oldKeyId: 'k-old',
  oldAccessKeyId: 'AKOLD',
  keysBefore: ['k-old'],
  oldKey: { kind: 'grace', days: 7, then: 'delete' },
  previousRotatedAt: { c1: null },
  phase: 'started',
  startedAt: new Date(0).toISOString(),
  updatedAt: new Date(0).toISOString(),
};

describe('rotation journals on disk', () => {
  it.each(PLANTINGS)('replaces a %s at a journal’s name, and reads the journal back', async (kind) => {
    const world = await outside();
    const state = await tempDir('keydesk-rotation-');
    const store = new RotationJournalStore(state);
    await store.save({ ...entry, id: 'first' });
    await world.plant(kind, join(store.dir, 'r1.json'));
    await store.save(entry);
    await world.expectUntouched();
    expect(JSON.parse(await readFile(join(store.dir, 'r1.json'), 'utf8'))).toMatchObject({ id: 'r1', phase: 'started' });
    expect((await store.loadAll()).map((j) => j.id).sort()).toEqual(['first', 'r1']);
    expect((await readdir(store.dir)).sort()).toEqual(['first.json', 'r1.json']);
  });

  it.each(PLANTINGS)('refuses a %s in place of the journal folder with a sentence', async (kind) => {
    const world = await outside();
    const state = await tempDir('keydesk-rotation-');
    const store = new RotationJournalStore(state);
    await world.plant(kind, store.dir);
    await expect(store.save(entry)).rejects.toThrow(/The rotation journal in .* could not be written: .*folder of its own/);
    await world.expectUntouched();
  });

  it.each(PLANTINGS)('keeps old keys waiting to be revoked out of a %s planted in place of their folder', async (kind) => {
    const world = await outside();
    const store = new PendingRevocationStore(await tempDir('keydesk-rotation-'));
    await world.plant(kind, store.dir);
    await expect(store.save({ id: 'p1' } as PendingRevocation)).rejects.toThrow(/The list of old keys waiting to be revoked in .* could not be written: .*folder of its own/);
    await world.expectUntouched();
  });
});
