import { SignatureV4 } from '@smithy/signature-v4';
import { KeydeskError, type ErrorCode } from '../errors';
import { parseEndpoint } from '../s3/client';
import { Sha256, uriEscape } from '../s3/sigv4';
import { requireField, setting } from './account-settings';
import type { AccessKeyInfo, AccountContext, KeyOwner, NewAccessKey, ProviderAdapter, ProviderSession } from './adapter';
import { httpRequest, type ErrorMapper, type HttpResponse } from './http';

/**
 * Ceph RADOS Gateway Admin Ops API (`/admin/...`). Requests are signed like S3 requests (SigV4, service
 * `s3`) with an admin user's key that holds the `users=*` (and `metadata=read` for listing) caps.
 */

const PROVIDER = 'Ceph RGW';

interface RgwKey {
  user: string;
  access_key: string;
  secret_key: string;
}

interface RgwUser {
  user_id: string;
  display_name: string;
  suspended: number;
  keys: RgwKey[];
}

const RGW_ERRORS: Record<string, { code: ErrorCode; text: (subject?: string) => string; hint?: string }> = {
  NoSuchUser: { code: 'NOT_FOUND', text: (s) => (s ? `the user "${s}" does not exist` : 'the user does not exist') },
  NoSuchKey: { code: 'NOT_FOUND', text: () => 'the access key does not exist' },
  InvalidAccessKeyId: {
    code: 'AUTH_FAILED',
    text: () => 'the admin access key is not known to this gateway',
    hint: 'Check the admin access key and that the endpoint is the right gateway.',
  },
  SignatureDoesNotMatch: {
    code: 'AUTH_FAILED',
    text: () => 'the admin secret key is wrong',
    hint: 'Copy the admin secret key again; check for missing characters or extra spaces.',
  },
  AccessDenied: {
    code: 'ACCESS_DENIED',
    text: () => 'the admin user lacks the needed capability',
    hint: 'Give the admin user the caps "users=*" and "metadata=read" (radosgw-admin caps add).',
  },
  UserSuspended: { code: 'ACCESS_DENIED', text: () => 'the admin user is suspended' },
  RequestTimeTooSkewed: {
    code: 'AUTH_FAILED',
    text: () => "this computer's clock differs too much from the gateway's",
    hint: 'Set the system clock to update automatically.',
  },
  KeyExists: { code: 'CONFLICT', text: () => 'the access key already exists' },
  InvalidArgument: { code: 'INVALID_INPUT', text: () => 'a request parameter was rejected' },
};

/** `subject` names the user the call was about, so NoSuchUser reads as which user is missing. */
function rgwErrorMapper(subject?: string): ErrorMapper {
  return (response: HttpResponse) => {
    const providerCode = errorCode(response.text);
    const known = providerCode ? RGW_ERRORS[providerCode] : undefined;
    const status = response.status;
    const code: ErrorCode = known?.code ?? (status === 401 ? 'AUTH_FAILED' : status === 403 ? 'ACCESS_DENIED' : status === 404 ? 'NOT_FOUND' : 'PROVIDER');
    const text = known?.text(subject) ?? 'the request failed';
    return new KeydeskError({
      code,
      provider: PROVIDER,
      providerCode,
      status,
      message: `${PROVIDER} refused: ${text}${providerCode ? ` (${providerCode})` : ''} — ${status}`,
      hint: known?.hint,
    });
  };
}

/** Admin Ops answer errors as JSON `{"Code": ...}`; signature failures may come as S3 XML. */
function errorCode(text: string): string | undefined {
  try {
    const code = (JSON.parse(text) as { Code?: unknown }).Code;
    if (typeof code === 'string') return code;
  } catch {
    // not JSON: fall through to XML
  }
  return /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
}

function toKeyInfo(key: RgwKey): AccessKeyInfo {
  // RGW 16 has no per-key status or creation time; a listed key works.
  return { id: key.access_key, accessKeyId: key.access_key, status: 'active', owner: key.user };
}

function toNewKey(key: RgwKey): NewAccessKey {
  return { ...toKeyInfo(key), secretAccessKey: key.secret_key };
}

interface RgwBucketInfo {
  bucket_quota?: { enabled?: boolean; max_size?: number; max_objects?: number };
  usage?: Record<string, { size?: number; num_objects?: number }>;
}

