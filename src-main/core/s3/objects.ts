import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { KeydeskError } from '../errors';
import { BatchDeleter } from './batch-delete';
import { countObjects, listObjectsUnder } from './listing';
import { folderPrefix } from './uri';
import { s3Call, type BatchOptions, type S3Session } from './session';

export interface ObjectDetails {
  bucket: string;
  key: string;
  size: number;
  lastModified?: string;
  etag?: string;
  storageClass: string;
  contentType?: string;
  cacheControl?: string;
  contentDisposition?: string;
  contentEncoding?: string;
  contentLanguage?: string;
  /** The Expires header as the server sent it (an HTTP date). */
  expires?: string;
  metadata: Record<string, string>;
  versionId?: string;
  serverSideEncryption?: string;
  kmsKeyId?: string;
  bucketKeyEnabled?: boolean;
  /** Tags on the object, as HeadObject counts them (x-amz-tagging-count). */
  tagCount?: number;
  /** Object lock, where the server reports it. */
  lock?: { mode?: string; retainUntil?: string; legalHold?: boolean };
}

/** HeadObject of the latest version, or of `versionId`. */
export async function objectDetails(session: S3Session, bucket: string, key: string, signal?: AbortSignal, versionId?: string): Promise<ObjectDetails> {
  const head = await s3Call(session, signal, (o) => session.clientFor(bucket).send(new HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }), o));
  const lock = head.ObjectLockMode || head.ObjectLockRetainUntilDate || head.ObjectLockLegalHoldStatus;
  return {
    bucket,
    key,
    size: head.ContentLength ?? 0,
    lastModified: head.LastModified?.toISOString(),
    etag: head.ETag,
    // S3 omits the header for STANDARD.
    storageClass: head.StorageClass ?? 'STANDARD',
    contentType: head.ContentType,
    cacheControl: head.CacheControl,
    contentDisposition: head.ContentDisposition,
    contentEncoding: head.ContentEncoding,
    contentLanguage: head.ContentLanguage,
    expires: head.ExpiresString ?? (head.Expires instanceof Date && !Number.isNaN(head.Expires.getTime()) ? head.Expires.toUTCString() : undefined),
    metadata: head.Metadata ?? {},
    versionId: head.VersionId,
    serverSideEncryption: head.ServerSideEncryption,
    kmsKeyId: head.SSEKMSKeyId,
    bucketKeyEnabled: head.BucketKeyEnabled,
    tagCount: head.TagCount,
    lock: lock ? { mode: head.ObjectLockMode, retainUntil: head.ObjectLockRetainUntilDate?.toISOString(), legalHold: head.ObjectLockLegalHoldStatus === 'ON' } : undefined,
  };
}

/** Whether a key exists; other failures (access denied, network) still throw. */
export async function objectExists(session: S3Session, bucket: string, key: string, signal?: AbortSignal): Promise<boolean> {
  try {
    await objectDetails(session, bucket, key, signal);
    return true;
  } catch (error) {
    if (error instanceof KeydeskError && error.code === 'NOT_FOUND') return false;
    throw error;
  }
}

/** S3 has no folders: a zero-byte "parent/name/" object makes an empty one visible. Returns its prefix. */
export async function createFolder(session: S3Session, bucket: string, parentPrefix: string, name: string, signal?: AbortSignal): Promise<string> {
  const clean = name.trim();
  if (clean === '' || clean.includes('/') || clean === '.' || clean === '..') {
    throw new KeydeskError({ code: 'INVALID_INPUT', message: 'A folder name must not be empty, "." or "..", and must not contain "/".' });
  }
  const prefix = `${folderPrefix(parentPrefix)}${clean}/`;
  await s3Call(session, signal, (o) => session.clientFor(bucket).send(new PutObjectCommand({ Bucket: bucket, Key: prefix, Body: new Uint8Array(0), ContentLength: 0 }), o));
  return prefix;
}

export interface DeleteSelection {
  keys?: string[];
  /** Folder prefixes: everything under each is deleted. */
  folders?: string[];
}

/** Deletes objects and whole folders; folders are counted first so progress has a total. Returns the number deleted. */
export async function deleteObjects(session: S3Session, bucket: string, selection: DeleteSelection, options: BatchOptions = {}): Promise<number> {
  const keys = selection.keys ?? [];
  const folders = (selection.folders ?? []).map(folderPrefix);
  if (folders.includes('')) {
    throw new KeydeskError({ code: 'INVALID_INPUT', message: 'To delete everything in a bucket, use "Empty bucket" instead of deleting its root folder.' });
  }
  let total = keys.length;
  for (const folder of folders) total += (await countObjects(session, bucket, folder, options.signal)).count;
  const deleter = new BatchDeleter(session, bucket, total, options);
  options.onProgress?.({ done: 0, total });
  await deleter.delete(keys.map((Key) => ({ Key })));
  for (const folder of folders) {
    for await (const page of listObjectsUnder(session, bucket, folder, options.signal)) await deleter.delete(page.map((o) => ({ Key: o.key })));
  }
  return deleter.finish();
}
