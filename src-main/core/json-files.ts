import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readOwnFile } from './safe-files';

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