function connect(account: AccountContext): ProviderSession {
  const base = parseEndpoint(requireField(account, PROVIDER, 'endpoint', 'Admin API endpoint'));
  const region = setting(account, 'region') ?? 'us-east-1';
  const defaultUid = setting(account, 'uid');
  const adminKeyId = requireField(account, PROVIDER, 'accessKeyId', 'admin access key');
  const signer = new SignatureV4({
    service: 's3',
    region,
    credentials: { accessKeyId: adminKeyId, secretAccessKey: requireField(account, PROVIDER, 'secretAccessKey', 'admin secret key', 'secrets') },
    sha256: Sha256,
    uriEscapePath: false,
  });
  const url = new URL(base);

  async function call<T>(method: 'GET' | 'PUT' | 'POST' | 'DELETE', resource: string, params: Record<string, string>, subject?: string): Promise<T> {
    const query = { ...params, format: 'json' };
    const path = `${url.pathname.replace(/\/$/, '')}/admin/${resource}`;
    const signed = await signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path,
      query,
      headers: { host: url.host },
    });
    // fetch sets Host itself from the URL (the same value that was signed).
    const headers = { ...signed.headers };
    delete headers.host;
    const search = Object.entries(query)
      .map(([name, value]) => `${uriEscape(name)}=${uriEscape(value)}`)
      .join('&');
    const response = await httpRequest(
      PROVIDER,
      { method, url: `${url.origin}${path}?${search}`, headers, signal: account.signal, trust: account.trust },
      rgwErrorMapper(subject),
    );
    return (response.text ? response.json<T>() : undefined) as T;
  }

  function ownerOf(owner: string | undefined): string {
    const uid = owner?.trim() || defaultUid;
    if (!uid) throw new KeydeskError({ code: 'INVALID_INPUT', message: `${PROVIDER}: choose a user, or set a default user ID for this account.` });
    return uid;
  }

  const getUser = (uid: string) => call<RgwUser>('GET', 'user', { uid }, uid);

  async function findKey(uid: string, keyId: string): Promise<RgwKey> {
    const key = (await getUser(uid)).keys.find((k) => k.access_key === keyId);
    if (!key) {
      throw new KeydeskError({ code: 'NOT_FOUND', provider: PROVIDER, message: `${PROVIDER}: the user "${uid}" has no access key ${keyId}.` });
    }
    return key;
  }

  return {
    rotation: setting(account, 'rotation') === 'regenerate' ? 'regenerate' : undefined,

    async verify(): Promise<KeyOwner> {
      // Looking the admin key up proves the key, the secret and the `users=read` cap in one call.
      const admin = await call<RgwUser>('GET', 'user', { 'access-key': adminKeyId });
      if (defaultUid) await getUser(defaultUid);
      return { id: admin.user_id, name: admin.display_name || admin.user_id, disabled: admin.suspended !== 0 };
    },

    async listOwners(): Promise<KeyOwner[]> {
      const uids = await call<string[]>('GET', 'metadata/user', {});
      const owners: KeyOwner[] = [];
      // A few at a time: one user-info request per user, without flooding a small gateway.
      for (let i = 0; i < uids.length; i += 8) {
        const batch = await Promise.all(
          uids.slice(i, i + 8).map((uid) =>
            getUser(uid).catch((error: unknown) => {
              // Deleted between the listing and the lookup.
              if (error instanceof KeydeskError && error.code === 'NOT_FOUND') return undefined;
              throw error;
            }),
          ),
        );
        for (const user of batch) {
          // RGW's canonical user ID (in ACLs and bucket listings) is the user ID itself.
          if (user) owners.push({ id: user.user_id, name: user.display_name || user.user_id, disabled: user.suspended !== 0, canonicalId: user.user_id });
        }
      }
      return owners.sort((a, b) => a.id.localeCompare(b.id));
    },

    async listKeys(scope) {
      return (await getUser(ownerOf(scope.owner))).keys.map(toKeyInfo);
    },

    async createKey(options) {
      const uid = ownerOf(options.owner);
      const before = new Set((await getUser(uid)).keys.map((k) => k.access_key));
      // RGW answers with all of the user's keys, not just the new one: the new one is the one not seen before.
      const after = await call<RgwKey[]>('PUT', 'user', { key: '', uid, 'key-type': 's3', 'generate-key': 'True' }, uid);
      const added = after.filter((k) => !before.has(k.access_key));
      if (added.length !== 1) {
        throw new KeydeskError({
          code: 'CONFLICT',
          provider: PROVIDER,
          message: `${PROVIDER}: the keys of "${uid}" changed while a key was being created; reload the list to see the new key.`,
        });
      }
      return toNewKey(added[0]);
    },

    async regenerateSecret(keyId, options) {
      const uid = ownerOf(options.owner);
      // With an unknown access-key RGW would silently create a key under that ID: make sure it exists first.
      await findKey(uid, keyId);
      const keys = await call<RgwKey[]>('PUT', 'user', { key: '', uid, 'access-key': keyId, 'generate-key': 'True' }, uid);
      const key = keys.find((k) => k.access_key === keyId);
      if (!key) throw new KeydeskError({ code: 'PROVIDER', provider: PROVIDER, message: `${PROVIDER} did not return the new secret for ${keyId}.` });
      return toNewKey(key);
    },

    async deleteKey(keyId, scope) {
      const uid = ownerOf(scope.owner);
      await findKey(uid, keyId);
      await call('DELETE', 'user', { key: '', uid, 'access-key': keyId }, uid);
    },

    async showSecret(keyId, scope) {
      return (await findKey(ownerOf(scope.owner), keyId)).secret_key;
    },

    async setOwnerSuspended(owner, suspended) {
      const uid = ownerOf(owner);
      await call('POST', 'user', { uid, suspended: suspended ? 'True' : 'False' }, uid);
    },

    async bucketQuota(bucket) {
      // Needs the `buckets=read` cap; -1 and 0 are RGW's "no limit".
      const info = await call<RgwBucketInfo>('GET', 'bucket', { bucket }, bucket);
      const limit = (value: number | undefined) => (value !== undefined && value > 0 ? value : undefined);
      const usage = Object.values(info.usage ?? {});
      return {
        enabled: info.bucket_quota?.enabled === true,
        maxBytes: limit(info.bucket_quota?.max_size),
        maxObjects: limit(info.bucket_quota?.max_objects),
        usedBytes: usage.reduce((sum, u) => sum + (u.size ?? 0), 0),
        usedObjects: usage.reduce((sum, u) => sum + (u.num_objects ?? 0), 0),
      };
    },

    s3Location(keyRegion) {
      // Admin Ops and S3 are served by the same gateway; path style because gateways rarely have wildcard DNS.
      return { endpoint: base, region: keyRegion ?? region, forcePathStyle: true };
    },
  };
}

