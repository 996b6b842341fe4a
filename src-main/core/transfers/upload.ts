import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, HeadObjectCommand, ListPartsCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { KeydeskError } from '../errors';
import { objectExists } from '../s3/objects';
import { runPool } from '../s3/pool';
import { s3Call, type S3Session } from '../s3/session';
import { captureHeaders } from '../s3/raw-response';
import { identifyServer } from '../s3/server-profile';
import { isShutdown, partSizeFor, plainMd5, request, SWIFT_MAX_PARTS, type RunContext, type RunOutcome, type TransferJob } from './context';
import type { UploadFinish, UploadJournal } from './journal';
import { contentTypeFor, keepBothName } from './local-files';
import { md5 as md5Of, partBuffer } from './md5-pool';
import { checksumError } from '../retry';

/*
 * Integrity, whatever the endpoint's checksum mode: every PUT/part carries Content-MD5, which every
 * S3-compatible server verifies (400 BadDigest, retried), and the returned ETag is compared with our MD5
 * when it is a plain MD5 (not under SSE-KMS). Bodies are in-memory part buffers, so the length is always
 * known.
 *
 * Because of that, these requests are signed with x-amz-content-sha256: UNSIGNED-PAYLOAD instead of a
 * SHA-256 of the body (~2.5 s of CPU per GB, more than the MD5). Integrity does not get weaker:
 * Content-MD5 is a signed header, so the body the server accepts is the one whose MD5 we signed, on plain
 * HTTP too. The MD5 of large parts is computed in worker threads (md5-pool.ts), and the bytes go out
 * through the session's lean object path (s3/object-requests.ts).
 */

export interface UploadJob extends TransferJob {
  file: string;
  /** From an earlier run that was about to complete (journal.ts, Finish). */
  finish?: UploadFinish;
}

export async function runUpload(job: UploadJob, ctx: RunContext): Promise<RunOutcome> {
  if (job.finish && (await isOnServer(job.bucket, job.finish, ctx))) {
    // An earlier run's final request landed before it could report it: done, without sending it again (a
    // multipart journal left beside it names an upload its CompleteMultipartUpload has already closed).
    await ctx.journal.remove(job.id);
    ctx.onSize(job.finish.size);
    ctx.onBytes(job.finish.size);
    return { state: 'done', key: job.finish.key, localPath: job.file };
  }
  const handle = await openSource(job.file);
  try {
    return await uploadFrom(handle, job, ctx);
  } finally {
    await handle.close();
  }
}

async function uploadFrom(handle: FileHandle, job: UploadJob, ctx: RunContext): Promise<RunOutcome> {
  const stats = await handle.stat();
  const source = { size: stats.size, mtimeMs: stats.mtimeMs };
  ctx.onSize(source.size);
  let journal = await loadUploadJournal(job, ctx);
  if (journal && (journal.fileSize !== source.size || journal.fileMtimeMs !== source.mtimeMs)) {
    // The file changed since the upload began: its uploaded parts are of another content.
    await abortUpload(ctx.session, journal);
    await ctx.journal.remove(job.id);
    journal = undefined;
  }
  let uploaded = new Map<number, string>();
  if (journal) {
    const onServer = await listUploadedParts(journal, ctx);
    if (onServer) uploaded = onServer;
    else {
      // The upload expired or was aborted elsewhere: start over.
      await ctx.journal.remove(job.id);
      journal = undefined;
    }
  }
  let key = journal?.key ?? job.key;
  if (!journal) {
    const target = await chooseKey(job, ctx);
    if (target === 'conflict' || target === 'skipped') return { state: target };
    key = target;
  }
  const partSize = journal?.partSize ?? partSizeFor(source.size, ctx.settings);
  if (!journal && source.size <= partSize) {
    await putWhole(handle, job.file, source.size, job.bucket, key, ctx);
    return { state: 'done', key, localPath: job.file };
  }
  journal ??= await startUpload(job, key, source, partSize, ctx);
  await uploadParts(handle, journal, uploaded, ctx);
  return { state: 'done', key, localPath: job.file };
}

