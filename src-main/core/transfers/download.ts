import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { link, mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { KeydeskError } from '../errors';
import { runPool } from '../s3/pool';
import { s3Call } from '../s3/session';
import { isShutdown, partSizeFor, plainMd5, request, type RunContext, type RunOutcome, type TransferJob } from './context';
import type { DownloadJournal } from './journal';
import { keepBothName, pathExists, tempPathFor } from './local-files';
import { OrderedHasher } from './ordered-hasher';
import { checksumError, withRetry } from './retry';
import type { ConflictPolicy } from './types';

export interface DownloadJob extends TransferJob {
  target: string;
  /** Size and ETag from a listing: when both are known the HeadObject request is skipped. */
  listed?: { size: number; etag: string };
}

/**
 * Downloads to a hidden temp file beside the target with `concurrency` ranged GETs (each pinned with
 * If-Match to the ETag seen at start), checks every part's length and, for plain-MD5 ETags, the MD5 of
 * the whole file, and only then moves it to the target.
 */
export async function runDownload(job: DownloadJob, ctx: RunContext): Promise<RunOutcome> {
  let journal = await loadDownloadJournal(job, ctx);
  const { size, etag, kms } = journal || !job.listed ? await headObject(job, ctx) : { ...job.listed, kms: false };
  ctx.onSize(size);
  if (journal && (journal.etag !== etag || journal.size !== size || !(await pathExists(journal.temp)))) {
    // The object changed (or the partial file is gone) since the download began: start over.
    await rm(journal.temp, { force: true });
    await ctx.journal.remove(job.id);
    journal = undefined;
  }
  let target = journal?.target ?? job.target;
  if (!journal) {
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
    temp: tempPathFor(target),
    size,
    etag,
    partSize,
    doneParts: [],
  };
  const partCount = Math.max(1, Math.ceil(size / partSize));
  try {
    // Single-request downloads are not journaled: there is nothing to resume but the whole object.
    if (partCount > 1) await ctx.journal.save(entry);
    const md5 = kms ? undefined : plainMd5(etag);
    // Every part checks its own length, so all parts done means the size is right.
    const fetched = await fetchParts(job, entry, partCount, md5 !== undefined, ctx);
    // Under SSE-KMS the ETag is not the MD5 (a listing cannot tell; the GET response can).
    if (md5 !== undefined && !fetched.kms && fetched.md5 !== md5) throw checksumError(`The downloaded "${job.key}" does not match its MD5 (ETag); it was not saved.`);
    const placed = await place(entry.temp, target, job.conflict);
    await ctx.journal.remove(job.id);
    if (placed === 'conflict' || placed === 'skipped') {
      await rm(entry.temp, { force: true });
      return { state: placed };
    }
    return { state: 'done', key: job.key, localPath: placed };
  } catch (error) {
    // On shutdown a journaled download keeps its temp file and journal for resumePending(); a single
    // request starts over, and on cancel or failure nothing stays either.
    if (!isShutdown(ctx.signal) || partCount === 1) {
      await rm(entry.temp, { force: true });
      await ctx.journal.remove(job.id);
    }
    if (error instanceof KeydeskError && error.providerCode === 'PreconditionFailed') {
      throw new KeydeskError({ ...error.toJSON(), code: 'CONFLICT', message: `"${job.key}" was replaced on the server during the download; try again to get the new version.` }, { cause: error });
    }
    throw error instanceof KeydeskError ? error : fileError(entry.temp, error);
  }
}

async function headObject(job: DownloadJob, ctx: RunContext): Promise<{ size: number; etag: string; kms: boolean }> {
  const head = await request(ctx, (o) => ctx.session.client.send(new HeadObjectCommand({ Bucket: job.bucket, Key: job.key, VersionId: job.versionId }), o));
  return { size: head.ContentLength ?? 0, etag: head.ETag ?? '', kms: head.ServerSideEncryption?.startsWith('aws:kms') ?? false };
}

async function loadDownloadJournal(job: DownloadJob, ctx: RunContext): Promise<DownloadJournal | undefined> {
  const entry = await ctx.journal.load(job.id);
  return entry?.kind === 'download' ? entry : undefined;
}

async function chooseTarget(target: string, policy: ConflictPolicy): Promise<string | 'conflict' | 'skipped'> {
  if (policy === 'overwrite' || !(await pathExists(target))) return target;
  if (policy === 'keep-both') return join(dirname(target), await keepBothName(basename(target), (name) => pathExists(join(dirname(target), name))));
  return policy === 'skip' ? 'skipped' : 'conflict';
}

/** Downloads the parts the journal does not list as done; returns the MD5 of the whole file when asked. */
async function fetchParts(job: DownloadJob, entry: DownloadJournal, partCount: number, hash: boolean, ctx: RunContext): Promise<{ md5?: string; kms: boolean }> {
  const resumed = entry.doneParts.length > 0;
  const handle = await openTemp(entry.temp, resumed ? 'r+' : 'w+');
  try {
    // Sized up front so parts can be written at their offsets in any order (one part is written in order).
    if (partCount > 1) await handle.truncate(entry.size);
    // One part arrives in order: hash it as it streams in. Several finish out of order: hash the file's
    // finished prefix from the page cache as it grows.
    const inline = hash && partCount === 1;
    const hasher = hash && !inline ? new OrderedHasher(handle, entry.partSize, entry.size) : undefined;
    let inlineMd5: string | undefined;
    const done = new Set(entry.doneParts);
    for (const part of [...done].sort((a, b) => a - b)) {
      hasher?.partDone(part);
      ctx.onBytes(Math.min(entry.partSize, entry.size - part * entry.partSize));
    }
    const pending = Array.from({ length: partCount }, (_, i) => i).filter((i) => !done.has(i));
    let kms = false;
    const fetchOne = async (part: number, signal: AbortSignal) => {
      const fetched = await withRetry(() => fetchPart(job, entry, part, partCount, handle, ctx, signal, inline), ctx.retry, signal);
      kms = fetched.kms || kms;
      inlineMd5 = fetched.md5;
      done.add(part);
      hasher?.partDone(part);
      if (partCount > 1) {
        entry.doneParts = [...done];
        await ctx.journal.save(entry);
      }
    };
    // A single request (every small file) needs no pool and no combined abort signal.
    if (pending.length === 1) await fetchOne(pending[0], ctx.signal);
    else await runPool(pending, ctx.settings.concurrency, fetchOne, ctx.signal);
    return { md5: inline ? inlineMd5 : await hasher?.digest(), kms };
  } finally {
    await handle.close();
  }
}

/**
 * One ranged GET written to its offset as it arrives. A failed attempt takes its bytes back from the
 * progress. Returns whether the object is SSE-KMS encrypted and, when `hash` (a single-part download),
 * the MD5 of what arrived.
 */
async function fetchPart(
  job: DownloadJob,
  entry: DownloadJournal,
  part: number,
  partCount: number,
  handle: FileHandle,
  ctx: RunContext,
  signal: AbortSignal,
  hash: boolean,
): Promise<{ kms: boolean; md5?: string }> {
  const start = part * entry.partSize;
  const length = Math.min(entry.size, start + entry.partSize) - start;
  const md5 = hash ? createHash('md5') : undefined;
  let received = 0;
  // Chunks arrive in order; their writes may overlap (each has its own offset).
  const write = async (chunk: Buffer) => {
    if (received + chunk.length > length) {
      throw new KeydeskError({ code: 'PROVIDER', message: `The server sent more of "${job.key}" than was asked for; nothing was saved.` });
    }
    const position = start + received;
    received += chunk.length;
    md5?.update(chunk);
    ctx.onBytes(chunk.length);
    try {
      for (let written = 0; written < chunk.length; ) written += (await handle.write(chunk, written, chunk.length - written, position + written)).bytesWritten;
    } catch (error) {
      throw fileError(entry.temp, error);
    }
  };
  let result;
  try {
    const range = partCount > 1 ? { start, end: start + length - 1 } : undefined;
    // Not retried here: fetchParts retries the whole part, from its first byte.
    result = await s3Call(ctx.session, signal, (o) => ctx.session.objects.get({ bucket: job.bucket, key: job.key }, write, { range, ifMatch: entry.etag || undefined, versionId: job.versionId, signal: o.abortSignal }));
  } catch (error) {
    ctx.onBytes(-received);
    throw error;
  }
  if (received !== length) {
    ctx.onBytes(-received);
    throw new KeydeskError({ code: 'NETWORK', message: `The connection ended early while downloading "${job.key}".` });
  }
  return { kms: result.serverSideEncryption?.startsWith('aws:kms') ?? false, md5: md5?.digest('hex') };
}

/** Opens the temp file beside the target; the folder is created only when missing (one mkdir per folder, not per file). */
async function openTemp(path: string, flags: string): Promise<FileHandle> {
  try {
    return await open(path, flags);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(dirname(path), { recursive: true });
    return await open(path, flags);
  }
}

const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EXDEV', 'ENOSYS', 'EOPNOTSUPP']);

/**
 * Moves the finished temp file to its target. Unless overwriting, a hard link claims the name atomically,
 * so a file that appeared there during the download is never replaced.
 */
async function place(temp: string, target: string, policy: ConflictPolicy): Promise<string | 'conflict' | 'skipped'> {
  if (policy === 'overwrite') {
    await rename(temp, target);
    return target;
  }
  for (let candidate = target; ; ) {
    try {
      await link(temp, candidate);
      await rm(temp, { force: true });
      return candidate;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      const taken = code === 'EEXIST' || (NO_HARD_LINKS.has(code) && (await pathExists(candidate)));
      if (!taken && NO_HARD_LINKS.has(code)) {
        await rename(temp, candidate);
        return candidate;
      }
      if (!taken) throw fileError(candidate, error);
      if (policy !== 'keep-both') return policy === 'skip' ? 'skipped' : 'conflict';
      candidate = join(dirname(target), await keepBothName(basename(target), (name) => pathExists(join(dirname(target), name))));
    }
  }
}

function fileError(path: string, error: unknown): KeydeskError {
  return new KeydeskError({ code: 'INTERNAL', message: `${path} could not be written (${(error as Error).message}).`, hint: 'Check free disk space and that the folder is writable.' }, { cause: error });
}
