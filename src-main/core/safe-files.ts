import { randomBytes } from 'node:crypto';
import { constants, type BigIntStats, lstatSync, mkdirSync, readlinkSync, type Stats } from 'node:fs';
import { lstat, mkdir, open, readlink, realpath, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/*
 * Every file Keydesk writes goes through here (keydesk.json aside: conf writes it, see vault/settings-guard.ts),
 * so that no write follows a link it did not choose: a new file is created exclusively (O_CREAT|O_EXCL,
 * which never follows a link at the name, dangling or not) under a name with a random part, a file is
 * replaced by renaming over the name (which replaces a link as a name, never writes through it), and an
 * existing file is reopened only after proving it is the very file Keydesk created (device and inode,
 * checked on the opened descriptor). Windows has no O_NOFOLLOW; there, creating links needs rights an
 * attacker of the user's folders rarely has.
 */

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const CREATE_NEW = constants.O_CREAT | constants.O_EXCL | NOFOLLOW;

/**
 * Which file a name holds: device and inode, as strings (64-bit inode numbers do not fit a JSON number),
 * and its birth time where the file system keeps one, since a deleted file's inode number is soon given to
 * the next new file.
 */
export interface FileIdentity {
  dev: string;
  ino: string;
  born?: string;
}

function identityFrom(stats: BigIntStats): FileIdentity {
  return { dev: String(stats.dev), ino: String(stats.ino), ...(stats.birthtimeNs > 0n && { born: String(stats.birthtimeNs) }) };
}

/** Same file, and owned by this user (a file someone else created is never taken for Keydesk's). */
function matches(stats: BigIntStats, expected: FileIdentity): boolean {
  const found = identityFrom(stats);
  const ownUid = process.getuid?.();
  return found.dev === expected.dev && found.ino === expected.ino && found.born === expected.born && (ownUid === undefined || stats.uid === BigInt(ownUid));
}

/** A new file, opened for reading and writing; fails with EEXIST when anything is at the name already. */
export function createNewFile(path: string, mode = 0o600): Promise<FileHandle> {
  return open(path, CREATE_NEW | constants.O_RDWR, mode);
}

export async function identityOf(handle: FileHandle): Promise<FileIdentity> {
  return identityFrom(await handle.stat({ bigint: true }));
}

/** Whether `path` itself (not what a link there points to) is the file `expected` names. */
export async function isSameFile(path: string, expected: FileIdentity): Promise<boolean> {
  const stats = await lstat(path, { bigint: true }).catch(() => undefined);
  return !!stats?.isFile() && matches(stats, expected);
}

/**
 * Opens for reading and writing the file at `path` only if it is the file `expected` names and has no other
 * name (a hard link would let its bytes reach someone else); undefined otherwise. Checked again on the opened
 * descriptor, so a file swapped in between the check and the open is never written.
 */
export async function openOwnFile(path: string, expected: FileIdentity): Promise<FileHandle | undefined> {
  const stats = await lstat(path, { bigint: true }).catch(() => undefined);
  if (!stats?.isFile() || stats.nlink !== 1n || !matches(stats, expected)) return undefined;
  const handle = await open(path, constants.O_RDWR | NOFOLLOW).catch(() => undefined);
  if (!handle) return undefined;
  const opened = await handle.stat({ bigint: true });
  if (opened.nlink === 1n && matches(opened, expected)) return handle;
  await handle.close();
  return undefined;
}

/** Removes the name, whatever is there (a link goes, what it points to stays); missing is fine. A folder is not removed. */
export async function removeName(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** Whether anything is at the name, a dangling link included. */
export async function nameExists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** A hidden name beside `path` with a random part, for a file that replaces `path` once complete. */
function tempNameFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
}

export interface AtomicWriteOptions {
  /** Permission bits of the new file, exactly (not reduced by the umask); default 0o600. */
  mode?: number;
}

/**
 * Replaces `path` with `data`: written to a new exclusive temp file beside it, synced, renamed over the name,
 * and the folder synced, so readers and a crash see the old or the new content, never a mix, and a link at
 * `path` is replaced rather than followed.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const temp = tempNameFor(path);
  const handle = await createNewFile(temp, options.mode ?? 0o600);
  try {
    try {
      await handle.writeFile(data);
      await handle.chmod(options.mode ?? 0o600);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await removeName(temp).catch(() => {});
    throw error;
  }
  await syncFolder(dirname(path));
}

/** Per folder: the sync running now, and the one that will run after it for everyone who asked meanwhile. */
const folderSyncs = new Map<string, { running: Promise<void>; next?: Promise<void> }>();

/**
 * Makes renames and new names in `dir` durable. Callers arriving while a sync of the folder runs share the
 * one after it (many downloads finishing in one folder cost a few syncs, not one each). Best effort: some
 * platforms (Windows) cannot open or sync a folder, and there a rename is as durable as the file system makes it.
 */
export function syncFolder(dir: string): Promise<void> {
  const current = folderSyncs.get(dir);
  if (current) return (current.next ??= current.running.then(() => startFolderSync(dir)));
  return startFolderSync(dir);
}

function startFolderSync(dir: string): Promise<void> {
  const running = (async () => {
    let handle: FileHandle | undefined;
    try {
      handle = await open(dir, constants.O_RDONLY);
      await handle.sync();
    } catch {
      // See syncFolder().
    } finally {
      await handle?.close().catch(() => {});
    }
  })();
  const entry = { running };
  folderSyncs.set(dir, entry);
  void running.then(() => {
    if (folderSyncs.get(dir) === entry) folderSyncs.delete(dir);
  });
  return running;
}

/**
 * A folder of Keydesk's own (journals): created readable by the user only, and refused when something else,
 * like a link to another place, is at its name.
 */
export async function ensureOwnFolder(dir: string): Promise<void> {
  let failure: unknown;
  // Fails on a file or a dangling link at the name, which the check below describes better.
  await mkdir(dir, { recursive: true, mode: 0o700 }).catch((error: unknown) => (failure = error));
  const stats = await lstat(dir).catch((error: unknown) => {
    throw failure ?? error;
  });
  if (!stats.isDirectory()) throw notOwnFolder(dir, stats.isSymbolicLink() && (await readlink(dir).catch(() => SOMEWHERE)));
}

/** ensureOwnFolder for callers that must stay synchronous (the data folder holding keydesk.json). */
export function ensureOwnFolderSync(dir: string): void {
  let failure: unknown;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    failure = error;
  }
  let stats: Stats;
  try {
    stats = lstatSync(dir);
  } catch (error) {
    throw failure ?? error;
  }
  if (!stats.isDirectory()) throw notOwnFolder(dir, stats.isSymbolicLink() && linkTargetSync(dir));
}