/** Whether the object at the Finish's key is the one its final request leaves (size and ETag). */
async function isOnServer(bucket: string, finish: UploadFinish, ctx: RunContext): Promise<boolean> {
  try {
    const head = await request(ctx, (o) => ctx.session.clientFor(bucket).send(new HeadObjectCommand({ Bucket: bucket, Key: finish.key }), o));
    return head.ContentLength === finish.size && unquoted(head.ETag ?? '').toLowerCase() === finish.etag;
  } catch (error) {
    if (error instanceof KeydeskError && error.code === 'NOT_FOUND') return false;
    throw error;
  }
}

async function openSource(file: string): Promise<FileHandle> {
  try {
    return await open(file, 'r');
  } catch (error) {
    throw new KeydeskError({ code: 'NOT_FOUND', message: `The file ${file} cannot be read (${(error as Error).message}).` }, { cause: error });
  }
}

async function loadUploadJournal(job: UploadJob, ctx: RunContext): Promise<UploadJournal | undefined> {
  const entry = await ctx.journal.load(job.id);
  return entry?.kind === 'upload' ? entry : undefined;
}

async function chooseKey(job: UploadJob, ctx: RunContext): Promise<string | 'conflict' | 'skipped'> {
  if (job.conflict === 'overwrite') return job.key;
  const exists = (key: string) => objectExists(ctx.session, job.bucket, key, ctx.signal);
  if (!(await exists(job.key))) return job.key;
  if (job.conflict === 'keep-both') return keepBothName(job.key, exists);
  return job.conflict === 'skip' ? 'skipped' : 'conflict';
}

async function putWhole(handle: FileHandle, file: string, size: number, bucket: string, key: string, ctx: RunContext): Promise<void> {
  const body = size >= 1024 * 1024 ? partBuffer(size) : Buffer.allocUnsafe(size);
  await readExactly(handle, body, 0, file);
  const md5 = await md5Of(body);
  await ctx.finishing({ key, size, etag: md5.toString('hex') });
  const stored = async (o: { abortSignal?: AbortSignal }) => {
    const head = await ctx.session.clientFor(bucket).send(new HeadObjectCommand({ Bucket: bucket, Key: key }), o).catch((error: unknown) => {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
      throw error;
    });
    return head?.ContentLength === size && plainMd5(head.ETag) === md5.toString('hex') ? { etag: head.ETag } : undefined;
  };
  const result = await sendCounted(ctx, ctx.signal, size, stored, (sending) => ctx.session.objects.put({ bucket, key }, body, md5, { contentType: contentTypeFor(file), ...sending }));
  await ctx.step('sent');
  verifyEtag(result.etag, 'serverSideEncryption' in result ? result.serverSideEncryption : undefined, md5, key);
}

/**
 * One PUT whose bytes count as they leave for the server (through the credential's bandwidth limit, if
 * any), retried like any request; a failed attempt takes its bytes back from the progress, and an attempt
 * whose answer was lost first asks the server whether the body arrived (`stored`) before sending it again.
 */
function sendCounted<T>(
  ctx: RunContext,
  signal: AbortSignal,
  size: number,
  stored: (options: { abortSignal?: AbortSignal }) => Promise<{ etag?: string } | undefined>,
  put: (sending: { signal?: AbortSignal; onSent: (bytes: number) => void; pace?: RunContext['throttle'] }) => Promise<T>,
): Promise<T | { etag?: string }> {
  let sent = 0;
  const onSent = (bytes: number) => {
    sent += bytes;
    ctx.onBytes(bytes);
  };
  const attempt = unlessStored(stored, async (o) => {
    try {
      return await put({ signal: o.abortSignal, onSent, pace: ctx.throttle });
    } catch (error) {
      ctx.onBytes(-sent);
      sent = 0;
      throw error;
    }
  });
  return request(
    ctx,
    async (o) => {
      const result = await attempt(o);
      // Found on the server after a lost answer: its bytes were taken back when that attempt failed.
      if (sent < size) ctx.onBytes(size - sent);
      sent = size;
      return result;
    },
    signal,
  );
}

