import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { createHash, type Hash } from 'node:crypto';
import { link, rename, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { KeydeskError } from '../errors';
import { runPool } from '../s3/pool';
import { s3Call, throwIfCancelled } from '../s3/session';
import {
  assertCreatedWithin,
  createNewFile,
  ensureFolderWithin,
  identityOf,
  isSameFile,
  nameExists,
  openOwnFile,
  OutsideFolderError,
  removeName,
  syncFolder,
  type FileIdentity,
} from '../safe-files';
import { isShutdown, partSizeFor, plainMd5, request, type RunContext, type RunOutcome, type TransferJob } from './context';
import type { DownloadFinish, DownloadJournal } from './journal';
import { keepBothName, tempPathFor } from './local-files';
import { GroupCommit } from './group-commit';
import { OrderedHasher } from './ordered-hasher';
import { checksumError, withRetry } from '../retry';
import { ParallelismController } from './parallelism';
import type { ConflictPolicy } from './types';

export interface DownloadJob extends TransferJob {
  target: string;
  /** Size and ETag from a listing: when both are known the HeadObject request is skipped. */
  listed?: { size: number; etag: string };
  /** The random part of the temp file's name (ItemRecord.token). */
  token: string;
  /** The folder the user chose: no folder or file is created outside it, whatever links appear in it. */
  root: string;
  /** From an earlier run that was about to complete (journal.ts, Finish). */
  finish?: DownloadFinish;
}

/**
 * Downloads to a hidden temp file beside the target with `concurrency` ranged GETs (each pinned with
 * If-Match to the ETag seen at start), checks every part's length and, for plain-MD5 ETags, the MD5 of
 * the whole file, syncs it to disk and only then gives it the target's name. The temp file is created
 * exclusively, and only that very file (device and inode, in the journal) is written again on resume.
 */
export async function runDownload(job: DownloadJob, ctx: RunContext): Promise<RunOutcome> {
  let journal = await loadDownloadJournal(job, ctx);
  const finished = job.finish && (await completeFromEarlierRun(job, job.finish, journal?.temp ?? tempPathFor(job.target, job.token), ctx));
  if (finished) return finished;
  const { size, etag, kms } = journal || !job.listed ? await headObject(job, ctx) : { ...job.listed, kms: false };
  ctx.onSize(size);
  let handle: FileHandle | undefined;
  if (journal) {
    // Resumed only with the same object version and the very temp file this download created.
    handle = journal.etag === etag && journal.size === size && journal.file ? await openOwnFile(journal.temp, journal.file) : undefined;
    if (!handle) {
      // Whatever is at the name is not opened; removing the name leaves anything a link points to alone.
      await removeName(journal.temp).catch(() => {});
      await ctx.journal.remove(job.id);
      journal = undefined;
    }
  }
  let target = journal?.target ?? job.target;
  const temp = journal?.temp ?? tempPathFor(job.target, job.token);
  if (!journal) {
    // A temp file of this item left by a crash (a single request is not journaled), or something put there.
    await removeName(temp).catch(() => {});
    const chosen = await chooseTarget(job.target, job.conflict);
    if (chosen === 'conflict' || chosen === 'skipped') return { state: chosen };
    target = chosen;
  }
  const partSize = journal?.partSize ?? partSizeFor(size, ctx.settings);
  const entry: DownloadJournal = journal ?? {
    kind: 'download',
    id: job.id,
    credentialId: job.credentialId,
    bucket: job.bucket,
    key: job.key,
    versionId: job.versionId,
    conflict: job.conflict,
    groupId: job.groupId,
    createdAt: job.createdAt,
    target,
    temp,
    size,
    etag,
    partSize,
    doneParts: [],
  };
  const partCount = Math.max(1, Math.ceil(size / partSize));
  try {
    if (!handle) {
      handle = await createTemp(job.root, temp, ctx);
      entry.file = await identityOf(handle);
      // Single-request downloads are not journaled: there is nothing to resume but the whole object.
      if (partCount > 1) await ctx.journal.save(entry);
      await ctx.step('temp-created');
    }
    const md5 = kms ? undefined : plainMd5(etag);
    // Every part checks its own length, so all parts done means the size is right.
    const fetched = await fetchParts(job, entry, handle, partCount, md5 !== undefined, ctx);
    // Under SSE-KMS the ETag is not the MD5 (a listing cannot tell; the GET response can).
    if (md5 !== undefined && !fetched.kms && fetched.md5 !== md5) throw checksumError(`The downloaded "${job.key}" does not match its MD5 (ETag); it was not saved.`);
    // On disk before it gets its name, so a power cut cannot leave the name with bytes missing.
    await handle.datasync();
    await handle.close();
    handle = undefined;
    const placed = await place({ temp, size, file: entry.file as FileIdentity }, target, job.conflict, ctx);
    await ctx.journal.remove(job.id);
    if (placed === 'conflict' || placed === 'skipped') {
      await removeName(temp);
      return { state: placed };
    }
    return { state: 'done', key: job.key, localPath: placed };
  } catch (error) {
    await handle?.close().catch(() => {});
    // On shutdown a journaled download keeps its temp file and journal for resumePending(); a single
    // request starts over, and on cancel or failure nothing stays either.
    if (!isShutdown(ctx.signal) || partCount === 1) {
      await removeName(temp).catch(() => {});
      await ctx.journal.remove(job.id);
    }
    if (error instanceof KeydeskError && error.providerCode === 'PreconditionFailed') {
      throw new KeydeskError({ ...error.toJSON(), code: 'CONFLICT', message: `"${job.key}" was replaced on the server during the download; try again to get the new version.` }, { cause: error });
    }
    throw error instanceof KeydeskError ? error : fileError(temp, error);
  }
}

/**
 * An earlier run recorded this download's Finish and stopped (a crash) before reporting it: the target is
 * the finished file (done), or the finished file is still at its temp name (given its name now). The file
 * is recognised by device and inode, so a file someone else put at either name is never taken for it.
 */
async function completeFromEarlierRun(job: DownloadJob, finish: DownloadFinish, temp: string, ctx: RunContext): Promise<RunOutcome | undefined> {
  let placed: string | 'conflict' | 'skipped' = finish.target;
  if (await isSameFile(finish.target, finish.file)) {
    // A second name left by a crash between the hard link and the temp name's removal (see place()).
    if (await isSameFile(temp, finish.file)) await removeName(temp);
  } else if (await isSameFile(temp, finish.file)) {
    placed = await place({ temp, size: finish.size, file: finish.file }, job.target, job.conflict, ctx);
  } else return undefined;
  await ctx.journal.remove(job.id);
  if (placed === 'conflict' || placed === 'skipped') {
    await removeName(temp);
    return { state: placed };
  }
  ctx.onSize(finish.size);
  ctx.onBytes(finish.size);
  return { state: 'done', key: job.key, localPath: placed };
}

/**
 * The temp file, created exclusively (never opening anything already at the name) in the target's folder.
 * That folder and the ones above it up to the chosen folder are created or checked first (once per folder
 * and queue, `ctx.checkedFolders`), so no link planted among them leads the download out; the created file
 * is then proven to be inside the chosen folder, which also catches a folder swapped for a link later.
 */
async function createTemp(root: string, temp: string, ctx: RunContext): Promise<FileHandle> {
  const folder = dirname(temp);
  const checked = `${root}\0${folder}`;
  const checkFolder = async () => {
    ctx.checkedFolders.delete(checked);
    await ensureFolderWithin(root, folder).catch((error: unknown) => {
      throw folderError(folder, error);
    });
    ctx.checkedFolders.add(checked);
  };
  if (!ctx.checkedFolders.has(checked)) await checkFolder();
  let handle: FileHandle;
  try {
    handle = await createNewFile(temp);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw new KeydeskError({ code: 'CONFLICT', message: `Something else appeared at ${temp} while the download was starting; nothing was written.`, hint: 'Try again.' }, { cause: error });
    }
    // The folder was removed since it was checked.
    if (code !== 'ENOENT') throw error;
    await checkFolder();
    handle = await createNewFile(temp);
  }
  try {
    await assertCreatedWithin(root, handle, temp);
  } catch (error) {
    await handle.close();
    // Names the link that led out, if it is still there.
    await checkFolder();
    throw folderError(folder, error);
  }
  return handle;
}

