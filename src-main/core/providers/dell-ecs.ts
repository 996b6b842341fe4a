import { KeydeskError, type ErrorCode } from '../errors';
import { parseEndpoint } from '../s3/client';
import type { AccessKeyInfo, AccountContext, KeyOwner, NewAccessKey, ProviderAdapter, ProviderSession } from './adapter';
import { requireField } from './account-settings';
import { httpRequest, withSignIn, type ErrorMapper, type HttpRequest, type HttpResponse } from './http';

/**
 * Dell ECS / ObjectScale management API (port 4443). In ECS the S3 access key ID *is* the object user's
 * ID (uid); what varies is the secret, and a user has two secret slots (secret_key_1, secret_key_2).
 * So each filled slot is one AccessKeyInfo: `id` names the slot ("secret-1"/"secret-2"), `accessKeyId`
 * is the uid both share. A new secret goes into the free slot; the existing one can be given an expiry
 * (a grace period) at the same time. ECS's `/deactivate` removes a secret for good: that is deleteKey.
 */

const PROVIDER = 'Dell ECS';
const SLOTS = [1, 2] as const;
type Slot = (typeof SLOTS)[number];

/** The list answer's fields, per slot: secret_key_1, key_timestamp_1, key_expiry_timestamp_1, ... */
type SecretKeysBody = Partial<Record<`secret_key_${Slot}` | `key_timestamp_${Slot}` | `key_expiry_timestamp_${Slot}` | `secret_key_${Slot}_id`, string>> &
  Partial<Record<`secret_key_${Slot}_exist`, boolean>>;

interface NewSecretBody {
  secret_key?: string;
  key_timestamp?: string;
  key_expiry_timestamp?: string;
  secret_key_id?: string;
}

interface SecretSlot {
  slot: Slot;
  /** Empty when the cluster hides secrets ("Hide secret key"); then only its SHA-256 `secretId` is known. */
  secret?: string;
  secretId?: string;
  createdAt?: string;
  expiresAt?: string;
}

interface EcsErrorBody {
  code?: number | string;
  description?: string;
  details?: string;
  retryable?: boolean;
}

const slotId = (slot: Slot) => `secret-${slot}`;