export const adapter: ProviderAdapter = {
  descriptor: {
    id: 'ceph-rgw',
    name: 'Ceph RGW',
    summary: 'Ceph Object Gateway (RADOS Gateway): manage S3 keys of any gateway user with an admin key (Admin Ops API).',
    capabilities: {
      canDeactivate: false, // RGW 16 has no per-key active/inactive status
      canDelete: true,
      canShowSecretAgain: true, // user info includes the secrets
      canRegenerate: true,
      hasGracePeriod: false,
      canEditDescription: false,
      hasRegions: false,
      hasRoles: false,
      keysForOtherUsers: true,
      canSuspendOwner: true,
      reportsLastUsed: false,
      // A user may hold several keys, so rotation can add the new key, prove it on S3 and only then delete
      // the old one; regenerating in place would break every client still using the old secret at once.
      rotation: 'two-slot',
    },
    accountFields: [
      { name: 'endpoint', label: 'Admin API endpoint', kind: 'url', required: true, placeholder: 'https://rgw.example.com', help: 'The gateway URL; Admin Ops live under /admin on it.' },
      { name: 'region', label: 'Region', kind: 'text', required: false, defaultValue: 'us-east-1', help: 'The zonegroup name requests are signed for.' },
      { name: 'accessKeyId', label: 'Admin access key', kind: 'text', required: true, help: 'Key of a user with the caps users=* and metadata=read.' },
      { name: 'secretAccessKey', label: 'Admin secret key', kind: 'secret', required: true },
      { name: 'uid', label: 'User ID', kind: 'text', required: false, help: 'The user whose keys are managed unless you pick another.' },
      {
        name: 'rotation',
        label: 'Rotation',
        kind: 'select',
        required: false,
        defaultValue: 'two-slot',
        options: [
          { value: 'two-slot', label: 'Add a new key, then revoke the old one (recommended)' },
          { value: 'regenerate', label: 'Reset the secret in place (same access key ID)' },
        ],
        help: 'Resetting keeps the key ID tools are configured with, but the old secret stops working at once.',
      },
    ],
  },
  connect,
};
