import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KeydeskError, type ErrorInfo } from '../errors';
import { readJsonFile, readJsonFiles } from '../json-files';
import type { TransferJob } from './context';
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
  size: number;
  etag: string;
  partSize: number;
  doneParts: number[];
}

export type Journal = UploadJournal | DownloadJournal;

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
}

/**
 * All item records live in one file beside the journals, rewritten at most every ITEM_WRITE_DELAY_MS: an
 * item that finishes within that window never touches the disk. Per-item files cost 1000 small uploads a
 * third of their time. An item added in the last moment before a crash may be missing after it; its
 * transfer had not got far.
 */
const ITEMS_FILE = 'queue.items';
const ITEM_WRITE_DELAY_MS = 500;

/**
 * One small JSON file per unfinished transfer (a journal, an item record or both), written atomically
 * (temp + rename) so a crash mid-write leaves the previous version. Holds paths, names and upload IDs,
 * never credentials.
 */
export class JournalStore {
  /** Last pending write or delete per file name, so a slow earlier one cannot land after a newer one. */
  private readonly writes = new Map<string, Promise<void>>();
  /** Names with a file on disk (found by loading or written since), so new transfers skip a failed file read each. */
  private readonly known = new Set<string>();

  private readonly items = new Map<string, ItemRecord>();
  private itemsTimer: NodeJS.Timeout | undefined;

  constructor(readonly dir: string) {}

  save(entry: Journal): Promise<void> {
    return this.write(entry.id, entry);
  }

  remove(id: string): Promise<void> {
    return this.delete(id);
  }

  saveItem(record: ItemRecord): void {
    this.items.set(record.id, record);
    this.scheduleItems();
  }

  removeItem(id: string): void {
    if (this.items.delete(id)) this.scheduleItems();
  }

  async load(id: string): Promise<Journal | undefined> {
    if (!this.known.has(id)) return undefined;
    await this.writes.get(id);
    return this.read<Journal>(id);
  }

  /** Unreadable journals (e.g. cut short by a crash in an old version) are skipped, not fatal. */
  loadAll(): Promise<Journal[]> {
    return this.readAll<Journal>((name) => name !== ITEMS_FILE);
  }

  async loadItems(): Promise<ItemRecord[]> {
    const [records = []] = await this.readAll<ItemRecord[]>((name) => name === ITEMS_FILE);
    for (const record of records) if (!this.items.has(record.id)) this.items.set(record.id, record);
    return records;
  }

  /** Resolves once every write and delete asked for so far has landed (for app quit). */
  async flush(): Promise<void> {
    if (this.itemsTimer) {
      clearTimeout(this.itemsTimer);
      this.itemsTimer = undefined;
      await this.writeItems().catch(() => {});
    }
    await Promise.all(this.writes.values());
  }

  private scheduleItems(): void {
    this.itemsTimer ??= setTimeout(() => {
      this.itemsTimer = undefined;
      void this.writeItems().catch(() => {});
    }, ITEM_WRITE_DELAY_MS);
  }

  private writeItems(): Promise<void> {
    return this.items.size ? this.write(ITEMS_FILE, [...this.items.values()]) : this.delete(ITEMS_FILE);
  }

  private write(name: string, value: Journal | ItemRecord[]): Promise<void> {
    const text = JSON.stringify(value);
    this.known.add(name);
    const file = this.file(name);
    return this.chain(name, async () => {
      // The folder is created only when missing (not one mkdir per write).
      await writeFile(`${file}.tmp`, text).catch(async (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
        await mkdir(this.dir, { recursive: true });
        await writeFile(`${file}.tmp`, text);
      });
      await rename(`${file}.tmp`, file);
    }).catch((error: unknown) => {
      throw new KeydeskError({ code: 'INTERNAL', message: `The transfer journal in ${this.dir} could not be written: ${(error as Error).message}` }, { cause: error });
    });
  }

  private delete(name: string): Promise<void> {
    // Never written nor found on disk (like load() assumes): nothing to delete, no file-system call.
    if (!this.known.has(name) && !this.writes.has(name)) return Promise.resolve();
    this.known.delete(name);
    return this.chain(name, () => rm(this.file(name), { force: true }));
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

  private async readAll<T>(wanted: (name: string) => boolean): Promise<T[]> {
    const entries = await readJsonFiles<T>(this.dir, wanted);
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
