import { randomUUID } from 'node:crypto';
import { basename, dirname } from 'node:path';
import { saveKeys, type ImportableKey, type SaveKeysOptions, type SaveKeysResult } from '../ecosystem/importer';
import { KeydeskError, toErrorInfo, type ErrorInfo } from '../errors';
import { registerSecret } from '../redact';
import type { CredentialVault } from '../vault/credential-vault';
import { keyIdentity } from '../vault/key-identity';
import type { CredentialRecord } from '../vault/metadata-store';
import { profileName } from '../vault/profile-names';
import { keyLines, type Occurrence } from './detect';
import {
  excerptOf,
  isTemporary,
  lineList,
  lineOriented,
  matchedOf,
  matchKey,
  secretsIn,
  type FixAction,
  type FixOption,
  type KeyMatch,
  type KnownKey,
  type PlaintextFinding,
} from './findings';
import { applyFixes, credentialProcessLine, type ChosenFix } from './fixes';
import { fillAwsEndpoints, scanFiles, searchFile, type LookedAt, type RawScan, type ScanProgress, type ScannedFile, type SkippedFile, type ScanStats } from './scanner';
import { DEFAULT_LIMITS, type ScanLimits, type ScanScope } from './scope';

/**
 * "Find keys stored in plain text", and "find every plain-text copy of this key": one scan, its findings
 * kept in main under opaque IDs, and the fixes and imports the user confirms for them. The renderer names
 * findings by ID only, so a fix can touch no file but one this session's scan found; a fix refuses a file
 * that changed since. Secrets stay here.
 */

/** A key to look for: its ID, its service if known, and its secret where Keydesk holds it. */
export interface KeyQuery {
  accessKeyId: string;
  endpoint?: string;
  secret?: string;
  /** A leaked key: the saved credential now holding its replacement. */
  replacedBy?: string;
}

export interface PlaintextReport {
  /** The key this scan looked for (every finding is a copy of it); absent when it looked for every key. */
  key?: { accessKeyId: string; endpoint?: string; secretCompared: boolean; saved?: { id: string; label: string } };
  findings: PlaintextFinding[];
  /** The tool and history files, each found or not. */
  looked: LookedAt[];
  /** The folders the user added, searched for every text file. */
  folders: string[];
  skipped: SkippedFile[];
  stats: ScanStats;
  /** Why saved keys' secrets were not compared (the keychain could not be read). */
  keychainNote?: string;
  /** Where fixes leave their backups. */
  backupsDir: string;
}

export interface FixRequest {
  findingId: string;
  action: FixAction;
}

export interface FixOutcome {
  file: string;
  findingIds: string[];
  ok: boolean;
  /** The file as it was, every secret taken out. */
  backup?: string;
  changedLines?: number;
  error?: ErrorInfo;
}

export interface FixReport {
  outcomes: FixOutcome[];
  /** The findings now: fixed ones gone, the files they were in searched again. */
  report: PlaintextReport;
}

export interface ImportReport {
  result: Omit<SaveKeysResult, 'inKeychain'>;
  report: PlaintextReport;
}

export interface FinderOptions {
  vault: CredentialVault;
  /** How to run `credential-process` on this machine. */
  cliCommand: string;
  backupsDir: string;
  /** What to search: read at each scan (the home folder, the environment, the added folders). */
  scope: () => ScanScope;
  limits?: Partial<ScanLimits>;
}

interface Entry {
  file: ScannedFile;
  occurrence: Occurrence;
  match?: KeyMatch;
}

interface Session {
  raw: RawScan;
  folders: string[];
  keys: KnownKey[];
  query?: KeyQuery;
  keychainNote?: string;
  entries: Map<string, Entry>;
}

const TOOL_LABEL: Partial<Record<ScannedFile['kind'], string>> = { 'aws-credentials': 'AWS profile', 'aws-config': 'AWS profile', rclone: 'rclone remote', s3cmd: 's3cmd' };

