import type { CredentialRecord } from './metadata-store';
import { formerProfilesAfterRename } from './profile-names';

/**
 * Labels Keydesk makes up name what stays when rotation replaces a key (account, owner, description,
 * host), never the key ID: a label, picker entry or profile name must not point at a deleted key.
 */

/** "Lab Ceph: alice", "Lab Ceph: nightly backups", or "Cloud: sto2" where keys are per region. */
export function accountKeyLabel(accountLabel: string, key: { description?: string; owner?: string; region?: string }): string {
  const detail = key.description?.trim() || key.region?.trim() || key.owner?.trim();
  return detail ? `${accountLabel}: ${detail}` : accountLabel;
}

/** "alice @ s3.example.com", or the host alone when the owner is not known. */
export function endpointLabel(endpoint: string, owner?: string): string {
  const host = hostOf(endpoint);
  return owner?.trim() ? `${owner.trim()} @ ${host}` : host;
}

/** `base`, or "base (2)", "base (3)"… where it is taken, so made-up labels tell keys apart. */
export function uniqueLabel(base: string, taken: Iterable<string>): string {
  const used = new Set([...taken].map((label) => label.trim().toLowerCase()));
  if (!used.has(base.toLowerCase())) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base} (${n})`;
    if (!used.has(candidate.toLowerCase())) return candidate;
  }
}

/** A label after its key was replaced: a literal old key ID in it becomes the new one. */
export function labelAfterNewKey(label: string, oldAccessKeyId: string, newAccessKeyId: string): string {
  // Short IDs (Dell ECS uses the user name) could be ordinary words in a label, and do not change anyway.
  if (oldAccessKeyId === newAccessKeyId || oldAccessKeyId.length < 12) return label;
  return label.split(oldAccessKeyId).join(newAccessKeyId);
}

/** What earlier versions put in made-up labels: the key ID of the day (AWS/RGW style, or Keystone's hex). */
function namesAKey(text: string, accessKeyId: string): boolean {
  return text === accessKeyId || /^(?=.*\d)(?=.*[A-Z])[A-Z0-9]{16,128}$/.test(text) || /^[0-9a-f]{32}$/.test(text);
}

/**
 * The stable label for a label of a made-up form that names a key ID ("Lab Ceph: 27T0…", "27T0… @ host"),
 * or undefined for any other label: those were written by a person and stay as they are.
 */
export function stableLabelFor(record: CredentialRecord, accountLabel: string | undefined): string | undefined {
  const { label, accessKeyId } = record;
  if (accountLabel !== undefined && label.startsWith(`${accountLabel}: `)) {
    return namesAKey(label.slice(accountLabel.length + 2), accessKeyId) ? accountKeyLabel(accountLabel, { owner: record.owner }) : undefined;
  }
  const prefixed = /^(.+): (\S+)$/.exec(label);
  // The account is gone, so its label is not known: the part before the key ID stands for it.
  if (record.accountId && accountLabel === undefined && prefixed && namesAKey(prefixed[2], accessKeyId)) {
    return accountKeyLabel(prefixed[1], { owner: record.owner });
  }
  const hosted = / @ (\S+)$/.exec(label);
  if (hosted && hosted[1] === hostOf(record.endpoint) && namesAKey(label.slice(0, hosted.index), accessKeyId)) return endpointLabel(record.endpoint);
  return undefined;
}

/** Metadata migration: made-up labels that name a key ID get their stable form; the old profile name keeps working. */
export function relabelGenerated(credentials: CredentialRecord[], accounts: { id: string; label: string }[]): CredentialRecord[] {
  const result = [...credentials];
  result.forEach((record, index) => {
    if (!isComplete(record)) return;
    const base = stableLabelFor(record, accounts.find((account) => account?.id === record.accountId && typeof account.label === 'string')?.label);
    if (base === undefined) return;
    const label = uniqueLabel(base, result.filter((other, at) => at !== index && isComplete(other)).map((other) => other.label));
    result[index] = { ...record, label, formerProfiles: formerProfilesAfterRename(record, label, result.filter(isComplete)) };
  });
  return result;
}

/** An older file may hold anything: records without the fields a label is made from stay untouched. */
function isComplete(record: CredentialRecord | undefined): record is CredentialRecord {
  return typeof record?.label === 'string' && typeof record.accessKeyId === 'string' && typeof record.endpoint === 'string' && typeof record.id === 'string';
}

function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint;
  }
}