/** ECS writes "2015-02-25 11:16:50.632" (UTC, no zone) where the spec promises ISO-8601: accept both. */
function toIso(value: string | undefined): string | undefined {
  if (!value?.trim()) return undefined;
  const text = /^\d{4}-\d\d-\d\d \d/.test(value) ? `${value.replace(' ', 'T')}Z` : value;
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

function toSlots(body: SecretKeysBody): SecretSlot[] {
  return SLOTS.flatMap((slot) => {
    const secret = body[`secret_key_${slot}`] || undefined;
    if (!(body[`secret_key_${slot}_exist`] ?? Boolean(secret))) return [];
    return [
      {
        slot,
        secret,
        secretId: body[`secret_key_${slot}_id`] || undefined,
        createdAt: toIso(body[`key_timestamp_${slot}`]),
        expiresAt: toIso(body[`key_expiry_timestamp_${slot}`]),
      },
    ];
  });
}

function toKeyInfo(uid: string, slot: SecretSlot): AccessKeyInfo {
  // A secret whose grace period has run out no longer works, though ECS still lists it until it is removed.
  const expired = slot.expiresAt !== undefined && Date.parse(slot.expiresAt) <= Date.now();
  return { id: slotId(slot.slot), accessKeyId: uid, status: expired ? 'inactive' : 'active', createdAt: slot.createdAt, expiresAt: slot.expiresAt, owner: uid };
}

const LIMIT_MESSAGE = /two|2 (secret )?keys|maximum|limit/i;

function ecsErrorMapper(phase: 'login' | 'call' | 'add-secret'): ErrorMapper {
  return (response: HttpResponse) => {
    let body: EcsErrorBody = {};
    try {
      body = JSON.parse(response.text) as EcsErrorBody;
    } catch {
      // not ECS's JSON error body (a proxy's page, or XML): status alone
    }
    const { status } = response;
    const providerCode = body.code === undefined ? undefined : String(body.code);
    const parts = [body.description, body.details].map((p) => p?.trim().replace(/\.$/, '')).filter((p): p is string => Boolean(p));
    const reason = parts.join(': ') || 'the request failed';
    const said = `${reason}${providerCode ? ` (${providerCode})` : ''} — ${status}`;
    if (phase === 'add-secret' && status === 400 && LIMIT_MESSAGE.test(reason)) {
      return new KeydeskError({ code: 'LIMIT_REACHED', provider: PROVIDER, providerCode, status, message: `Dell ECS allows 2 secret keys per user: ${PROVIDER} refused: ${said}.` });
    }
    const code: ErrorCode =
      status === 401 ? 'AUTH_FAILED' : status === 403 ? 'ACCESS_DENIED' : status === 404 ? 'NOT_FOUND' : status === 409 ? 'CONFLICT' : status === 400 ? 'INVALID_INPUT' : 'PROVIDER';
    const hint =
      status === 401 && phase === 'login'
        ? "Check the account's management user name and password."
        : status === 403
          ? "Managing object users' secret keys needs the System Admin role, or Namespace Admin of the user's namespace."
          : body.retryable
            ? 'ECS says the request may succeed if you try again.'
            : undefined;
    const message = phase === 'login' && status === 401 ? `Dell ECS refused the sign-in: ${said}` : `${PROVIDER} refused: ${said}`;
    return new KeydeskError({ code, provider: PROVIDER, providerCode, status, message, hint });
  };
}

function connect(account: AccountContext): ProviderSession {
  const base = parseEndpoint(requireField(account, PROVIDER, 'managementUrl', 'management URL'));
  const username = requireField(account, PROVIDER, 'username', 'user name');
  const namespace = requireField(account, PROVIDER, 'namespace', 'namespace');
  const defaultUid = account.settings.objectUser?.trim() || undefined;
  // In memory only, for this session: the token is as good as the password until ECS drops it.
  let token: string | undefined;
  let signedInAs: string | undefined;

  async function login(): Promise<string> {
    const basic = Buffer.from(`${username}:${requireField(account, PROVIDER, 'password', 'password', 'secrets')}`).toString('base64');
    const response = await httpRequest(
      PROVIDER,
      { method: 'GET', url: `${base}/login`, headers: { authorization: `Basic ${basic}` }, signal: account.signal, trust: account.trust },
      ecsErrorMapper('login'),
    );
    const value = response.headers.get('x-sds-auth-token');
    if (!value) {
      throw new KeydeskError({ code: 'PROVIDER', provider: PROVIDER, message: 'Dell ECS signed in but returned no token (X-SDS-AUTH-TOKEN). Check the management URL (usually port 4443).' });
    }
    signedInAs = response.json<{ user?: string }>().user ?? username;
    token = value;
    return value;
  }

  /** Calls with the cached token; when ECS answers 401 (token expired or revoked) signs in again, once. */
  async function call(request: Omit<HttpRequest, 'url' | 'headers' | 'signal' | 'trust'> & { path: string }, phase: 'call' | 'add-secret' = 'call'): Promise<HttpResponse> {
    const { path, ...rest } = request;
    const send = (t: string) =>
      httpRequest(PROVIDER, { ...rest, url: `${base}${path}`, headers: { 'x-sds-auth-token': t }, signal: account.signal, trust: account.trust }, ecsErrorMapper(phase));
    return withSignIn(PROVIDER, { cached: () => token, signIn: login, forget: () => (token = undefined) }, send, "The management password may have changed or the user been locked; update the account's credentials.");
  }

  function uidFor(owner: string | undefined): string {
    const uid = owner ?? defaultUid;
    if (!uid) throw new KeydeskError({ code: 'INVALID_INPUT', message: "Dell ECS: choose an object user, or enter a default one in this account's settings." });
    return uid;
  }

  const keysPath = (uid: string) => `/object/user-secret-keys/${encodeURIComponent(uid)}`;

  async function listSlots(uid: string): Promise<SecretSlot[]> {
    const response = await call({ method: 'GET', path: `${keysPath(uid)}/${encodeURIComponent(namespace)}` });
    return toSlots(response.json<SecretKeysBody>());
  }

  function findSlot(slots: SecretSlot[], keyId: string, uid: string): SecretSlot {
    const slot = slots.find((s) => slotId(s.slot) === keyId);
    if (!slot) throw new KeydeskError({ code: 'NOT_FOUND', provider: PROVIDER, message: `Object user ${uid} has no secret key in slot ${keyId.replace('secret-', '')}.` });
    return slot;
  }

  /** Puts a new secret into the free slot; `expiryMinutes` also ends the existing secret after that long. */
  async function addSecret(uid: string, slots: SecretSlot[], expiryMinutes?: number): Promise<NewAccessKey> {
    const free = SLOTS.find((n) => !slots.some((s) => s.slot === n));
    if (free === undefined) {
      throw new KeydeskError({
        code: 'LIMIT_REACHED',
        provider: PROVIDER,
        message: `Dell ECS allows 2 secret keys per user, and ${uid} already has 2.`,
        hint: 'Delete the secret key that is no longer used, then add the new one.',
      });
    }
    const body = { namespace, ...(expiryMinutes !== undefined && { existing_key_expiry_time_mins: String(expiryMinutes) }) };
    const created = (await call({ method: 'POST', path: keysPath(uid), body }, 'add-secret')).json<NewSecretBody>();
    if (!created.secret_key) {
      throw new KeydeskError({ code: 'PROVIDER', provider: PROVIDER, message: `Dell ECS added a secret key for ${uid} but returned none; list the keys and delete the new one.` });
    }
    // ECS does not say which slot it used: find the new secret (or its hash) in a fresh listing.
    const after = await listSlots(uid);
    const placed = after.find((s) => s.secret === created.secret_key || (created.secret_key_id !== undefined && s.secretId === created.secret_key_id));
    const slot: SecretSlot = placed ?? { slot: free, createdAt: toIso(created.key_timestamp), expiresAt: toIso(created.key_expiry_timestamp) };
    return { ...toKeyInfo(uid, slot), secretAccessKey: created.secret_key };
  }

  return {
    async verify(): Promise<KeyOwner> {
      await login();
      return { id: username, name: signedInAs ?? username };
    },

    async listOwners() {
      const owners: KeyOwner[] = [];
      let marker: string | undefined;
      do {
        const query = marker ? `?marker=${encodeURIComponent(marker)}` : '';
        const page = (await call({ method: 'GET', path: `/object/users/${encodeURIComponent(namespace)}${query}` })).json<{
          blobuser?: { userid: string }[];
          NextMarker?: string;
        }>();
        owners.push(...(page.blobuser ?? []).map((u) => ({ id: u.userid, name: u.userid })));
        marker = page.NextMarker || undefined;
      } while (marker);
      return owners;
    },

    async listKeys(scope) {
      const uid = uidFor(scope.owner);
      return (await listSlots(uid)).map((slot) => toKeyInfo(uid, slot));
    },

    async createKey(options) {
      // Without an expiry the existing secret keeps working beside the new one; with one, ECS ends it then.
      const uid = uidFor(options.owner);
      return addSecret(uid, await listSlots(uid), options.existingKeyGraceMinutes);
    },

    async regenerateSecret(keyId, options) {
      const uid = uidFor(options.owner);
      const slots = await listSlots(uid);
      findSlot(slots, keyId, uid);
      // ECS sets the expiry on the secret that exists, so this only works while keyId is the only one.
      return addSecret(uid, slots, options.graceMinutes ?? 0);
    },

    async deleteKey(keyId, scope) {
      const uid = uidFor(scope.owner);
      const slot = findSlot(await listSlots(uid), keyId, uid);
      // With "Hide secret key" on, ECS names the secret to remove by its SHA-256 hash instead.
      const which = slot.secret ? { secret_key: slot.secret } : slot.secretId ? { secret_key_id: slot.secretId } : undefined;
      if (!which) throw new KeydeskError({ code: 'PROVIDER', provider: PROVIDER, message: `Dell ECS listed secret ${slot.slot} of ${uid} without the secret or its hash; it cannot be removed from here.` });
      await call({ method: 'POST', path: `${keysPath(uid)}/deactivate`, body: { ...which, namespace } });
    },

    async showSecret(keyId, scope) {
      const uid = uidFor(scope.owner);
      const slot = findSlot(await listSlots(uid), keyId, uid);
      if (!slot.secret) {
        throw new KeydeskError({ code: 'UNSUPPORTED', provider: PROVIDER, message: 'This Dell ECS hides secret keys after creation ("Hide secret key" is on), so it cannot be shown again.' });
      }
      return slot.secret;
    },

    s3Location() {
      // On-premises ECS rarely has wildcard DNS for buckets: path style. ECS ignores the signing region.
      return { endpoint: parseEndpoint(requireField(account, PROVIDER, 's3Endpoint', 'S3 endpoint')), region: 'us-east-1', forcePathStyle: true };
    },
  };
}

export const adapter: ProviderAdapter = {
  descriptor: {
    id: 'dell-ecs',
    name: 'Dell ECS / ObjectScale',
    summary: "Dell ECS object users' secret keys: two per user, with a grace period for the old one when adding a new one.",
    capabilities: {
      maxKeysPerOwner: 2,
      limitScope: 'user',
      // ECS's "deactivate" removes the secret for good; there is no switching off and on.
      canDeactivate: false,
      canDelete: true,
      // Listing returns the secrets, unless the cluster has "Hide secret key" on (showSecret then says so).
      canShowSecretAgain: true,
      canRegenerate: true,
      hasGracePeriod: true,
      canEditDescription: false,
      hasRegions: false,
      hasRoles: true,
      keysForOtherUsers: true,
      canSuspendOwner: false,
      reportsLastUsed: false,
      // The new secret goes into the free slot and is proven before the old one is removed.
      rotation: 'two-slot',
    },
    accountFields: [
      { name: 'managementUrl', label: 'Management URL', kind: 'url', required: true, placeholder: 'https://ecs.example.com:4443' },
      { name: 'username', label: 'Management user', kind: 'text', required: true, help: 'A System Admin, or Namespace Admin of the namespace below.' },
      { name: 'password', label: 'Password', kind: 'secret', required: true },
      { name: 'namespace', label: 'Namespace', kind: 'text', required: true },
      { name: 'objectUser', label: 'Default object user', kind: 'text', required: false, help: 'Whose keys are shown first; the S3 access key ID is this user ID.' },
      { name: 's3Endpoint', label: 'S3 endpoint', kind: 'url', required: true, placeholder: 'https://ecs.example.com:9021' },
    ],
  },
  connect,
};
