import { KeydeskError, type ErrorCode } from '../errors';
import { parseEndpoint } from '../s3/client';
import { SPACES_REGIONS } from '../s3/endpoint-presets';
import type { AccessKeyInfo, AccountContext, ProviderAdapter, ProviderSession } from './adapter';
import { requireField } from './account-settings';
import { httpRequest, type HttpRequest, type HttpResponse } from './http';

/**
 * DigitalOcean Spaces access keys (`/v2/spaces/keys`). A key has a name (the only thing that can be
 * changed) and grants: full access, or read / read-write per bucket. Keys work in every Spaces region;
 * the secret is returned only when the key is made.
 */

const PROVIDER = 'DigitalOcean';
/** The largest page the API serves. */
const PAGE = 200;

interface Grant {
  bucket: string;
  permission: 'read' | 'readwrite' | 'fullaccess' | '';
}

interface SpacesKey {
  name?: string;
  access_key: string;
  grants?: Grant[];
  created_at?: string;
  secret_key?: string;
}

interface DoErrorBody {
  id?: string;
  message?: string;
  request_id?: string;
}

function mapError(response: HttpResponse): KeydeskError {
  let body: DoErrorBody = {};
  try {
    body = JSON.parse(response.text) as DoErrorBody;
  } catch {
    // not DigitalOcean's JSON error body (a proxy's page): status alone
  }
  const { status } = response;
  const providerCode = body.id;
  const reason = body.message?.trim().replace(/\.$/, '') || 'the request failed';
  const code: ErrorCode =
    status === 401 ? 'AUTH_FAILED' : status === 403 ? 'ACCESS_DENIED' : status === 404 ? 'NOT_FOUND' : status === 409 ? 'CONFLICT' : status === 400 || status === 422 ? 'INVALID_INPUT' : 'PROVIDER';
  const hint =
    status === 401
      ? 'The API token may have been revoked or expired; create a new one in the DigitalOcean control panel.'
      : status === 403
        ? 'The API token needs the spaces_key scopes (read, create_credentials, update, delete).'
        : status === 429
          ? 'DigitalOcean limits requests per hour and per minute; wait a moment and try again.'
          : body.request_id
            ? `If this persists, give DigitalOcean support the request ID ${body.request_id}.`
            : undefined;
  return new KeydeskError({ code, provider: PROVIDER, providerCode, status, message: `${PROVIDER} refused: ${reason}${providerCode ? ` (${providerCode})` : ''} — ${status}`, hint });
}

function toKeyInfo(key: SpacesKey): AccessKeyInfo {
  // Spaces keys have no status: a listed key works.
  return { id: key.access_key, accessKeyId: key.access_key, description: key.name, status: 'active', createdAt: key.created_at };
}

function connect(account: AccountContext): ProviderSession {
  const base = parseEndpoint(account.settings.apiUrl?.trim() || 'https://api.digitalocean.com');

  async function call(request: Omit<HttpRequest, 'url' | 'headers' | 'signal' | 'trust'> & { path: string }): Promise<HttpResponse> {
    const token = requireField(account, PROVIDER, 'token', 'API token', 'secrets');
    const { path, ...rest } = request;
    return httpRequest(PROVIDER, { ...rest, url: `${base}${path}`, headers: { authorization: `Bearer ${token}` }, signal: account.signal, trust: account.trust }, mapError);
  }

  const keyPath = (id: string) => `/v2/spaces/keys/${encodeURIComponent(id)}`;

  async function listPage(page: number, perPage: number) {
    return (await call({ method: 'GET', path: `/v2/spaces/keys?per_page=${perPage}&page=${page}` })).json<{ keys?: SpacesKey[]; links?: { pages?: { next?: string } } }>();
  }

  return {
    async verify() {
      // Listing proves the token has the spaces_key scopes, which is what Keydesk needs of it.
      await listPage(1, 1);
      return { id: 'token', name: 'DigitalOcean API token' };
    },

    async listKeys() {
      const keys: SpacesKey[] = [];
      for (let page = 1; ; page++) {
        const answer = await listPage(page, PAGE);
        keys.push(...(answer.keys ?? []));
        if (!answer.links?.pages?.next || !answer.keys?.length) return keys.map(toKeyInfo);
      }
    },

    async createKey(options) {
      // The name is required by DigitalOcean. Without bucket grants the key gets full access, like the
      // keys of the other providers ("fullaccess" with an empty bucket, per the spec's example).
      const name = options.description?.trim() || `keydesk-${new Date().toISOString().slice(0, 10)}`;
      const grants: Grant[] = options.grants?.length ? options.grants : [{ bucket: '', permission: 'fullaccess' }];
      const body = { name, grants };
      const created = (await call({ method: 'POST', path: '/v2/spaces/keys', body })).json<{ key: SpacesKey }>().key;
      if (!created.secret_key) {
        throw new KeydeskError({ code: 'PROVIDER', provider: PROVIDER, message: `DigitalOcean created key ${created.access_key} but returned no secret; delete it and try again.` });
      }
      return { ...toKeyInfo(created), secretAccessKey: created.secret_key };
    },

    async setDescription(keyId, description) {
      // PUT and PATCH both take the key with only `name` changeable; PATCH says "change just this".
      await call({ method: 'PATCH', path: keyPath(keyId), body: { name: description } });
    },

    async deleteKey(keyId) {
      await call({ method: 'DELETE', path: keyPath(keyId) });
    },

    s3Location(region) {
      const chosen = region ?? (account.settings.region?.trim() || 'nyc3');
      return { endpoint: `https://${chosen}.digitaloceanspaces.com`, region: chosen, forcePathStyle: false };
    },
  };
}

export const adapter: ProviderAdapter = {
  descriptor: {
    id: 'digitalocean',
    name: 'DigitalOcean Spaces',
    summary: 'DigitalOcean Spaces access keys, managed with an API token.',
    capabilities: {
      canDeactivate: false,
      canDelete: true,
      // "We return secret keys only once upon creation." (key_create_response.secret_key)
      canShowSecretAgain: false,
      canRegenerate: false,
      hasGracePeriod: false,
      // The key's name: "You can only update the name of the key."
      canEditDescription: true,
      hasRegions: false,
      hasRoles: false,
      keysForOtherUsers: false,
      canSuspendOwner: false,
      reportsLastUsed: false,
      bucketGrants: true,
      rotation: 'create-then-delete',
    },
    accountFields: [
      { name: 'token', label: 'API token', kind: 'secret', required: true, help: 'A personal access token with the spaces_key scopes.' },
      {
        name: 'region',
        label: 'Spaces region',
        kind: 'select',
        required: true,
        defaultValue: 'nyc3',
        options: SPACES_REGIONS.map((r) => ({ value: r, label: `${r} (${r}.digitaloceanspaces.com)` })),
        help: 'Where your Spaces buckets are; keys work in every region.',
      },
      { name: 'apiUrl', label: 'API URL', kind: 'url', required: false, defaultValue: 'https://api.digitalocean.com' },
    ],
  },
  connect,
};
