import { lstat, readFile, realpath } from 'node:fs/promises';
import { cancelledError } from '../cancel';
import { KeydeskError, toErrorInfo, type ErrorInfo } from '../errors';
import { writeFileAtomic } from '../safe-files';
import { parseEndpoint } from '../s3/client';
import { runPool } from '../s3/pool';
import type { BatchProgress } from '../s3/session';
import type { CredentialVault } from '../vault/credential-vault';
import { checkKey, type KeyCheck } from '../vault/key-check';
import { endpointIdentity, keyIdentity } from '../vault/key-identity';
import type { CredentialRecord } from '../vault/metadata-store';
import { withoutLines } from './ini';
import { scanSources, type FoundCredential, type ScanLocation, type ScannedSource } from './sources';

/** What the renderer sees of a found key pair: everything but the secret. */
export interface ImportCandidate extends Omit<FoundCredential, 'secretAccessKey' | 'secretLines'> {
  hasSecret: boolean;
  /** Files that hold its secret in plain text. */
  files: string[];
  /** The saved credential holding the same key, if Keydesk has it already. */
  savedAs?: { id: string; label: string };
  /** An earlier candidate with the same key (two profiles of one key): importing it once is enough. */
  sameKeyAs?: string;
}

/** Whether a candidate's key works, by one ListBuckets against its endpoint. */
export interface ImportTest {
  id: string;
  check: KeyCheck;
}

export interface ImportPreview {
  sources: ScannedSource[];
  candidates: ImportCandidate[];
}

export interface ImportResult {
  imported: CredentialRecord[];
  skipped: { id: string; reason: string; existing?: { id: string; label: string } }[];
  /** Keys whose test failed, so they were not saved (unless the user asked to save them anyway). */
  failing: { id: string; reason: string; error: ErrorInfo }[];
  /** Files rewritten without the secrets of the selected keys. */
  cleaned: { file: string; removedLines: number }[];
  failed: { id: string; error: ErrorInfo }[];
}

const LABELS = { aws: 'AWS profile', rclone: 'rclone remote', s3cmd: 's3cmd' } as const;

/** Lines a clean-up leaves where a secret was, so the user finds out where it went. */
export const MOVED_NOTE = '# Secret moved to the OS keychain by Keydesk (Keydesk → Use in… has a credential_process line for it).';

export interface ImportOptions {
  signal?: AbortSignal;
  onProgress?: (progress: BatchProgress) => void;
  /** Per check; checks run a few at once, one at a time per service. */
  timeoutMs?: number;
}

export interface RunImportOptions extends SaveKeysOptions {
  removePlaintext: boolean;
}

const CHECKS_AT_ONCE = 4;

export async function previewImport(vault: CredentialVault, location: ScanLocation): Promise<ImportPreview> {
  const { sources, credentials } = await scanSources(location);
  const seen = new Map<string, string>();
  return {
    sources,
    candidates: credentials.map((found) => {
      const { secretAccessKey, secretLines, ...rest } = found;
      const saved = savedAs(vault, rest);
      const identity = importable(found) ? keyIdentity(found) : undefined;
      const first = identity ? seen.get(identity) : undefined;
      if (identity && !first) seen.set(identity, rest.id);
      return {
        ...rest,
        hasSecret: !!secretAccessKey,
        files: secretLines.filter((s) => s.lines.length).map((s) => s.file),
        savedAs: saved && { id: saved.id, label: saved.label },
        sameKeyAs: first,
      };
    }),
  };
}

/**
 * Tests the chosen candidates' keys (ListBuckets, short timeout), a few at once and one at a time per
 * service; each distinct key once. Candidates that cannot be imported or are saved already are left out.
 */
export async function testImport(vault: CredentialVault, location: ScanLocation, ids: string[], options: ImportOptions = {}): Promise<ImportTest[]> {
  const { credentials } = await scanSources(location);
  const chosen = credentials.filter((c) => ids.includes(c.id) && importable(c) && !savedAs(vault, c));
  const checks = await checkKeys(chosen, options);
  return chosen.map((c) => ({ id: c.id, check: checks.get(keyIdentity(c))! }));
}

type CheckedKey = Pick<FoundCredential, 'endpoint' | 'region' | 'forcePathStyle' | 'accessKeyId' | 'secretAccessKey'>;

