import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { KeydeskError } from '../errors';
import { createS3Client, describeS3Error, parseEndpoint } from '../s3/client';
import { requireField, setting } from './account-settings';
import type { AccountContext, KeyOwner, ProviderAdapter, ProviderSession, S3Location } from './adapter';

/**
 * A key pair pasted by hand, for providers without a key API (or without access to it). Keydesk can use
 * the key for S3 but cannot list, create or revoke keys: that happens in the provider's own console.
 */

const PROVIDER = 'Manual';

function unsupported(what: string): KeydeskError {
  return new KeydeskError({
    code: 'UNSUPPORTED',
    provider: PROVIDER,
    message: `A manually added key has no management API, so Keydesk cannot ${what}. Do it in your provider's console.`,
  });
}

function connect(account: AccountContext): ProviderSession {
  function location(region?: string): S3Location {
    return {
      endpoint: parseEndpoint(requireField(account, PROVIDER, 'endpoint', 'S3 endpoint')),
      region: region ?? setting(account, 'region') ?? 'us-east-1',
      forcePathStyle: account.settings.forcePathStyle !== 'false',
    };
  }

  return {
    async verify(): Promise<KeyOwner> {
      // The pasted key is the only credential there is: prove it on S3 (adding an account verifies first).
      const accessKeyId = requireField(account, PROVIDER, 'accessKeyId', 'access key ID');
      const { endpoint, region, forcePathStyle } = location();
      const client = createS3Client(
        { endpoint, region, forcePathStyle, accessKeyId, secretAccessKey: requireField(account, PROVIDER, 'secretAccessKey', 'secret access key', 'secrets'), checksums: 'when-required' },
        { maxAttempts: 1, timeoutMs: 15_000 },
      );
      try {
        const { Owner } = await client.send(new ListBucketsCommand({}), { abortSignal: account.signal });
        return { id: Owner?.ID ?? accessKeyId, name: Owner?.DisplayName ?? Owner?.ID ?? accessKeyId, canonicalId: Owner?.ID };
      } catch (error) {
        throw describeS3Error(error, endpoint);
      } finally {
        client.destroy();
      }
    },
    // Nothing to list: the pasted key itself is a saved credential, not a managed key.
    listKeys: () => Promise.resolve([]),
    createKey: () => Promise.reject(unsupported('create keys')),
    s3Location: location,
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
