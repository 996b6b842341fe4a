import { setTimeout as sleep } from 'node:timers/promises';
import { KeydeskError } from '../errors';
import { parseEndpoint } from '../s3/client';
import type { AccessKeyInfo, AccountContext, KeyStatus, NewAccessKey, ProviderAdapter, ProviderSession } from './adapter';
import { requireField } from './account-settings';
import { httpRequest, type HttpRequest, type HttpResponse } from './http';
import { ionosErrorMapper, ionosS3Fields, ionosS3Location } from './ionos-cloud-api';

/**
 * IONOS Object Storage Management API (`https://s3.ionos.com`): access keys of contract-owned buckets,
 * with a description and a renewable secret. Keys are provisioned asynchronously: create and renew
 * answer at once with the new secret while `metadata.status` is still PROVISIONING, so both wait until
 * the key is AVAILABLE before handing it out. Field names follow ionos-cloud/sdk-go-object-storage-management
 * (AccessKeyRead, AccessKeyCreate, AccessKeyEnsure); the API has no spec in provider-specs/.
 */

const PROVIDER = 'IONOS Object Storage';
const PAGE = 100;

type ResourceStatus = 'AVAILABLE' | 'PROVISIONING' | 'DESTROYING' | 'FAILED';

interface AccessKeyRead {
  id: string;
  metadata?: { status?: ResourceStatus; statusMessage?: string; createdDate?: string };
  properties: { description?: string; accessKey?: string; secretKey?: string; canonicalUserId?: string; contractUserId?: string };
}

const STATUS: Record<ResourceStatus, KeyStatus> = {
  AVAILABLE: 'active',
  PROVISIONING: 'provisioning',
  // Being deleted: it no longer works.
  DESTROYING: 'inactive',
  FAILED: 'failed',
};

export interface PollTiming {
  firstDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
}

const DEFAULT_POLL: PollTiming = { firstDelayMs: 1000, maxDelayMs: 5000, timeoutMs: 120_000 };

function toKeyInfo(key: AccessKeyRead): AccessKeyInfo {
  const status = key.metadata?.status;
  return {
    id: key.id,
    accessKeyId: key.properties.accessKey ?? key.id,
    description: key.properties.description,
    status: (status && STATUS[status]) ?? 'unknown',
    createdAt: key.metadata?.createdDate,
  };
}

