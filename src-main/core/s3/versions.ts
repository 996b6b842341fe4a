import { DeleteObjectCommand, ListObjectVersionsCommand, type ObjectIdentifier } from '@aws-sdk/client-s3';
import { KeydeskError } from '../errors';
import { BatchDeleter } from './batch-delete';
import { copyObject, type CopyOptions } from './copy';
import type { ListingPage, ObjectEntry } from './listing';
import { baseName, folderPrefix } from './uri';
import { s3Call, type BatchOptions, type S3Session } from './session';

/*
 * Object versions: listed a page at a time with ListObjectVersions (key and version-ID markers), so a
 * bucket with millions of versions streams like a normal listing. Every version of a key comes right
 * after the previous one, newest first, delete markers among them.
 */

export interface VersionEntry extends ObjectEntry {
  versionId: string;
  isLatest: boolean;
  deleteMarker: boolean;
}

export interface VersionPage {
  versions: VersionEntry[];
  folders: string[];
}

export interface VersionListOptions {
  signal?: AbortSignal;
  /** "/" lists one folder level; undefined lists every key under the prefix. */
  delimiter?: string;
  pageSize?: number;
}

/** ListObjectVersions pages in order; versions and delete markers merged, newest first per key. */
export async function* versionPages(session: S3Session, bucket: string, prefix: string, options: VersionListOptions = {}): AsyncGenerator<VersionPage> {
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  do {
    const page = await s3Call(session, options.signal, (o) =>
      session.client.send(
        new ListObjectVersionsCommand({
          Bucket: bucket,
          Prefix: prefix || undefined,
          Delimiter: options.delimiter,
          KeyMarker: keyMarker,
          VersionIdMarker: versionMarker,
          MaxKeys: options.pageSize,
        }),
        o,
      ),
    );
    const versions: VersionEntry[] = [
      ...(page.Versions ?? []).map((v) => entry(v.Key, v.VersionId, v.IsLatest, false, prefix, { size: v.Size ?? 0, etag: v.ETag, storageClass: v.StorageClass, lastModified: v.LastModified })),
      ...(page.DeleteMarkers ?? []).map((m) => entry(m.Key, m.VersionId, m.IsLatest, true, prefix, { size: 0, lastModified: m.LastModified })),
    ];
    yield { versions: sortVersions(versions), folders: (page.CommonPrefixes ?? []).flatMap((p) => p.Prefix ?? []) };
    [keyMarker, versionMarker] = page.IsTruncated ? [page.NextKeyMarker, page.NextVersionIdMarker] : [undefined, undefined];
  } while (keyMarker);
}

function entry(
  key: string | undefined,
  versionId: string | undefined,
  isLatest: boolean | undefined,
  deleteMarker: boolean,
  base: string,
  rest: { size: number; etag?: string; storageClass?: string; lastModified?: Date },
): VersionEntry {
  const k = key ?? '';
  return {
    key: k,
    name: k.startsWith(base) ? k.slice(base.length) : k,
    size: rest.size,
    etag: rest.etag,
    storageClass: rest.storageClass,
    lastModified: rest.lastModified?.toISOString(),
    // Objects written before versioning was turned on have the version ID "null".
    versionId: versionId ?? 'null',
    isLatest: isLatest ?? false,
    deleteMarker,
  };
}

/** Key order as S3 sends it; within a key the latest first, then newest first. */
function sortVersions(versions: VersionEntry[]): VersionEntry[] {
  return versions.sort((a, b) => {
    if (a.key !== b.key) return a.key < b.key ? -1 : 1;
    if (a.isLatest !== b.isLatest) return a.isLatest ? -1 : 1;
    return (b.lastModified ?? '').localeCompare(a.lastModified ?? '');
  });
}

/** One folder level with every version, for the listing's "Show versions". */
export async function* listVersionsFolder(session: S3Session, bucket: string, prefix: string, options: { signal?: AbortSignal; pageSize?: number } = {}): AsyncGenerator<ListingPage> {
  const folder = folderPrefix(prefix);
  for await (const page of versionPages(session, bucket, folder, { ...options, delimiter: '/' })) {
    yield {
      folders: page.folders.map((p) => ({ prefix: p, name: baseName(p) })),
      objects: page.versions.filter((v) => v.key !== folder),
    };
  }
}