export class PlaintextFinder {
  private session?: Session;
  /** Scans, fixes and imports take turns: a fix never runs against a scan half done. */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: FinderOptions) {}

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.turn.then(work, work);
    this.turn = run.catch(() => {});
    return run;
  }

  /** Every key in plain text: the ones Keydesk holds (by ID and secret) and any other it recognises. */
  scan(options: { signal?: AbortSignal; onProgress?: (progress: ScanProgress) => void } = {}): Promise<PlaintextReport> {
    return this.exclusive(async () => {
      const { keys, note } = await this.savedKeys();
      return this.run(keys, undefined, note, options);
    });
  }

  /** Every plain-text copy of one key: its access key ID, and its secret where given or held by Keydesk. */
  scanForKey(key: KeyQuery, options: { signal?: AbortSignal; onProgress?: (progress: ScanProgress) => void } = {}): Promise<PlaintextReport> {
    if (key.secret) registerSecret(key.secret);
    return this.exclusive(async () => {
      if (key.replacedBy) {
        const replacement = this.options.vault.get(key.replacedBy);
        const leaked: KnownKey = { accessKeyId: key.accessKeyId, endpoint: key.endpoint ?? replacement.endpoint, secret: key.secret, replacedBy: { id: replacement.id, label: replacement.label } };
        return this.run([leaked], { ...key, endpoint: leaked.endpoint }, undefined, options);
      }
      const saved = this.options.vault.list().find((r) => r.accessKeyId === key.accessKeyId && (!key.endpoint || keyIdentity(r) === keyIdentity({ ...key, endpoint: key.endpoint })));
      let secret = key.secret;
      let note: string | undefined;
      if (!secret && saved) {
        try {
          secret = (await this.options.vault.connection(saved.id)).secretAccessKey;
        } catch (error) {
          note = keychainNote(error);
        }
      }
      const known: KnownKey = { accessKeyId: key.accessKeyId, endpoint: key.endpoint ?? saved?.endpoint, secret, saved: saved && { id: saved.id, label: saved.label } };
      return this.run([known], { ...key, secret }, note, options);
    });
  }

  private async run(keys: KnownKey[], query: KeyQuery | undefined, keychainNote: string | undefined, options: { signal?: AbortSignal; onProgress?: (progress: ScanProgress) => void }): Promise<PlaintextReport> {
    const scope = this.options.scope();
    const raw = await scanFiles(scope, { needles: keys, limits: this.options.limits, signal: options.signal, onProgress: options.onProgress });
    const session: Session = { raw, folders: scope.folders, keys, query, keychainNote, entries: new Map() };
    for (const file of raw.files) this.addEntries(session, file);
    this.session = session;
    return this.report(session);
  }

  /** The findings of a file: copies of a sought key, and (scanning for every key) any key with a secret. */
  private addEntries(session: Session, file: ScannedFile): void {
    for (const occurrence of file.occurrences) {
      const match = matchKey(occurrence, session.keys);
      if (!match && (session.query || !occurrence.secret)) continue;
      session.entries.set(randomUUID(), { file, occurrence, match });
    }
  }

  private report(session: Session): PlaintextReport {
    const all = this.options.vault.list();
    const findings = [...session.entries].map(([id, entry]) => this.describe(id, entry, session, all));
    const saved = session.query && session.keys[0]?.saved;
    return {
      key: session.query && { accessKeyId: session.query.accessKeyId, endpoint: session.query.endpoint, secretCompared: !!session.query.secret, saved },
      findings,
      looked: session.raw.known,
      folders: session.folders,
      skipped: session.raw.skipped,
      stats: session.raw.stats,
      keychainNote: session.keychainNote,
      backupsDir: this.options.backupsDir,
    };
  }

  private describe(id: string, { file, occurrence, match }: Entry, session: Session, all: CredentialRecord[]): PlaintextFinding {
    const saved = match?.key.saved;
    const replacedBy = match?.key.replacedBy;
    const temporary = isTemporary(occurrence);
    const lines = keyLines(occurrence);
    const holder = saved ?? replacedBy;
    const record = holder && all.find((r) => r.id === holder.id);
    return {
      id,
      file: file.path,
      target: file.target !== file.path ? file.target : undefined,
      fileKind: file.kind,
      section: occurrence.profile,
      lines: lines.map((l) => l + 1),
      matched: match?.matched ?? matchedOf(occurrence),
      accessKeyId: occurrence.accessKeyId,
      excerpt: excerptOf(file, occurrence, secretsIn(file, session.keys)),
      saved,
      replacedBy,
      importable: holder ? undefined : importability(occurrence),
      temporary: temporary || undefined,
      fixes: this.fixOptions(file, occurrence, temporary, record && profileName(record, all)),
      note: noteFor(file),
    };
  }

  private fixOptions(file: ScannedFile, occurrence: Occurrence, temporary: boolean, profile: string | undefined): FixOption[] {
    const lines = keyLines(occurrence);
    const options: FixOption[] = [];
    const awsProfile = (file.kind === 'aws-credentials' || file.kind === 'aws-config') && occurrence.section !== undefined;
    if (awsProfile) {
      const line = profile ? credentialProcessLine(this.options.cliCommand, profile) : 'credential_process = …';
      options.push({
        action: 'credential-process',
        available: !!profile && !temporary && !!occurrence.accessKeyId,
        description: `Replaces ${lineList(lines)} with “${line}”, so the AWS CLI and SDKs ask Keydesk for the key of profile “${occurrence.profile}”.`,
        reason: temporary
          ? 'Temporary credentials: Keydesk holds long-term keys only.'
          : !profile
            ? 'Keydesk does not hold this key yet: import it first (it is tested before it is saved).'
            : undefined,
      });
    }
    const removed = [...new Set([...lines, ...(occurrence.entryLines ?? [])])].sort((a, b) => a - b);
    const note = file.kind !== 'history' && file.kind !== 'other';
    options.push(
      lineOriented(file)
        ? { action: 'remove', available: true, description: `Removes ${lineList(removed)}${note ? ', leaving a comment in their place' : ''}.` }
        : {
            action: 'remove',
            available: false,
            description: `Removes ${lineList(removed)}.`,
            reason: `Keydesk rewrites only files made of lines (not JSON, YAML or code, where a removed line can break the file): edit ${lineList(lines)} yourself.`,
          },
    );
    return options;
  }

  /** Applies the confirmed fixes, one rewrite per file; each file succeeds or fails on its own. */
  fix(requests: FixRequest[]): Promise<FixReport> {
    return this.exclusive(async () => {
      const session = this.requireSession();
      const all = this.options.vault.list();
      const byFile = new Map<ScannedFile, { ids: string[]; fixes: ChosenFix[] }>();
      for (const { findingId, action } of requests) {
        const entry = session.entries.get(findingId);
        if (!entry) throw new KeydeskError({ code: 'NOT_FOUND', message: 'That finding is not part of the last scan any more.', hint: 'Scan again.' });
        const finding = this.describe(findingId, entry, session, all);
        const option = finding.fixes.find((f) => f.action === action);
        if (!option?.available) throw new KeydeskError({ code: 'INVALID_INPUT', message: `${finding.file}, ${lineList(finding.lines.map((l) => l - 1))}: ${option?.reason ?? 'that change is not offered for this finding.'}` });
        const holder = finding.saved ?? finding.replacedBy;
        const record = holder && all.find((r) => r.id === holder.id);
        const group = byFile.get(entry.file) ?? { ids: [], fixes: [] };
        group.ids.push(findingId);
        group.fixes.push({ occurrence: entry.occurrence, action, profile: record && profileName(record, all), inKeychain: !!holder });
        byFile.set(entry.file, group);
      }
      const outcomes: FixOutcome[] = [];
      for (const [file, { ids, fixes }] of byFile) {
        try {
          const applied = await applyFixes(file, fixes, { cli: this.options.cliCommand, backupsDir: this.options.backupsDir, secrets: secretsIn(file, session.keys) });
          outcomes.push({ file: file.path, findingIds: ids, ok: true, ...applied });
          await this.searchAgain(session, file);
        } catch (error) {
          outcomes.push({ file: file.path, findingIds: ids, ok: false, error: toErrorInfo(error) });
        }
      }
      return { outcomes, report: this.report(session) };
    });
  }

  /** After a rewrite, the file's findings are those a new read of it gives (the lines moved). */
  private async searchAgain(session: Session, file: ScannedFile): Promise<void> {
    for (const [id, entry] of session.entries) if (entry.file === file) session.entries.delete(id);
    const files = session.raw.files;
    files.splice(files.indexOf(file), 1);
    const limits = { ...DEFAULT_LIMITS, ...this.options.limits };
    const again = await searchFile(file.path, file.kind, session.raw.bounds, file.kind === 'other' || file.kind === 'env' ? limits.fileBytes : limits.knownFileBytes, session.keys);
    if (!again.ok) return;
    files.push(again.file);
    fillAwsEndpoints(files);
    this.addEntries(session, again.file);
  }

  /**
   * Imports the keys of these findings through the import path (each tested before it is saved; those in
   * `saveAnyway` saved without or despite the test). Their findings then show the key as Keydesk's, so
   * credential_process can replace them.
   */
  importKeys(findingIds: string[], options: SaveKeysOptions = {}): Promise<ImportReport> {
    return this.exclusive(async () => {
      const session = this.requireSession();
      const keys: ImportableKey[] = findingIds.map((id) => {
        const entry = session.entries.get(id);
        if (!entry) throw new KeydeskError({ code: 'NOT_FOUND', message: 'That finding is not part of the last scan any more.', hint: 'Scan again.' });
        const ready = importability(entry.occurrence);
        if (entry.match?.key.saved) throw new KeydeskError({ code: 'INVALID_INPUT', message: `${entry.file.path}: Keydesk holds this key already.` });
        if (entry.match?.key.replacedBy) throw new KeydeskError({ code: 'INVALID_INPUT', message: `${entry.file.path}: this is the leaked key Keydesk replaced; it is not imported again.` });
        if (!ready?.ready) throw new KeydeskError({ code: 'INVALID_INPUT', message: `${entry.file.path}: ${ready?.reason ?? 'there is no key pair to import.'}` });
        return importable(id, entry, ready.endpoint);
      });
      const { inKeychain, ...result } = await saveKeys(this.options.vault, keys, options);
      if (inKeychain.length) {
        const { keys: saved, note } = await this.savedKeys();
        // Scanning for one key: the query's own entry stays; the keys just saved join what is compared.
        session.keys = session.query ? session.keys.map((k) => saved.find((s) => s.accessKeyId === k.accessKeyId && s.saved) ?? k) : saved;
        session.keychainNote = note ?? session.keychainNote;
        for (const entry of session.entries.values()) entry.match = matchKey(entry.occurrence, session.keys);
      }
      return { result, report: this.report(session) };
    });
  }

  private requireSession(): Session {
    if (!this.session) throw new KeydeskError({ code: 'NOT_FOUND', message: 'Nothing has been scanned yet.', hint: 'Scan first.' });
    return this.session;
  }

  /** The keys Keydesk holds, each with its secret where the keychain gives it. */
  private async savedKeys(): Promise<{ keys: KnownKey[]; note?: string }> {
    let note: string | undefined;
    const keys = await Promise.all(
      this.options.vault.list().map(async (record): Promise<KnownKey> => {
        let secret: string | undefined;
        try {
          secret = (await this.options.vault.connection(record.id)).secretAccessKey;
        } catch (error) {
          note ??= keychainNote(error);
        }
        return { accessKeyId: record.accessKeyId, endpoint: record.endpoint, secret, saved: { id: record.id, label: record.label } };
      }),
    );
    return { keys, note };
  }
}

