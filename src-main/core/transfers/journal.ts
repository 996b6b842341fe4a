import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { KeydeskError, type ErrorInfo } from '../errors';
import { readJsonFile, readJsonFiles } from '../json-files';
import { ensureOwnFolder, removeName, writeFileAtomic, type FileIdentity } from '../safe-files';
import type { TransferJob } from './context';
import { ItemLog } from './item-log';
import type { ConflictPolicy, TransferKind } from './types';

/** A journal names its transfer the way the running job does. */
type JournalBase = TransferJob;

/** Enough to continue a multipart upload after a restart; the file's size and mtime detect a changed source. */
export interface UploadJournal extends JournalBase {
  kind: 'upload';
  file: string;
  fileSize: number;
  fileMtimeMs: number;
  partSize: number;
  uploadId: string;
  /** Parts known uploaded; ListParts is asked again on resume, this is the local record. */
  parts: { partNumber: number; etag: string }[];
}

/** Enough to continue a ranged download: the ETag pins the object version the temp file holds parts of. */
export interface DownloadJournal extends JournalBase {
  kind: 'download';
  target: string;
  temp: string;
  /** The temp file Keydesk created: whatever else is found at its name on resume is never opened. */
  file?: FileIdentity;
  size: number;
  etag: string;
  partSize: number;
  doneParts: number[];
}

export type Journal = UploadJournal | DownloadJournal;

/** The object the final request of an upload leaves (PUT, or CompleteMultipartUpload): its key, size and ETag. */
export interface UploadFinish {
  key: string;
  size: number;
  etag: string;
}

/** The finished, verified temp file of a download and the name it is about to get. */
export interface DownloadFinish {
  target: string;
  size: number;
  file: FileIdentity;
}

/**
 * Written to disk before the request or rename that completes a transfer: after a crash, finding that object
 * on the server or that file at the target proves the item done, so it is neither sent again nor asked about
 * as a conflict with itself.
 */
export type Finish = UploadFinish | DownloadFinish;

/**
 * An item of the transfer list, so the list survives a restart: written when the item is added (and when
 * its policy or error changes), removed when it is done, skipped, cancelled or cleared. Failed items keep
 * theirs (with the error) until cleared, so they are listed as failed again after a restart. No file
 * size/mtime is kept: every (re)start reads the source as it is then, and a multipart journal whose
 * size/mtime no longer match is aborted and started over (upload.ts).
 */
export interface ItemRecord {
  id: string;
  kind: TransferKind;
  credentialId: string;
  bucket: string;
  key: string;
  localPath: string;
  conflict: ConflictPolicy;
  groupId?: string;
  versionId?: string;
  /** Bytes, when known when added (a download added without a listing size has none). */
  size?: number;
  createdAt: string;
  error?: ErrorInfo;
  finishedAt?: string;
  /** Downloads: the random part of the temp file's name, so one left by a crash is found again. */
  token?: string;
  /** Downloads: the folder the user chose; nothing is created outside it, whatever links appear in it. */
  root?: string;
  finish?: Finish;
}

/**
 * What is on disk for unfinished transfers: the list of items (item-log.ts) and one small JSON file per
 * multipart transfer (its journal), replaced atomically and durably (safe-files.ts), so a crash leaves the
 * previous version. Holds paths, names and upload IDs, never credentials.
 */
export class JournalStore {
  /** Last pending write or delete per file name, so a slow earlier one cannot land after a newer one. */
  private readonly writes = new Map<string, Promise<void>>();
  /** Names with a file on disk (found by loading or written since), so new transfers skip a failed file read each. */
  private readonly known = new Set<string>();
  private readonly items: ItemLog;
  private prepared: Promise<void> | undefined;

  constructor(readonly dir: string) {
    this.items = new ItemLog(dir, () => this.prepare());
  }

  save(entry: Journal): Promise<void> {
    return this.write(entry.id, entry);
  }

  remove(id: string): Promise<void> {
    return this.delete(id);
  }

  /** Resolves once the record is on disk. */
  saveItem(record: ItemRecord): Promise<void> {
    return this.items.put(record).catch((error: unknown) => {
      throw this.writeError(error);
    });
  }

  removeItem(id: string): Promise<void> {
    return this.items.remove(id).catch((error: unknown) => {
      throw this.writeError(error);
    });
  }

  async load(id: string): Promise<Journal | undefined> {
    if (!this.known.has(id)) return undefined;
    await this.writes.get(id);
    return this.read<Journal>(id);
  }

  /** Unreadable journals (e.g. cut short by a crash in an old version) are skipped, not fatal. */
  loadAll(): Promise<Journal[]> {
    return this.readAll<Journal>();
  }

  loadItems(): Promise<ItemRecord[]> {
    return this.items.load();
  }

  /** Resolves once every write and delete asked for so far has landed (for app quit). */
  async flush(): Promise<void> {
    await this.items.flush();
    await Promise.all(this.writes.values());
  }

  /**
   * The folder, created once per run; temp files a crash left mid-write are removed (they never hold the
   * only copy of anything: the file they were to replace is still there).
   */
  private prepare(): Promise<void> {
    return (this.prepared ??= (async () => {
      await ensureOwnFolder(this.dir);
      const names = await readdir(this.dir);
      await Promise.all(names.filter((n) => n.startsWith('.') && n.endsWith('.tmp')).map((n) => removeName(join(this.dir, n))));
    })().catch((error: unknown) => {
      this.prepared = undefined;
      throw error;
    }));
  }

  private write(name: string, value: Journal): Promise<void> {
    const text = JSON.stringify(value);
    this.known.add(name);
    const file = this.file(name);
    return this.chain(name, async () => {
      await this.prepare();
      await writeFileAtomic(file, text);
    }).catch((error: unknown) => {
      throw this.writeError(error);
    });
  }

  private writeError(error: unknown): KeydeskError {
    if (error instanceof KeydeskError) return error;
    return new KeydeskError({ code: 'INTERNAL', message: `The transfer journal in ${this.dir} could not be written: ${(error as Error).message}` }, { cause: error });
  }

  private delete(name: string): Promise<void> {
    // Never written nor found on disk (like load() assumes): nothing to delete, no file-system call.
    if (!this.known.has(name) && !this.writes.has(name)) return Promise.resolve();
    this.known.delete(name);
    return this.chain(name, () => removeName(this.file(name)));
  }

  private chain(name: string, op: () => Promise<void>): Promise<void> {
    const next = (this.writes.get(name) ?? Promise.resolve()).then(op);
    const settled = next.catch(() => {});
    this.writes.set(name, settled);
    // Forgotten once nothing newer is pending, so the map only holds files with work in flight.
    void settled.then(() => {
      if (this.writes.get(name) === settled) this.writes.delete(name);
    });
    return next;
  }

  private async readAll<T>(): Promise<T[]> {
    const entries = await readJsonFiles<T>(this.dir, (name) => name !== 'queue.items');
    for (const { name } of entries) this.known.add(name);
    return entries.map((entry) => entry.value);
  }

  private read<T>(name: string): Promise<T | undefined> {
    return readJsonFile<T>(this.file(name));
  }

  private file(name: string): string {
    return join(this.dir, `${name}.json`);
  }
}
