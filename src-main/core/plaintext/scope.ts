import { realpath } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { sourcePaths, type ScanLocation } from '../ecosystem/sources';

/**
 * Exactly what a plain-text scan reads, and nothing else: the files the AWS CLI, rclone and s3cmd read
 * (where their environment variables point), shell and REPL history files in the home folder, `.env`-style
 * files anywhere under the home folder (bounded depth, no dependency or cache folders), and every text file
 * under folders the user added. A link is followed only to a place inside that scope.
 */

/** How a file is read and what a fix may do to it. */
export type FileKind = 'aws-credentials' | 'aws-config' | 'rclone' | 's3cmd' | 'env' | 'history' | 'other';

export interface KnownFile {
  path: string;
  kind: FileKind;
  /** Set by an environment variable: the user pointed the tool there, so it is in scope wherever it is. */
  fromEnv?: string;
}

export interface ScanScope extends ScanLocation {
  /** Folders the user added (absolute); every text file under them is read. */
  folders: string[];
}

/** How far a scan goes: the walk stops at whichever limit comes first and says so. */
export interface ScanLimits {
  /** Folder levels below the home folder searched for `.env` files. */
  homeDepth: number;
  /** Folder levels below an added folder. */
  folderDepth: number;
  /** Files larger than this are not read (history and tool config files: `knownFileBytes`). */
  fileBytes: number;
  knownFileBytes: number;
  /** Folder entries looked at, in all. */
  maxEntries: number;
  /** Wall-clock budget of one scan. */
  timeBudgetMs: number;
}

export const DEFAULT_LIMITS: ScanLimits = {
  homeDepth: 6,
  folderDepth: 8,
  fileBytes: 1024 * 1024,
  knownFileBytes: 32 * 1024 * 1024,
  maxEntries: 300_000,
  timeBudgetMs: 30_000,
};

/** Folders never searched, wherever they are: dependencies, version control, build caches. */
const SKIPPED_ANYWHERE = new Set([
  'node_modules',
  'bower_components',
  '.git',
  '.hg',
  '.svn',
  '.venv',
  'venv',
  '__pycache__',
  '.tox',
  '.mypy_cache',
  '.pytest_cache',
  '.terraform',
  '.gradle',
  '.yarn',
  '.pnpm-store',
  '.next',
]);

/** Folders right below the folder searched (the home folder, mostly) that hold caches, trash and other apps' data. */
const SKIPPED_AT_TOP = new Set([
  '.cache',
  '.npm',
  '.cargo',
  '.rustup',
  '.m2',
  '.nuget',
  '.ivy2',
  '.sbt',
  '.gem',
  '.pyenv',
  '.nvm',
  '.Trash',
  '.local/share/Trash',
  '.local/share/Steam',
  '.local/share/flatpak',
  '.mozilla',
  '.thunderbird',
  '.steam',
  '.wine',
  '.var',
  '.vscode-server',
  'snap',
  'Library',
  'go',
]);

export function isSkippedFolder(root: string, dir: string): boolean {
  return SKIPPED_ANYWHERE.has(basename(dir)) || SKIPPED_AT_TOP.has(relative(root, dir));
}

/** `.env`, `.env.local`, `.env.production`, `prod.env`, and direnv's `.envrc`. */
export function isEnvFileName(name: string): boolean {
  return name === '.env' || name === '.envrc' || name.startsWith('.env.') || (name.endsWith('.env') && name.length > 4);
}

