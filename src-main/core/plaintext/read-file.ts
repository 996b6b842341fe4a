import { createHash } from 'node:crypto';
import { constants, type BigIntStats } from 'node:fs';
import { lstat, open, realpath } from 'node:fs/promises';
import type { LinkBounds } from './scope';

/**
 * Reads a file a scan may look at, and only such a file: a link is resolved and must lead inside the scan's
 * bounds; anything but a regular file (a FIFO, a device, a socket) is never opened, since opening one can
 * block or have effects; the open itself does not follow links and does not block, and the opened file must
 * be the one checked. Size is capped before and while reading.
 */

/** What the file was when read: a fix refuses to touch it if any of this changed since. */
export interface Fingerprint {
  dev: string;
  ino: string;
  size: number;
  mtimeNs: string;
  sha256: string;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
}

export type SkipReason = 'missing' | 'link-outside' | 'link-broken' | 'special' | 'too-large' | 'binary' | 'unreadable' | 'changed';

export type ReadOutcome =
  | { ok: true; bytes: Buffer; target: string; fingerprint: Fingerprint }
  | { ok: false; reason: SkipReason; note: string; target?: string };

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const NONBLOCK = constants.O_NONBLOCK ?? 0;
const NOCTTY = constants.O_NOCTTY ?? 0;
export const READ_FLAGS = constants.O_RDONLY | NOFOLLOW | NONBLOCK | NOCTTY;

function what(stats: { isFIFO(): boolean; isSocket(): boolean; isDirectory(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isDirectory()) return 'a folder';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

const MiB = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;

export function fingerprintOf(stats: BigIntStats, bytes: Buffer): Fingerprint {
  return {
    dev: String(stats.dev),
    ino: String(stats.ino),
    size: Number(stats.size),
    mtimeNs: String(stats.mtimeNs),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    mode: Number(stats.mode),
    uid: Number(stats.uid),
    gid: Number(stats.gid),
    nlink: Number(stats.nlink),
  };
}

export function sameFileState(stats: BigIntStats, fingerprint: Fingerprint): boolean {
  return String(stats.dev) === fingerprint.dev && String(stats.ino) === fingerprint.ino && Number(stats.size) === fingerprint.size && String(stats.mtimeNs) === fingerprint.mtimeNs;
}

export async function readScannedFile(path: string, bounds: LinkBounds, maxBytes: number): Promise<ReadOutcome> {
  try {
    await lstat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, reason: 'missing', note: 'not found' };
    return { ok: false, reason: 'unreadable', note: `could not be read (${code ?? 'error'})` };
  }
  let target: string;
  try {
    target = await realpath(path);
  } catch {
    return { ok: false, reason: 'link-broken', note: 'a link that leads nowhere' };
  }
  if (!bounds.allows(target)) {
    return { ok: false, reason: 'link-outside', target, note: `leads to ${target}, outside the places Keydesk searches; add its folder to search it` };
  }
  return readRegularFile(target, maxBytes);
}

/**
 * Reads `target` (links already resolved) if it is a regular file within `maxBytes` and not binary. Never
 * opens anything else: a FIFO, a device or a socket is reported, not read.
 */
export async function readRegularFile(target: string, maxBytes: number): Promise<ReadOutcome> {
  const stats = await lstat(target, { bigint: true }).catch(() => undefined);
  if (!stats) return { ok: false, reason: 'missing', note: 'not found' };
  if (stats.isSymbolicLink()) return { ok: false, reason: 'changed', target, note: 'changed while Keydesk was reading it' };
  if (!stats.isFile()) return { ok: false, reason: 'special', target, note: `${what(stats)}; not opened` };
  if (stats.size > BigInt(maxBytes)) return { ok: false, reason: 'too-large', target, note: `${MiB(Number(stats.size))}, larger than the ${MiB(maxBytes)} Keydesk reads` };

  let handle;
  try {
    handle = await open(target, READ_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'ENOENT') return { ok: false, reason: 'changed', target, note: 'changed while Keydesk was reading it' };
    return { ok: false, reason: 'unreadable', target, note: code === 'EACCES' || code === 'EPERM' ? 'not readable by you' : `could not be read (${code ?? 'error'})` };
  }
  try {
    const opened = await handle.stat({ bigint: true });
    // Swapped between the check and the open (for a FIFO, say): not the file that was checked.
    if (!opened.isFile() || opened.dev !== stats.dev || opened.ino !== stats.ino) return { ok: false, reason: 'changed', target, note: 'changed while Keydesk was reading it' };
    const buffer = Buffer.alloc(Math.min(Number(opened.size), maxBytes) + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxBytes) return { ok: false, reason: 'too-large', target, note: `larger than the ${MiB(maxBytes)} Keydesk reads` };
    const bytes = buffer.subarray(0, length);
    if (bytes.includes(0)) return { ok: false, reason: 'binary', target, note: 'a binary file; not searched' };
    return { ok: true, bytes, target, fingerprint: fingerprintOf(opened, bytes) };
  } catch (error) {
    return { ok: false, reason: 'unreadable', target, note: `could not be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  } finally {
    await handle.close();
  }
}
