import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KeydeskError } from '../errors';
import type { ConflictPolicy } from './types';

interface JournalBase {
  id: string;
  credentialId: string;
  bucket: string;
  key: string;
  conflict: ConflictPolicy;
  groupId?: string;
  createdAt: string;
}

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
 * One small JSON file per unfinished transfer, written atomically (temp + rename) so a crash mid-write
 * leaves the previous version. Holds paths, names and upload IDs, never credentials.
 */
export class JournalStore {
  private readonly writes = new Map<string, Promise<void>>();
  /** Ids with a journal on disk (found by loadAll or written since), so new transfers skip a failed file read each. */
  private readonly known = new Set<string>();

  constructor(readonly dir: string) {}

  /** Writes are chained per transfer so a slow earlier write cannot land after a newer one. */
  save(entry: Journal): Promise<void> {
    const text = JSON.stringify(entry);
    this.known.add(entry.id);
    const previous = this.writes.get(entry.id) ?? Promise.resolve();
    const next = previous.then(async () => {
      await mkdir(this.dir, { recursive: true });
      const file = this.file(entry.id);
      await writeFile(`${file}.tmp`, text);
      await rename(`${file}.tmp`, file);
    });
    this.writes.set(entry.id, next.catch(() => {}));
    return next.catch((error: unknown) => {
      throw new KeydeskError({ code: 'INTERNAL', message: `The transfer journal in ${this.dir} could not be written: ${(error as Error).message}` }, { cause: error });
    });
  }

  async remove(id: string): Promise<void> {
    // Never written nor found on disk (like load() assumes): nothing to delete, no file-system call.
    if (!this.known.has(id) && !this.writes.has(id)) return;
    await this.writes.get(id);
    this.writes.delete(id);
    this.known.delete(id);
    await rm(this.file(id), { force: true });
  }

  async load(id: string): Promise<Journal | undefined> {
    if (!this.known.has(id)) return undefined;
    await this.writes.get(id);
    return this.read(id);
  }

  /** Unreadable journals (e.g. cut short by a crash in an old version) are skipped, not fatal. */
  async loadAll(): Promise<Journal[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const entries = await Promise.all(names.filter((n) => n.endsWith('.json')).map((n) => this.read(n.slice(0, -5))));
    const found = entries.filter((e): e is Journal => e !== undefined);
    for (const entry of found) this.known.add(entry.id);
    return found;
  }

  private async read(id: string): Promise<Journal | undefined> {
    try {
      return JSON.parse(await readFile(this.file(id), 'utf8')) as Journal;
    } catch {
      return undefined;
    }
  }

  private file(id: string): string {
    return join(this.dir, `${id}.json`);
  }
}
