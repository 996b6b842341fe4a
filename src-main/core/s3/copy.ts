import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectTaggingCommand,
  PutObjectTaggingCommand,
  UploadPartCopyCommand,
  type CompletedPart,
  type ServerSideEncryption,
  type StorageClass,
} from '@aws-sdk/client-s3';
import { KeydeskError } from '../errors';
import type { GrantHeaders } from './acl';
import { BatchDeleter } from './batch-delete';
import { countObjects, listObjectsUnder } from './listing';
import { objectDetails, objectExists, type ObjectDetails } from './objects';
import { runPool } from './pool';
import { expectBody } from './raw-response';
import { copySource, folderPrefix } from './uri';
import { s3Call, type BatchOptions, type S3Session } from './session';

export interface ObjectRef {
  bucket: string;
  key: string;
  /** A source pinned to one version (restoring an old version). */
  versionId?: string;
}

/**
 * Everything an object is written with besides its bytes. A copy with these replaces all of them
 * (MetadataDirective REPLACE): what is not given is dropped, so callers start from the source's own.
 */
export interface ObjectWriteProperties {
  contentType?: string;
  cacheControl?: string;
  contentDisposition?: string;
  contentEncoding?: string;
  contentLanguage?: string;
  /** An HTTP date. */
  expires?: string;
  metadata: Record<string, string>;
  storageClass?: string;
  serverSideEncryption?: string;
  kmsKeyId?: string;
  bucketKeyEnabled?: boolean;
  /** Undefined keeps the source's tags (where the server keeps them: RGW drops them when metadata is replaced). */
  tags?: { Key: string; Value: string }[];
  /** The ACL the copy is written with (a copy gets an owner-only ACL otherwise). */
  grants?: GrantHeaders;
}

export interface CopyOptions {
  /** Objects above this size are copied part by part; S3 refuses a single CopyObject above 5 GB. */
  multipartThreshold?: number;
  partSize?: number;
  /** Parallel part copies for one object, or parallel object copies in a folder move. */
  concurrency?: number;
  signal?: AbortSignal;
  /** Writes the copy with these properties instead of the source's (edit properties in place). */
  replace?: ObjectWriteProperties;
  /** The source's ETag when its properties were read: a source replaced since is refused, not mixed with them. */
  expectEtag?: string;
}

const GB5 = 5 * 1024 ** 3;
const DEFAULT_COPY_PART = 512 * 1024 ** 2;

/** Server-side copy (no bytes through this machine), keeping every property of the source unless `replace` gives new ones. */
export async function copyObject(session: S3Session, from: ObjectRef, to: ObjectRef, options: CopyOptions = {}): Promise<void> {
  const source = await objectDetails(session, from.bucket, from.key, options.signal, from.versionId);
  if (options.expectEtag !== undefined && source.etag !== options.expectEtag) {
    throw new KeydeskError({ code: 'CONFLICT', message: `"${from.key}" was replaced while it was being changed; nothing was written. Open it again and repeat the change.` });
  }
  if (source.size > (options.multipartThreshold ?? GB5)) {
    await multipartCopy(session, source, from.versionId, to, options);
    return;
  }
  const replace = options.replace;
  await s3Call(session, options.signal, (o) =>
    session.client.send(
      new CopyObjectCommand({
        Bucket: to.bucket,
        Key: to.key,
        CopySource: copySource(from.bucket, from.key, from.versionId),
        CopySourceIfMatch: source.etag,
        ...(replace && { MetadataDirective: 'REPLACE', ...writeHeaders(replace) }),
        ...(replace?.tags?.length && { TaggingDirective: 'REPLACE', Tagging: tagging(replace.tags) }),
      }),
      o,
    ),
  );
}

/** The source's own properties, as a copy that keeps them must send them (multipart copies start empty). */
export function propertiesOf(source: ObjectDetails): ObjectWriteProperties {
  return {
    contentType: source.contentType,
    cacheControl: source.cacheControl,
    contentDisposition: source.contentDisposition,
    contentEncoding: source.contentEncoding,
    contentLanguage: source.contentLanguage,
    expires: source.expires,
    metadata: source.metadata,
    // STANDARD is every server's default; sending it is refused by none but needed by none either.
    storageClass: source.storageClass === 'STANDARD' ? undefined : source.storageClass,
    serverSideEncryption: source.serverSideEncryption,
    kmsKeyId: source.kmsKeyId,
    bucketKeyEnabled: source.bucketKeyEnabled,
  };
}

function writeHeaders(p: ObjectWriteProperties) {
  const expires = p.expires ? new Date(p.expires) : undefined;
  const kms = p.serverSideEncryption?.startsWith('aws:kms');
  return {
    ContentType: p.contentType,
    CacheControl: p.cacheControl,
    ContentDisposition: p.contentDisposition,
    ContentEncoding: p.contentEncoding,
    ContentLanguage: p.contentLanguage,
    Expires: expires && !Number.isNaN(expires.getTime()) ? expires : undefined,
    Metadata: p.metadata,
    StorageClass: p.storageClass as StorageClass | undefined,
    ServerSideEncryption: p.serverSideEncryption as ServerSideEncryption | undefined,
    SSEKMSKeyId: kms ? p.kmsKeyId : undefined,
    BucketKeyEnabled: kms ? p.bucketKeyEnabled : undefined,
    ...p.grants,
  };
}

/** The x-amz-tagging header: a URL query string. */
function tagging(tags: { Key: string; Value: string }[]): string {
  return new URLSearchParams(tags.map((t) => [t.Key, t.Value])).toString();
}

async function multipartCopy(session: S3Session, source: ObjectDetails, versionId: string | undefined, to: ObjectRef, options: CopyOptions): Promise<void> {
  const partSize = options.partSize ?? DEFAULT_COPY_PART;
  const properties = options.replace ?? propertiesOf(source);
  // A multipart upload starts without tags (RGW ignores them on CreateMultipartUpload): the source's are
  // read, and put on the finished copy, unless replaced. The read must answer with a tag set (not the
  // object's bytes), or the server would not be sent the tags' PUT, which replaces bytes where unknown.
  const readTags = () =>
    s3Call(session, options.signal, (o) =>
      session.client.send(expectBody(new GetObjectTaggingCommand({ Bucket: source.bucket, Key: source.key, VersionId: versionId }), { root: 'Tagging', emptyIsNone: true, ofObject: true }, 'object tags'), o),
    );
  const tags = properties.tags ?? (source.tagCount ? (await readTags()).TagSet?.map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' })) : undefined);
  const { UploadId } = await s3Call(session, options.signal, (o) =>
    session.client.send(
      new CreateMultipartUploadCommand({ Bucket: to.bucket, Key: to.key, ...writeHeaders(properties) }),
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
              CopySource: copySource(source.bucket, source.key, versionId),
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
  // The copy exists now: its tags are put on even after a cancel, and a failure says which ones are missing.
  if (tags?.length) {
    await s3Call(session, undefined, (o) => session.client.send(new PutObjectTaggingCommand({ Bucket: to.bucket, Key: to.key, Tagging: { TagSet: tags } }), o)).catch((error: unknown) => {
      throw new KeydeskError(
        {
          code: error instanceof KeydeskError ? error.code : 'PROVIDER',
          message: `"${to.key}" was copied, but its tags could not be put on it. Add them under Properties…: ${tags.map((t) => `${t.Key}=${t.Value}`).join(', ')}.`,
          hint: error instanceof KeydeskError ? error.message : undefined,
        },
        { cause: error },
      );
    });
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
