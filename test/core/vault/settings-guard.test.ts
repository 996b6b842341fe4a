import { execFileSync } from 'node:child_process';
import { link, lstat, mkdir, readdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { METADATA_VERSION, MetadataStore, openConfStore } from '../../../src-main/core/vault/metadata-store';
import { outside, PLANTINGS } from '../../helpers/planted-links';
import { tempDir } from '../../helpers/s3-fixtures';

const credential = { id: 'c1', label: 'ceph', endpoint: 'http://127.0.0.1:7480', region: 'us-east-1', accessKeyId: 'AK', createdAt: new Date(0).toISOString() };
const empty = { version: METADATA_VERSION, credentials: [], accounts: [], health: {} };
const LINK_REFUSED = /keydesk\.json is a link; Keydesk keeps its settings only in a plain file and did not follow it\./;
const SYMLINKS = PLANTINGS.filter((kind) => kind !== 'hard link to a file');

async function settingsHome(content?: object): Promise<string> {
  const home = await tempDir('keydesk-settings-');
  if (content) await writeFile(join(home, 'keydesk.json'), JSON.stringify(content, undefined, '\t'));
  return home;
}

function refusal(action: () => unknown): { message: string; hint?: string; code?: string } {
  try {
    action();
  } catch (error) {
    return error as { message: string; hint?: string; code?: string };
  }
  throw new Error('expected the settings access to be refused');
}

describe('keydesk.json through conf behind linkGuarded (openConfStore)', () => {
  it('keeps conf’s format (tab-indented JSON), readable by the user only, sees edits by hand and leaves no temp file', async () => {
    const home = await settingsHome(empty);
    const store = new MetadataStore(openConfStore(home));
    store.putCredential(credential as never);
    expect(await readFile(join(home, 'keydesk.json'), 'utf8')).toBe(JSON.stringify({ ...empty, credentials: [credential] }, undefined, '\t'));
    expect((await stat(join(home, 'keydesk.json'))).mode & 0o777).toBe(0o600);
    await writeFile(join(home, 'keydesk.json'), JSON.stringify(empty));
    expect(store.credentials()).toEqual([]);
    expect(await readdir(home)).toEqual(['keydesk.json']);
  });

  it('creates a missing data folder readable by the user only, and migrates a new file to the current version', async () => {
    const home = join(await tempDir('keydesk-settings-'), 'data');
    const store = new MetadataStore(openConfStore(home));
    expect((await stat(home)).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(join(home, 'keydesk.json'), 'utf8'))).toEqual(empty);
    store.putCredential(credential as never);
    expect(new MetadataStore(openConfStore(home)).credentials()).toEqual([credential]);
  });

  it('migrates an unversioned file in place, once', async () => {
    const home = await settingsHome({ credentials: [credential] });
    const store = new MetadataStore(openConfStore(home));
    expect(store.credentials()).toHaveLength(1);
    expect(JSON.parse(await readFile(join(home, 'keydesk.json'), 'utf8'))).toMatchObject({ version: METADATA_VERSION, accounts: [], health: {} });
    const written = await stat(join(home, 'keydesk.json'));
    new MetadataStore(openConfStore(home));
    expect((await stat(join(home, 'keydesk.json'))).mtimeMs).toBe(written.mtimeMs);
  });

  it('refuses a file it cannot read with a sentence naming the folder, and writes nothing', async () => {
    const home = await settingsHome();
    const broken = '{"version": 1, "credentials": [';
    await writeFile(join(home, 'keydesk.json'), broken);
    expect(() => new MetadataStore(openConfStore(home))).toThrow(/The settings file in .* could not be read: .*JSON/);
    expect(await readFile(join(home, 'keydesk.json'), 'utf8')).toBe(broken);
    await writeFile(join(home, 'keydesk.json'), '{"version": 1, "credentials": [{"id": "c"}]}');
    expect(() => new MetadataStore(openConfStore(home))).toThrow(/Config schema violation: `credentials\/0` must have required property 'endpoint'/);
  });

  it.each(SYMLINKS)('refuses a %s at keydesk.json before it opens, touching nothing', async (kind) => {
    const world = await outside();
    const home = await settingsHome();
    await world.plant(kind, join(home, 'keydesk.json'));
    const error = refusal(() => new MetadataStore(openConfStore(home)));
    expect(error.message).toMatch(LINK_REFUSED);
    expect(error).toMatchObject({ code: 'INTERNAL', hint: 'Replace the link with the file it points to, then start Keydesk again.' });
    await world.expectUntouched();
    expect(await readdir(home)).toEqual(['keydesk.json']);
    expect((await lstat(join(home, 'keydesk.json'))).isSymbolicLink()).toBe(true);
  });

  it.each(SYMLINKS)('refuses to read or write through a %s put at keydesk.json while it runs', async (kind) => {
    const world = await outside();
    const home = await settingsHome(empty);
    const backing = openConfStore(home);
    const store = new MetadataStore(backing);
    await rm(join(home, 'keydesk.json'));
    await world.plant(kind, join(home, 'keydesk.json'));
    expect(() => store.credentials()).toThrow(LINK_REFUSED);
    expect(() => store.putCredential(credential as never)).toThrow(LINK_REFUSED);
    expect(() => (backing.store = { ...empty })).toThrow(LINK_REFUSED);
    await world.expectUntouched();
    expect(await readdir(home)).toEqual(['keydesk.json']);
  });

  it('refuses a folder, or a pipe that would hang a read, at keydesk.json', async () => {
    const home = await settingsHome();
    await mkdir(join(home, 'keydesk.json'));
    expect(() => openConfStore(home)).toThrow(/keydesk\.json is not a plain file; Keydesk keeps its settings only in a plain file/);
    await rm(join(home, 'keydesk.json'), { recursive: true });
    if (process.platform === 'win32') return;
    execFileSync('mkfifo', [join(home, 'keydesk.json')]);
    expect(() => openConfStore(home)).toThrow(/keydesk\.json is not a plain file/);
  });

  it.each(['symlink to a folder', 'dangling symlink'] as const)('refuses a data folder that is a %s, before and while it runs', async (kind) => {
    const world = await outside();
    const parent = await tempDir('keydesk-settings-');
    const home = join(parent, 'data');
    await world.plant(kind, home);
    const error = refusal(() => openConfStore(home));
    expect(error.message).toMatch(/data is a link to .*; Keydesk keeps this data only in a folder of its own/);
    expect(error.hint).toMatch(/KEYDESK_HOME/);
    await world.expectUntouched();

    await rm(home);
    const store = new MetadataStore(openConfStore(home));
    // The data folder moved away and a link left in its place: the next write must not land where it points.
    await rename(home, join(parent, 'moved'));
    await world.plant(kind, home);
    expect(() => store.putCredential(credential as never)).toThrow(/data is a link to/);
    await world.expectUntouched();
  });

  it('writes a new file over a hard link at keydesk.json, before and while it runs: the other name keeps its bytes', async () => {
    for (const when of ['before open', 'while running'] as const) {
      const elsewhere = join(await tempDir('keydesk-outside-'), 'settings-copy.json');
      const original = JSON.stringify(empty);
      await writeFile(elsewhere, original);
      const home = await settingsHome(when === 'while running' ? empty : undefined);
      const store = when === 'while running' ? new MetadataStore(openConfStore(home)) : undefined;
      if (store) await rm(join(home, 'keydesk.json'));
      await link(elsewhere, join(home, 'keydesk.json'));
      (store ?? new MetadataStore(openConfStore(home))).putCredential(credential as never);
      expect(await readFile(elsewhere, 'utf8')).toBe(original);
      expect((await stat(elsewhere)).nlink).toBe(1);
      expect((await stat(join(home, 'keydesk.json'))).nlink).toBe(1);
      expect(JSON.parse(await readFile(join(home, 'keydesk.json'), 'utf8')).credentials).toEqual([credential]);
    }
  });

  it('works again once the link is replaced by the file, as the hint says', async () => {
    const real = join(await tempDir('keydesk-outside-'), 'real.json');
    const home = await settingsHome();
    await writeFile(real, JSON.stringify({ ...empty, credentials: [credential] }));
    await symlink(real, join(home, 'keydesk.json'));
    expect(() => openConfStore(home)).toThrow(LINK_REFUSED);
    await rm(join(home, 'keydesk.json'));
    await rename(real, join(home, 'keydesk.json'));
    expect(new MetadataStore(openConfStore(home)).credentials()).toEqual([credential]);
  });
});
