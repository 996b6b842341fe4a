import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Parses one JSON file; a missing or unreadable file (cut short by a crash mid-write) is undefined. */
export async function readJsonFile<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
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