const SOMEWHERE = 'somewhere else';

function linkTargetSync(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return SOMEWHERE;
  }
}

/** `linkTarget`: where the link at `dir` points, or false when `dir` is not a link. */
function notOwnFolder(dir: string, linkTarget: string | false): Error {
  const what = linkTarget === false ? 'not a folder' : `a link to ${linkTarget}`;
  return new Error(`${dir} is ${what}; Keydesk keeps this data only in a folder of its own. Remove it and try again`);
}

/** Whether `path` is `root` or lies under it (both already resolved). */
function isWithin(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** A write refused because it would have landed outside the folder the user chose. */
export class OutsideFolderError extends Error {
  constructor(
    readonly path: string,
    readonly resolved: string,
    readonly root: string,
  ) {
    super(`${path} leads to ${resolved}, outside the folder ${root}`);
  }
}

/**
 * Creates the folders from `root` (the folder the user chose) down to `dir`, one at a time, each checked
 * after it exists to resolve inside `root`: a link planted in the chosen folder cannot lead a download out
 * of it. `root` itself may be a link the user chose.
 */
export async function ensureFolderWithin(root: string, dir: string): Promise<void> {
  const rel = relative(root, dir);
  if (rel.startsWith('..') || isAbsolute(rel)) throw new OutsideFolderError(dir, dir, root);
  await mkdir(root, { recursive: true });
  const realRoot = await realpath(root);
  let current = root;
  for (const segment of rel.split(sep).filter((s) => s !== '')) {
    current = join(current, segment);
    try {
      await mkdir(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let resolved: string;
    try {
      resolved = await realpath(current);
    } catch (error) {
      // mkdir does not follow a dangling link: it leads nowhere Keydesk may write.
      if (!(await lstat(current)).isSymbolicLink()) throw error;
      throw new OutsideFolderError(current, resolve(dirname(current), await readlink(current)), root);
    }
    if (!isWithin(realRoot, resolved)) throw new OutsideFolderError(current, resolved, root);
  }
}

/**
 * Proves that the file just created at `path` lies inside `root`: a folder swapped for a link between
 * ensureFolderWithin() and the create is caught here. On Linux the opened descriptor itself is asked where it
 * is (/proc); elsewhere the folder is resolved again and the name must still be the opened file. A file
 * found outside is removed (it is empty and Keydesk's) and the write refused.
 */
export async function assertCreatedWithin(root: string, handle: FileHandle, path: string): Promise<void> {
  const realRoot = await realpath(root);
  let resolved: string;
  try {
    resolved = await readlink(`/proc/self/fd/${handle.fd}`);
  } catch {
    resolved = join(await realpath(dirname(path)), basename(path));
    if (!(await isSameFile(path, await identityOf(handle)))) throw new OutsideFolderError(path, resolved, root);
  }
  if (isWithin(realRoot, resolved)) return;
  await unlink(resolved).catch(() => {});
  throw new OutsideFolderError(path, resolved, root);
}

/** Reads a file that must not be a link (Keydesk's own state); undefined when missing, an error for a link. */
export async function readOwnFile(path: string): Promise<string | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP' || code === 'EMLINK') throw new Error(`${path} is a link; Keydesk reads its own data only from plain files`, { cause: error });
    throw error;
  }
  try {
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}
