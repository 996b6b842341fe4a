import { KeydeskError } from '../errors';
import type { AccountContext } from './adapter';

/** Reading an account's fields the same way in every adapter: trimmed, and empty counts as unset. */

export function setting(account: AccountContext, name: string): string | undefined {
  return account.settings[name]?.trim() || undefined;
}

/** A field the adapter cannot work without; the error names the provider and the field's label. */
export function requireField(account: AccountContext, provider: string, name: string, label: string, from: 'settings' | 'secrets' = 'settings'): string {
  const value = account[from][name]?.trim();
  if (!value) throw new KeydeskError({ code: 'INVALID_INPUT', message: `${provider}: the ${label} is missing in this account's settings.` });
  return value;
}
