import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { KeydeskError } from '../errors';

/*
 * The only writes a plain-text fix makes, kept in one place (a shared safe-files module may take them
 * over): new files are created exclusively and without following links (O_CREAT|O_EXCL|O_NOFOLLOW), so a
 * link planted at a temp or backup name is never written through; a file is replaced by renaming a
 * finished, synced temp file over it, so a reader or a power cut sees the old file or the new one.
 */

const CREATE_NEW = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | (constants.O_NOFOLLOW ?? 0);

/** A new file at `path` holding `data`; EEXIST if anything, a link included, is at the name. */
export async function writeNewFile(path: string, data: Buffer, mode: number): Promise<void> {
  const handle = await open(path, CREATE_NEW, mode);
  try {
    await handle.writeFile(data);
    await handle.chmod(mode);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(path).catch(() => {});
    throw error;
  }
  await handle.close();
}

/** A folder of Keydesk's own, readable by the user only; refused when a link or a file is at its name. */
export async function ensurePrivateFolder(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 }).catch(() => {});
  const stats = await lstat(dir);
  if (!stats.isDirectory()) {
    throw new KeydeskError({ code: 'CONFLICT', message: `${dir} is not a folder of Keydesk's own (it is a link or a file), so no backup was written there.`, hint: `Remove ${dir} and try again.` });
  }
}

export interface Replacement {
  /** Permission bits and owner the new file gets: the old file's. */
  mode: number;
  uid: number;
  gid: number;
  /** Asked right before the rename: false stops the replacement (the file changed meanwhile). */
  stillUnchanged: () => Promise<boolean>;
}

/**
 * Replaces the file at `target` with `data`. The temp file is created beside it with a random name (tried
 * again if the name is taken), given the old file's mode and owner (an owner Keydesk cannot give is
 * refused rather than changed), synced, and renamed over the target, then the folder is synced.
 */
export async function replaceFile(target: string, data: Buffer, replacement: Replacement): Promise<void> {
  const { handle, temp } = await createTemp(target, replacement.mode);
  try {
    try {
      await handle.writeFile(data);
      await handle.chmod(replacement.mode & 0o7777);
      const created = await handle.stat();
      if (created.uid !== replacement.uid || created.gid !== replacement.gid) {
        await handle.chown(replacement.uid, replacement.gid).catch((error: unknown) => {
          throw new KeydeskError(
            { code: 'ACCESS_DENIED', message: `${target} belongs to another user or group (${replacement.uid}:${replacement.gid}), which a file written by you cannot keep; Keydesk left it unchanged.`, hint: 'Edit the file as its owner, or run Keydesk as that user.' },
            { cause: error },
          );
        });
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (!(await replacement.stillUnchanged())) {
      throw new KeydeskError({ code: 'CONFLICT', message: `${target} changed while Keydesk was rewriting it, so Keydesk left it as it is.`, hint: 'Scan again, then fix it.' });
    }
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
  await syncFolder(dirname(target));
}

async function createTemp(target: string, mode: number): Promise<{ handle: FileHandle; temp: string }> {
  for (let attempt = 0; ; attempt++) {
    const temp = join(dirname(target), `.${basename(target)}.keydesk-${randomBytes(6).toString('hex')}.tmp`);
    try {
      // Readable by the user only until it holds the right mode.
      return { handle: await open(temp, CREATE_NEW, mode & 0o600), temp };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && attempt < 5) continue;
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
        throw new KeydeskError({ code: 'ACCESS_DENIED', message: `Keydesk may not write in ${dirname(target)}, so ${target} was left unchanged.`, hint: 'Edit the file yourself, or give yourself write access to its folder.' }, { cause: error });
      }
      throw error;
    }
  }
}

async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY).catch(() => undefined);
  // Some platforms cannot sync a folder; there the rename is as durable as the file system makes it.
  await handle?.sync().catch(() => {});
  await handle?.close();
}
