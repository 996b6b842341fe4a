import {
  CreateAccessKeyCommand,
  DeleteAccessKeyCommand,
  GetAccessKeyLastUsedCommand,
  GetUserCommand,
  IAMClient,
  IAMServiceException,
  ListAccessKeysCommand,
  ListUsersCommand,
  UpdateAccessKeyCommand,
  type AccessKeyMetadata,
} from '@aws-sdk/client-iam';
import { KeydeskError, type ErrorCode } from '../errors';
import { parseEndpoint } from '../s3/client';
import { requireField, setting } from './account-settings';
import type { AccessKeyInfo, AccountContext, KeyLastUse, KeyOwner, ProviderAdapter, ProviderSession } from './adapter';
import { networkError } from './http';
import { sdkAgents } from '../transport/agents';

/**
 * AWS IAM access keys through the official SDK (it signs, retries throttling and parses the Query API's
 * XML). IAM is global: keys work in every region, so the region setting only picks the S3 endpoint.
 */

const PROVIDER = 'AWS IAM';
const DEFAULT_ENDPOINT = 'https://iam.amazonaws.com';
const TIMEOUT_MS = 20_000;

type IamAction = 'GetUser' | 'ListUsers' | 'ListAccessKeys' | 'CreateAccessKey' | 'UpdateAccessKey' | 'DeleteAccessKey' | 'GetAccessKeyLastUsed';

const IAM_ERRORS: Record<string, (action: IamAction, message: string) => { code: ErrorCode; text: string; hint?: string }> = {
  LimitExceeded: (action, message) =>
    action === 'CreateAccessKey'
      ? { code: 'LIMIT_REACHED', text: 'AWS IAM allows 2 access keys per user', hint: 'Delete one of the two keys (deactivate it first to be safe), then create the new one.' }
      : { code: 'LIMIT_REACHED', text: message },
  AccessDenied: (action) => ({
    code: 'ACCESS_DENIED',
    text: `these credentials may not call iam:${action}`,
    hint: `Allow iam:${action} in the IAM policy of the user whose keys this account uses.`,
  }),
  NoSuchEntity: (_action, message) => ({ code: 'NOT_FOUND', text: message || 'the user or access key does not exist' }),
  InvalidClientTokenId: () => ({ code: 'AUTH_FAILED', text: 'the access key ID is not valid', hint: 'Check the access key ID; the key may have been deleted.' }),
  SignatureDoesNotMatch: () => ({ code: 'AUTH_FAILED', text: 'the secret access key is wrong', hint: 'Copy the secret access key again; check for missing characters or extra spaces.' }),
  ExpiredToken: () => ({ code: 'AUTH_EXPIRED', text: 'the temporary credentials have expired', hint: 'Get a fresh session token, or use a long-term access key.' }),
  EntityAlreadyExists: (_action, message) => ({ code: 'CONFLICT', text: message }),
  InvalidInput: (_action, message) => ({ code: 'INVALID_INPUT', text: message }),
  ValidationError: (_action, message) => ({ code: 'INVALID_INPUT', text: message }),
};

/** Maps what the SDK throws to a KeydeskError naming the IAM action, the IAM code and the HTTP status. */
function describeIamError(error: unknown, action: IamAction, endpoint: string): KeydeskError {
  if (error instanceof KeydeskError) return error;
  if (error instanceof IAMServiceException) {
    // Modelled errors are named like LimitExceededException; the wire code is the name without the suffix.
    const providerCode = error.name.replace(/Exception$/, '');
    const status = error.$metadata.httpStatusCode;
    const message = error.message && error.message !== 'UnknownError' ? error.message.replace(/\.$/, '') : '';
    const known = IAM_ERRORS[providerCode]?.(action, message);
    const code: ErrorCode = known?.code ?? (status === 403 ? 'ACCESS_DENIED' : status === 404 ? 'NOT_FOUND' : 'PROVIDER');
    return new KeydeskError(
      {
        code,
        provider: PROVIDER,
        providerCode,
        status,
        message: `${PROVIDER} refused: ${known?.text || message || `iam:${action} failed`} (${providerCode}) — ${status ?? '?'}`,
        hint: known?.hint,
      },
      { cause: error },
    );
  }
  const name = (error as { name?: string })?.name;
  if (name === 'AbortError') return new KeydeskError({ code: 'CANCELLED', provider: PROVIDER, message: 'Cancelled.' });
  return networkError(PROVIDER, endpoint, error, name === 'TimeoutError' || name === 'RequestTimeout', TIMEOUT_MS);
}