function keychainNote(error: unknown): string {
  return `Secrets were not compared, only access key IDs: ${toErrorInfo(error).message}`;
}

function importability(occurrence: Occurrence): PlaintextFinding['importable'] {
  if (!occurrence.accessKeyId || !occurrence.secret) return undefined;
  if (isTemporary(occurrence)) return { ready: false, reason: 'Temporary credentials expire; there is nothing to import.' };
  const endpoint = occurrence.connection?.endpoint ?? (occurrence.accessKeyId.startsWith('AKIA') ? 'https://s3.amazonaws.com' : undefined);
  if (!endpoint) return { ready: false, reason: 'The file does not say which service this key is for: add it under Credentials → Add with its endpoint.' };
  return { ready: true, endpoint };
}

function importable(id: string, { file, occurrence }: Entry, endpoint: string): ImportableKey {
  const tool = TOOL_LABEL[file.kind];
  const where = tool && occurrence.profile ? `${occurrence.profile} (${tool})` : file.kind === 'history' ? `${basename(file.path)} key` : `${basename(dirname(file.path))}/${basename(file.path)}`;
  return {
    id,
    endpoint,
    region: occurrence.connection?.region ?? 'us-east-1',
    forcePathStyle: occurrence.connection?.forcePathStyle ?? !endpoint.endsWith('.amazonaws.com'),
    accessKeyId: occurrence.accessKeyId!,
    secretAccessKey: occurrence.secret!,
    suggestedLabel: where,
  };
}

function noteFor(file: ScannedFile): string | undefined {
  switch (file.kind) {
    case 'rclone':
      return 'rclone has no credential_process setting. Once the key is in Keydesk, a remote can take it from an AWS profile instead: env_auth = true, run with AWS_PROFILE set to the profile Keydesk → Use in… gives.';
    case 's3cmd':
      return 's3cmd cannot ask another program for its key: removing it means s3cmd needs the key given some other way.';
    case 'history':
      return 'Shells open now keep the command in memory and may write it back when they exit: clear that memory in each before closing it (in bash: history -c), then scan again to check.';
    default:
      return undefined;
  }
}
