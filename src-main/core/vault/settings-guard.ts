import { lstatSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { KeydeskError } from '../errors';
import { ensureOwnFolderSync } from '../safe-files';
import type { StoreBacking } from './metadata-store';

/*
 * conf (and electron-store, its subclass) reads keydesk.json with a plain readFileSync and writes it with
 * `atomically`, which resolves a symlink at the name first and replaces the file it points to. So before
 * conf opens the file and before every read and write of `store`, the data folder must be a folder of
 * Keydesk's own and keydesk.json, if present, a plain file: a link is refused, never followed. A hard link
 * needs no check: atomically renames a new file over the name, so the other name keeps its old bytes.
 *
 * What this cannot close, short of forking conf:
 * - a link swapped in between this check and conf's own open or realpath (microseconds; the next access
 *   finds it and refuses);
 * - atomically's temp file, `keydesk.json.tmp-<last 10 digits of Date.now()><6 hex digits of Math.random()>`,
 *   opened with 'w' (no O_EXCL, no O_NOFOLLOW): a link planted at that exact name would be written through.
 *   The name is guessable only to 24 bits per millisecond, so planting it means millions of links in a
 *   folder created readable and writable by the user only (0o700); a link that did land there is renamed
 *   onto keydesk.json and refused at the next access;
 * - conf's non-atomic fallbacks (the SNAP environment, EXDEV on Windows), which write through the name.
 */

function settingsPath(home: string): string {
  return join(home, 'keydesk.json');
}

/** Throws a KeydeskError saying what to do unless `home` is a folder of Keydesk's own holding no keydesk.json or a plain one. */
export function assertPlainSettings(home: string): void {
  try {
    ensureOwnFolderSync(home);
  } catch (error) {
    throw new KeydeskError(
      { code: 'INTERNAL', message: `${(error as Error).message}.`, hint: 'To keep the data where a link points, start Keydesk with KEYDESK_HOME set to that folder instead.' },
      { cause: error },
    );
  }
  const path = settingsPath(home);
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new KeydeskError({ code: 'INTERNAL', message: `The settings file ${path} could not be read: ${(error as Error).message}` }, { cause: error });
  }
  if (stats.isSymbolicLink()) {
    throw new KeydeskError({
      code: 'INTERNAL',
      message: `${path} is a link; Keydesk keeps its settings only in a plain file and did not follow it.`,
      hint: 'Replace the link with the file it points to, then start Keydesk again.',
    });
  }
  if (!stats.isFile()) {
    throw new KeydeskError({
      code: 'INTERNAL',
      message: `${path} is not a plain file; Keydesk keeps its settings only in a plain file and did not open it.`,
      hint: 'Move it out of the way, then start Keydesk again.',
    });
  }
}

/** The store `open()` makes (conf or electron-store on keydesk.json in `home`), checked before it opens and at every access. */
export function linkGuarded(home: string, open: () => StoreBacking): StoreBacking {
  assertPlainSettings(home);
  const backing = open();
  return {
    get store() {
      assertPlainSettings(home);
      return backing.store;
    },
    set store(value) {
      assertPlainSettings(home);
      backing.store = value;
    },
  };
}
