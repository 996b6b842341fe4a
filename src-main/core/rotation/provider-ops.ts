import { KeydeskError } from '../errors';
import type { KeyLastUse, KeyScope, ProviderCapabilities, ProviderSession } from '../providers/adapter';
import type { ProviderKeyRef } from './pending';

/** Provider calls shared by rotation and the pending revocations. */

export function requireMethod<T>(method: T | undefined, what: string): T {
  if (!method) throw new KeydeskError({ code: 'UNSUPPORTED', message: `This provider cannot ${what}.` });
  return method;
}

const isMissing = (error: unknown) => error instanceof KeydeskError && error.code === 'NOT_FOUND';

/** Deletes a key, or deactivates it where the provider cannot delete; an already missing key counts as done. */
export async function revokeKey(session: ProviderSession, capabilities: ProviderCapabilities, keyId: string, scope: KeyScope): Promise<'deleted' | 'deactivated'> {
  const done = capabilities.canDelete ? 'deleted' : 'deactivated';
  try {
    if (capabilities.canDelete) await requireMethod(session.deleteKey, 'delete keys').call(session, keyId, scope);
    else await requireMethod(session.setKeyActive, 'deactivate keys').call(session, keyId, false, scope);
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  return done;
}

export async function setKeyActive(session: ProviderSession, keyId: string, active: boolean, scope: KeyScope): Promise<void> {
  await requireMethod(session.setKeyActive, active ? 'activate keys' : 'deactivate keys').call(session, keyId, active, scope);
}

/** When (and through which service) the provider last saw the key used, where it reports that; undefined when never or unknown. */
export async function lastUse(session: ProviderSession, capabilities: ProviderCapabilities, key: ProviderKeyRef, scope: KeyScope): Promise<KeyLastUse | undefined> {
  if (!capabilities.reportsLastUsed || !session.lastUsed) return undefined;
  return session.lastUsed(key.keyId, scope);
}

export async function lastUsedAt(session: ProviderSession, capabilities: ProviderCapabilities, key: ProviderKeyRef, scope: KeyScope): Promise<string | undefined> {
  return (await lastUse(session, capabilities, key, scope))?.at;
}

export function usedAfterSwitch(lastUsed: string | undefined, switchedAt: string): boolean {
  return lastUsed !== undefined && Date.parse(lastUsed) > Date.parse(switchedAt);
}

export const USED_AFTER_SWITCH = 'UsedAfterSwitch';

/** "2025-06-01 14:05 UTC": a time in messages that leave main (errors, notifications), readable in any locale. */
export function readableTime(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The refusal "Revoke now" shows with its "Revoke anyway" override. */
export function usedAfterSwitchError(key: ProviderKeyRef, lastUsed: string, switchedAt: string): KeydeskError {
  return new KeydeskError({
    code: 'CONFLICT',
    providerCode: USED_AFTER_SWITCH,
    message: `The old key ${key.accessKeyId} was used at ${readableTime(lastUsed)}, after Keydesk switched to the new key (${readableTime(switchedAt)}): something outside Keydesk still uses it, so it was not revoked.`,
    hint: 'Give that tool or server the new key first (the provider’s access logs show where the requests come from), or revoke anyway and accept that it stops working.',
  });
}
