import { KeydeskError } from '../errors';
import type { ProviderAdapter, ProviderSession } from './adapter';

/**
 * Any S3-compatible storage without a key API (or without access to it): the user pastes a key pair under
 * Credentials, Keydesk tests and keeps it, and keys are managed in the provider's own console. There is no
 * account to connect, so the picker sends the user to "Add credentials" and every session call refuses.
 */

function refuse(): never {
  throw new KeydeskError({
    code: 'UNSUPPORTED',
    provider: 'Manual',
    message: 'Other S3 providers have no key-management API Keydesk can use: add the key pair under Credentials → Add credentials.',
  });
}

const session: ProviderSession = {
  verify: async () => refuse(),
  listKeys: async () => refuse(),
  createKey: async () => refuse(),
  s3Location: () => refuse(),
};

export const adapter: ProviderAdapter = {
  descriptor: {
    id: 'manual',
    name: 'Other S3 provider (paste a key)',
    summary: 'Any S3-compatible storage: paste an access key and secret; keys are managed in the provider’s console.',
    pastedKeyOnly: true,
    capabilities: {
      canDeactivate: false,
      canDelete: false,
      canShowSecretAgain: false,
      canRegenerate: false,
      hasGracePeriod: false,
      canEditDescription: false,
      hasRegions: false,
      hasRoles: false,
      keysForOtherUsers: false,
      canSuspendOwner: false,
      reportsLastUsed: false,
      rotation: 'none',
    },
    accountFields: [],
  },
  connect: () => session,
};
