import { KeydeskError } from '../errors';
import type { AccessKeyInfo, ProviderCapabilities } from '../providers/adapter';
import type { CredentialRecord } from '../vault/metadata-store';
import type { PendingRevocationStore } from './pending';
import type { RotationStrategy } from './plan';
import { readableTime } from './provider-ops';
import type { RotationDeps } from './steps';

/** The checks before a rotation (and its preview): what rotates how, and whether it can start now. */

export async function prepare(deps: RotationDeps, record: CredentialRecord) {
  if (!record.accountId) {
    throw new KeydeskError({
      code: 'UNSUPPORTED',
      message: `"${record.label}" is not linked to a provider account, so Keydesk cannot create its replacement.`,
      hint: "Rotate it in your provider's console: add the new key to Keydesk, then remove this one.",
    });
  }
  const account = deps.accounts.get(record.accountId);
  const capabilities = account.provider.capabilities;
  if (capabilities.rotation === 'none') {
    throw new KeydeskError({
      code: 'UNSUPPORTED',
      message: `${account.provider.name} keys cannot be rotated from Keydesk: the provider offers no API to create keys.`,
      hint: "Create a new key in the provider's console, add it to Keydesk, then delete the old key there.",
    });
  }
  const session = await deps.accounts.session(record.accountId);
  // The account's settings may choose how its keys rotate (RGW: reset in place).
  const strategy = (session.rotation && session.rotation !== 'none' ? session.rotation : capabilities.rotation) as RotationStrategy;
  if (strategy !== 'regenerate' && !capabilities.canDelete && !capabilities.canDeactivate) {
    throw new KeydeskError({ code: 'UNSUPPORTED', message: `${account.provider.name} can neither delete nor deactivate keys, so the old key could not be revoked.` });
  }
  const scope = { owner: record.owner, region: capabilities.hasRegions ? record.region : undefined };
  return { account, session, capabilities, strategy, scope };
}

export function findOldKey(keys: AccessKeyInfo[], record: CredentialRecord, owner: string | undefined): AccessKeyInfo {
  const oldKey = keys.find((k) => k.accessKeyId === record.accessKeyId);
  if (oldKey) return oldKey;
  throw new KeydeskError({
    code: 'NOT_FOUND',
    message: `The provider account does not list the key ${record.accessKeyId}${owner ? ` for ${owner}` : ''}, so Keydesk cannot rotate it.`,
    hint: 'Check that the key still exists and belongs to this account.',
  });
}

/** Every saved credential holding the key (more than one only in files from before duplicates were refused). */
export function sameKeyUsers(deps: RotationDeps, record: CredentialRecord): CredentialRecord[] {
  return deps.vault.holding(record);
}

/** One rotation at a time per key: the previous one's old key must be revoked or restored first. */
export async function refuseIfPending(pendingStore: PendingRevocationStore, record: CredentialRecord): Promise<void> {
  const pending = (await pendingStore.loadAll()).find(
    (p) => p.accountId === record.accountId && (p.credentialIds.includes(record.id) || [p.keeping.accessKeyId, p.retiring.accessKeyId].includes(record.accessKeyId)),
  );
  if (!pending) return;
  throw new KeydeskError({
    code: 'CONFLICT',
    providerCode: 'RevocationPending',
    message: `The key this credential replaced, ${pending.retiring.accessKeyId}, is still ${pending.state === 'deactivated' ? 'deactivated but not deleted' : 'working'} (until ${readableTime(pending.dueAt)}). Finish that rotation first.`,
    hint: 'Use "Revoke now" or "Restore old key" on the credential, then rotate again.',
  });
}

export function confirmationRequired(providerName: string, accessKeyId: string, replacesKey: boolean): KeydeskError {
  const stops = replacesKey ? `a new key replaces ${accessKeyId}, which stops working at once` : `the old secret of ${accessKeyId} stops working at once`;
  return new KeydeskError({
    code: 'CONFLICT',
    providerCode: 'ConfirmationRequired',
    message: `${providerName} can only reset this key in place: ${stops}, and every tool outside Keydesk still using it fails until it gets the new one.`,
    hint: `Type the access key ID (${accessKeyId}) to confirm.`,
  });
}

export function limitError(limit: number, capabilities: ProviderCapabilities, keys: AccessKeyInfo[]): KeydeskError {
  const per = capabilities.limitScope ?? 'user';
  return new KeydeskError({
    code: 'LIMIT_REACHED',
    message: `This provider allows ${limit} key${limit === 1 ? '' : 's'} per ${per}, and this ${per} has ${keys.length}. Keydesk creates the new key before removing the old one, so you are never left without a working key; here there is no room for it.`,
    hint: limit === 1 ? "Rotate by hand in the provider's console, accepting a short outage." : `Delete an unused key of this ${per} first (${keys.map((k) => k.accessKeyId).join(', ')}).`,
  });
}