async function startUpload(job: UploadJob, key: string, source: { size: number; mtimeMs: number }, partSize: number, ctx: RunContext): Promise<UploadJournal> {
  // The answer names the server: on Swift the parts grow so that the file fits in its 1,000 parts.
  let swift = false;
  const created = await request(ctx, (o) =>
    ctx.session.clientFor(job.bucket).send(
      captureHeaders(new CreateMultipartUploadCommand({ Bucket: job.bucket, Key: key, ContentType: contentTypeFor(job.file) }), (headers) => {
        swift = identifyServer(headers, ctx.session.endpoint) === 'swift';
      }),
      o,
    ),
  );
  if (swift) partSize = Math.max(partSize, partSizeFor(source.size, ctx.settings, SWIFT_MAX_PARTS));
  const journal: UploadJournal = {
    kind: 'upload',
    id: job.id,
    credentialId: job.credentialId,
    bucket: job.bucket,
    key,
    conflict: job.conflict,
    groupId: job.groupId,
    createdAt: job.createdAt,
    file: job.file,
    fileSize: source.size,
    fileMtimeMs: source.mtimeMs,
    partSize,
    uploadId: created.UploadId ?? '',
    parts: [],
  };
  await ctx.journal.save(journal);
  await ctx.step('journaled');
  return journal;
}

/**
 * Uploads the parts the server does not already hold, `concurrency` at a time. Each part is read into a
 * reused buffer, so memory stays at concurrency × part size whatever the file size. A part already on the
 * server (resume) is skipped only if its ETag matches the local bytes' MD5.
 */
async function uploadParts(handle: FileHandle, journal: UploadJournal, onServer: Map<number, string>, ctx: RunContext): Promise<void> {
  const { bucket, key, uploadId, partSize, fileSize } = journal;
  const done = new Map<number, string>();
  try {
    const count = Math.max(1, Math.ceil(fileSize / partSize));
    const buffers: Buffer[] = [];
    await runPool(
        Array.from({ length: count }, (_, i) => i + 1),
        ctx.settings.concurrency,
        async (partNumber, signal) => {
          const offset = (partNumber - 1) * partSize;
          const length = Math.min(partSize, fileSize - offset);
          const buffer = buffers.pop() ?? partBuffer(partSize);
          try {
            const body = buffer.subarray(0, length);
            await readExactly(handle, body, offset, journal.file);
            const md5 = await md5Of(body);
            const serverEtag = onServer.get(partNumber);
            if (serverEtag !== undefined && serverEtag.toLowerCase() === md5.toString('hex')) {
              done.set(partNumber, serverEtag);
            } else {
              const stored = async (o: { abortSignal?: AbortSignal }) => {
                const listed = await ctx.session.clientFor(bucket).send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumberMarker: String(partNumber - 1), MaxParts: 1 }), o);
                const part = listed.Parts?.find((p) => p.PartNumber === partNumber);
                return part?.ETag && unquoted(part.ETag).toLowerCase() === md5.toString('hex') ? { etag: part.ETag } : undefined;
              };
              const result = await sendCounted(ctx, signal, length, stored, (sending) => ctx.session.objects.put({ bucket, key }, body, md5, { part: { uploadId, partNumber }, ...sending }));
              verifyEtag(result.etag, 'serverSideEncryption' in result ? result.serverSideEncryption : undefined, md5, `${key} part ${partNumber}`);
              done.set(partNumber, unquoted(result.etag ?? md5.toString('hex')));
              journal.parts = [...done].map(([n, etag]) => ({ partNumber: n, etag }));
              await ctx.journal.save(journal);
              await ctx.step('part-saved');
              return;
            }
            ctx.onBytes(length);
          } finally {
            buffers.push(buffer);
          }
        },
        ctx.signal,
      );
    const sorted = [...done].sort(([a], [b]) => a - b);
    const parts = sorted.map(([PartNumber, etag]) => ({ PartNumber, ETag: `"${etag}"` }));
    const etag = multipartEtag(sorted.map(([, partEtag]) => partEtag));
    await ctx.finishing({ key, size: fileSize, etag });
    await request(ctx, (o) => ctx.session.clientFor(bucket).send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }), o));
    await ctx.step('sent');
    // RGW 16 answers CompleteMultipartUpload with an empty ETag: ask the object itself what arrived.
    const head = await request(ctx, (o) => ctx.session.clientFor(bucket).send(new HeadObjectCommand({ Bucket: bucket, Key: key }), o));
    if (head.ContentLength !== fileSize) {
      throw checksumError(`The uploaded object "${key}" has ${head.ContentLength} bytes instead of ${fileSize}.`);
    }
    await ctx.journal.remove(journal.id);
  } catch (error) {
    // On shutdown the upload and journal stay for resumePending(); otherwise nothing may be left behind.
    if (!isShutdown(ctx.signal)) {
      await abortUpload(ctx.session, journal);
      await ctx.journal.remove(journal.id);
    }
    throw error;
  }
}

