import { link, lstat, mkdir, readdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  assertCreatedWithin,
  createNewFile,
  ensureFolderWithin,
  ensureOwnFolder,
  ensureOwnFolderSync,
  identityOf,
  openOwnFile,
  OutsideFolderError,
  readOwnFile,
  writeFileAtomic,
} from '../../src-main/core/safe-files';
import { outside, PLANTINGS } from '../helpers/planted-links';
import { tempDir } from '../helpers/s3-fixtures';

describe('writeFileAtomic (every file Keydesk replaces)', () => {
  it.each(PLANTINGS)('replaces a %s at the name as a name: the outside is untouched', async (kind) => {
    const world = await outside();
    const dir = await tempDir('keydesk-safe-');
    const path = join(dir, 'state.json');
    await world.plant(kind, path);
    await writeFileAtomic(path, '{"new":true}');
    await world.expectUntouched();
    const stats = await lstat(path);
    expect(stats.isFile() && !stats.isSymbolicLink()).toBe(true);
    expect(stats.nlink).toBe(1);
    expect(stats.mode & 0o777).toBe(0o600);
    expect(await readFile(path, 'utf8')).toBe('{"new":true}');
    // Nothing but the file: its temp file was renamed, not left.
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('keeps the mode asked for exactly, whatever the umask', async () => {
    const path = join(await tempDir('keydesk-safe-'), 'credentials');
    const umask = process.umask(0o077);
    try {
      await writeFileAtomic(path, 'x', { mode: 0o644 });
    } finally {
      process.umask(umask);
    }
    expect((await stat(path)).mode & 0o777).toBe(0o644);
  });

  it('fails with the file system’s error, leaving the old file and no temp file, when the name is a folder', async () => {
    const dir = await tempDir('keydesk-safe-');
    await mkdir(join(dir, 'state.json'));
    await writeFile(join(dir, 'state.json', 'inside'), 'kept');
    await expect(writeFileAtomic(join(dir, 'state.json'), 'x')).rejects.toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(await readdir(dir)).toEqual(['state.json']);
    expect(await readFile(join(dir, 'state.json', 'inside'), 'utf8')).toBe('kept');
  });
});

describe('createNewFile and openOwnFile (download temp files)', () => {
  it.each(PLANTINGS)('never opens a %s at a new file’s name', async (kind) => {
    const world = await outside();
    const path = join(await tempDir('keydesk-safe-'), '.part');
    await world.plant(kind, path);
    await expect(createNewFile(path)).rejects.toMatchObject({ code: 'EEXIST' });
    await world.expectUntouched();
  });

  it('reopens the very file it created, and nothing put in its place', async () => {
    const world = await outside();
    const dir = await tempDir('keydesk-safe-');
    const path = join(dir, '.part');
    const handle = await createNewFile(path);
    const identity = await identityOf(handle);
    await handle.close();
    const again = await openOwnFile(path, identity);
    expect(again).toBeDefined();
    await again?.close();

    // A link to the file itself, or a second name for it: refused, though they lead to the same inode.
    await rename(path, join(dir, 'moved'));
    await symlink(join(dir, 'moved'), path);
    expect(await openOwnFile(path, identity)).toBeUndefined();
    await rm(path);
    await rename(join(dir, 'moved'), path);
    await link(path, join(world.folder, 'second-name'));
    expect(await openOwnFile(path, identity)).toBeUndefined();
    await rm(join(world.folder, 'second-name'));
    const stillOurs = await openOwnFile(path, identity);
    expect(stillOurs).toBeDefined();
    await stillOurs?.close();

    // A new file at the name once it was deleted (file systems give its inode number to the next new
    // file at once), and anything else put there: refused.
    await rm(path);
    await writeFile(path, '');
    expect(await openOwnFile(path, identity)).toBeUndefined();
    for (const kind of PLANTINGS) {
      await rm(path);
      await world.plant(kind, path);
      expect(await openOwnFile(path, identity)).toBeUndefined();
    }
    await world.expectUntouched();
  });
});

describe('ensureFolderWithin and assertCreatedWithin (folders of a download)', () => {
  it('creates the missing folders under the chosen one', async () => {
    const root = await tempDir('keydesk-root-');
    await ensureFolderWithin(root, join(root, 'a', 'b', 'c'));
    expect((await stat(join(root, 'a', 'b', 'c'))).isDirectory()).toBe(true);
  });

  it('follows a link that stays inside the chosen folder, and the chosen folder itself may be a link', async () => {
    const real = await tempDir('keydesk-root-');
    const root = join(await tempDir('keydesk-root-link-'), 'chosen');
    await symlink(real, root);
    await mkdir(join(real, 'photos'));
    await symlink(join(real, 'photos'), join(real, 'pics'));
    await ensureFolderWithin(root, join(root, 'pics', '2024'));
    expect((await stat(join(real, 'photos', '2024'))).isDirectory()).toBe(true);
  });

  it.each(['symlink to a folder', 'dangling symlink'] as const)('refuses a %s planted on the way out of the chosen folder, creating nothing outside', async (kind) => {
    const world = await outside();
    const root = await tempDir('keydesk-root-');
    await mkdir(join(root, 'a'));
    await world.plant(kind, join(root, 'a', 'sub'));
    const error = await ensureFolderWithin(root, join(root, 'a', 'sub', 'deeper')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutsideFolderError);
    expect((error as OutsideFolderError).path).toBe(join(root, 'a', 'sub'));
    await world.expectUntouched();
  });

  it('refuses a path that is not under the chosen folder at all', async () => {
    const root = await tempDir('keydesk-root-');
    await expect(ensureFolderWithin(root, join(root, '..', 'elsewhere'))).rejects.toBeInstanceOf(OutsideFolderError);
  });

  it('catches a folder swapped for a link after it was checked, and removes the file it created there', async () => {
    const world = await outside();
    const root = await tempDir('keydesk-root-');
    const folder = join(root, 'sub');
    await ensureFolderWithin(root, folder);
    // The swap, between the check and the create.
    await rm(folder, { recursive: true });
    await symlink(world.folder, folder);
    const handle = await createNewFile(join(folder, '.part'));
    try {
      await expect(assertCreatedWithin(root, handle, join(folder, '.part'))).rejects.toBeInstanceOf(OutsideFolderError);
    } finally {
      await handle.close();
    }
    await world.expectUntouched();
  });
});

describe('Keydesk’s own folders and files', () => {
  it.each(PLANTINGS)('refuses a %s in place of its own folder', async (kind) => {
    const world = await outside();
    const dir = join(await tempDir('keydesk-own-'), 'transfers');
    await world.plant(kind, dir);
    await expect(ensureOwnFolder(dir)).rejects.toThrow(/Keydesk keeps this data only in a folder of its own/);
    expect(() => ensureOwnFolderSync(dir)).toThrow(/Keydesk keeps this data only in a folder of its own/);
    await world.expectUntouched();
  });

  it('creates its own folder readable by the user only, and names where a link at its name points', async () => {
    const parent = await tempDir('keydesk-own-');
    ensureOwnFolderSync(join(parent, 'a', 'b'));
    await ensureOwnFolder(join(parent, 'c'));
    expect((await stat(join(parent, 'a', 'b'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(parent, 'c'))).mode & 0o777).toBe(0o700);
    await symlink(join(parent, 'c'), join(parent, 'd'));
    await expect(ensureOwnFolder(join(parent, 'd'))).rejects.toThrow(`${join(parent, 'd')} is a link to ${join(parent, 'c')};`);
    expect(() => ensureOwnFolderSync(join(parent, 'd'))).toThrow(`${join(parent, 'd')} is a link to ${join(parent, 'c')};`);
    await writeFile(join(parent, 'e'), '');
    expect(() => ensureOwnFolderSync(join(parent, 'e'))).toThrow(`${join(parent, 'e')} is not a folder;`);
  });

  it('reads its own files, and never through a link', async () => {
    const world = await outside();
    const dir = await tempDir('keydesk-own-');
    await writeFile(join(dir, 'a.json'), '{}');
    expect(await readOwnFile(join(dir, 'a.json'))).toBe('{}');
    expect(await readOwnFile(join(dir, 'missing.json'))).toBeUndefined();
    await world.plant('symlink to a file', join(dir, 'b.json'));
    await expect(readOwnFile(join(dir, 'b.json'))).rejects.toThrow(/is a link/);
  });
});