function toKeyInfo(key: AccessKeyMetadata): AccessKeyInfo {
  return {
    id: key.AccessKeyId ?? '',
    accessKeyId: key.AccessKeyId ?? '',
    status: key.Status === 'Active' ? 'active' : key.Status === 'Inactive' ? 'inactive' : 'unknown',
    createdAt: key.CreateDate?.toISOString(),
    owner: key.UserName,
  };
}

function connect(account: AccountContext): ProviderSession {
  const accessKeyId = requireField(account, PROVIDER, 'accessKeyId', 'access key ID');
  const secretAccessKey = requireField(account, PROVIDER, 'secretAccessKey', 'secret access key', 'secrets');
  const override = setting(account, 'endpoint');
  const endpoint = override ? parseEndpoint(override) : DEFAULT_ENDPOINT;
  const region = setting(account, 'region') ?? 'us-east-1';
  const defaultUser = setting(account, 'userName');
  const s3Override = setting(account, 's3Endpoint');
  const s3Endpoint = s3Override ? parseEndpoint(s3Override) : undefined;
  const client = new IAMClient({
    // Outside the aws partition (GovCloud) the region also picks IAM's endpoint and signing region.
    region,
    endpoint: override ? endpoint : undefined,
    credentials: { accessKeyId, secretAccessKey, sessionToken: account.secrets.sessionToken || undefined },
    maxAttempts: 2,
    requestHandler: { ...sdkAgents(account.trust), connectionTimeout: 10_000, requestTimeout: TIMEOUT_MS },
  });

  async function send<T>(action: IamAction, run: (options: { abortSignal?: AbortSignal }) => Promise<T>): Promise<T> {
    try {
      return await run({ abortSignal: account.signal });
    } catch (error) {
      throw describeIamError(error, action, endpoint);
    }
  }

  /** Without a user name IAM acts on the user the credentials belong to. */
  const userOf = (owner?: string) => owner?.trim() || defaultUser;

  async function lastUsed(keyId: string): Promise<KeyLastUse | undefined> {
    try {
      const result = await send('GetAccessKeyLastUsed', (o) => client.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: keyId }), o));
      const used = result.AccessKeyLastUsed;
      if (!used?.LastUsedDate) return undefined;
      // IAM answers "N/A" for a key never used.
      const known = (value?: string) => (value && value !== 'N/A' ? value : undefined);
      return { at: used.LastUsedDate.toISOString(), service: known(used.ServiceName), region: known(used.Region) };
    } catch (error) {
      // Last use is a nicety: a policy without iam:GetAccessKeyLastUsed must not hide the keys.
      if (error instanceof KeydeskError && error.code === 'ACCESS_DENIED') return undefined;
      throw error;
    }
  }

  return {
    async verify(): Promise<KeyOwner> {
      const { User } = await send('GetUser', (o) => client.send(new GetUserCommand({}), o));
      // Root credentials have no user name, only the account's ARN.
      const name = User?.UserName ?? User?.Arn ?? accessKeyId;
      return { id: User?.UserName ?? User?.UserId ?? accessKeyId, name };
    },

    async listOwners(): Promise<KeyOwner[]> {
      const owners: KeyOwner[] = [];
      let Marker: string | undefined;
      do {
        const page = await send('ListUsers', (o) => client.send(new ListUsersCommand({ Marker }), o));
        for (const { UserName } of page.Users ?? []) {
          if (UserName) owners.push({ id: UserName, name: UserName });
        }
        Marker = page.IsTruncated ? page.Marker : undefined;
      } while (Marker);
      return owners;
    },

    async listKeys(scope) {
      const UserName = userOf(scope.owner);
      const keys: AccessKeyInfo[] = [];
      let Marker: string | undefined;
      do {
        const page = await send('ListAccessKeys', (o) => client.send(new ListAccessKeysCommand({ UserName, Marker }), o));
        keys.push(...(page.AccessKeyMetadata ?? []).map(toKeyInfo));
        Marker = page.IsTruncated ? page.Marker : undefined;
      } while (Marker);
      // At most two keys per user, so two more calls.
      await Promise.all(keys.map(async (key) => (key.lastUsedAt = (await lastUsed(key.accessKeyId))?.at)));
      return keys;
    },

    lastUsed: (keyId) => lastUsed(keyId),

    async createKey(options) {
      const { AccessKey } = await send('CreateAccessKey', (o) => client.send(new CreateAccessKeyCommand({ UserName: userOf(options.owner) }), o));
      if (!AccessKey?.SecretAccessKey) throw new KeydeskError({ code: 'PROVIDER', provider: PROVIDER, message: `${PROVIDER} created a key but returned no secret.` });
      return { ...toKeyInfo(AccessKey), secretAccessKey: AccessKey.SecretAccessKey };
    },

    async setKeyActive(keyId, active, scope) {
      await send('UpdateAccessKey', (o) =>
        client.send(new UpdateAccessKeyCommand({ AccessKeyId: keyId, Status: active ? 'Active' : 'Inactive', UserName: userOf(scope.owner) }), o),
      );
    },

    async deleteKey(keyId, scope) {
      await send('DeleteAccessKey', (o) => client.send(new DeleteAccessKeyCommand({ AccessKeyId: keyId, UserName: userOf(scope.owner) }), o));
    },

    s3Location(keyRegion) {
      const s3Region = keyRegion ?? region;
      // AWS serves virtual-hosted buckets; an S3-compatible gateway behind an overridden endpoint rarely has wildcard DNS.
      if (s3Endpoint) return { endpoint: s3Endpoint, region: s3Region, forcePathStyle: !new URL(s3Endpoint).hostname.endsWith('.amazonaws.com') };
      const domain = s3Region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
      return { endpoint: `https://s3.${s3Region}.${domain}`, region: s3Region, forcePathStyle: false };
    },
  };
}