/** A folder for a download that could not be made, or that leads outside the chosen folder. */
export function folderError(folder: string, error: unknown): KeydeskError {
  if (error instanceof OutsideFolderError) {
    return new KeydeskError(
      { code: 'ACCESS_DENIED', message: `${error.path} is a link to ${error.resolved}, outside the folder you chose (${error.root}); nothing was saved there.`, hint: 'Remove the link, or download into the folder it points to.' },
      { cause: error },
    );
  }
  return fileError(folder, error);
}

async function headObject(job: DownloadJob, ctx: RunContext): Promise<{ size: number; etag: string; kms: boolean }> {
  const head = await request(ctx, (o) => ctx.session.clientFor(job.bucket).send(new HeadObjectCommand({ Bucket: job.bucket, Key: job.key, VersionId: job.versionId }), o));
  return { size: head.ContentLength ?? 0, etag: head.ETag ?? '', kms: head.ServerSideEncryption?.startsWith('aws:kms') ?? false };
}

async function loadDownloadJournal(job: DownloadJob, ctx: RunContext): Promise<DownloadJournal | undefined> {
  const entry = await ctx.journal.load(job.id);
  return entry?.kind === 'download' ? entry : undefined;
}

/** Anything at the name counts as taken, a dangling link included. */
async function chooseTarget(target: string, policy: ConflictPolicy): Promise<string | 'conflict' | 'skipped'> {
  if (policy === 'overwrite' || !(await nameExists(target))) return target;
  if (policy === 'keep-both') return freeName(target);
  return policy === 'skip' ? 'skipped' : 'conflict';
}