/** `poll` is how long create/renew wait for PROVISIONING to end; tests shorten it. */
export function createSession(account: AccountContext, poll: PollTiming = DEFAULT_POLL): ProviderSession {
  const base = parseEndpoint(account.settings.apiUrl?.trim() || 'https://s3.ionos.com');
  const mapError = ionosErrorMapper(PROVIDER);

  async function call(request: Omit<HttpRequest, 'url' | 'headers' | 'signal' | 'trust'> & { path: string }, mapper = mapError): Promise<HttpResponse> {
    const token = requireField(account, PROVIDER, 'token', 'token', 'secrets');
    const { path, ...rest } = request;
    return httpRequest(PROVIDER, { ...rest, url: `${base}${path}`, headers: { authorization: `Bearer ${token}` }, signal: account.signal, trust: account.trust }, mapper);
  }

  const keyPath = (id: string) => `/accesskeys/${encodeURIComponent(id)}`;

  async function listPage(offset: number, limit: number): Promise<AccessKeyRead[]> {
    return (await call({ method: 'GET', path: `/accesskeys?offset=${offset}&limit=${limit}` })).json<{ items?: AccessKeyRead[] }>().items ?? [];
  }

  /** Waits (bounded, cancellable) until a key that was just made or renewed is AVAILABLE. */
  async function untilAvailable(key: AccessKeyRead, doing: 'creating' | 'renewing'): Promise<AccessKeyRead> {
    const deadline = Date.now() + poll.timeoutMs;
    let delay = poll.firstDelayMs;
    for (let current = key; ; ) {
      const status = current.metadata?.status;
      if (status === 'AVAILABLE') return current;
      const name = current.properties.accessKey ?? current.id;
      if (status === 'FAILED') {
        const why = current.metadata?.statusMessage?.trim().replace(/\.$/, '');
        throw new KeydeskError({
          code: 'PROVIDER',
          provider: PROVIDER,
          message: `IONOS failed ${doing} key ${name}${why ? `: ${why}` : ''}.`,
          hint: doing === 'creating' ? 'Delete the failed key and create another.' : 'Try regenerating again; if it keeps failing, contact IONOS support.',
        });
      }
      if (Date.now() + delay > deadline) {
        throw new KeydeskError({
          code: 'TIMEOUT',
          provider: PROVIDER,
          message: `IONOS is still provisioning key ${name} after ${Math.round(poll.timeoutMs / 1000)} s (status ${status ?? 'unknown'}).`,
          hint:
            doing === 'creating'
              ? 'The key will show as active in the list when IONOS is done; then regenerate its secret to get one you can use.'
              : 'Regenerate the secret again once the key shows as active.',
        });
      }
      try {
        await sleep(delay, undefined, { signal: account.signal });
      } catch (error) {
        throw new KeydeskError({ code: 'CANCELLED', provider: PROVIDER, message: 'Cancelled.' }, { cause: error });
      }
      delay = Math.min(delay * 2, poll.maxDelayMs);
      current = (await call({ method: 'GET', path: keyPath(key.id) })).json<AccessKeyRead>();
    }
  }

  /** The secret is in the create/renew answer; the first AVAILABLE read is the fallback. */
  function withSecret(answer: AccessKeyRead, ready: AccessKeyRead): NewAccessKey {
    const secret = answer.properties.secretKey || ready.properties.secretKey;
    if (!secret) {
      throw new KeydeskError({ code: 'PROVIDER', provider: PROVIDER, message: `IONOS returned key ${toKeyInfo(ready).accessKeyId} without its secret; regenerate it to get one.` });
    }
    return { ...toKeyInfo(ready), secretAccessKey: secret };
  }

  return {
    async verify() {
      // Proves the token; the owner's canonical ID comes with any key it already has.
      const [first] = await listPage(0, 1);
      const canonicalId = first?.properties.canonicalUserId;
      return { id: canonicalId ?? 'token', name: canonicalId ? `IONOS Object Storage user ${canonicalId}` : 'IONOS Object Storage', canonicalId };
    },

    async listKeys() {
      const keys: AccessKeyRead[] = [];
      for (let offset = 0; ; offset += PAGE) {
        const page = await listPage(offset, PAGE);
        keys.push(...page);
        if (page.length < PAGE) return keys.map(toKeyInfo);
      }
    },

    async createKey(options) {
      // `description` is the one writable property (accessKey and secretKey are read-only).
      const answer = (await call({ method: 'POST', path: '/accesskeys', body: { properties: { description: options.description ?? 'Keydesk' } } })).json<AccessKeyRead>();
      return withSecret(answer, await untilAvailable(answer, 'creating'));
    },

    async regenerateSecret(keyId) {
      const answer = (await call({ method: 'PUT', path: `${keyPath(keyId)}/renew` })).json<AccessKeyRead>();
      return withSecret(answer, await untilAvailable(answer, 'renewing'));
    },

    async setDescription(keyId, description) {
      // AccessKeyEnsure: the ID again in the body, and the properties to keep.
      await call({ method: 'PUT', path: keyPath(keyId), body: { id: keyId, properties: { description } } });
    },

    async deleteKey(keyId) {
      await call({ method: 'DELETE', path: keyPath(keyId) });
    },

    s3Location(region) {
      return ionosS3Location(account, 'eu-central-3', region);
    },
  };
}

export const adapter: ProviderAdapter = {
  descriptor: {
    id: 'ionos-object-storage',
    name: 'IONOS Object Storage (access keys)',
    summary: 'IONOS Object Storage access keys for contract-owned buckets, with descriptions and renewable secrets.',
    capabilities: {
      canDeactivate: false,
      canDelete: true,
      // The SDK's read models return the secret only from create and renew; Terraform's data source,
      // which reads keys, has no secret attribute.
      canShowSecretAgain: false,
      canRegenerate: true,
      hasGracePeriod: false,
      canEditDescription: true,
      hasRegions: false,
      hasRoles: false,
      keysForOtherUsers: false,
      canSuspendOwner: false,
      reportsLastUsed: false,
      // Renewing replaces the secret in place; a second key lets the new one be proven before the old one goes.
      rotation: 'create-then-delete',
    },
    accountFields: [
      { name: 'apiUrl', label: 'API URL', kind: 'url', required: true, defaultValue: 'https://s3.ionos.com' },
      { name: 'token', label: 'Token', kind: 'secret', required: true, help: 'An IONOS API token of the user whose keys to manage.' },
      ...ionosS3Fields('eu-central-3'),
    ],
  },
  connect: (account) => createSession(account),
};
