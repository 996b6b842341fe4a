import { randomBytes } from 'node:crypto';
import { rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { createNewFile, readOwnFile, removeName, syncFolder } from '../safe-files';
import type { ItemRecord } from './journal';

export const ITEM_LOG_FILE = 'queue.items.log';
/** The list as older versions kept it: one JSON array, rewritten whole. Read once, then replaced by the log. */
const LEGACY_FILE = 'queue.items.json';
/** The log is rewritten with only the live records once it holds this many bytes more than they take. */
const COMPACT_SLACK_BYTES = 1024 * 1024;

type LogLine = { put: ItemRecord } | { del: string };

/** The records a log's text leaves, in the order they were first put; a line cut short by a crash is skipped. */
export function replayItemLog(text: string, into = new Map<string, ItemRecord>()): Map<string, ItemRecord> {
  for (const line of text.split('\n')) {
    let entry: LogLine;
    try {
      entry = JSON.parse(line) as LogLine;
    } catch {
      continue;
    }
    if ('put' in entry && entry.put?.id) into.set(entry.put.id, entry.put);
    else if ('del' in entry) into.delete(entry.del);
  }
  return into;
}

/**
 * The transfer list on disk: an append-only log, one JSON line per change. Lines that arrive while the
 * previous write is being synced go out together in one write and one fdatasync, so a caller can wait until
 * its change is on disk (an item's record before it starts, its end before it is reported) and a thousand
 * small files still cost a handful of syncs; rewriting one list file per change cost them a third of their
 * time. A crash can cut the last line short: it is skipped when read.
 *
 * The log is always a file this process created exclusively (at first use, holding the records it found):
 * whatever was at its name before, a link included, is replaced as a name, and appends go to the descriptor
 * Keydesk created, whatever appears at the name later.
 */
export class ItemLog {
  private readonly records = new Map<string, ItemRecord>();
  private handle: FileHandle | undefined;
  private opened: Promise<void> | undefined;
  private pending: string[] = [];
  private waiting: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  private writing: Promise<void> | undefined;
  /** Bytes in the log file, and the bytes the live records' latest lines take (per record and in all). */
  private logBytes = 0;
  private readonly liveBytes = new Map<string, number>();
  private liveTotal = 0;

  /** `prepare` creates the folder (once); it may fail with a sentence for the user. */
  constructor(
    private readonly dir: string,
    private readonly prepare: () => Promise<void>,
  ) {}

  /** The records written by earlier runs (and since). */
  async load(): Promise<ItemRecord[]> {
    await this.open();
    return [...this.records.values()];
  }

  /** Resolves once the record is on disk; rejects if it could not be written. */
  put(record: ItemRecord): Promise<void> {
    this.records.set(record.id, record);
    return this.append(record.id, { put: record });
  }

  remove(id: string): Promise<void> {
    if (!this.records.delete(id)) return Promise.resolve();
    return this.append(id, { del: id });
  }

  /** Resolves once everything asked for so far is on disk (or failed), and lets go of the file (for app quit); a later change opens a new one. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    await this.handle?.close().catch(() => {});
    this.handle = undefined;
  }

  private append(id: string, line: LogLine): Promise<void> {
    const text = `${JSON.stringify(line)}\n`;
    this.setLive(id, 'put' in line ? Buffer.byteLength(text) : 0);
    return new Promise((resolve, reject) => {
      this.pending.push(text);
      this.waiting.push({ resolve, reject });
      this.writing ??= this.drain().finally(() => (this.writing = undefined));
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const lines = this.pending.splice(0);
      const waiting = this.waiting.splice(0);
      try {
        await this.open();
        if (this.records.size === 0) await this.retire();
        else if (!this.handle || this.logBytes > this.liveTotal + COMPACT_SLACK_BYTES) await this.rewrite();
        else {
          const text = lines.join('');
          await this.handle.write(text);
          await this.handle.datasync();
          this.logBytes += Buffer.byteLength(text);
        }
        for (const w of waiting) w.resolve();
      } catch (error) {
        for (const w of waiting) w.reject(error);
      }
    }
  }

  private open(): Promise<void> {
    return (this.opened ??= this.readPrevious().catch((error: unknown) => {
      this.opened = undefined;
      throw error;
    }));
  }

  /** Replays what earlier runs left (records put since this process started win), then writes them to a log of its own. */
  private async readPrevious(): Promise<void> {
    await this.prepare();
    const found = new Map<string, ItemRecord>();
    const legacy = await readOwnFile(this.file(LEGACY_FILE)).catch(() => undefined);
    if (legacy) {
      try {
        for (const record of JSON.parse(legacy) as ItemRecord[]) found.set(record.id, record);
      } catch {
        // Cut short by a crash in the old version: its items are lost, as they were then.
      }
    }
    const text = await readOwnFile(this.file(ITEM_LOG_FILE)).catch(() => undefined);
    if (text !== undefined) replayItemLog(text, found);
    for (const [id, record] of found) {
      if (this.records.has(id)) continue;
      this.records.set(id, record);
      this.setLive(id, Buffer.byteLength(`${JSON.stringify({ put: record })}\n`));
    }
    if (this.records.size > 0) await this.rewrite();
    else if (text !== undefined) await this.retire();
    if (legacy !== undefined) await removeName(this.file(LEGACY_FILE));
  }

  /** A new log holding only the live records, created exclusively, then renamed over the old one. */
  private async rewrite(): Promise<void> {
    const lines = [...this.records.values()].map((record) => `${JSON.stringify({ put: record })}\n`).join('');
    const temp = this.file(`.${ITEM_LOG_FILE}.${randomBytes(6).toString('hex')}.tmp`);
    const handle = await createNewFile(temp);
    try {
      await handle.write(lines);
      await handle.sync();
      await rename(temp, this.file(ITEM_LOG_FILE));
    } catch (error) {
      await handle.close();
      await removeName(temp).catch(() => {});
      throw error;
    }
    await syncFolder(this.dir);
    await this.handle?.close().catch(() => {});
    this.handle = handle;
    this.logBytes = Buffer.byteLength(lines);
  }

  /** Nothing left to remember: no log file at all. */
  private async retire(): Promise<void> {
    await this.handle?.close().catch(() => {});
    this.handle = undefined;
    this.logBytes = 0;
    await removeName(this.file(ITEM_LOG_FILE));
    await syncFolder(this.dir);
  }

  private setLive(id: string, bytes: number): void {
    this.liveTotal += bytes - (this.liveBytes.get(id) ?? 0);
    if (bytes > 0) this.liveBytes.set(id, bytes);
    else this.liveBytes.delete(id);
  }

  private file(name: string): string {
    return join(this.dir, name);
  }
}