async function freeName(target: string): Promise<string> {
  return join(dirname(target), await keepBothName(basename(target), (name) => nameExists(join(dirname(target), name))));
}

/**
 * Downloads the parts the journal does not list as done into `handle`; returns the MD5 of the whole file
 * when asked. Parts are synced to disk before the journal lists them as done, in groups (group-commit.ts),
 * and up to `concurrency` ranges are in flight, as many as the measured throughput rewards (parallelism.ts).
 */
async function fetchParts(job: DownloadJob, entry: DownloadJournal, handle: FileHandle, partCount: number, hash: boolean, ctx: RunContext): Promise<{ md5?: string; kms: boolean }> {
  // Sized up front so parts can be written at their offsets in any order (one part is written in order).
  if (partCount > 1) await handle.truncate(entry.size);
  // One part arrives in order: hash it as it streams in. Several finish out of order: hash the file's
  // finished prefix from the page cache as it grows.
  const inline = hash && partCount === 1;
  const hasher = hash && !inline ? new OrderedHasher(handle, entry.partSize, entry.size) : undefined;
  const done = new Set(entry.doneParts);
  for (const part of [...done].sort((a, b) => a - b)) {
    hasher?.partDone(part);
    ctx.onBytes(Math.min(entry.partSize, entry.size - part * entry.partSize));
  }
  const pending = Array.from({ length: partCount }, (_, i) => i).filter((i) => !done.has(i));
  let kms = false;
  // A single request (every small file) needs no pool, no commits and no combined abort signal.
  if (pending.length === 1 && partCount === 1) {
    const progress = new PartProgress(job, entry, 0, handle, ctx, inline);
    const fetched = await withRetry(() => fetchPart(job, entry, progress, partCount, ctx, ctx.signal), ctx.retry, ctx.signal);
    return { md5: inline ? fetched.md5 : await hasher?.digest(), kms: fetched.kms };
  }
  const commits = new GroupCommit(async (parts) => {
    await handle.datasync();
    for (const part of parts) done.add(part);
    entry.doneParts = [...done];
    await ctx.journal.save(entry);
    for (const _ of parts) await ctx.step('part-saved');
  });
  const max = Math.max(1, ctx.settings.concurrency);
  const parallelism = new ParallelismController({ min: Math.min(2, max), max, start: Math.ceil(max / 2) });
  // The run's context with arrivals also measured; read through, not copied, since the queue changes a
  // running transfer's context (a bandwidth limit set while it runs).
  const measured: RunContext = Object.create(ctx) as RunContext;
  measured.onBytes = (delta) => {
    ctx.onBytes(delta);
    if (delta > 0) parallelism.onBytes(delta, performance.now());
  };
  const fetchOne = async (part: number, signal: AbortSignal) => {
    const progress = new PartProgress(job, entry, part, handle, measured, false);
    const fetched = await withRetry(() => fetchPart(job, entry, progress, partCount, measured, signal), ctx.retry, signal);
    kms = fetched.kms || kms;
    hasher?.partDone(part);
    commits.add(part);
  };
  try {
    await runPool(pending, () => parallelism.limit, fetchOne, ctx.signal);
    await commits.flush();
    // A shutdown or cancel during the last commits (its ranges were all in) still stops the download here.
    throwIfCancelled(ctx.signal);
  } finally {
    // No commit may touch the file or the journal once the caller closes or removes them; on shutdown the
    // parts already downloaded are committed first, so a restart does not fetch them again.
    await commits.settle(isShutdown(ctx.signal));
  }
  return { md5: await hasher?.digest(), kms };
}

