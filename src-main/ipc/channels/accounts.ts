import { z } from 'zod';
import type { AccountSummary } from '../../core/accounts/account-service';
import type { KeyOwner, ProviderDescriptor } from '../../core/providers/adapter';
import { channel } from '../channel';
import { trustChoices } from './tls';

export type { AccountSummary };

export interface AccountAdded {
  account: AccountSummary;
  /** Who the management credentials belong to, as the provider reported it. */
  identity: KeyOwner;
}

export const accountChannels = {
  'providers:list': channel<ProviderDescriptor[]>()(z.undefined()),
  'accounts:list': channel<AccountSummary[]>()(z.undefined()),
  'accounts:add': channel<AccountAdded>()(
    z.strictObject({
      providerId: z.string().min(1).max(64),
      label: z.string().max(200),
      fields: z.record(z.string().min(1).max(64), z.string().max(4096)).refine((fields) => Object.keys(fields).length <= 32, 'too many fields'),
      trust: trustChoices.optional(),
    }),
  ),
  /** Replaces the account's trusted certificates (see channels/tls.ts). */
  'accounts:setTrust': channel<AccountSummary>()(z.strictObject({ id: z.uuid(), trust: trustChoices })),
  'accounts:remove': channel<void>()(z.strictObject({ id: z.uuid() })),
};