/** Each distinct key checked once; cancelling throws CANCELLED and nothing is returned. */
async function checkKeys(candidates: CheckedKey[], options: ImportOptions): Promise<Map<string, KeyCheck>> {
  const byService = new Map<string, CheckedKey[]>();
  const keys = new Set<string>();
  for (const candidate of candidates) {
    if (keys.has(keyIdentity(candidate))) continue;
    keys.add(keyIdentity(candidate));
    const service = endpointIdentity(candidate.endpoint);
    byService.set(service, [...(byService.get(service) ?? []), candidate]);
  }
  const checks = new Map<string, KeyCheck>();
  options.onProgress?.({ done: 0, total: keys.size });
  await runPool(
    byService.values(),
    CHECKS_AT_ONCE,
    async (group, signal) => {
      for (const candidate of group) {
        checks.set(keyIdentity(candidate), await checkCandidate(candidate, signal, options.timeoutMs));
        options.onProgress?.({ done: checks.size, total: keys.size });
      }
    },
    options.signal,
  );
  return checks;
}

async function checkCandidate(candidate: CheckedKey, signal: AbortSignal, timeoutMs = 10_000): Promise<KeyCheck> {
  let endpoint: string;
  try {
    endpoint = parseEndpoint(candidate.endpoint);
  } catch (error) {
    return { works: false, reason: 'invalid endpoint', error: toErrorInfo(error) };
  }
  const connection = { ...candidate, endpoint, secretAccessKey: candidate.secretAccessKey!, checksums: 'when-required' as const };
  const check = await checkKey(connection, { signal, timeoutMs });
  if (signal.aborted) throw cancelledError();
  return check;
}

function importable(found: Pick<FoundCredential, 'problem' | 'secretAccessKey' | 'accessKeyId'>): boolean {
  return !found.problem && !!found.secretAccessKey && !!found.accessKeyId;
}

/** A key pair found in plain text, ready to be tested and saved: from a tool's config or any other file. */
export type ImportableKey = Pick<FoundCredential, 'id' | 'endpoint' | 'region' | 'forcePathStyle' | 'accessKeyId'> & {
  secretAccessKey: string;
  /** The label it is saved under, made unique among the saved ones. */
  suggestedLabel: string;
};

export interface SaveKeysOptions extends ImportOptions {
  /** Keys saved without a test, or despite a failed one: the user ticked "save anyway". */
  saveAnyway?: string[];
  /** Told the test outcome of each key it saved, so its health starts known. */
  onSaved?: (record: CredentialRecord, check: KeyCheck) => void;
}

export type SaveKeysResult = Pick<ImportResult, 'imported' | 'skipped' | 'failing' | 'failed'> & {
  /** Keys that are in the keychain now, saved here or before: their plain-text copies may go. */
  inKeychain: string[];
};

/**
 * The import path every plain-text key takes: each key is tested (ListBuckets) before anything is saved,
 * so cancelling saves nothing; a key that fails its test is not saved unless the user asked for it; a key
 * Keydesk holds already is not saved twice.
 */
export async function saveKeys(vault: CredentialVault, keys: ImportableKey[], options: SaveKeysOptions = {}): Promise<SaveKeysResult> {
  const result: SaveKeysResult = { imported: [], skipped: [], failing: [], failed: [], inKeychain: [] };
  const toSave: ImportableKey[] = [];
  for (const key of keys) {
    const existing = savedAs(vault, key);
    if (existing) {
      result.skipped.push({ id: key.id, reason: `Already saved as "${existing.label}".`, existing: { id: existing.id, label: existing.label } });
      result.inKeychain.push(key.id);
    } else {
      toSave.push(key);
    }
  }
  const anyway = new Set(options.saveAnyway ?? []);
  const checks = await checkKeys(
    toSave.filter((c) => !anyway.has(c.id)),
    options,
  );
  for (const key of toSave) {
    const check = checks.get(keyIdentity(key));
    if (check && !check.works && !anyway.has(key.id)) {
      result.failing.push({ id: key.id, reason: check.reason, error: check.error });
      continue;
    }
    try {
      const record = await vault.save({
        label: '',
        suggestedLabel: key.suggestedLabel,
        endpoint: key.endpoint,
        region: key.region,
        accessKeyId: key.accessKeyId,
        secretAccessKey: key.secretAccessKey,
        forcePathStyle: key.forcePathStyle,
      });
      result.imported.push(record);
      result.inKeychain.push(key.id);
      if (check) options.onSaved?.(record, check);
    } catch (error) {
      const info = toErrorInfo(error);
      // Two profiles holding one key: the first saved it, the second points at it.
      if (info.existing) {
        result.skipped.push({ id: key.id, reason: `Already saved as "${info.existing.label}".`, existing: info.existing });
        result.inKeychain.push(key.id);
      } else {
        result.failed.push({ id: key.id, error: info });
      }
    }
  }
  return result;
}