/**
 * What one part has received so far, across attempts: bytes are written to their offset as they arrive,
 * so an attempt that fails mid-body leaves them in place and the next one asks only for the rest.
 */
class PartProgress {
  readonly start: number;
  readonly length: number;
  received = 0;
  /** Bytes reported as progress: a chunk counts once the bandwidth limit has let it through. */
  private counted = 0;
  /** A chunk that never reached the file (cancelled while held by the limit, or a failed write). */
  private gap = false;
  private md5: Hash | undefined;
  private readonly writes = new Set<Promise<void>>();

  constructor(
    private readonly job: DownloadJob,
    private readonly entry: DownloadJournal,
    part: number,
    private readonly handle: FileHandle,
    private readonly ctx: RunContext,
    private readonly hash: boolean,
  ) {
    this.start = part * entry.partSize;
    this.length = Math.min(entry.size, this.start + entry.partSize) - this.start;
    this.md5 = hash ? createHash('md5') : undefined;
  }

  /** Chunks arrive in order; their writes may overlap (each has its own offset). */
  readonly write = (chunk: Buffer, signal: AbortSignal): Promise<void> => {
    if (this.received + chunk.length > this.length) {
      throw new KeydeskError({ code: 'PROVIDER', message: `The server sent more of "${this.job.key}" than was asked for; nothing was saved.` });
    }
    const position = this.start + this.received;
    this.received += chunk.length;
    this.md5?.update(chunk);
    const writing = this.writeAt(chunk, position, signal);
    this.writes.add(writing);
    return writing.finally(() => this.writes.delete(writing));
  };

  /**
   * After a failed attempt: waits for its writes, then keeps what arrived if the next request can be pinned
   * to the same object version (an ETag for If-Match) and every chunk reached the file; otherwise starts the
   * part over.
   */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.writes]);
    if (this.entry.etag && !this.gap) return;
    this.ctx.onBytes(-this.counted);
    this.received = 0;
    this.counted = 0;
    this.gap = false;
    this.md5 = this.hash ? createHash('md5') : undefined;
  }

  digest(): string | undefined {
    return this.md5?.digest('hex');
  }

  private async writeAt(chunk: Buffer, position: number, signal: AbortSignal): Promise<void> {
    // The socket pauses while chunks wait here, so a bandwidth limit slows the server's sending too.
    try {
      const wait = this.ctx.throttle?.take(chunk.length, signal);
      if (wait) await wait;
    } catch (error) {
      this.gap = true;
      throw error;
    }
    this.ctx.onBytes(chunk.length);
    this.counted += chunk.length;
    try {
      for (let written = 0; written < chunk.length; ) written += (await this.handle.write(chunk, written, chunk.length - written, position + written)).bytesWritten;
    } catch (error) {
      this.gap = true;
      throw fileError(this.entry.temp, error);
    }
  }
}

