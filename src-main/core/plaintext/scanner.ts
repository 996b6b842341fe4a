import { opendir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { cancelledError } from '../cancel';
import { parseIni, type IniSection } from '../ecosystem/ini';
import { awsConfigProfile, awsConnection } from '../ecosystem/sources';
import { registerSecret } from '../redact';
import { findOccurrences, keyLines, statedEndpoint, type KeyNeedle, type Occurrence } from './detect';
import { splitLines, textLines } from './file-lines';
import { readScannedFile, type Fingerprint, type SkipReason } from './read-file';
import { DEFAULT_LIMITS, isEnvFileName, isInside, isSkippedFolder, knownFiles, LinkBounds, type FileKind, type ScanLimits, type ScanScope } from './scope';

/**
 * One pass over the scan's scope (scope.ts): the tool files, the history files, then a walk of the home
 * folder for `.env` files and of each added folder for every text file. Each file is read once (by device
 * and inode, whatever links lead to it) and searched for key material (detect.ts). Bounded by depth,
 * folder entries and time; cancellable between files.
 */

export interface ScannedFile {
  /** As listed or found; `target` is the file itself when `path` is or passes through a link. */
  path: string;
  target: string;
  kind: FileKind;
  fingerprint: Fingerprint;
  occurrences: Occurrence[];
  /** AWS files only: their sections, to join the profiles of credentials and config files. */
  sections?: IniSection[];
  /** The text of the lines that hold keys, for excerpts; the rest is not kept. */
  lines: Map<number, string>;
}

/** A tool or history file Keydesk looks for by name, and what it found there. */
export interface LookedAt {
  path: string;
  kind: FileKind;
  state: 'read' | 'missing' | 'skipped';
  note?: string;
}

export interface SkippedFile {
  path: string;
  reason: SkipReason;
  note: string;
}

export interface ScanStats {
  filesRead: number;
  foldersSearched: number;
  /** Links to folders, which the walk never follows (a folder inside the scope is reached directly). */
  folderLinks: number;
  elapsedMs: number;
  /** Why the walk ended early, with the folders it did not get to. */
  stopped?: { reason: 'time' | 'entries'; foldersLeft: number };
  /** Files not read, by reason (the list of skipped files is capped). */
  skippedByReason: Partial<Record<SkipReason, number>>;
}

export interface ScanProgress {
  filesRead: number;
  foldersSearched: number;
  occurrences: number;
  /** The folder being searched. */
  folder?: string;
}

export interface RawScan {
  /** Where links may lead in this scan; a file searched again after a fix is held to the same. */
  bounds: LinkBounds;
  files: ScannedFile[];
  known: LookedAt[];
  skipped: SkippedFile[];
  stats: ScanStats;
}

export interface ScanOptions {
  /** Keys to find by value too (their IDs and, where known, secrets). */
  needles?: KeyNeedle[];
  limits?: Partial<ScanLimits>;
  signal?: AbortSignal;
  onProgress?: (progress: ScanProgress) => void;
}

/** Files whose names say they are not text: counted as binary without being opened. */
const BINARY_EXTENSIONS = new Set(
  '.png .jpg .jpeg .gif .webp .ico .bmp .tif .tiff .pdf .zip .gz .tgz .bz2 .xz .zst .7z .rar .jar .war .class .so .dylib .dll .exe .o .a .pyc .wasm .mp3 .mp4 .mov .avi .mkv .webm .ogg .flac .wav .woff .woff2 .ttf .otf .iso .img .dmg .sqlite .db .psd'.split(' '),
);
const SKIPPED_LISTED = 200;

/** What a file found by a walk is, by its name: a tool's file anywhere is read as that tool's file. */
export function fileKindOf(path: string): FileKind {
  const name = basename(path);
  const parent = basename(dirname(path));
  if (parent === '.aws' && name === 'credentials') return 'aws-credentials';
  if (parent === '.aws' && name === 'config') return 'aws-config';
  if (name === 'rclone.conf' || name === '.rclone.conf') return 'rclone';
  if (name === '.s3cfg' || name.endsWith('.s3cfg')) return 's3cmd';
  if (/^\.(bash|zsh|sh|ksh|python|node_repl|irb)_history$|^\.zhistory$|^\.histfile$|^fish_history$/.test(name)) return 'history';
  if (isEnvFileName(name)) return 'env';
  return 'other';
}

export async function searchFile(
  path: string,
  kind: FileKind,
  bounds: LinkBounds,
  maxBytes: number,
  needles: KeyNeedle[],
): Promise<{ ok: true; file: ScannedFile } | { ok: false; reason: SkipReason; note: string }> {
  const outcome = await readScannedFile(path, bounds, maxBytes);
  if (!outcome.ok) return outcome;
  const lines = textLines(splitLines(outcome.bytes));
  const occurrences = findOccurrences(kind, lines, { fish: basename(path) === 'fish_history', needles });
  for (const o of occurrences) for (const secret of [o.secret, ...o.tokens]) if (secret) registerSecret(secret);
  const sections = kind === 'aws-config' || kind === 'aws-credentials' ? parseIni(lines.join('\n')) : undefined;
  const keyText = new Map(occurrences.flatMap((o) => keyLines(o).map((line) => [line, lines[line]] as const)));
  return { ok: true, file: { path, target: outcome.target, kind, fingerprint: outcome.fingerprint, occurrences, sections, lines: keyText } };
}

export async function scanFiles(scope: ScanScope, options: ScanOptions = {}): Promise<RawScan> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const started = Date.now();
  const known = knownFiles(scope);
  const bounds = await LinkBounds.of(scope, known);
  const files: ScannedFile[] = [];
  const looked: LookedAt[] = [];
  const skipped: SkippedFile[] = [];
  const stats: ScanStats = { filesRead: 0, foldersSearched: 0, folderLinks: 0, elapsedMs: 0, skippedByReason: {} };
  const read = new Set<string>();
  let occurrences = 0;
  let folder: string | undefined;
  const progress = () => options.onProgress?.({ filesRead: stats.filesRead, foldersSearched: stats.foldersSearched, occurrences, folder });
  const checkCancelled = () => {
    if (options.signal?.aborted) throw cancelledError();
  };

  const skip = (path: string, reason: SkipReason, note: string) => {
    stats.skippedByReason[reason] = (stats.skippedByReason[reason] ?? 0) + 1;
    if (skipped.length < SKIPPED_LISTED) skipped.push({ path, reason, note });
  };

  /** Reads and searches one file, once whatever names lead to it. */
  const scanFile = async (path: string, kind: FileKind, maxBytes: number): Promise<{ ok: boolean; note?: string; reason?: SkipReason }> => {
    checkCancelled();
    const outcome = await searchFile(path, kind, bounds, maxBytes, options.needles ?? []);
    if (!outcome.ok) return outcome;
    stats.filesRead++;
    const identity = `${outcome.file.fingerprint.dev}:${outcome.file.fingerprint.ino}`;
    if (read.has(identity)) return { ok: true, note: 'the same file as one already searched' };
    read.add(identity);
    occurrences += outcome.file.occurrences.length;
    files.push(outcome.file);
    return { ok: true };
  };

  for (const file of known) {
    const outcome = await scanFile(file.path, file.kind, limits.knownFileBytes);
    if (outcome.ok) looked.push({ path: file.path, kind: file.kind, state: 'read', note: outcome.note });
    else if (outcome.reason === 'missing') looked.push({ path: file.path, kind: file.kind, state: 'missing' });
    else {
      looked.push({ path: file.path, kind: file.kind, state: 'skipped', note: outcome.note });
      skip(file.path, outcome.reason!, outcome.note!);
    }
  }
  progress();

  for (const dir of scope.folders) {
    if (!(await stat(dir).catch(() => undefined))?.isDirectory()) skip(dir, 'missing', 'an added folder that is not there any more');
  }
  // Added folders are searched for every text file; the home walk (`.env` files only) leaves them to that.
  const folderRoots = await Promise.all(scope.folders.map((f) => realpath(f).catch(() => f)));
  const queue: { root: string; dir: string; depth: number; everything: boolean }[] = [
    ...scope.folders.map((dir) => ({ root: dir, dir, depth: 0, everything: true })),
    { root: scope.home, dir: scope.home, depth: 0, everything: false },
  ];
  let entries = 0;
  let lastProgress = 0;
  const outOfBudget = (): ScanStats['stopped'] | undefined =>
    Date.now() - started > limits.timeBudgetMs ? { reason: 'time', foldersLeft: queue.length } : entries >= limits.maxEntries ? { reason: 'entries', foldersLeft: queue.length } : undefined;
  while (queue.length && !stats.stopped) {
    checkCancelled();
    stats.stopped = outOfBudget();
    if (stats.stopped) break;
    const { root, dir, depth, everything } = queue.shift()!;
    folder = dir;
    let handle;
    try {
      // A folder swapped for a link since it was listed must not lead the walk out of the scope.
      const real = await realpath(dir);
      if (!bounds.allows(real)) continue;
      if (!everything && dir !== root && folderRoots.some((r) => isInside(r, real))) continue;
      handle = await opendir(dir);
    } catch {
      continue;
    }
    stats.foldersSearched++;
    try {
      for await (const entry of handle) {
        entries++;
        const stop = outOfBudget();
        if (stop) {
          // This folder is not finished either.
          stats.stopped = { ...stop, foldersLeft: stop.foldersLeft + 1 };
          break;
        }
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (depth + 1 <= (everything ? limits.folderDepth : limits.homeDepth) && !isSkippedFolder(root, path)) queue.push({ root, dir: path, depth: depth + 1, everything });
          continue;
        }
        if (!everything && !isEnvFileName(entry.name)) continue;
        if (entry.isSymbolicLink()) {
          // A link to a folder is not followed; a link to a file is read if it leads inside the scope.
          if ((await stat(path).catch(() => undefined))?.isDirectory()) {
            stats.folderLinks++;
            continue;
          }
        } else if (!entry.isFile()) {
          skip(path, 'special', 'not a regular file (a named pipe, socket or device); not opened');
          continue;
        }
        if (everything && BINARY_EXTENSIONS.has(extname(entry.name).toLowerCase())) {
          stats.skippedByReason.binary = (stats.skippedByReason.binary ?? 0) + 1;
          continue;
        }
        const kind = fileKindOf(path);
        const outcome = await scanFile(path, kind, kind === 'history' ? limits.knownFileBytes : limits.fileBytes);
        if (!outcome.ok) skip(path, outcome.reason!, outcome.note!);
        if (Date.now() - lastProgress > 100) {
          lastProgress = Date.now();
          progress();
        }
      }
    } catch (error) {
      if ((error as { code?: string }).code === 'CANCELLED') throw error;
      // A folder that vanished or stopped being readable mid-listing: what was listed counts.
    }
  }
  folder = undefined;
  fillAwsEndpoints(files);
  stats.elapsedMs = Date.now() - started;
  progress();
  return { bounds, files, known: looked, skipped, stats };
}

/**
 * Profiles in an AWS credentials file take their endpoint, region and addressing style from the config
 * file beside it (or the one AWS_CONFIG_FILE names): the same profile name in both.
 */
export function fillAwsEndpoints(files: ScannedFile[]): void {
  const configs = files.filter((f) => f.kind === 'aws-config');
  for (const file of files.filter((f) => f.kind === 'aws-credentials')) {
    const config = configs.find((c) => dirname(c.path) === dirname(file.path)) ?? configs[0];
    const profiles = new Map<string, IniSection>();
    for (const section of config?.sections ?? []) profiles.set(awsConfigProfile(section.name) ?? '', section);
    const own = new Map((file.sections ?? []).map((s) => [s.name, s]));
    for (const occurrence of file.occurrences) {
      if (occurrence.profile === undefined) continue;
      const configSection = profiles.get(occurrence.profile);
      occurrence.connection = awsConnection(configSection, own.get(occurrence.profile));
      occurrence.statedEndpoint = configSection && statedEndpoint('aws', configSection);
    }
  }
}
