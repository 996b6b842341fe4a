import { link, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { METADATA_VERSION, MetadataStore } from '../../../src-main/core/vault/metadata-store';
import { SettingsFile } from '../../../src-main/core/vault/settings-file';
import { outside, PLANTINGS } from '../../helpers/planted-links';
import { tempDir } from '../../helpers/s3-fixtures';

const credential = { id: 'c1', label: 'ceph', endpoint: 'http://127.0.0.1:7480', region: 'us-east-1', accessKeyId: 'AK', createdAt: new Date(0).toISOString() };

describe('keydesk.json (SettingsFile)', () => {
  it('keeps the format conf wrote (tab-indented JSON), readable by the user only, and sees edits by hand', async () => {
    const home = await tempDir('keydesk-settings-');
    const empty = { version: METADATA_VERSION, credentials: [], accounts: [], health: {} };
    await writeFile(join(home, 'keydesk.json'), JSON.stringify(empty, undefined, '\t'));
    const store = new MetadataStore(new SettingsFile(home));
    store.putCredential(credential as never);
    const text = await readFile(join(home, 'keydesk.json'), 'utf8');
    expect(text).toBe(JSON.stringify({ ...empty, credentials: [credential] }, undefined, '\t'));
    expect((await stat(join(home, 'keydesk.json'))).mode & 0o777).toBe(0o600);
    await writeFile(join(home, 'keydesk.json'), JSON.stringify(empty));
    expect(store.credentials()).toEqual([]);
    expect(await readdir(home)).toEqual(['keydesk.json']);
  });

  it('refuses a file it cannot read with a sentence naming it, and writes nothing', async () => {
    const home = await tempDir('keydesk-settings-');
    await writeFile(join(home, 'keydesk.json'), '{"version": 1, "credentials": [');
    expect(() => new MetadataStore(new SettingsFile(home))).toThrow(/The settings file .*keydesk\.json could not be read: it is not valid JSON/);
    await writeFile(join(home, 'keydesk.json'), '{"version": 1, "credentials": [{"id": 3}]}');
    expect(() => new MetadataStore(new SettingsFile(home))).toThrow(/credentials\/0\/id/);
  });

  it.each(PLANTINGS.filter((k) => k !== 'hard link to a file'))('refuses a %s at its name, writing nothing', async (kind) => {
    const world = await outside();
    const home = await tempDir('keydesk-settings-');
    await world.plant(kind, join(home, 'keydesk.json'));
    expect(() => new MetadataStore(new SettingsFile(home))).toThrow(/keydesk\.json is a link; Keydesk keeps its settings only in a plain file/);
    await world.expectUntouched();
  });

  it('replaces a hard link at its name, so the other name keeps its content', async () => {
    const elsewhere = join(await tempDir('keydesk-outside-'), 'settings-copy.json');
    const original = JSON.stringify({ version: 1, credentials: [], accounts: [] });
    await writeFile(elsewhere, original);
    const home = await tempDir('keydesk-settings-');
    await link(elsewhere, join(home, 'keydesk.json'));
    new MetadataStore(new SettingsFile(home)).putCredential(credential as never);
    expect(await readFile(elsewhere, 'utf8')).toBe(original);
    expect(JSON.parse(await readFile(join(home, 'keydesk.json'), 'utf8')).credentials).toHaveLength(1);
  });

  it.each(PLANTINGS)('replaces a %s put at its name while Keydesk runs, instead of writing through it', async (kind) => {
    const world = await outside();
    const home = await tempDir('keydesk-settings-');
    const store = new MetadataStore(new SettingsFile(home));
    store.putCredential(credential as never);
    await rm(join(home, 'keydesk.json'));
    await world.plant(kind, join(home, 'keydesk.json'));
    // The write happens on a change; it must land in a new plain file at the name.
    const backing = new SettingsFile(home);
    backing.store = { version: 1, credentials: [], accounts: [] };
    await world.expectUntouched();
    expect(JSON.parse(await readFile(join(home, 'keydesk.json'), 'utf8'))).toEqual({ version: 1, credentials: [], accounts: [] });
    expect(await readdir(home)).toEqual(['keydesk.json']);
  });
});
