import { KeydeskError } from '../errors';
import type { CredentialRecord } from './metadata-store';

/**
 * Profile names for `keydesk credential-process --profile NAME`, made from labels. A renamed credential
 * keeps answering to the names it had, so profile lines already written into other tools keep working.
 */

export function profileSlug(label: string): string {
  return label.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'key';
}

/** The label as a profile name, or the credential ID where two labels would give the same name. */
export function profileName(record: CredentialRecord, all: CredentialRecord[]): string {
  const name = profileSlug(record.label);
  return all.some((c) => c.id !== record.id && profileSlug(c.label) === name) ? record.id : name;
}

/** How many earlier profile names a credential keeps answering to. */
const FORMER_PROFILES_KEPT = 5;

/** `formerProfiles` for `before` renamed to `label`: the name it answered to joins them (the ID always works). */
export function formerProfilesAfterRename(before: CredentialRecord, label: string, all: CredentialRecord[]): string[] | undefined {
  const old = profileName(before, all);
  const next = profileSlug(label);
  const kept = (before.formerProfiles ?? []).filter((name) => name !== old && name !== next);
  const names = old === before.id || old === next ? kept : [old, ...kept];
  return names.length ? names.slice(0, FORMER_PROFILES_KEPT) : undefined;
}

export function findByProfile(all: CredentialRecord[], profile: string): CredentialRecord {
  const byId = all.find((c) => c.id === profile);
  if (byId) return byId;
  const matches = all.filter((c) => profileName(c, all) === profile);
  if (matches.length === 1) return matches[0];
  // A name from before a rename: only where it is no one's current name and points at one credential.
  const former = all.filter((c) => c.formerProfiles?.includes(profile));
  if (matches.length === 0 && former.length === 1) return former[0];
  throw new KeydeskError({
    code: 'NOT_FOUND',
    message: `No saved Keydesk credential has the profile name "${profile}".`,
    hint: 'Copy the profile line again from Keydesk → Use in….',
  });
}
