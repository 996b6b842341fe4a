import { KeydeskError, type ErrorCode } from '../errors';
import { parseEndpoint } from '../s3/client';
import { IONOS_S3_REGIONS } from '../s3/endpoint-presets';
import type { AccessKeyInfo, AccountContext, AccountField, FieldChoice, KeyOwner, ProviderAdapter, ProviderSession, S3Location } from './adapter';
import { httpRequest, type ErrorMapper, type HttpRequest, type HttpResponse } from './http';

/**
 * IONOS Cloud API v6 user S3 keys (`/um/users/{userId}/s3keys`): the keys of IONOS Object Storage's
 * user-owned buckets. A key's `id` is its access key ID; it can be switched on and off but has no
 * description and cannot be regenerated. IONOS allows five keys per user.
 */

const PROVIDER = 'IONOS';
const MAX_KEYS_PER_USER = 5;
/** The users list is paged; 100 is the largest page the API allows. */
const USERS_PAGE = 100;

/** The S3 endpoint/region fields both IONOS adapters share. */
export function ionosS3Fields(defaultRegion: string): AccountField[] {
  return [
    {
      name: 's3Region',
      label: 'S3 region',
      kind: 'select',
      required: true,
      defaultValue: defaultRegion,
      options: IONOS_S3_REGIONS,
      help: 'Where the buckets these keys are used for live.',
    },
    {
      name: 's3Endpoint',
      label: 'S3 endpoint',
      kind: 'url',
      required: false,
      placeholder: `https://s3.${defaultRegion}.ionoscloud.com`,
      help: 'Leave empty to use the endpoint of the region.',
    },
  ];
}

export function ionosS3Location(account: AccountContext, defaultRegion: string, region?: string): S3Location {
  const chosen = region ?? (account.settings.s3Region?.trim() || defaultRegion);
  const endpoint = account.settings.s3Endpoint?.trim();
  // IONOS serves virtual-hosted-style buckets on every region endpoint.
  return { endpoint: endpoint ? parseEndpoint(endpoint) : `https://s3.${chosen}.ionoscloud.com`, region: chosen, forcePathStyle: false };
}

interface IonosErrorBody {
  httpStatus?: number;
  messages?: { errorCode?: string; message?: string }[];
}

const LIMIT_MESSAGE = /maximum|limit|exceed/i;

/**
 * Maps IONOS's error body `{httpStatus, messages:[{errorCode, message}]}` (shared by the Cloud API and the
 * Object Storage Management API) to a KeydeskError. `limitText` is the sentence for a refused create that
 * hit the key limit (IONOS says so in a 422).
 */
export function ionosErrorMapper(provider: string, limitText?: string): ErrorMapper {
  return (response: HttpResponse) => {
    let first: { errorCode?: string; message?: string } = {};
    try {
      first = (JSON.parse(response.text) as IonosErrorBody).messages?.[0] ?? {};
    } catch {
      // not IONOS's JSON error body (a proxy's page): status alone
    }
    const { status } = response;
    const providerCode = first.errorCode;
    const reason = first.message?.trim().replace(/\.$/, '') || 'the request failed';
    const said = `${reason}${providerCode ? ` (${providerCode})` : ''} — ${status}`;
    if (limitText && (status === 422 || status === 400) && LIMIT_MESSAGE.test(reason)) {
      return new KeydeskError({ code: 'LIMIT_REACHED', provider, providerCode, status, message: `${limitText}: ${provider} refused: ${said}.` });
    }
    const code: ErrorCode =
      status === 401
        ? 'AUTH_FAILED'
        : status === 403
          ? 'ACCESS_DENIED'
          : status === 404
            ? 'NOT_FOUND'
            : status === 409
              ? 'CONFLICT'
              : status === 400 || status === 422
                ? 'INVALID_INPUT'
                : 'PROVIDER';
    const hint =
      status === 401
        ? 'Check the token (IONOS tokens expire) or the user name and password of this account.'
        : status === 403
          ? "Only the key's own user and contract administrators may manage a user's keys; check this account's privileges."
          : status === 429
            ? 'IONOS limits how many requests an account may make per minute; wait a moment and try again.'
            : undefined;
    return new KeydeskError({ code, provider, providerCode, status, message: `${provider} refused: ${said}`, hint });
  };
}

const withToken: FieldChoice = { field: 'authMethod', equals: ['token'] };
const withPassword: FieldChoice = { field: 'authMethod', equals: ['password'] };

