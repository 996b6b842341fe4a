import { constants } from 'node:fs';
import { access, opendir } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { KeydeskError } from '../errors';

export async function pathExists(path: string): Promise<boolean> {
  try {
    await access(path, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}

/** Downloads are written beside the target under a hidden name, and renamed only when complete. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.keydesk-part`);
}

/** "name (1).ext", "name (2).ext", …: the first name `exists` says is free. */
export async function keepBothName(name: string, exists: (candidate: string) => Promise<boolean>): Promise<string> {
  const extension = extname(name);
  const stem = name.slice(0, name.length - extension.length);
  for (let n = 1; ; n++) {
    const candidate = `${stem} (${n})${extension}`;
    if (!(await exists(candidate))) return candidate;
  }
}

/** Files under a folder (symlinks and special files skipped), with "/"-separated paths relative to it. */
export async function* walkFiles(folder: string): AsyncGenerator<{ path: string; relative: string }> {
  const root = resolve(folder);
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop() as string;
    for await (const entry of await opendir(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else if (entry.isFile()) yield { path, relative: relative(root, path).split(sep).join('/') };
    }
  }
}

/**
 * Where an object under a downloaded folder goes. Keys are chosen by whoever wrote the bucket, so a key
 * like "../../.bashrc" must not escape the chosen folder.
 */
export function localPathForKey(targetDir: string, relativeKey: string): string {
  const root = resolve(targetDir);
  const path = resolve(root, ...relativeKey.split('/').filter((s) => s !== ''));
  if (path === root || !path.startsWith(root + sep)) {
    throw new KeydeskError({ code: 'INVALID_INPUT', message: `The object "${relativeKey}" has a name that would be saved outside ${root}; it was not downloaded.` });
  }
  return path;
}

const CONTENT_TYPES: Record<string, string> = {
  '.txt': 'text/plain; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css',
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.csv': 'text/csv',
  '.xml': 'application/xml',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.mp3': 'audio/mpeg',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
};

/** So share links open in the browser instead of downloading as binary/octet-stream. */
export function contentTypeFor(path: string): string | undefined {
  return CONTENT_TYPES[extname(path).toLowerCase()];
}
