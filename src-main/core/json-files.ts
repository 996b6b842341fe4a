import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { KeydeskError } from './errors';
import { ensureOwnFolder, readOwnFile, removeName, syncFolder, writeFileAtomic } from './safe-files';

/**
 * Parses one JSON file of Keydesk's own state; a missing or unreadable file (cut short by a crash mid-write
 * in an old version, or a link someone put in its place) is undefined.
 */
export async function readJsonFile<T>(file: string): Promise<T | undefined> {
  try {
    const text = await readOwnFile(file);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  } catch {
    return undefined;
  }
}

/** Every readable `<name>.json` in a folder (journals), `wanted` seeing names without `.json`; none if the folder is missing. */
export async function readJsonFiles<T>(dir: string, wanted: (name: string) => boolean = () => true): Promise<{ name: string; value: T }[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const found: { name: string; value: T }[] = [];
  await Promise.all(
    names
      .filter((n) => n.endsWith('.json') && wanted(n.slice(0, -5)))
      .map(async (n) => {
        const value = await readJsonFile<T>(join(dir, n));
        if (value !== undefined) found.push({ name: n.slice(0, -5), value });
      }),
  );
  return found;
}

/** One JSON file per record (`<dir>/<id>.json`), each written atomically and durably (safe-files.ts): the rotation journals. */
export class JsonRecordDir<T extends { id: string }> {
  /** `what` names the records in the error a failed write gives ("The rotation journal"). */
  constructor(
    readonly dir: string,
    private readonly what: string,
  ) {}

  async save(record: T): Promise<void> {
    try {
      await ensureOwnFolder(this.dir);
      await writeFileAtomic(this.file(record.id), JSON.stringify(record, null, 2));
    } catch (error) {
      throw new KeydeskError({ code: 'INTERNAL', message: `${this.what} in ${this.dir} could not be written: ${(error as Error).message}` }, { cause: error });
    }
  }

  async get(id: string): Promise<T | undefined> {
    return /^[\w-]+$/.test(id) ? readJsonFile<T>(this.file(id)) : undefined;
  }

  /** Removed for good: the folder is synced, so a power cut cannot bring the record back. */
  async remove(id: string): Promise<void> {
    await removeName(this.file(id));
    await syncFolder(this.dir);
  }

  /** Unreadable files (cut short by a crash mid-write of an old version) are skipped, not fatal. */
  async all(): Promise<T[]> {
    return (await readJsonFiles<T>(this.dir)).map((entry) => entry.value);
  }

  /** At start only: temp files of writes cut short by a crash (the files they were meant to replace are whole). */
  async removeStaleTemps(): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    await Promise.all(names.filter((n) => n.endsWith('.tmp')).map((n) => removeName(join(this.dir, n)).catch(() => {})));
  }

  private file(id: string): string {
    return join(this.dir, `${id}.json`);
  }
}
