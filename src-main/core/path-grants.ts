import { realpath } from 'node:fs/promises';
import { basename, dirname, join, posix, win32, type PlatformPath } from 'node:path';

/** Granted apart: a folder chosen to upload from is not one to save into, and the other way round. */
export type PathAccess = 'read' | 'write';

/**
 * The local paths the user chose (native dialogs, files dropped on the window): the only ones a transfer
 * may read or write, so a compromised renderer cannot reach every file the user can. A file grant covers
 * that path; a folder grant the folder and everything under it. Paths are compared resolved and
 * normalised, lexically: `..` cannot climb out, "/home/u/docs-evil" is not inside "/home/u/docs", and
 * case is ignored where the usual file systems ignore it (Windows, macOS). Grants last for the session, in
 * memory; past `limit` the oldest go first.
 */
export class PathGrants {
  /** `${access} ${scope} ${key}`, oldest first. */
  private readonly grants = new Set<string>();
  private readonly path: PlatformPath;
  private readonly foldCase: boolean;
  private readonly limit: number;

  constructor(options: { platform?: NodeJS.Platform; limit?: number } = {}) {
    const platform = options.platform ?? process.platform;
    this.path = platform === 'win32' ? win32 : posix;
    this.foldCase = platform === 'win32' || platform === 'darwin';
    this.limit = options.limit ?? 10_000;
  }

  grant(path: string, access: PathAccess, scope: 'file' | 'folder'): void {
    const key = this.key(path);
    // A relative path would resolve against whatever the working directory happens to be.
    if (key === undefined) throw new Error(`Only absolute paths can be granted: ${path}`);
    const entry = `${access} ${scope} ${key}`;
    this.grants.delete(entry); // granted again: now the newest
    this.grants.add(entry);
    if (this.grants.size > this.limit) this.grants.delete(this.grants.values().next().value as string);
  }

  allows(path: string, access: PathAccess): boolean {
    const key = this.key(path);
    if (key === undefined) return false;
    if (this.grants.has(`${access} file ${key}`)) return true;
    for (let dir = key; ; dir = this.path.dirname(dir)) {
      if (this.grants.has(`${access} folder ${dir}`)) return true;
      if (this.path.dirname(dir) === dir) return false;
    }
  }

  private key(path: string): string | undefined {
    if (!this.path.isAbsolute(path)) return undefined;
    const resolved = this.path.resolve(path);
    return this.foldCase ? resolved.normalize('NFC').toLowerCase() : resolved;
  }
}

/**
 * The path with symbolic links resolved as far as it exists (a download folder may not exist yet). Checked
 * as well as the path itself, so a link inside a chosen folder cannot lead a transfer out of it.
 */
export async function resolveLinks(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (error) {
    const parent = dirname(path);
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === path) return path;
    return join(await resolveLinks(parent), basename(path));
  }
}
