import { parseIni, type IniSection } from '../ecosystem/ini';
import { awsConfigProfile, awsConnection, rcloneConnection, s3cmdConnection, type KeyConnection } from '../ecosystem/sources';
import type { FileKind } from './scope';

/**
 * Where key material sits in one file's text: each occurrence is one key as written down (an AWS profile,
 * an rclone remote, a pair of `.env` lines, a command in a shell history), with the 0-based lines holding
 * its access key ID, its secret and any session token. Secrets stay in main; see findings.ts for what the
 * renderer gets.
 */

export interface Occurrence {
  idLine?: number;
  secretLine?: number;
  tokenLines: number[];
  accessKeyId?: string;
  secret?: string;
  /** Session tokens, for masking and backups only. */
  tokens: string[];
  /** INI section as written (`profile prod`, `backup`), and the tool's name for it (`prod`). */
  section?: string;
  profile?: string;
  /** Lines of the same section that a fix also rewrites: an existing credential_process or env_auth line. */
  sectionExtras?: { credentialProcess?: number; envAuth?: number };
  /** Lines a removal takes out with the key's: the rest of a multi-line history entry. */
  entryLines?: number[];
  connection?: Partial<KeyConnection>;
  /** The endpoint the file itself names for this key, if it names one (a key ID alone does not say which service). */
  statedEndpoint?: string;
  /** Found only by a sought key's value, in a line of no known shape: its excerpt shows little around the value. */
  byValue?: boolean;
}

/** The lines holding the key itself. */
export function keyLines(occurrence: Occurrence): number[] {
  return [...new Set([occurrence.idLine, occurrence.secretLine, ...occurrence.tokenLines].filter((l): l is number => l !== undefined))].sort((a, b) => a - b);
}

/** AWS-style key IDs: long-term (AKIA) and temporary (ASIA). */
const AWS_KEY_ID = /(?<![A-Za-z0-9])((?:AKIA|ASIA)[A-Z0-9]{16})(?![A-Za-z0-9])/g;
/** What an AWS secret looks like: 40 characters of base64, found next to an AWS-style key ID. */
const AWS_SECRET_SHAPE = /(?<![A-Za-z0-9+/=])([A-Za-z0-9+/]{40})(?![A-Za-z0-9+/=])/g;
/**
 * A word that may name a key setting: only at these is the full assignment pattern tried (most lines hold
 * none). Names are bounded in length, so no line, however long or odd, costs more than linear time.
 */
const SETTING_NAME = /(?<![A-Za-z0-9_.])(?=[A-Za-z])[A-Za-z0-9_.-]{0,48}?(?:access[_.-]?key|secret|token|endpoint|region)/gi;
/**
 * At such a word: `name = value`, `name: value`, `"name": "value"`, `--name=value`, and `name value` as
 * typed in `aws configure set NAME VALUE` or `rclone config create … NAME VALUE`. A bare value ends where a
 * shell word would; one followed by `=` is the next name, not a value.
 */
