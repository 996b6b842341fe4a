import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { KeydeskError, toErrorInfo, type ErrorInfo } from '../errors';
import { parseEndpoint } from '../s3/client';
import type { CredentialVault } from '../vault/credential-vault';
import type { CredentialRecord } from '../vault/metadata-store';
import { withoutLines } from './ini';
import { scanSources, type FoundCredential, type ScanLocation, type ScannedSource } from './sources';

/** What the renderer sees of a found key pair: everything but the secret. */
export interface ImportCandidate extends Omit<FoundCredential, 'secretAccessKey' | 'secretLines'> {
  hasSecret: boolean;
  /** Files that hold its secret in plain text. */
  files: string[];
  /** The saved credential with the same key and endpoint, if Keydesk has it already. */
  savedAs?: string;
}

export interface ImportPreview {
  sources: ScannedSource[];
  candidates: ImportCandidate[];
}

export interface ImportResult {
  imported: CredentialRecord[];
  skipped: { id: string; reason: string }[];
  /** Files rewritten without the secrets of the selected keys. */
  cleaned: { file: string; removedLines: number }[];
  failed: { id: string; error: ErrorInfo }[];
}

const LABELS = { aws: 'AWS profile', rclone: 'rclone remote', s3cmd: 's3cmd' } as const;

/** Lines a clean-up leaves where a secret was, so the user finds out where it went. */
export const MOVED_NOTE = '# Secret moved to the OS keychain by Keydesk (Keydesk → Use in… has a credential_process line for it).';

export async function previewImport(vault: CredentialVault, location: ScanLocation): Promise<ImportPreview> {
  const { sources, credentials } = await scanSources(location);
  return {
    sources,
    candidates: credentials.map(({ secretAccessKey, secretLines, ...rest }) => ({
      ...rest,
      hasSecret: !!secretAccessKey,
      files: secretLines.filter((s) => s.lines.length).map((s) => s.file),
      savedAs: savedAs(vault, rest)?.id,
    })),
  };
}

/**
 * Saves the chosen key pairs (secret → keychain), then, if asked, rewrites their files without the
 * plain-text secrets. A file is only cleaned of keys that are safely in the keychain, and is replaced
 * atomically with no backup copy, since a backup would keep the plain text.
 */
export async function runImport(vault: CredentialVault, location: ScanLocation, ids: string[], removePlaintext: boolean): Promise<ImportResult> {
  const { credentials } = await scanSources(location);
  const result: ImportResult = { imported: [], skipped: [], cleaned: [], failed: [] };
  const inKeychain: FoundCredential[] = [];
  for (const id of ids) {
    const found = credentials.find((c) => c.id === id);
    if (!found) {
      result.skipped.push({ id, reason: 'Not found in the config files any more.' });
      continue;
    }
    if (found.problem || !found.secretAccessKey) {
      result.skipped.push({ id, reason: found.problem ?? 'No secret.' });
      continue;
    }
    const existing = savedAs(vault, found);
    if (existing) {
      result.skipped.push({ id, reason: `Already saved as "${existing.label}".` });
      inKeychain.push(found);
      continue;
    }
    try {
      // Saved without a connection test: these keys are already in use, and some may lack ListBuckets.
      const record = await vault.save({
        label: `${found.name} (${LABELS[found.kind]})`,
        endpoint: found.endpoint,
        region: found.region,
        accessKeyId: found.accessKeyId,
        secretAccessKey: found.secretAccessKey,
        forcePathStyle: found.forcePathStyle,
      });
      result.imported.push(record);
      inKeychain.push(found);
    } catch (error) {
      result.failed.push({ id, error: toErrorInfo(error) });
    }
  }
  if (removePlaintext) result.cleaned = await removeSecrets(inKeychain);
  return result;
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

/** Temp file beside the original with its mode, then rename: readers see the old or the new file, never half. */
async function rewriteAtomically(file: string, text: string): Promise<void> {
  const { mode } = await stat(file);
  const temp = `${file}.keydesk-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(temp, text, { mode: mode & 0o777, flag: 'wx' });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw new KeydeskError({ code: 'INTERNAL', message: `${file} could not be rewritten without its secrets: ${(error as Error).message}` }, { cause: error });
  }
}

function savedAs(vault: CredentialVault, found: Pick<FoundCredential, 'accessKeyId' | 'endpoint'>): CredentialRecord | undefined {
  let endpoint: string;
  try {
    endpoint = parseEndpoint(found.endpoint);
  } catch {
    return undefined;
  }
  return vault.list().find((c) => c.accessKeyId === found.accessKeyId && c.endpoint === endpoint);
}
