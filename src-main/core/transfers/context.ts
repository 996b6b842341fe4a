import type { S3Session } from '../s3/session';
import type { TokenBucket } from './bandwidth';
import type { TransferSettings } from '../vault/metadata-store';
import type { Finish, JournalStore } from './journal';
import { withRetry, type RetryPolicy } from '../retry';
import { s3Call } from '../s3/session';
import type { ConflictPolicy } from './types';

/** Abort reason used by TransferQueue.shutdown(): stop now but keep journals, uploads and temp files for resume. */
export const SHUTDOWN = 'keydesk-shutdown';

export function isShutdown(signal: AbortSignal): boolean {
  return signal.aborted && signal.reason === SHUTDOWN;
}

/** What a running transfer gets from the queue. */
export interface RunContext {
  session: S3Session;
  settings: TransferSettings;
  retry: RetryPolicy;
  journal: JournalStore;
  signal: AbortSignal;
  /** The credential's bandwidth limit, shared with its other transfers; undefined without one. */
  throttle?: TokenBucket;
  /** Bytes moved; negative when a failed attempt's bytes are taken back before a retry. */
  onBytes: (delta: number) => void;
  onSize: (bytes: number) => void;
  /** Records how the transfer is about to complete; resolves once that is on disk (see journal.ts, Finish). */
  finishing: (finish: Finish) => Promise<void>;
  /** `${root}\0${folder}` of download folders already created or checked to lie inside their chosen folder. */
  checkedFolders: Set<string>;
  step: (name: TransferStep) => Promise<void>;
}

/**
 * The points after which what is on disk or on the server changed (TransferQueueOptions.onStep):
 * recorded — the item's record is on disk, nothing transferred yet;
 * journaled — a multipart upload was created and its journal written;
 * temp-created — a download's temp file exists (and its journal, when ranged);
 * part-saved — one more part is on the server or in the temp file, and in the journal;
 * final-recorded — the Finish record is on disk, the completing request or rename not yet made;
 * sent — an upload's completing request was answered (the object exists);
 * placed — a download's file has its final name;
 * done-recorded — the item's record is gone from disk, and it is about to be reported done.
 */
export type TransferStep = 'recorded' | 'journaled' | 'temp-created' | 'part-saved' | 'final-recorded' | 'sent' | 'placed' | 'done-recorded';

export interface TransferJob {
  id: string;
  credentialId: string;
  bucket: string;
  key: string;
  conflict: ConflictPolicy;
  groupId?: string;
  createdAt: string;
  /** A download of this version rather than the latest. */
  versionId?: string;
}

/** How a run ended when it did not throw; `key`/`localPath` change under 'keep-both'. */
export type RunOutcome = { state: 'done'; key: string; localPath: string } | { state: 'conflict' | 'skipped' };

/** One S3 request with transient failures retried and every failure described. */
export function request<T>(ctx: RunContext, send: (options: { abortSignal?: AbortSignal }) => Promise<T>, signal: AbortSignal = ctx.signal): Promise<T> {
  return withRetry(() => s3Call(ctx.session, signal, send), ctx.retry, signal);
}

const MiB = 1024 * 1024;
/** S3 allows at most 10,000 parts: very large files get bigger parts than configured. */
const MAX_PARTS = 10_000;
/** Swift's S3 API allows 1,000 (its max_upload_part_num): with 5 MiB parts an upload would stop at 4.9 GiB. */
export const SWIFT_MAX_PARTS = 1_000;

export function partSizeFor(size: number, settings: TransferSettings, maxParts = MAX_PARTS): number {
  const configured = Math.max(5, settings.partSizeMiB) * MiB;
  return Math.max(configured, Math.ceil(size / maxParts / MiB) * MiB);
}

/** The hex MD5 inside an ETag, when it is one (multipart and SSE-KMS ETags are not). */
export function plainMd5(etag: string | undefined): string | undefined {
  const match = /^"?([0-9a-fA-F]{32})"?$/.exec(etag ?? '');
  return match ? match[1].toLowerCase() : undefined;
}
