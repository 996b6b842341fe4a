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
  metadata: Record<string, string>;
  versionId?: string;
}

export async function objectDetails(session: S3Session, bucket: string, key: string, signal?: AbortSignal): Promise<ObjectDetails> {
  const head = await s3Call(session, signal, (o) => session.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), o));
  return {
    bucket,
    key,
    size: head.ContentLength ?? 0,
    lastModified: head.LastModified?.toISOString(),
    etag: head.ETag,
    // S3 omits the header for STANDARD.
    storageClass: head.StorageClass ?? 'STANDARD',
    contentType: head.ContentType,
    metadata: head.Metadata ?? {},
    versionId: head.VersionId,
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
  await s3Call(session, signal, (o) => session.client.send(new PutObjectCommand({ Bucket: bucket, Key: prefix, Body: new Uint8Array(0), ContentLength: 0 }), o));
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
