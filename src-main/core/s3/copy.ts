import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  UploadPartCopyCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { KeydeskError } from '../errors';
import { BatchDeleter } from './batch-delete';
import { countObjects, listObjectsUnder } from './listing';
import { objectDetails, objectExists, type ObjectDetails } from './objects';
import { runPool } from './pool';
import { copySource, folderPrefix } from './uri';
import { s3Call, type BatchOptions, type S3Session } from './session';

export interface ObjectRef {
  bucket: string;
  key: string;
}

export interface CopyOptions {
  /** Objects above this size are copied part by part; S3 refuses a single CopyObject above 5 GB. */
  multipartThreshold?: number;
  partSize?: number;
  /** Parallel part copies for one object, or parallel object copies in a folder move. */
  concurrency?: number;
  signal?: AbortSignal;
}

const GB5 = 5 * 1024 ** 3;
const DEFAULT_COPY_PART = 512 * 1024 ** 2;

/** Server-side copy (no bytes through this machine), keeping content type and user metadata. */
export async function copyObject(session: S3Session, from: ObjectRef, to: ObjectRef, options: CopyOptions = {}): Promise<void> {
  const source = await objectDetails(session, from.bucket, from.key, options.signal);
  if (source.size > (options.multipartThreshold ?? GB5)) {
    await multipartCopy(session, source, to, options);
    return;
  }
  await s3Call(session, options.signal, (o) =>
    session.client.send(
      new CopyObjectCommand({ Bucket: to.bucket, Key: to.key, CopySource: copySource(from.bucket, from.key), CopySourceIfMatch: source.etag }),
      o,
    ),
  );
}

async function multipartCopy(session: S3Session, source: ObjectDetails, to: ObjectRef, options: CopyOptions): Promise<void> {
  const partSize = options.partSize ?? DEFAULT_COPY_PART;
  const { UploadId } = await s3Call(session, options.signal, (o) =>
    session.client.send(
      new CreateMultipartUploadCommand({ Bucket: to.bucket, Key: to.key, ContentType: source.contentType, Metadata: source.metadata }),
      o,
    ),
  );
  const parts: CompletedPart[] = [];
  const ranges = Array.from({ length: Math.max(1, Math.ceil(source.size / partSize)) }, (_, i) => ({
    PartNumber: i + 1,
    range: `bytes=${i * partSize}-${Math.min(source.size, (i + 1) * partSize) - 1}`,
  }));
  try {
    await runPool(
      ranges,
      options.concurrency ?? 4,
      async ({ PartNumber, range }, signal) => {
        const result = await s3Call(session, signal, (o) =>
          session.client.send(
            new UploadPartCopyCommand({
              Bucket: to.bucket,
              Key: to.key,
              UploadId,
              PartNumber,
              CopySource: copySource(source.bucket, source.key),
              CopySourceRange: range,
              // A source replaced mid-copy would otherwise yield a mix of two objects.
              CopySourceIfMatch: source.etag,
            }),
            o,
          ),
        );
        parts.push({ PartNumber, ETag: result.CopyPartResult?.ETag });
      },
      options.signal,
    );
    parts.sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
    await s3Call(session, undefined, (o) =>
      session.client.send(new CompleteMultipartUploadCommand({ Bucket: to.bucket, Key: to.key, UploadId, MultipartUpload: { Parts: parts } }), o),
    );
  } catch (error) {
    // Not cancellable: this cleanup is what keeps parts from lingering (and billed) after a cancel.
    await s3Call(session, undefined, (o) => session.client.send(new AbortMultipartUploadCommand({ Bucket: to.bucket, Key: to.key, UploadId }), o)).catch(() => {});
    throw error;
  }
}

/** Renames/moves one object: copy, then delete the source. An existing target is kept unless `overwrite`. */
export async function moveObject(session: S3Session, from: ObjectRef, to: ObjectRef, options: CopyOptions & { overwrite?: boolean } = {}): Promise<void> {
  if (from.bucket === to.bucket && from.key === to.key) return;
  if (!options.overwrite && (await objectExists(session, to.bucket, to.key, options.signal))) {
    throw new KeydeskError({ code: 'CONFLICT', message: `"${to.key}" already exists in ${to.bucket}; choose another name or allow overwriting.` });
  }
  await copyObject(session, from, to, options);
  const deleter = new BatchDeleter(session, from.bucket, 1, {});
  await deleter.delete([{ Key: from.key }]);
  deleter.finish();
}

/**
 * Moves every object under a folder prefix, 1000 at a time: copy the batch, then delete its sources. A
 * cancel or failure never loses data: at worst some objects exist in both places. Returns objects moved.
 */
export async function moveFolder(
  session: S3Session,
  from: { bucket: string; prefix: string },
  to: { bucket: string; prefix: string },
  options: CopyOptions & BatchOptions = {},
): Promise<number> {
  const source = folderPrefix(from.prefix);
  const target = folderPrefix(to.prefix);
  if (source === '') throw new KeydeskError({ code: 'INVALID_INPUT', message: 'The bucket root cannot be moved; select a folder.' });
  if (from.bucket === to.bucket && target.startsWith(source)) {
    throw new KeydeskError({ code: 'INVALID_INPUT', message: `A folder cannot be moved into itself ("${source}" → "${target}").` });
  }
  const { count } = await countObjects(session, to.bucket, target, options.signal);
  if (count > 0) {
    throw new KeydeskError({ code: 'CONFLICT', message: `The folder "${target}" already exists in ${to.bucket} with ${count} object(s); choose another name.` });
  }
  const total = (await countObjects(session, from.bucket, source, options.signal)).count;
  const deleter = new BatchDeleter(session, from.bucket, total, options);
  options.onProgress?.({ done: 0, total });
  for await (const page of listObjectsUnder(session, from.bucket, source, options.signal)) {
    await runPool(
      page,
      options.concurrency ?? 8,
      (object, signal) => copyObject(session, { bucket: from.bucket, key: object.key }, { bucket: to.bucket, key: target + object.key.slice(source.length) }, { ...options, signal }),
      options.signal,
    );
    await deleter.delete(page.map((o) => ({ Key: o.key })));
  }
  return deleter.finish();
}
