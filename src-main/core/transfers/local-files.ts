import { opendir } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { KeydeskError } from '../errors';

/**
 * Downloads are written beside the target under a hidden name, and renamed only when complete. The item's
 * random token makes the name unpredictable, so nobody can have put something there in advance (and what
 * is found there anyway is never opened: see download.ts).
 */
export function tempPathFor(target: string, token: string): string {
  return join(dirname(target), `.${basename(target)}.${token}.keydesk-part`);
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
    const entries = await opendir(dir).catch((error: NodeJS.ErrnoException) => {
      throw folderError(dir, error);
    });
    for await (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else if (entry.isFile()) yield { path, relative: relative(root, path).split(sep).join('/') };
    }
  }
}

/** Why a folder to upload cannot be read, in words a person can act on. */
function folderError(dir: string, error: NodeJS.ErrnoException): KeydeskError {
  if (error.code === 'ENOTDIR') return new KeydeskError({ code: 'INVALID_INPUT', message: `${dir} is not a folder.`, hint: 'Choose a folder to upload, or upload the file on its own.' }, { cause: error });
  if (error.code === 'ENOENT') return new KeydeskError({ code: 'NOT_FOUND', message: `${dir} does not exist.` }, { cause: error });
  if (error.code === 'EACCES' || error.code === 'EPERM') return new KeydeskError({ code: 'ACCESS_DENIED', message: `Keydesk may not read the folder ${dir}.`, hint: 'Check its permissions.' }, { cause: error });
  return new KeydeskError({ code: 'INTERNAL', message: `The folder ${dir} could not be read (${error.message}).` }, { cause: error });
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
