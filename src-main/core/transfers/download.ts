import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { link, mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { KeydeskError } from '../errors';
import { describeS3Error } from '../s3/client';
import { runPool } from '../s3/pool';
import { cancelledError } from '../s3/session';
import { isShutdown, partSizeFor, plainMd5, request, type RunContext, type RunOutcome, type TransferJob } from './context';
import type { DownloadJournal } from './journal';
import { keepBothName, pathExists, tempPathFor } from './local-files';
import { OrderedHasher } from './ordered-hasher';
import { checksumError, withRetry } from './retry';
import type { ConflictPolicy } from './types';

export interface DownloadJob extends TransferJob {
  target: string;
}

/** Writes are gathered into blocks of this size: fewer syscalls than one per socket chunk, bounded memory. */
const WRITE_BLOCK = 1024 * 1024;

/**
 * Downloads to a hidden temp file beside the target with `concurrency` ranged GETs (each pinned to the
 * ETag seen at start with If-Match), checks size and, for plain-MD5 ETags, the MD5, and only then renames.
 */
export async function runDownload(job: DownloadJob, ctx: RunContext): Promise<RunOutcome> {
  const head = await request(ctx, (o) => ctx.session.client.send(new HeadObjectCommand({ Bucket: job.bucket, Key: job.key }), o));
  const size = head.ContentLength ?? 0;
  const etag = head.ETag ?? '';
  ctx.onSize(size);
  let journal = await loadDownloadJournal(job, ctx);
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
    await mkdir(dirname(target), { recursive: true });
    // Single-request downloads are not journaled: there is nothing to resume but the whole object.
    if (partCount > 1) await ctx.journal.save(entry);
    const md5 = head.ServerSideEncryption?.startsWith('aws:kms') ? undefined : plainMd5(etag);
    const actualMd5 = await fetchParts(job, entry, partCount, md5 !== undefined, ctx);
    const written = (await stat(entry.temp)).size;
    if (written !== size) throw checksumError(`The download of "${job.key}" has ${written} bytes instead of ${size}.`);
    if (md5 !== undefined && actualMd5 !== md5) throw checksumError(`The downloaded "${job.key}" does not match its MD5 (ETag); it was not saved.`);
    const placed = await place(entry.temp, target, job.conflict);
    await ctx.journal.remove(job.id);
    if (placed === 'conflict' || placed === 'skipped') {
      await rm(entry.temp, { force: true });
      return { state: placed };
    }
    return { state: 'done', key: job.key, localPath: placed };
  } catch (error) {
    // On shutdown the temp file and journal stay for resumePending(); on cancel or failure nothing stays.
    if (!isShutdown(ctx.signal)) {
      await rm(entry.temp, { force: true });
      await ctx.journal.remove(job.id);
    }
    throw error instanceof KeydeskError ? error : fileError(entry.temp, error);
  }
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
async function fetchParts(job: DownloadJob, entry: DownloadJournal, partCount: number, hash: boolean, ctx: RunContext): Promise<string | undefined> {
  const resumed = entry.doneParts.length > 0;
  const handle = await open(entry.temp, resumed ? 'r+' : 'w+');
  try {
    // Sized up front so parts can be written at their offsets in any order.
    await handle.truncate(entry.size);
    const hasher = hash ? new OrderedHasher(handle, entry.partSize, entry.size) : undefined;
    const done = new Set(entry.doneParts);
    for (const part of [...done].sort((a, b) => a - b)) {
      hasher?.partDone(part);
      ctx.onBytes(Math.min(entry.partSize, entry.size - part * entry.partSize));
    }
    const pending = Array.from({ length: partCount }, (_, i) => i).filter((i) => !done.has(i));
    await runPool(
      pending,
      ctx.settings.concurrency,
      async (part, signal) => {
        await withRetry(() => fetchPart(job, entry, part, partCount, handle, ctx, signal), ctx.retry, signal);
        done.add(part);
        hasher?.partDone(part);
        if (partCount > 1) {
          entry.doneParts = [...done];
          await ctx.journal.save(entry);
        }
      },
      ctx.signal,
    );
    return await hasher?.digest();
  } finally {
    await handle.close();
  }
}

/** One ranged GET streamed to its offset. A failed attempt takes its bytes back from the progress. */
async function fetchPart(job: DownloadJob, entry: DownloadJournal, part: number, partCount: number, handle: FileHandle, ctx: RunContext, signal: AbortSignal): Promise<void> {
  const start = part * entry.partSize;
  const end = Math.min(entry.size, start + entry.partSize) - 1;
  const response = await request(
    ctx,
    (o) =>
      ctx.session.client.send(
        new GetObjectCommand({ Bucket: job.bucket, Key: job.key, Range: partCount > 1 ? `bytes=${start}-${end}` : undefined, IfMatch: entry.etag || undefined }),
        o,
      ),
    signal,
  );
  const block = Buffer.allocUnsafe(Math.min(WRITE_BLOCK, Math.max(1, end - start + 1)));
  let filled = 0;
  let position = start;
  const flush = async () => {
    await writeFully(handle, block.subarray(0, filled), position);
    position += filled;
    ctx.onBytes(filled);
    filled = 0;
  };
  try {
    for await (const chunk of response.Body as Readable) {
      for (let offset = 0; offset < (chunk as Buffer).length; ) {
        const copied = (chunk as Buffer).copy(block, filled, offset);
        filled += copied;
        offset += copied;
        if (filled === block.length) await flush();
      }
    }
    if (filled > 0) await flush();
  } catch (error) {
    ctx.onBytes(start - position);
    if (signal.aborted) throw cancelledError();
    throw describeS3Error(error, ctx.session.endpoint);
  }
  if (position !== end + 1) {
    ctx.onBytes(start - position);
    throw new KeydeskError({ code: 'NETWORK', message: `The connection ended early while downloading "${job.key}".` });
  }
}

async function writeFully(handle: FileHandle, data: Buffer, position: number): Promise<void> {
  for (let written = 0; written < data.length; ) {
    const { bytesWritten } = await handle.write(data, written, data.length - written, position + written);
    written += bytesWritten;
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