/**
 * `Authorization` for IONOS: the chosen sign-in method; accounts saved before there was a choice use a
 * token when there is one, else the user name and password.
 */
export function ionosAuthorization(account: AccountContext, provider: string): string {
  const method = account.settings.authMethod;
  const token = method === 'password' ? undefined : account.secrets.token?.trim();
  if (token) return `Bearer ${token}`;
  if (method === 'token') throw new KeydeskError({ code: 'INVALID_INPUT', message: `${provider}: enter the token in this account's settings.` });
  const username = account.settings.username?.trim();
  const password = account.secrets.password;
  if (username && password) return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  throw new KeydeskError({ code: 'INVALID_INPUT', message: `${provider}: enter a token, or a user name and password, in this account's settings.` });
}

interface S3Key {
  id: string;
  metadata?: { createdDate?: string };
  properties: { secretKey?: string; active?: boolean };
}

interface User {
  id: string;
  properties?: { firstname?: string; lastname?: string; email?: string; active?: boolean; s3CanonicalUserId?: string };
}

function toOwner(user: User): KeyOwner {
  const p = user.properties ?? {};
  const fullName = [p.firstname, p.lastname].filter(Boolean).join(' ');
  return { id: user.id, name: p.email || fullName || user.id, disabled: p.active === false, canonicalId: p.s3CanonicalUserId };
}

function toKeyInfo(key: S3Key, owner: string): AccessKeyInfo {
  const active = key.properties.active;
  return {
    id: key.id,
    accessKeyId: key.id,
    status: active === true ? 'active' : active === false ? 'inactive' : 'unknown',
    createdAt: key.metadata?.createdDate,
    owner,
  };
}

function connect(account: AccountContext): ProviderSession {
  const base = parseEndpoint(account.settings.apiUrl?.trim() || 'https://api.ionos.com/cloudapi/v6');
  const defaultUserId = account.settings.userId?.trim() || undefined;
  const mapError = ionosErrorMapper(PROVIDER);

  async function call(request: Omit<HttpRequest, 'url' | 'headers' | 'signal' | 'trust'> & { path: string }, mapper = mapError): Promise<HttpResponse> {
    const { path, ...rest } = request;
    return httpRequest(
      PROVIDER,
      { ...rest, url: `${base}${path}`, headers: { authorization: ionosAuthorization(account, PROVIDER) }, signal: account.signal, trust: account.trust },
      mapper,
    );
  }

  async function listUsers(): Promise<User[]> {
    const users: User[] = [];
    for (let offset = 0; ; offset += USERS_PAGE) {
      const page = (await call({ method: 'GET', path: `/um/users?depth=1&offset=${offset}&limit=${USERS_PAGE}` })).json<{ items?: User[] }>();
      users.push(...(page.items ?? []));
      if ((page.items?.length ?? 0) < USERS_PAGE) return users;
    }
  }

  // Found once per session when the account has no user ID: the user whose e-mail is the sign-in name.
  let signedInUser: Promise<User> | undefined;
  function findSignedInUser(): Promise<User> {
    const username = account.settings.username?.trim().toLowerCase();
    if (!username) {
      return Promise.reject(
        new KeydeskError({ code: 'INVALID_INPUT', message: "IONOS: enter the user ID whose keys to manage in this account's settings (DCD → User Manager)." }),
      );
    }
    signedInUser ??= listUsers().then((users) => {
      const user = users.find((u) => u.properties?.email?.toLowerCase() === username);
      if (!user) throw new KeydeskError({ code: 'NOT_FOUND', provider: PROVIDER, message: `IONOS has no user with the e-mail ${username}; enter the user ID in this account's settings.` });
      return user;
    });
    signedInUser.catch(() => (signedInUser = undefined));
    return signedInUser;
  }

  async function userId(owner?: string): Promise<string> {
    return owner ?? defaultUserId ?? (await findSignedInUser()).id;
  }

  const keysPath = (user: string) => `/um/users/${encodeURIComponent(user)}/s3keys`;
  const keyPath = (user: string, keyId: string) => `${keysPath(user)}/${encodeURIComponent(keyId)}`;

  async function listKeys(user: string): Promise<S3Key[]> {
    // depth=1: at depth 0 the items carry only their IDs, without `properties`.
    return (await call({ method: 'GET', path: `${keysPath(user)}?depth=1` })).json<{ items?: S3Key[] }>().items ?? [];
  }

  return {
    async verify() {
      if (!defaultUserId) return toOwner(await findSignedInUser());
      return toOwner((await call({ method: 'GET', path: `/um/users/${encodeURIComponent(defaultUserId)}?depth=1` })).json<User>());
    },

    async listOwners() {
      return (await listUsers()).map(toOwner);
    },

    async listKeys(scope) {
      const user = await userId(scope.owner);
      return (await listKeys(user)).map((key) => toKeyInfo(key, user));
    },

    async createKey(options) {
      const user = await userId(options.owner);
      const limitText = `IONOS allows ${MAX_KEYS_PER_USER} keys per user`;
      if ((await listKeys(user)).length >= MAX_KEYS_PER_USER) {
        throw new KeydeskError({
          code: 'LIMIT_REACHED',
          provider: PROVIDER,
          message: `${limitText}, and user ${user} already has ${MAX_KEYS_PER_USER}.`,
          hint: 'Delete a key the user no longer needs, then create the new one.',
        });
      }
      // The API takes no body: IONOS makes the key pair and returns both halves.
      const created = (await call({ method: 'POST', path: keysPath(user) }, ionosErrorMapper(PROVIDER, limitText))).json<S3Key>();
      if (!created.properties.secretKey) {
        throw new KeydeskError({ code: 'PROVIDER', provider: PROVIDER, message: `IONOS created key ${created.id} but returned no secret; delete it and try again.` });
      }
      return { ...toKeyInfo(created, user), secretAccessKey: created.properties.secretKey };
    },

    async setKeyActive(keyId, active, scope) {
      await call({ method: 'PUT', path: keyPath(await userId(scope.owner), keyId), body: { properties: { active } } });
    },

    async deleteKey(keyId, scope) {
      await call({ method: 'DELETE', path: keyPath(await userId(scope.owner), keyId) });
    },

    async showSecret(keyId, scope) {
      const key = (await call({ method: 'GET', path: keyPath(await userId(scope.owner), keyId) })).json<S3Key>();
      if (!key.properties.secretKey) throw new KeydeskError({ code: 'PROVIDER', provider: PROVIDER, message: `IONOS returned key ${keyId} without its secret.` });
      return key.properties.secretKey;
    },

    s3Location(region) {
      return ionosS3Location(account, 'eu-central-1', region);
    },
  };
}

