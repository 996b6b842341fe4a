import { createHash, randomBytes } from 'node:crypto';
import { lstat, open, realpath, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { MOVED_NOTE } from '../ecosystem/importer';
import { KeydeskError } from '../errors';
import { keyLines, type Occurrence } from './detect';
import { applyEdits, replaceAll, splitLines, type LineEdit } from './file-lines';
import type { FixAction } from './findings';
import { READ_FLAGS, sameFileState } from './read-file';
import { ensurePrivateFolder, replaceFile, writeNewFile } from './rewrite-file';
import type { ScannedFile } from './scanner';

/**
 * Applies the fixes the user confirmed to one file: the file must be exactly what the scan read (size,
 * modification time, SHA-256, same inode, the same link target); a backup of it with every secret taken
 * out goes to Keydesk's backups folder; then the file is replaced atomically with its mode and owner.
 */

export interface ChosenFix {
  occurrence: Occurrence;
  action: FixAction;
  /** For credential-process: the Keydesk profile that answers for this key. */
  profile?: string;
  /** The key is in the keychain now (the note left behind says so). */
  inKeychain: boolean;
}

/** Where a removed key's lines were, so a person reading the file later knows what happened. */
export const REMOVED_NOTE = '# A plain-text access key was removed here by Keydesk.';
export const BACKUP_PLACEHOLDER = '[secret removed by Keydesk]';

/** Files a note can be left in: those whose comments start with `#`. History files get none. */
function takesNote(file: ScannedFile): boolean {
  return file.kind !== 'history' && file.kind !== 'other';
}

export function credentialProcessLine(cli: string, profile: string): string {
  return `credential_process = ${cli} credential-process --profile ${profile}`;
}

/** The line edits for these fixes; the first line of each key gets the replacement or the note. */
export function planEdits(file: ScannedFile, fixes: ChosenFix[], cli: string): Map<number, LineEdit> {
  const edits = new Map<number, LineEdit>();
  for (const fix of fixes) {
    const { occurrence } = fix;
    const own = keyLines(occurrence);
    const lines = [...new Set([...own, ...(occurrence.entryLines ?? [])])].sort((a, b) => a - b);
    let first: LineEdit | undefined;
    if (fix.action === 'credential-process') {
      const existing = occurrence.sectionExtras?.credentialProcess;
      if (existing !== undefined) lines.push(existing);
      first = { replaceWith: [credentialProcessLine(cli, fix.profile!)] };
    } else if (takesNote(file)) {
      first = { replaceWith: [fix.inKeychain ? MOVED_NOTE : REMOVED_NOTE] };
    }
    const at = first ? own[0] : undefined;
    for (const line of lines) {
      // A line two fixes share keeps the replacement one of them puts there.
      if (line === at) edits.set(line, first!);
      else if (!edits.has(line)) edits.set(line, { remove: true });
    }
  }
  return edits;
}

/**
 * The file's bytes, if it is still what the scan read; a sentence saying what changed otherwise. The link
 * at `path` must still lead to the same file, and that file must have no other names (hard links): replacing
 * one name would leave the secret under the others.
 */
async function unchangedBytes(file: ScannedFile): Promise<Buffer> {
  const changed = () => new KeydeskError({ code: 'CONFLICT', message: `${file.path} changed since the scan, so Keydesk left it as it is.`, hint: 'Scan again, then fix it.' });
  if ((await realpath(file.path).catch(() => undefined)) !== file.target) throw changed();
  const handle = await open(file.target, READ_FLAGS).catch(() => undefined);
  if (!handle) throw changed();
  try {
    const stats = await handle.stat({ bigint: true });
    if (!stats.isFile() || !sameFileState(stats, file.fingerprint)) throw changed();
    if (stats.nlink > 1n) {
      throw new KeydeskError({
        code: 'CONFLICT',
        message: `${file.path} has ${stats.nlink - 1n} other name(s) (hard links), so Keydesk did not rewrite it: the key would stay under those names.`,
        hint: 'Remove the lines yourself; that changes every name.',
      });
    }
    const bytes = await handle.readFile();
    if (createHash('sha256').update(bytes).digest('hex') !== file.fingerprint.sha256) throw changed();
    return bytes;
  } finally {
    await handle.close();
  }
}

/** `20261202-041955-home_me_.aws_credentials-1a2b3c`: sortable, says where it came from, never a path. */
function backupName(path: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const from = path.replace(/^[/\\]+/, '').replace(/[/\\:]+/g, '_').slice(-120);
  return `${stamp}-${from}-${randomBytes(3).toString('hex')}`;
}

/** A new file in the backups folder; a name already taken (by anything, a planted link too) is never reused. */
async function writeBackup(dir: string, path: string, data: Buffer): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const backup = join(dir, backupName(path));
    try {
      await writeNewFile(backup, data, 0o600);
      return backup;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 5) throw error;
    }
  }
}

export interface AppliedFix {
  backup: string;
  changedLines: number;
}

export async function applyFixes(file: ScannedFile, fixes: ChosenFix[], options: { cli: string; backupsDir: string; secrets: string[] }): Promise<AppliedFix> {
  const bytes = await unchangedBytes(file);
  const edits = planEdits(file, fixes, options.cli);
  const rewritten = applyEdits(splitLines(bytes), edits);
  await ensurePrivateFolder(options.backupsDir);
  const backup = await writeBackup(options.backupsDir, file.path, replaceAll(bytes, options.secrets, BACKUP_PLACEHOLDER));
  const { mode, uid, gid } = file.fingerprint;
  try {
    await replaceFile(file.target, rewritten, {
      mode,
      uid,
      gid,
      stillUnchanged: async () => {
        const now = await lstat(file.target, { bigint: true }).catch(() => undefined);
        return !!now && now.isFile() && sameFileState(now, file.fingerprint);
      },
    });
  } catch (error) {
    // Nothing changed: a backup of an unchanged file would only be clutter.
    await unlink(backup).catch(() => {});
    throw error;
  }
  return { backup, changedLines: edits.size };
}
