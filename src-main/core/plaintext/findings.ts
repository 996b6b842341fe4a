import { redact } from '../redact';
import { endpointIdentity } from '../vault/key-identity';
import { keyLines, type Occurrence } from './detect';
import type { ScannedFile } from './scanner';
import type { FileKind } from './scope';

/**
 * What the renderer learns about a plain-text copy of a key: where it is, what matched, a masked excerpt
 * and what can be done about it. Never a secret: excerpts have every secret and token masked, then go
 * through the log redactor as well.
 */

export type Matched = 'access-key-id' | 'secret' | 'both';
export type FixAction = 'credential-process' | 'remove';

export interface FixOption {
  action: FixAction;
  /** Whether it can be done now; `reason` says why not (the key must be in Keydesk first). */
  available: boolean;
  /** What it changes, in words, with line numbers. */
  description: string;
  reason?: string;
}

export interface PlaintextFinding {
  /** Opaque, valid for this scan only: fixes name findings by it, never by path. */
  id: string;
  file: string;
  /** The file the link at `file` leads to, when it is a link. */
  target?: string;
  fileKind: FileKind;
  /** AWS profile, rclone remote or s3cmd section. */
  section?: string;
  /** 1-based. */
  lines: number[];
  matched: Matched;
  accessKeyId?: string;
  /** The key's lines as they read, with every secret masked. */
  excerpt: string[];
  /** The saved credential holding this key. */
  saved?: { id: string; label: string };
  /** A leaked key that Keydesk replaced with this credential's key. */
  replacedBy?: { id: string; label: string };
  /** For a key Keydesk does not hold: whether it can be imported (tested first, then saved). */
  importable?: { ready: true; endpoint: string } | { ready: false; reason: string };
  /** Temporary credentials (a session token or an ASIA… ID): they expire, nothing to import. */
  temporary?: boolean;
  fixes: FixOption[];
  /** What else to know about this file or tool. */
  note?: string;
}

/** A key the scan knows by value: one Keydesk holds, or the one a leak report names. */
export interface KnownKey {
  accessKeyId: string;
  secret?: string;
  endpoint?: string;
  saved?: { id: string; label: string };
  /** A leaked key Keydesk replaced: copies of it can ask for this credential's key through credential_process. */
  replacedBy?: { id: string; label: string };
}

export interface KeyMatch {
  key: KnownKey;
  matched: Matched;
}

/**
 * Which known key an occurrence is, if any: the same secret, or the same access key ID at the same service.
 * A file that names no endpoint does not rule a service out (the AWS CLI is often given `--endpoint-url`
 * on the command line); one that names another service does.
 */
export function matchKey(occurrence: Occurrence, keys: KnownKey[]): KeyMatch | undefined {
  for (const key of keys) {
    const secret = !!key.secret && occurrence.secret === key.secret;
    const sameService = !occurrence.statedEndpoint || !key.endpoint || endpointIdentity(occurrence.statedEndpoint) === endpointIdentity(key.endpoint);
    const id = !!occurrence.accessKeyId && occurrence.accessKeyId === key.accessKeyId && (secret || sameService);
    if (secret || id) return { key, matched: secret && id ? 'both' : secret ? 'secret' : 'access-key-id' };
  }
  return undefined;
}

export function matchedOf(occurrence: Occurrence): Matched {
  return occurrence.secret && occurrence.accessKeyId ? 'both' : occurrence.secret ? 'secret' : 'access-key-id';
}

export function isTemporary(occurrence: Occurrence): boolean {
  return occurrence.tokens.length > 0 || !!occurrence.accessKeyId?.startsWith('ASIA');
}

const MASK = '••••••••';
const EXCERPT_WIDTH = 160;
/** A line of no known shape shows only this much around the key: the rest may be anything the person typed. */
const BY_VALUE_WIDTH = 60;
/** Long base64 runs that are not the key ID: other secrets on a shown line are masked too. */
const SECRET_LIKE = /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{32,}={0,2}(?![A-Za-z0-9+/=])/g;

/** A line as shown: secrets, tokens and anything shaped like one masked, then cut to a readable width around the key. */
export function maskLine(text: string, secrets: string[], accessKeyId?: string, width = EXCERPT_WIDTH): string {
  let out = text.replace(/\r$/, '');
  for (const secret of secrets) if (secret) out = out.split(secret).join(MASK);
  out = out.replace(SECRET_LIKE, (token) => (token === accessKeyId ? token : MASK));
  // The log redactor as a safety net, its mark made the same as ours.
  out = redact(out).replaceAll('[redacted]', MASK);
  if (out.length <= width) return out;
  const anchor = Math.max(0, Math.max(out.indexOf(MASK), accessKeyId ? out.indexOf(accessKeyId) : -1));
  const start = Math.max(0, Math.min(anchor - Math.floor(width / 4), out.length - width));
  return `${start > 0 ? '…' : ''}${out.slice(start, start + width)}${start + width < out.length ? '…' : ''}`;
}

/** Every secret a file holds, as far as the scan knows: masked in excerpts, taken out of backups. */
export function secretsIn(file: ScannedFile, keys: KnownKey[]): string[] {
  const values = new Set<string>();
  for (const o of file.occurrences) for (const v of [o.secret, ...o.tokens]) if (v) values.add(v);
  for (const key of keys) if (key.secret) values.add(key.secret);
  // Longest first, so a secret that contains another is replaced whole.
  return [...values].sort((a, b) => b.length - a.length);
}

export function excerptOf(file: ScannedFile, occurrence: Occurrence, secrets: string[]): string[] {
  return keyLines(occurrence).map((line) => maskLine(file.lines.get(line) ?? '', secrets, occurrence.accessKeyId, occurrence.byValue ? BY_VALUE_WIDTH : EXCERPT_WIDTH));
}

/** Where a line-by-line rewrite is safe: files made of lines, not JSON, YAML or code whose syntax a removed line breaks. */
export function lineOriented(file: ScannedFile): boolean {
  if (file.kind !== 'other') return true;
  return /(^|\/)[^/.]*$|\.(sh|bash|zsh|fish|ksh|envrc|profile|properties|conf|cfg|ini|txt|list|rc)$/i.test(file.path);
}

export const lineList = (lines: number[]): string => {
  const ones = lines.map((l) => l + 1);
  if (ones.length === 1) return `line ${ones[0]}`;
  const contiguous = ones.every((l, i) => i === 0 || l === ones[i - 1] + 1);
  return contiguous ? `lines ${ones[0]}–${ones[ones.length - 1]}` : `lines ${ones.slice(0, -1).join(', ')} and ${ones[ones.length - 1]}`;
};
