import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  GetBucketLocationCommand,
  GetBucketVersioningCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3';
import { KeydeskError } from '../errors';
import { BatchDeleter } from './batch-delete';
import { countObjects, listObjectsUnder } from './listing';
import { s3Call, type BatchOptions, type S3Session } from './session';
import { countVersions, versionIdentifiers } from './versions';

export interface BucketInfo {
  name: string;
  createdAt?: string;
  /** Known when the server lists it (AWS) or when asked for with `withRegions`; Ceph reports its zonegroup, e.g. "default". */
  region?: string;
}

/** Swift's S3 API lists every bucket as created at this instant (a constant in s3api): it says nothing. */
const SWIFT_CANNED_CREATION = Date.parse('2009-02-03T16:45:09Z');
const madeUpDate = (date: Date | undefined) => date?.getTime() === SWIFT_CANNED_CREATION;

/** `withRegions` asks GetBucketLocation per bucket (a request each), for servers whose listing has no region. */
export async function listBuckets(session: S3Session, options: { withRegions?: boolean; signal?: AbortSignal } = {}): Promise<BucketInfo[]> {
  const result = await s3Call(session, options.signal, (o) => session.client.send(new ListBucketsCommand({}), o));
  const buckets: BucketInfo[] = (result.Buckets ?? []).map((b) => ({
    name: b.Name ?? '',
    createdAt: madeUpDate(b.CreationDate) ? undefined : b.CreationDate?.toISOString(),
    region: b.BucketRegion,
  }));
  if (options.withRegions) {
    await Promise.all(
      buckets
        .filter((b) => !b.region)
        .map(async (bucket) => {
          bucket.region = await bucketRegion(session, bucket.name, options.signal).catch(() => undefined);
        }),
    );
  }
  return buckets;
}

export async function bucketRegion(session: S3Session, bucket: string, signal?: AbortSignal): Promise<string> {
  const result = await s3Call(session, signal, (o) => session.client.send(new GetBucketLocationCommand({ Bucket: bucket }), o));
  // An empty location constraint is S3's way of saying us-east-1.
  return result.LocationConstraint || 'us-east-1';
}

/**
 * Creates a bucket. No LocationConstraint is sent for us-east-1 (S3 rejects it there), and servers with a
 * single region (Ceph RGW) answer 400 InvalidLocationConstraint to any other one: that is explained.
 */
export async function createBucket(session: S3Session, name: string, region?: string, signal?: AbortSignal): Promise<void> {
  const constraint = region && region !== 'us-east-1' ? region : undefined;
  try {
    await s3Call(session, signal, (o) =>
      session.client.send(
        new CreateBucketCommand({
          Bucket: name,
          CreateBucketConfiguration: constraint ? { LocationConstraint: constraint as BucketLocationConstraint } : undefined,
        }),
        o,
      ),
    );
  } catch (error) {
    if (error instanceof KeydeskError && error.providerCode === 'InvalidLocationConstraint') {
      throw new KeydeskError(
        { ...error.toJSON(), code: 'INVALID_INPUT', message: `This server does not offer the region "${region}" (InvalidLocationConstraint).`, hint: 'Leave the region empty or use the endpoint\'s default region.' },
        { cause: error },
      );
    }
    throw error;
  }
}

/** Deletes an empty bucket; a bucket that still holds objects is refused with their count, before any request that changes something. */
export async function deleteBucket(session: S3Session, name: string, signal?: AbortSignal): Promise<void> {
  const { count } = await countObjects(session, name, '', signal);
  if (count > 0) {
    throw new KeydeskError({
      code: 'CONFLICT',
      message: `The bucket "${name}" holds ${count} object${count === 1 ? '' : 's'}; empty it before deleting it.`,
    });
  }
  try {
    await s3Call(session, signal, (o) => session.client.send(new DeleteBucketCommand({ Bucket: name }), o));
  } catch (error) {
    if (error instanceof KeydeskError && error.providerCode === 'BucketNotEmpty') {
      throw new KeydeskError(
        { ...error.toJSON(), message: `The bucket "${name}" still holds old object versions or unfinished uploads; empty it before deleting it.` },
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * Deletes every object (every version and delete marker if the bucket is or was versioned) and aborts
 * unfinished multipart uploads, whose parts would otherwise keep the bucket non-empty and billed.
 */
export async function emptyBucket(session: S3Session, name: string, options: BatchOptions = {}): Promise<number> {
  const versioning = await s3Call(session, options.signal, (o) => session.client.send(new GetBucketVersioningCommand({ Bucket: name }), o));
  const versioned = versioning.Status === 'Enabled' || versioning.Status === 'Suspended';
  const uploads = await collect(listUploads(session, name, options.signal));
  const versions = versioned ? await countVersions(session, name, { folders: [''] }, { signal: options.signal }) : undefined;
  const total = (versions ? versions.versions + versions.deleteMarkers : (await countObjects(session, name, '', options.signal)).count) + uploads.length;
  const deleter = new BatchDeleter(session, name, total, options);
  options.onProgress?.({ done: 0, total });
  if (versioned) {
    for await (const page of versionIdentifiers(session, name, '', options.signal)) await deleter.delete(page);
  } else {
    for await (const page of listObjectsUnder(session, name, '', options.signal)) await deleter.delete(page.map((o) => ({ Key: o.key })));
  }
  for (const upload of uploads) {
    await s3Call(session, options.signal, (o) => session.client.send(new AbortMultipartUploadCommand({ Bucket: name, Key: upload.key, UploadId: upload.uploadId }), o));
    deleter.advance(1);
  }
  return deleter.finish();
}

export interface PendingUpload {
  key: string;
  uploadId: string;
  initiated?: string;
}

/** Unfinished multipart uploads in a bucket (under a prefix). */
export async function* listUploads(session: S3Session, bucket: string, signal?: AbortSignal, prefix?: string): AsyncGenerator<PendingUpload> {
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  do {
    const page = await s3Call(session, signal, (o) =>
      session.client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }), o),
    );
    for (const upload of page.Uploads ?? []) {
      if (upload.Key && upload.UploadId) yield { key: upload.Key, uploadId: upload.UploadId, initiated: upload.Initiated?.toISOString() };
    }
    [keyMarker, uploadIdMarker] = page.IsTruncated ? [page.NextKeyMarker, page.NextUploadIdMarker] : [undefined, undefined];
  } while (keyMarker);
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