/** Part number → unquoted ETag of the parts the server holds; undefined if the upload no longer exists. */
async function listUploadedParts(journal: UploadJournal, ctx: RunContext): Promise<Map<number, string> | undefined> {
  const parts = new Map<number, string>();
  let marker: string | undefined;
  try {
    do {
      const page = await request(ctx, (o) =>
        ctx.session.clientFor(journal.bucket).send(new ListPartsCommand({ Bucket: journal.bucket, Key: journal.key, UploadId: journal.uploadId, PartNumberMarker: marker }), o),
      );
      for (const part of page.Parts ?? []) if (part.PartNumber && part.ETag) parts.set(part.PartNumber, unquoted(part.ETag));
      marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
    } while (marker);
  } catch (error) {
    if (error instanceof KeydeskError && error.providerCode === 'NoSuchUpload') return undefined;
    throw error;
  }
  return parts;
}

/**
 * A PUT whose answer was lost on the way (the connection reset, stalled or closed after the body left)
 * may have been stored: before sending the body again, ask the server whether it holds these bytes.
 */
function unlessStored<T>(stored: (options: { abortSignal?: AbortSignal }) => Promise<{ etag?: string } | undefined>, put: (options: { abortSignal?: AbortSignal }) => Promise<T>): (options: { abortSignal?: AbortSignal }) => Promise<T | { etag?: string }> {
  let answerLost = false;
  return async (options) => {
    if (answerLost) {
      const found = await stored(options);
      if (found) return found;
    }
    try {
      return await put(options);
    } catch (error) {
      // An S3 error answer means the server refused the body; anything else may have come after it was stored.
      answerLost = !(error instanceof S3ServiceException);
      throw error;
    }
  };
}

/** Not cancellable and best effort: it runs because of a cancel or failure, and must not mask that. */
export async function abortUpload(session: S3Session, journal: Pick<UploadJournal, 'bucket' | 'key' | 'uploadId'>): Promise<void> {
  await s3Call(session, undefined, (o) =>
    session.clientFor(journal.bucket).send(new AbortMultipartUploadCommand({ Bucket: journal.bucket, Key: journal.key, UploadId: journal.uploadId }), o),
  ).catch(() => {});
}

function verifyEtag(etag: string | undefined, encryption: string | undefined, md5: Buffer, what: string): void {
  const returned = plainMd5(etag);
  // Under SSE-KMS the ETag is not the MD5; Content-MD5 was still checked by the server.
  if (returned === undefined || encryption === 'aws:kms' || encryption === 'aws:kms:dsse') return;
  if (returned !== md5.toString('hex')) throw checksumError(`The server stored different bytes for ${what} than were sent (ETag mismatch).`);
}

async function readExactly(handle: FileHandle, into: Buffer, position: number, file: string): Promise<void> {
  let filled = 0;
  while (filled < into.length) {
    const { bytesRead } = await handle.read(into, filled, into.length - filled, position + filled);
    if (bytesRead === 0) {
      throw new KeydeskError({ code: 'CONFLICT', message: `The file ${file} got shorter while it was being uploaded; upload it again when it is no longer being written.` });
    }
    filled += bytesRead;
  }
}

/** The ETag S3 gives an object assembled from parts: the MD5 of the parts' binary MD5s, then "-" and their count. */
function multipartEtag(partMd5s: string[]): string {
  const hash = createHash('md5');
  for (const md5 of partMd5s) hash.update(Buffer.from(md5, 'hex'));
  return `${hash.digest('hex')}-${partMd5s.length}`;
}

function unquoted(etag: string): string {
  return etag.replaceAll('"', '');
}
