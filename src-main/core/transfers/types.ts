import type { ErrorInfo } from '../errors';
import type { S3Connection } from '../s3/client';
import type { TransferSettings } from '../vault/metadata-store';

export type TransferKind = 'upload' | 'download';

/**
 * queued → running → done | failed | cancelled | skipped. `conflict`: the target exists and the policy
 * was 'ask'; the item waits for resolveConflict(). `interrupted`: stopped by shutdown(), resumable.
 */
export type TransferState = 'queued' | 'running' | 'conflict' | 'done' | 'failed' | 'cancelled' | 'skipped' | 'interrupted';

/** What to do when the target (local file for downloads, object for uploads) already exists. */
export type ConflictPolicy = 'ask' | 'overwrite' | 'skip' | 'keep-both';
export type ConflictDecision = Exclude<ConflictPolicy, 'ask'>;

export interface TransferItemSnapshot {
  id: string;
  kind: TransferKind;
  credentialId: string;
  bucket: string;
  key: string;
  localPath: string;
  /** Set for items added as part of a folder, so a UI can group them. */
  groupId?: string;
  /** A download pinned to this object version. */
  versionId?: string;
  state: TransferState;
  conflictPolicy: ConflictPolicy;
  bytesDone: number;
  bytesTotal: number;
  bytesPerSecond: number;
  /** Seconds left at the current speed; undefined while the speed is unknown. */
  etaSeconds?: number;
  error?: ErrorInfo;
  createdAt: string;
  finishedAt?: string;
}

export interface TransferTotals {
  bytesDone: number;
  bytesTotal: number;
  bytesPerSecond: number;
  etaSeconds?: number;
  counts: Record<TransferState, number>;
}

export interface ItemProgress {
  id: string;
  bytesDone: number;
  bytesPerSecond: number;
  etaSeconds?: number;
}

export type TransferEvent =
  /** An item was added or changed state (also carries its final error). */
  | { type: 'item'; item: TransferItemSnapshot }
  | { type: 'removed'; ids: string[] }
  /** Emitted at most every `progressIntervalMs` while bytes move. */
  | { type: 'progress'; items: ItemProgress[]; total: TransferTotals };

export interface TransferEndpoint {
  connection: S3Connection;
  settings: TransferSettings;
}

/** Looks up a credential's connection (with its secret) when an item starts; the queue keeps no secrets on disk. */
export type EndpointResolver = (credentialId: string) => TransferEndpoint | Promise<TransferEndpoint>;

export interface UploadRequest {
  credentialId: string;
  bucket: string;
  key: string;
  file: string;
  /** Default 'overwrite' (plain S3 semantics); other policies cost one HeadObject per file. */
  conflict?: ConflictPolicy;
}

export interface UploadFolderRequest {
  credentialId: string;
  bucket: string;
  /** The folder's files land under this prefix, keeping their relative paths. */
  prefix: string;
  folder: string;
  conflict?: ConflictPolicy;
}

export interface DownloadRequest {
  credentialId: string;
  bucket: string;
  key: string;
  target: string;
  /** Default 'ask': an existing file is never replaced without a decision. */
  conflict?: ConflictPolicy;
  /** Known size (from a listing) lets the queue schedule small files together before any request. */
  size?: number;
  /** With `size`, from a listing: the download then skips its HeadObject. */
  etag?: string;
  /** Downloads this version instead of the latest. */
  versionId?: string;
  /** The folder the user chose (default: the target's folder): nothing is created outside it, whatever links appear in it. */
  root?: string;
}

export interface DownloadFolderRequest {
  credentialId: string;
  bucket: string;
  prefix: string;
  targetDir: string;
  conflict?: ConflictPolicy;
  /** As in DownloadRequest; default targetDir. */
  root?: string;
}