export const adapter: ProviderAdapter = {
  descriptor: {
    id: 'ionos-cloud',
    name: 'IONOS Cloud (user S3 keys)',
    summary: 'IONOS Object Storage keys of the users of an IONOS Cloud contract, managed through the Cloud API.',
    capabilities: {
      // "A maximum of five keys per user can be generated." (Cloud API v6, POST /um/users/{userId}/s3keys)
      maxKeysPerOwner: MAX_KEYS_PER_USER,
      limitScope: 'user',
      canDeactivate: true,
      canDelete: true,
      // The spec's S3Key (the answer of GET .../s3keys/{keyId} and of the depth=1 list) carries
      // properties.secretKey, "Secret of the S3 key": IONOS hands the secret out on every read.
      canShowSecretAgain: true,
      canRegenerate: false,
      hasGracePeriod: false,
      canEditDescription: false,
      hasRegions: false,
      hasRoles: true,
      keysForOtherUsers: true,
      canSuspendOwner: false,
      reportsLastUsed: false,
      // Room for five keys: the new one is proven before the old one is switched off and deleted.
      rotation: 'create-then-delete',
    },
    accountFields: [
      { name: 'apiUrl', label: 'API URL', kind: 'url', required: true, defaultValue: 'https://api.ionos.com/cloudapi/v6' },
      {
        name: 'authMethod',
        label: 'Sign in with',
        kind: 'select',
        required: true,
        defaultValue: 'token',
        options: [
          { value: 'token', label: 'API token' },
          { value: 'password', label: 'User name and password' },
        ],
      },
      { name: 'token', label: 'Token', kind: 'secret', required: true, help: 'An IONOS API token (DCD → Token Manager).', shownWhen: withToken },
      { name: 'username', label: 'User name (e-mail)', kind: 'text', required: true, shownWhen: withPassword },
      { name: 'password', label: 'Password', kind: 'secret', required: true, shownWhen: withPassword },
      {
        name: 'userId',
        label: 'User ID',
        kind: 'text',
        required: false,
        requiredWhen: withToken,
        placeholder: '15f67991-0f51-4efc-a8ad-ef1fb31a480c',
        help: 'Whose keys are shown by default. Needed with a token; with a user name, your own user is found by e-mail.',
      },
      ...ionosS3Fields('eu-central-1'),
    ],
  },
  connect,
};
