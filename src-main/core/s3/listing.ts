import { DEFAULT_RETRY, withRetry, type RetryPolicy } from '../retry';
import type { ListedObject } from './object-requests';
import { baseName, folderPrefix } from './uri';
import { s3Call, type S3Session } from './session';

export interface FolderEntry {
  /** Full prefix, ending in "/". */
  prefix: string;
  name: string;
}

export interface ObjectEntry {
  key: string;
  /** The key relative to the listed folder (search results: relative to the searched prefix). */
  name: string;
  size: number;
  lastModified?: string;
  etag?: string;
  storageClass?: string;
  /** Set in version listings (versions.ts): which version of `key` this row is. */
  versionId?: string;
  isLatest?: boolean;
  /** A delete marker: the key reads as deleted while this is its latest version. */
  deleteMarker?: boolean;
}

/** One ListObjectsV2 page, so a UI can show the first rows before a large folder is fully listed. */
export interface ListingPage {
  folders: FolderEntry[];
  objects: ObjectEntry[];
}

export interface ListOptions {
  signal?: AbortSignal;
  /** Keys per request (S3 caps it at 1000). */
  pageSize?: number;
  /** How a page that failed on the way (network, throttling, a server error) is asked for again. */
  retry?: RetryPolicy;
}

/** Lists one folder level (delimiter "/"): sub-folders and the objects directly inside it. */
export async function* listFolder(session: S3Session, bucket: string, prefix: string, options: ListOptions = {}): AsyncGenerator<ListingPage> {
  const folder = folderPrefix(prefix);
  for await (const page of listPages(session, bucket, folder, '/', options)) {
    yield {
      folders: page.commonPrefixes.map((p) => ({ prefix: p, name: baseName(p) })),
      // The folder's own marker object ("photos/") is the folder itself, not a row inside it.
      objects: toEntries(page.objects, folder).filter((o) => o.key !== folder),
    };
  }
}

/** Server-side search: every object whose key starts with `prefix`, at any depth. */
export async function* searchObjects(session: S3Session, bucket: string, prefix: string, options: ListOptions = {}): AsyncGenerator<ListingPage> {
  const base = prefix.slice(0, prefix.lastIndexOf('/') + 1);
  for await (const page of listPages(session, bucket, prefix, undefined, options)) {
    yield { folders: [], objects: toEntries(page.objects, base) };
  }
}

/** Every object under a prefix, a page at a time (for deletes, moves and folder downloads). */
export async function* listObjectsUnder(session: S3Session, bucket: string, prefix: string, signal?: AbortSignal, retry?: RetryPolicy): AsyncGenerator<ObjectEntry[]> {
  for await (const page of listPages(session, bucket, prefix, undefined, { signal, retry })) yield toEntries(page.objects, prefix);
}

export async function countObjects(session: S3Session, bucket: string, prefix: string, signal?: AbortSignal): Promise<{ count: number; bytes: number }> {
  let count = 0;
  let bytes = 0;
  for await (const objects of listObjectsUnder(session, bucket, prefix, signal)) {
    count += objects.length;
    for (const object of objects) bytes += object.size;
  }
  return { count, bytes };
}

/**
 * ListObjectsV2 pages in order. The next page is requested as soon as a page arrives, before it is handed
 * out, so the server works on page n+1 while the caller handles page n (continuation tokens allow no
 * more than one ahead). If the caller stops early, that request is aborted.
 */
async function* listPages(session: S3Session, bucket: string, prefix: string, delimiter: string | undefined, options: ListOptions) {
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  // A page is a GET with a continuation token: asking again is safe, and a listing survives a flaky network.
  const fetchPage = (token: string | undefined) =>
    withRetry(() => s3Call(session, signal, (o) => session.objects.list(bucket, { prefix, delimiter, token, maxKeys: options.pageSize, signal: o.abortSignal })), options.retry ?? DEFAULT_RETRY, signal);
  let next = fetchPage(undefined);
  try {
    for (;;) {
      const page = await next;
      const token = page.nextToken;
      if (token) {
        // Sent right after the caller's synchronous handling of this page, so it never delays the first rows.
        next = new Promise<void>((resolve) => setImmediate(resolve)).then(() => fetchPage(token));
        // Awaited on the next turn; until then (or if the caller stops) its failure must not go unhandled.
        next.catch(() => {});
      }
      yield page;
      if (!token) return;
    }
  } finally {
    stop.abort();
  }
}

function toEntries(objects: ListedObject[], base: string): ObjectEntry[] {
  return objects.map((o) => ({ ...o, name: o.key.startsWith(base) ? o.key.slice(base.length) : o.key }));
}