/**
 * One GET of the rest of a part (a range, unless it is the whole object from its first byte), written to
 * its offset as it arrives. Returns whether the object is SSE-KMS encrypted and, when the part hashes what
 * arrives (a single-part download), the MD5 of the whole part.
 */
async function fetchPart(job: DownloadJob, entry: DownloadJournal, progress: PartProgress, partCount: number, ctx: RunContext, signal: AbortSignal): Promise<{ kms: boolean; md5?: string }> {
  const from = progress.start + progress.received;
  const end = progress.start + progress.length - 1;
  let result;
  try {
    const range = partCount > 1 || progress.received > 0 ? { start: from, end } : undefined;
    // Not retried here: fetchParts retries the part, from the first byte it does not have.
    result = await s3Call(ctx.session, signal, (o) => ctx.session.objects.get({ bucket: job.bucket, key: job.key }, (chunk) => progress.write(chunk, signal), { range, ifMatch: entry.etag || undefined, versionId: job.versionId, signal: o.abortSignal }));
  } catch (error) {
    await progress.settle();
    throw error;
  }
  if (progress.received !== progress.length) {
    await progress.settle();
    throw new KeydeskError({ code: 'NETWORK', message: `The connection ended early while downloading "${job.key}".` });
  }
  return { kms: result.serverSideEncryption?.startsWith('aws:kms') ?? false, md5: progress.digest() };
}

const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EXDEV', 'ENOSYS', 'EOPNOTSUPP']);

/**
 * Gives the finished temp file its name. Overwriting renames over the target, which replaces whatever is
 * there as a name (a link is replaced, never written through). Otherwise a hard link claims the name
 * atomically, so a file that appeared there during the download is never replaced. The Finish record is
 * on disk before each attempt, and the folder is synced after, so a crash on either side of the rename is
 * recognised on restart (completeFromEarlierRun) instead of downloading again or asking about a conflict
 * with itself.
 */
async function place(finished: { temp: string; size: number; file: FileIdentity }, target: string, policy: ConflictPolicy, ctx: RunContext): Promise<string | 'conflict' | 'skipped'> {
  const { temp } = finished;
  const claim = (candidate: string) => ctx.finishing({ target: candidate, size: finished.size, file: finished.file });
  const placed = async (candidate: string) => {
    await syncFolder(dirname(candidate));
    await ctx.step('placed');
    return candidate;
  };
  if (policy === 'overwrite') {
    await claim(target);
    await rename(temp, target).catch((error: unknown) => {
      throw fileError(target, error);
    });
    return placed(target);
  }
  for (let candidate = target; ; ) {
    await claim(candidate);
    try {
      await link(temp, candidate);
      await removeName(temp);
      return await placed(candidate);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      const taken = code === 'EEXIST' || (NO_HARD_LINKS.has(code) && (await nameExists(candidate)));
      if (!taken && NO_HARD_LINKS.has(code)) {
        await rename(temp, candidate);
        return placed(candidate);
      }
      if (!taken) throw fileError(candidate, error);
      if (policy !== 'keep-both') return policy === 'skip' ? 'skipped' : 'conflict';
      candidate = await freeName(target);
    }
  }
}

function fileError(path: string, error: unknown): KeydeskError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'ENOTDIR') {
    return new KeydeskError({ code: 'CONFLICT', message: `${path} could not be written: a folder is in the way (${(error as Error).message}).`, hint: 'Rename or move the folder, or choose another place.' }, { cause: error });
  }
  return new KeydeskError({ code: 'INTERNAL', message: `${path} could not be written (${(error as Error).message}).`, hint: 'Check free disk space and that the folder is writable.' }, { cause: error });
}