/** Every place a tool keeps its config, including the legacy rclone location, with the variables the tools honour. */
export function knownFiles({ home, env }: ScanLocation): KnownFile[] {
  const paths = sourcePaths({ home, env });
  const xdgConfig = env.XDG_CONFIG_HOME || join(home, '.config');
  const xdgData = env.XDG_DATA_HOME || join(home, '.local', 'share');
  const files: KnownFile[] = [
    { path: paths.awsCredentials, kind: 'aws-credentials', fromEnv: env.AWS_SHARED_CREDENTIALS_FILE ? 'AWS_SHARED_CREDENTIALS_FILE' : undefined },
    { path: paths.awsConfig, kind: 'aws-config', fromEnv: env.AWS_CONFIG_FILE ? 'AWS_CONFIG_FILE' : undefined },
    { path: paths.rclone, kind: 'rclone', fromEnv: env.RCLONE_CONFIG ? 'RCLONE_CONFIG' : undefined },
    { path: join(xdgConfig, 'rclone', 'rclone.conf'), kind: 'rclone', fromEnv: env.XDG_CONFIG_HOME ? 'XDG_CONFIG_HOME' : undefined },
    { path: join(home, '.config', 'rclone', 'rclone.conf'), kind: 'rclone' },
    { path: join(home, '.rclone.conf'), kind: 'rclone' },
    // Windows keeps rclone's config under the roaming profile.
    ...(env.APPDATA ? [{ path: join(env.APPDATA, 'rclone', 'rclone.conf'), kind: 'rclone' as const, fromEnv: 'APPDATA' }] : []),
    ...(env.S3CMD_CONFIG ? [{ path: env.S3CMD_CONFIG, kind: 's3cmd' as const, fromEnv: 'S3CMD_CONFIG' }] : []),
    { path: paths.s3cmd, kind: 's3cmd' },
    ...[
      // HISTFILE counts only inside the home folder: a shell variable, easily left pointing anywhere.
      env.HISTFILE && isInside(resolve(home), resolve(env.HISTFILE)) ? { path: env.HISTFILE } : undefined,
      { path: join(home, '.bash_history') },
      { path: join(home, '.zsh_history') },
      env.ZDOTDIR ? { path: join(env.ZDOTDIR, '.zsh_history'), fromEnv: 'ZDOTDIR' } : undefined,
      { path: join(home, '.zhistory') },
      { path: join(home, '.histfile') },
      { path: join(home, '.sh_history') },
      { path: join(home, '.ksh_history') },
      { path: join(xdgData, 'fish', 'fish_history'), fromEnv: env.XDG_DATA_HOME ? 'XDG_DATA_HOME' : undefined },
      { path: join(home, '.local', 'share', 'fish', 'fish_history') },
      { path: join(xdgConfig, 'nushell', 'history.txt'), fromEnv: env.XDG_CONFIG_HOME ? 'XDG_CONFIG_HOME' : undefined },
      { path: join(home, '.local', 'share', 'powershell', 'PSReadLine', 'ConsoleHost_history.txt') },
      env.APPDATA ? { path: join(env.APPDATA, 'Microsoft', 'Windows', 'PowerShell', 'PSReadLine', 'ConsoleHost_history.txt'), fromEnv: 'APPDATA' } : undefined,
      { path: join(home, '.python_history') },
      { path: join(home, '.node_repl_history') },
      { path: join(home, '.irb_history') },
    ]
      .filter((file) => !!file)
      .map((file) => ({ ...file, kind: 'history' as const })),
  ];
  const seen = new Set<string>();
  return files.filter((file) => {
    if (!isAbsolute(file.path)) return false;
    const key = resolve(file.path);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Whether `path` is `root` or lies under it; both absolute and resolved. */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Where a link may lead: inside the home folder or an added folder, or exactly to a tool file an
 * environment variable names. Compared with links resolved on both sides (the home folder itself may be
 * reached through a link, as /var is on macOS).
 */
export class LinkBounds {
  private constructor(
    private readonly roots: string[],
    private readonly files: Set<string>,
  ) {}

  static async of(scope: ScanScope, known: KnownFile[]): Promise<LinkBounds> {
    const real = async (path: string) => realpath(path).catch(() => resolve(path));
    const roots = await Promise.all([scope.home, ...scope.folders].map(real));
    const files = await Promise.all(known.filter((f) => f.fromEnv).map((f) => real(f.path)));
    return new LinkBounds(roots, new Set(files));
  }

  allows(realPath: string): boolean {
    return this.files.has(realPath) || this.roots.some((root) => isInside(root, realPath));
  }
}