/** Every version and delete marker under a prefix (or of exactly `key`), as DeleteObjects identifiers. */
export async function* versionIdentifiers(session: S3Session, bucket: string, prefix: string, signal?: AbortSignal, exactKey?: string): AsyncGenerator<ObjectIdentifier[]> {
  for await (const page of versionPages(session, bucket, prefix, { signal })) {
    const versions = exactKey === undefined ? page.versions : page.versions.filter((v) => v.key === exactKey);
    yield versions.map((v) => ({ Key: v.key, VersionId: v.versionId }));
  }
}

export interface VersionCount {
  /** Versions that hold data, old and current. */
  versions: number;
  deleteMarkers: number;
  bytes: number;
  /** The objects a normal listing shows: latest versions that are not delete markers. */
  current: { count: number; bytes: number };
}

/** Counts versions under a prefix (or of exact keys); `onProgress` gets the running total after each page. */
export async function countVersions(
  session: S3Session,
  bucket: string,
  selection: { folders?: string[]; keys?: string[] },
  options: { signal?: AbortSignal; onProgress?: (count: VersionCount) => void } = {},
): Promise<VersionCount> {
  const total: VersionCount = { versions: 0, deleteMarkers: 0, bytes: 0, current: { count: 0, bytes: 0 } };
  const add = (versions: VersionEntry[]) => {
    for (const v of versions) {
      if (v.deleteMarker) total.deleteMarkers++;
      else {
        total.versions++;
        total.bytes += v.size;
        if (v.isLatest) {
          total.current.count++;
          total.current.bytes += v.size;
        }
      }
    }
    options.onProgress?.(total);
  };
  for (const folder of selection.folders ?? []) {
    for await (const page of versionPages(session, bucket, folderPrefix(folder), { signal: options.signal })) add(page.versions);
  }
  for (const key of selection.keys ?? []) {
    for await (const page of versionPages(session, bucket, key, { signal: options.signal })) add(page.versions.filter((v) => v.key === key));
  }
  return total;
}

/** Deletes one version for good (or a delete marker, which brings the previous version back). */
export async function deleteVersion(session: S3Session, bucket: string, key: string, versionId: string, signal?: AbortSignal): Promise<void> {
  await s3Call(session, signal, (o) => session.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }), o));
}

/**
 * Deletes every version and delete marker of the keys and under the folders: nothing of them remains.
 * Counted first so progress has a total. Returns the number of versions and markers deleted.
 */
export async function deleteAllVersions(session: S3Session, bucket: string, selection: { keys?: string[]; folders?: string[] }, options: BatchOptions = {}): Promise<number> {
  const folders = (selection.folders ?? []).map(folderPrefix);
  if (folders.includes('')) {
    throw new KeydeskError({ code: 'INVALID_INPUT', message: 'To delete every version in a bucket, use "Empty bucket".' });
  }
  const counted = await countVersions(session, bucket, { folders, keys: selection.keys }, { signal: options.signal });
  const total = counted.versions + counted.deleteMarkers;
  const deleter = new BatchDeleter(session, bucket, total, options);
  options.onProgress?.({ done: 0, total });
  for (const folder of folders) for await (const ids of versionIdentifiers(session, bucket, folder, options.signal)) await deleter.delete(ids);
  for (const key of selection.keys ?? []) for await (const ids of versionIdentifiers(session, bucket, key, options.signal, key)) await deleter.delete(ids);
  return deleter.finish();
}

/**
 * Makes an old version the latest again by copying it onto its own key (server-side; part by part above
 * 5 GB). The old version stays, and so does every version after it.
 */
export async function restoreVersion(session: S3Session, bucket: string, key: string, versionId: string, options: CopyOptions = {}): Promise<void> {
  await copyObject(session, { bucket, key, versionId }, { bucket, key }, options);
}
