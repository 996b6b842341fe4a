import { KeydeskError } from '../errors';
import { parseEndpoint } from '../s3/client';
import type { AccountContext, ProviderAdapter, ProviderSession } from './adapter';

/**
 * A key pair pasted by hand, for providers without a key API (or without access to it). Keydesk can use
 * the key for S3 but cannot list, create or revoke keys: that happens in the provider's own console.
 */

function unsupported(what: string): KeydeskError {
  return new KeydeskError({
    code: 'UNSUPPORTED',
    provider: 'Manual',
    message: `A manually added key has no management API, so Keydesk cannot ${what}. Do it in your provider's console.`,
  });
}

function connect(account: AccountContext): ProviderSession {
  return {
    verify: () => Promise.reject(unsupported('check management credentials (test the key by listing its buckets instead)')),
    // Nothing to list: the pasted key itself is a saved credential, not a managed key.
    listKeys: () => Promise.resolve([]),
    createKey: () => Promise.reject(unsupported('create keys')),
    s3Location(region) {
      const endpoint = account.settings.endpoint?.trim();
      if (!endpoint) throw new KeydeskError({ code: 'INVALID_INPUT', message: 'Enter the S3 endpoint of the provider this key belongs to.' });
      return {
        endpoint: parseEndpoint(endpoint),
        region: region ?? (account.settings.region?.trim() || 'us-east-1'),
        forcePathStyle: account.settings.forcePathStyle !== 'false',
      };
    },
  };
}

export const adapter: ProviderAdapter = {
  descriptor: {
    id: 'manual',
    name: 'Other S3 provider (paste a key)',
    summary: 'Any S3-compatible storage: paste an access key and secret; keys are managed in the provider’s console.',
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
    accountFields: [
      { name: 'endpoint', label: 'S3 endpoint', kind: 'url', required: true, placeholder: 'https://s3.example.com' },
      { name: 'region', label: 'Region', kind: 'text', required: false, defaultValue: 'us-east-1' },
      { name: 'forcePathStyle', label: 'Path-style addressing', kind: 'boolean', required: false, defaultValue: 'true', help: 'Needed by most self-hosted servers and by endpoints without wildcard DNS.' },
      { name: 'accessKeyId', label: 'Access key ID', kind: 'text', required: true },
      { name: 'secretAccessKey', label: 'Secret access key', kind: 'secret', required: true },
    ],
  },
  connect,
};