/**
 * Tests the chosen keys, saves those that work (secret → keychain) and those the user asked to save
 * anyway, then, if asked, rewrites their files without the plain-text secrets. A file is only cleaned of
 * keys that are safely in the keychain, and is replaced atomically with no backup copy, since a backup
 * would keep the plain text.
 */
export async function runImport(vault: CredentialVault, location: ScanLocation, ids: string[], options: RunImportOptions): Promise<ImportResult> {
  const { credentials } = await scanSources(location);
  const skipped: ImportResult['skipped'] = [];
  const chosen: FoundCredential[] = [];
  for (const id of ids) {
    const found = credentials.find((c) => c.id === id);
    if (!found) skipped.push({ id, reason: 'Not found in the config files any more.' });
    else if (!importable(found)) skipped.push({ id, reason: found.problem ?? 'No secret.' });
    else chosen.push(found);
  }
  const saved = await saveKeys(
    vault,
    chosen.map((found) => ({ ...found, secretAccessKey: found.secretAccessKey!, suggestedLabel: `${found.name} (${LABELS[found.kind]})` })),
    options,
  );
  const { inKeychain, ...result } = saved;
  const cleaned = options.removePlaintext ? await removeSecrets(chosen.filter((c) => inKeychain.includes(c.id))) : [];
  return { ...result, skipped: [...skipped, ...result.skipped], cleaned };
}

async function removeSecrets(credentials: FoundCredential[]): Promise<ImportResult['cleaned']> {
  const byFile = new Map<string, Set<number>>();
  for (const c of credentials) {
    for (const { file, lines } of c.secretLines) {
      const set = byFile.get(file) ?? new Set<number>();
      for (const line of lines) set.add(line);
      byFile.set(file, set);
    }
  }
  const cleaned: ImportResult['cleaned'] = [];
  for (const [file, lines] of byFile) {
    if (!lines.size) continue;
    await rewriteAtomically(file, withoutLines(await readFile(file, 'utf8'), lines, MOVED_NOTE));
    cleaned.push({ file, removedLines: lines.size });
  }
  return cleaned;
}

/**
 * Replaced atomically with its permissions (safe-files.ts): readers see the old or the new file, never half.
 * A file reached through a link, or with other names (hard links), is left alone with a sentence saying so:
 * replacing the name would leave the secret in the file the link points to, or under the other names.
 */
async function rewriteAtomically(file: string, text: string): Promise<void> {
  const stats = await lstat(file);
  if (stats.isSymbolicLink()) {
    const target = await realpath(file).catch(() => 'a file elsewhere');
    throw new KeydeskError({
      code: 'CONFLICT',
      message: `${file} is a link to ${target}, so Keydesk did not rewrite it; its secrets are in the keychain now, but the plain-text copy is still in ${target}.`,
      hint: `Remove the secret lines from ${target} yourself.`,
    });
  }
  if (stats.nlink > 1) {
    throw new KeydeskError({
      code: 'CONFLICT',
      message: `${file} has ${stats.nlink - 1} other name(s) (hard links), so Keydesk did not rewrite it: the plain-text secrets would stay under those names.`,
      hint: `Remove the secret lines from ${file} yourself; that changes every name.`,
    });
  }
  try {
    await writeFileAtomic(file, text, { mode: stats.mode & 0o777 });
  } catch (error) {
    throw new KeydeskError({ code: 'INTERNAL', message: `${file} could not be rewritten without its secrets: ${(error as Error).message}` }, { cause: error });
  }
}

function savedAs(vault: CredentialVault, found: Pick<FoundCredential, 'accessKeyId' | 'endpoint'>): CredentialRecord | undefined {
  return found.accessKeyId ? vault.find(found) : undefined;
}