const ASSIGNMENT = /([A-Za-z][A-Za-z0-9_.-]{0,99})["']?(?:[ \t]*[=:][ \t]*|[ \t]+)(?:"([^"\s]{1,300})"|'([^'\s]{1,300})'|([^\s"'`;,&|()[\]{}<>#=]{1,300}={0,2})(?=[\s"'`;,&|()[\]{}<>#]|$))/y;

type Role = 'id' | 'secret' | 'token' | 'endpoint' | 'region';

/**
 * What a setting's name says its value is. "Strong" names are S3's own (…access_key_id,
 * …secret_access_key, aws_secret_key); "weak" ones (…access_key, …secret_key) are common elsewhere too
 * (Django's SECRET_KEY), so they count only as a pair.
 */
function roleOf(name: string): { role: Role; strong: boolean } | undefined {
  const n = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (/(secretaccesskey|awssecretkey)$/.test(n)) return { role: 'secret', strong: true };
  if (/secretkey$/.test(n)) return { role: 'secret', strong: false };
  if (/(sessiontoken|securitytoken)$/.test(n)) return { role: 'token', strong: true };
  if (/accesskeyid$/.test(n)) return { role: 'id', strong: true };
  if (/accesskey$/.test(n)) return { role: 'id', strong: false };
  if (/(endpointurls3|endpointurl|s3endpoint|endpoint)$/.test(n)) return { role: 'endpoint', strong: true };
  if (/region$/.test(n)) return { role: 'region', strong: true };
  return undefined;
}

/** A value that is a key, not a placeholder, a variable or a command substitution. */
function plausible(role: Role, value: string): boolean {
  if (/^(.)\1*$/.test(value)) return false;
  switch (role) {
    case 'id':
      return /^[A-Za-z0-9_-]{8,128}$/.test(value);
    case 'secret':
      return /^[A-Za-z0-9+/=_-]{8,256}$/.test(value);
    case 'token':
      return /^[A-Za-z0-9+/=_-]{16,}$/.test(value);
    case 'endpoint':
      return /^(https?:\/\/)?[A-Za-z0-9.-]+(:\d+)?(\/\S*)?$/i.test(value) && value.includes('.');
    case 'region':
      return /^[a-z0-9-]{2,30}$/i.test(value);
  }
}

interface Hit {
  line: number;
  role: Role;
  value: string;
  strong: boolean;
  /** Found by its shape alone (an AKIA… ID, or a 40-character secret next to one), not by a name. */
  bare?: boolean;
}

function lineHits(text: string, line: number): Hit[] {
  const hits: Hit[] = [];
  const assignment = new RegExp(ASSIGNMENT.source, 'y');
  for (const word of text.matchAll(SETTING_NAME)) {
    assignment.lastIndex = word.index;
    const match = assignment.exec(text);
    if (!match) continue;
    const named = roleOf(match[1]);
    const value = match[2] ?? match[3] ?? match[4];
    if (named && value && plausible(named.role, value)) hits.push({ line, value, ...named });
  }
  if (text.includes('IA')) {
    for (const match of text.matchAll(AWS_KEY_ID)) {
      const named = hits.find((h) => h.role === 'id' && h.value === match[1]);
      if (named) named.strong = true;
      else hits.push({ line, role: 'id', value: match[1], strong: true, bare: true });
    }
  }
  return hits;
}

/** 40-character secrets on the line: only mixed-case ones, so a hex hash (a git commit) is not taken for one. */
function bareSecrets(text: string, line: number): Hit[] {
  return [...text.matchAll(AWS_SECRET_SHAPE)]
    .filter((m) => /[a-z]/.test(m[1]) && /[A-Z]/.test(m[1]))
    .map((m) => ({ line, role: 'secret' as const, value: m[1], strong: true, bare: true }));
}

/** How far apart (in lines) an ID and its secret may be written outside INI sections and `.env` files. */
const PAIR_WINDOW = 3;
/** Settings read, and copies reported, per file: pairing is quadratic, and no person reviews more copies than this in one file. */
const MAX_HITS = 2_000;

/** A key Keydesk looks for by value: its access key ID, and its secret where Keydesk holds it. */
export interface KeyNeedle {
  accessKeyId: string;
  secret?: string;
}

export interface DetectOptions {
  /** The file is fish's history (YAML-like entries). */
  fish?: boolean;
  /** Keys to find by value wherever they are written. */
  needles?: KeyNeedle[];
}

export function findOccurrences(kind: FileKind, lines: string[], options: DetectOptions = {}): Occurrence[] {
  const clean = lines.map((l) => l.replace(/\r$/, ''));
  const ini = kind === 'aws-credentials' || kind === 'aws-config' || kind === 'rclone' || kind === 's3cmd' ? iniOccurrences(kind, clean.join('\n')) : [];
  const covered = new Set(ini.flatMap(keyLines));
  const found = [...ini, ...looseOccurrences(kind, clean, covered)];
  found.push(...needleOccurrences(clean, options.needles ?? [], found));
  if (kind === 'history') {
    for (const occurrence of found) occurrence.entryLines = historyEntry(clean, keyLines(occurrence), !!options.fish);
  }
  return found.sort((a, b) => keyLines(a)[0] - keyLines(b)[0]).slice(0, MAX_HITS);
}

const INI_NAMES: Record<'aws' | 'rclone' | 's3cmd', { id: string; secret: string; tokens: string[] }> = {
  aws: { id: 'aws_access_key_id', secret: 'aws_secret_access_key', tokens: ['aws_session_token', 'aws_security_token'] },
  rclone: { id: 'access_key_id', secret: 'secret_access_key', tokens: ['session_token'] },
  s3cmd: { id: 'access_key', secret: 'secret_key', tokens: ['access_token'] },
};

function iniOccurrences(kind: FileKind, text: string): Occurrence[] {
  const tool = kind === 'rclone' ? 'rclone' : kind === 's3cmd' ? 's3cmd' : 'aws';
  const names = INI_NAMES[tool];
  const found: Occurrence[] = [];
  for (const section of parseIni(text)) {
    const id = section.values.get(names.id);
    const secret = section.values.get(names.secret);
    if (!id?.value && !secret?.value) continue;
    const tokens = names.tokens.flatMap((t) => {
      const token = section.values.get(t);
      return token?.value ? [token] : [];
    });
    found.push({
      idLine: id?.value ? id.line : undefined,
      secretLine: secret?.value ? secret.line : undefined,
      tokenLines: tokens.map((t) => t.line),
      accessKeyId: id?.value || undefined,
      secret: secret?.value || undefined,
      tokens: tokens.map((t) => t.value),
      section: section.name,
      profile: kind === 'aws-config' ? (awsConfigProfile(section.name) ?? section.name) : section.name,
      sectionExtras: { credentialProcess: section.values.get('credential_process')?.line, envAuth: section.values.get('env_auth')?.line },
      connection: connectionOf(tool, section, kind),
      statedEndpoint: statedEndpoint(tool, section),
    });
  }
  return found;
}

export function statedEndpoint(tool: 'aws' | 'rclone' | 's3cmd', section: IniSection): string | undefined {
  const value = (key: string) => section.values.get(key)?.value || undefined;
  if (tool === 'rclone') return value('endpoint') && rcloneConnection(section).endpoint;
  if (tool === 's3cmd') return value('host_base') && s3cmdConnection(section).endpoint;
  return value('s3.endpoint_url') ?? value('endpoint_url');
}

function connectionOf(tool: 'aws' | 'rclone' | 's3cmd', section: IniSection, kind: FileKind): Partial<KeyConnection> | undefined {
  if (tool === 'rclone') return rcloneConnection(section);
  if (tool === 's3cmd') return s3cmdConnection(section);
  // A profile in ~/.aws/credentials gets its endpoint from ~/.aws/config: the scanner fills it in.
  return kind === 'aws-config' ? awsConnection(section, undefined) : undefined;
}

/**
 * Key material outside INI sections (and commented-out lines inside INI files): named settings and
 * AWS-style IDs, paired ID with secret by distance. In a `.env` file every line is one setting of the same
 * environment, so an ID pairs with its secret wherever it is; elsewhere only within a few lines. A secret
 * under a weak name needs an ID beside it; an ID alone is kept (a sought key's ID is a finding), and the
 * scanner drops those of keys nobody asked about.
 */
function looseOccurrences(kind: FileKind, lines: string[], covered: Set<number>): Occurrence[] {
  const hits: Hit[] = [];
  for (let line = 0; line < lines.length && hits.length < MAX_HITS; line++) {
    if (!covered.has(line)) hits.push(...lineHits(lines[line], line));
  }
  const ids = hits.filter((h) => h.role === 'id');
  // A 40-character value counts as a secret without a name only beside an AWS-style ID.
  for (const id of ids.filter((h) => h.bare)) {
    for (let line = Math.max(0, id.line - 1); line <= Math.min(lines.length - 1, id.line + 1); line++) {
      if (covered.has(line)) continue;
      for (const secret of bareSecrets(lines[line], line)) {
        if (!hits.some((h) => h.value === secret.value)) hits.push(secret);
      }
    }
  }
  const window = kind === 'env' ? Infinity : PAIR_WINDOW;
  // Secrets under S3's own names pick their IDs first.
  const secrets = hits.filter((h) => h.role === 'secret').sort((a, b) => Number(b.strong) - Number(a.strong) || a.line - b.line);
  const unpairedIds = new Set(ids);
  const occurrences: Occurrence[] = [];
  for (const secret of secrets) {
    const id = nearest([...unpairedIds], secret.line, window);
    if (!id && !secret.strong) continue;
    if (id) unpairedIds.delete(id);
    occurrences.push({ idLine: id?.line, secretLine: secret.line, accessKeyId: id?.value, secret: secret.value, tokenLines: [], tokens: [] });
  }
  for (const id of unpairedIds) occurrences.push({ idLine: id.line, accessKeyId: id.value, tokenLines: [], tokens: [] });
  for (const token of hits.filter((h) => h.role === 'token')) {
    const owner = nearestOccurrence(occurrences, token.line, window);
    if (!owner) continue;
    owner.tokenLines.push(token.line);
    owner.tokens.push(token.value);
  }
  const endpoints = hits.filter((h) => h.role === 'endpoint');
  const regions = hits.filter((h) => h.role === 'region');
  for (const occurrence of occurrences) {
    const at = occurrence.secretLine ?? occurrence.idLine!;
    const endpoint = nearest(endpoints, at, window);
    const region = nearest(regions, at, window);
    const url = endpoint && (/^https?:\/\//i.test(endpoint.value) ? endpoint.value : `https://${endpoint.value}`);
    if (url) occurrence.statedEndpoint = url;
    if (url || region) occurrence.connection = { ...(url && { endpoint: url }), ...(region && { region: region.value }) };
  }
  return occurrences;
}

/** The hit closest to `line` within `window` lines; on a tie the one before (IDs are usually written first). */
function nearest<T extends { line: number }>(candidates: T[], line: number, window: number): T | undefined {
  let best: T | undefined;
  for (const candidate of candidates) {
    const distance = Math.abs(candidate.line - line);
    if (distance > window) continue;
    const bestDistance = best ? Math.abs(best.line - line) : Infinity;
    if (distance < bestDistance || (distance === bestDistance && candidate.line < line)) best = candidate;
  }
  return best;
}

function nearestOccurrence(occurrences: Occurrence[], line: number, window: number): Occurrence | undefined {
  return nearest(
    occurrences.map((o) => ({ line: o.secretLine ?? o.idLine!, o })),
    line,
    window,
  )?.o;
}

/**
 * The whole history entry around these lines: a command continued with a trailing backslash spans several
 * lines, and a fish history entry is its `- cmd:` line plus the indented lines under it.
 */
function historyEntry(lines: string[], at: number[], fish: boolean): number[] {
  const entry = new Set<number>();
  for (const line of at) {
    let first = line;
    let last = line;
    if (fish) {
      while (first > 0 && /^\s/.test(lines[first])) first--;
      while (last + 1 < lines.length && /^\s/.test(lines[last + 1])) last++;
    } else {
      while (first > 0 && lines[first - 1].endsWith('\\')) first--;
      while (last + 1 < lines.length && lines[last].endsWith('\\')) last++;
    }
    for (let l = first; l <= last; l++) entry.add(l);
  }
  return [...entry].sort((a, b) => a - b);
}

/**
 * Lines that hold a sought key's ID or secret but no occurrence found by name or shape (a JSON file with
 * unusual names, `mc alias set NAME URL ID SECRET`): each becomes an occurrence of its own. The ID must
 * stand alone (not inside a longer word); the secret counts anywhere.
 */
function needleOccurrences(lines: string[], needles: KeyNeedle[], found: Occurrence[]): Occurrence[] {
  const extra: Occurrence[] = [];
  const taken = new Set(found.flatMap(keyLines));
  lines.forEach((text, line) => {
    if (taken.has(line)) return;
    for (const needle of needles) {
      const hasSecret = !!needle.secret && needle.secret.length >= 8 && text.includes(needle.secret);
      const hasId = containsWord(text, needle.accessKeyId);
      if (!hasSecret && !hasId) continue;
      extra.push({
        idLine: hasId ? line : undefined,
        secretLine: hasSecret ? line : undefined,
        accessKeyId: hasId ? needle.accessKeyId : undefined,
        secret: hasSecret ? needle.secret : undefined,
        tokenLines: [],
        tokens: [],
        byValue: true,
      });
      return;
    }
  });
  return extra;
}

function containsWord(text: string, word: string): boolean {
  if (word.length < 4) return false;
  for (let at = text.indexOf(word); at !== -1; at = text.indexOf(word, at + 1)) {
    const before = text[at - 1];
    const after = text[at + word.length];
    if (!(before && /[A-Za-z0-9]/.test(before)) && !(after && /[A-Za-z0-9]/.test(after))) return true;
  }
  return false;
}