export const adapter: ProviderAdapter = {
  descriptor: {
    id: 'aws-iam',
    name: 'Amazon Web Services (IAM)',
    summary: 'AWS: create, deactivate and delete IAM access keys of your user or other IAM users.',
    capabilities: {
      maxKeysPerOwner: 2,
      limitScope: 'user',
      canDeactivate: true,
      canDelete: true,
      canShowSecretAgain: false,
      canRegenerate: false,
      hasGracePeriod: false,
      canEditDescription: false,
      hasRegions: false,
      hasRoles: false,
      keysForOtherUsers: true,
      canSuspendOwner: false,
      reportsLastUsed: true,
      // Two slots per user: the new key goes into the free slot and is proven before the old one is deactivated and deleted.
      rotation: 'two-slot',
    },
    accountFields: [
      { name: 'accessKeyId', label: 'Access key ID', kind: 'text', required: true, placeholder: 'AKIA…' },
      { name: 'secretAccessKey', label: 'Secret access key', kind: 'secret', required: true },
      { name: 'sessionToken', label: 'Session token', kind: 'secret', required: false, help: 'Only for temporary credentials.' },
      { name: 'userName', label: 'IAM user name', kind: 'text', required: false, help: 'Whose keys are managed by default; empty means the user these credentials belong to.' },
      { name: 'region', label: 'S3 region', kind: 'text', required: false, defaultValue: 'us-east-1' },
      { name: 'endpoint', label: 'IAM endpoint', kind: 'url', required: false, placeholder: 'https://iam.amazonaws.com', help: 'Only to override, e.g. GovCloud: https://iam.us-gov.amazonaws.com.' },
      { name: 's3Endpoint', label: 'S3 endpoint', kind: 'url', required: false, placeholder: 'https://s3.us-east-1.amazonaws.com', help: 'Only to override, e.g. a FIPS endpoint, or an S3-compatible service that speaks the IAM API.' },
    ],
  },
  connect,
};
