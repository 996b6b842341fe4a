import { KeydeskError } from '../../core/errors';
import type { AccessKeyInfo, KeyScope, ProviderDescriptor, ProviderSession, RegionInfo, S3Location } from '../../core/providers/adapter';
import { alreadySaved } from '../../core/vault/credential-vault';
import { accountKeyLabel } from '../../core/vault/labels';
import { inheritTrust } from '../../core/transport/trust';
import type { CredentialRecord } from '../../core/vault/metadata-store';
import type { AppContext } from '../app-context';
import type { KeyLimit, SavedCredentialRef } from '../channels/keys';
import type { Handlers } from '../contract';

type KeyHandlers = Pick<
  Handlers,
  | 'keys:owners'
  | 'keys:regions'
  | 'keys:list'
  | 'keys:create'
  | 'keys:regenerate'
  | 'keys:setActive'
  | 'keys:delete'
  | 'keys:showSecret'
  | 'keys:save'
  | 'keys:setDescription'
  | 'keys:setOwnerSuspended'
>;

function unsupported(provider: ProviderDescriptor, what: string): KeydeskError {
  return new KeydeskError({ code: 'UNSUPPORTED', provider: provider.name, message: `${provider.name} cannot ${what}.` });
}

/** Capability flag and session method must agree; the flag is what the UI was told. */
function supported<M>(provider: ProviderDescriptor, allowed: boolean, method: M | undefined, what: string): M {
  if (!allowed || !method) throw unsupported(provider, what);
  return method;
}

/** Session limits (from the account's settings) win over the descriptor's documented limit. */
export function keyLimit(provider: ProviderDescriptor, session: ProviderSession): KeyLimit | undefined {
  const source = session.limits ?? provider.capabilities;
  const max = source.maxKeysPerOwner;
  if (max === undefined) return undefined;
  const scope = source.limitScope ?? provider.capabilities.limitScope ?? 'user';
  return { maxKeysPerOwner: max, scope, message: `${provider.name} allows ${max} key${max === 1 ? '' : 's'} per ${scope}` };
}

/** Only the listed fields cross to the renderer, whatever else an adapter put on the object. */
function publicKey(key: AccessKeyInfo): AccessKeyInfo {
  const { id, accessKeyId, description, status, createdAt, region, owner, lastUsedAt, expiresAt } = key;
  return { id, accessKeyId, description, status, createdAt, region, owner, lastUsedAt, expiresAt };
}

/** Only the listed fields cross to the renderer. */
function publicRegion(region: RegionInfo): RegionInfo {
  const { name, endpoint, roles, refusal, error } = region;
  return { name, endpoint, roles, refusal, error };
}

/** A key's region names its saved credential only where keys are per region (one per region). */
const regionOf = (provider: ProviderDescriptor, region: string | undefined) => (provider.capabilities.hasRegions ? region : undefined);

function locate(session: ProviderSession, region: string | undefined): S3Location | undefined {
  try {
    return session.s3Location(region);
  } catch {
    return undefined;
  }
}

const ref = (record: CredentialRecord): SavedCredentialRef => ({ id: record.id, label: record.label });

export function keyHandlers(ctx: AppContext): KeyHandlers {
  async function open(accountId: string) {
    const account = ctx.accounts.get(accountId);
    return { account, provider: account.provider, session: await ctx.accounts.session(accountId) };
  }

  /**
   * The saved credentials holding a key of this account: any entry for the same key (endpoint and access
   * key ID, however it was saved), and this account's entries for the key ID where the endpoint moved since.
   */
  function holders(accountId: string, session: ProviderSession, accessKeyId: string, region: string | undefined): CredentialRecord[] {
    const location = locate(session, region);
    const found = location ? ctx.vault.holding({ endpoint: location.endpoint, accessKeyId }) : [];
    for (const credential of ctx.vault.list()) {
      if (credential.accountId === accountId && credential.accessKeyId === accessKeyId && !found.some((f) => f.id === credential.id)) found.push(credential);
    }
    return found;
  }

  function changed(records: SavedCredentialRef[]): void {
    if (records.length) ctx.events.emit('credentials:changed', { ids: records.map((r) => r.id) });
  }

  return {
    'keys:owners': async ({ accountId }) => {
      const { provider, session } = await open(accountId);
      return supported(provider, provider.capabilities.keysForOtherUsers, session.listOwners, 'list users').call(session);
    },

    'keys:regions': async ({ accountId }) => {
      const { provider, session } = await open(accountId);
      const regions = await supported(provider, provider.capabilities.hasRegions, session.listRegions, 'list regions').call(session);
      return regions.map(publicRegion);
    },

    'keys:list': async ({ accountId, owner, region }) => {
      const { provider, session } = await open(accountId);
      const keys = (await session.listKeys({ owner, region })).map((key) => ({
        ...publicKey(key),
        credentialId: holders(accountId, session, key.accessKeyId, key.region ?? region)[0]?.id,
      }));
      return { keys, limit: keyLimit(provider, session) };
    },

    'keys:create': async ({ accountId, owner, region, description, grants, saveInKeychain }) => {
      const { account, provider, session } = await open(accountId);
      if (grants?.length && !provider.capabilities.bucketGrants) throw unsupported(provider, 'limit keys to some buckets');
      const limit = keyLimit(provider, session);
      // Listed before the create in any case: recovery tells a key created just before a crash by its absence here.
      const existing = await session.listKeys({ owner, region });
      if (limit) {
        const counted = limit.scope === 'region' && region ? existing.filter((key) => !key.region || key.region === region) : existing;
        if (counted.length >= limit.maxKeysPerOwner) {
          throw new KeydeskError({ code: 'LIMIT_REACHED', provider: provider.name, message: `${limit.message}.`, hint: 'Delete a key that is no longer used, then create the new one.' });
        }
      }
      const { key: created, saved, saveError } = await ctx.keyActions.create(session, {
        accountId,
        options: { owner, region, description: description?.trim() || undefined, grants },
        keysBefore: existing.map((key) => key.id),
        saveAs: saveInKeychain
          ? (made) => ({
              suggestedLabel: accountKeyLabel(account.label, { description, owner: made.owner ?? owner, region: regionOf(provider, region ?? made.region) }),
              region: region ?? made.region,
              owner: made.owner ?? owner,
            })
          : undefined,
      });
      const key = { ...publicKey(created), secretAccessKey: created.secretAccessKey };
      return { key, location: locate(session, region ?? created.region), savedCredentials: saved.map(ref), ...(saveError && { saveError }) };
    },

    'keys:regenerate': async ({ accountId, keyId, owner, region, graceMinutes }) => {
      const { account, provider, session } = await open(accountId);
      supported(provider, provider.capabilities.canRegenerate, session.regenerateSecret, 'regenerate a secret');
      if (graceMinutes && !provider.capabilities.hasGracePeriod) {
        throw new KeydeskError({ code: 'INVALID_INPUT', message: `${provider.name} has no grace period: the old secret stops working at once.` });
      }
      // Saved credentials are found by the access key ID before the reset (one that replaces the pair gives a new one).
      const keys = await session.listKeys({ owner, region });
      const listed = keys.find((k) => k.id === keyId);
      const previous = listed?.accessKeyId ?? keyId;
      const keyRegion = region ?? listed?.region;
      const { key: regenerated, saved, saveError } = await ctx.keyActions.regenerate(session, {
        accountId,
        scope: { owner, region },
        key: { id: keyId, accessKeyId: previous },
        keysBefore: keys.map((k) => k.id),
        holders: holders(accountId, session, previous, keyRegion),
        graceMinutes,
        saveAs: {
          suggestedLabel: `${accountKeyLabel(account.label, { description: listed?.description, owner: listed?.owner ?? owner, region: regionOf(provider, keyRegion) })} (regenerated when Keydesk stopped)`,
          region: keyRegion,
          owner: listed?.owner ?? owner,
        },
      });
      const key = { ...publicKey(regenerated), secretAccessKey: regenerated.secretAccessKey };
      return { key, location: locate(session, region ?? regenerated.region), savedCredentials: saved.map(ref), ...(saveError && { saveError }) };
    },

    'keys:setActive': async ({ accountId, keyId, active, owner, region }) => {
      const { provider, session } = await open(accountId);
      const setActive = supported(provider, provider.capabilities.canDeactivate, session.setKeyActive, 'deactivate keys');
      await setActive.call(session, keyId, active, { owner, region });
    },

    'keys:delete': async ({ accountId, keyId, owner, region }) => {
      const { provider, session } = await open(accountId);
      const deleteKey = supported(provider, provider.capabilities.canDelete, session.deleteKey, 'delete keys');
      const scope: KeyScope = { owner, region };
      // The provider's key ID may differ from the access key ID that saved credentials hold.
      const listed = (await session.listKeys(scope)).find((key) => key.id === keyId);
      await deleteKey.call(session, keyId, scope);
      const removed: SavedCredentialRef[] = [];
      for (const credential of holders(accountId, session, listed?.accessKeyId ?? keyId, region ?? listed?.region)) {
        await ctx.vault.remove(credential.id);
        removed.push(ref(credential));
      }
      changed(removed);
      return removed;
    },

    'keys:showSecret': async ({ accountId, keyId, owner, region }) => {
      const { provider, session } = await open(accountId);
      const show = supported(provider, provider.capabilities.canShowSecretAgain, session.showSecret, 'show a secret again');
      return { secretAccessKey: await show.call(session, keyId, { owner, region }) };
    },

    'keys:save': async ({ accountId, keyId, owner, region }) => {
      const { account, provider, session } = await open(accountId);
      const show = supported(provider, provider.capabilities.canShowSecretAgain, session.showSecret, 'show a secret again');
      const key = (await session.listKeys({ owner, region })).find((candidate) => candidate.id === keyId);
      if (!key) throw new KeydeskError({ code: 'NOT_FOUND', provider: provider.name, message: `${provider.name} has no key ${keyId} any more.` });
      const already = holders(accountId, session, key.accessKeyId, region ?? key.region)[0];
      if (already) throw alreadySaved(already);
      // Tested on S3 before saving, like a pasted key: a key the provider lists may still be inactive.
      const location = session.s3Location(region ?? key.region);
      const record = await ctx.vault.add({
        label: '',
        suggestedLabel: accountKeyLabel(account.label, { description: key.description, owner: key.owner ?? owner, region: regionOf(provider, region ?? key.region) }),
        ...location,
        trust: inheritTrust(account.trust, location.endpoint),
        accessKeyId: key.accessKeyId,
        secretAccessKey: await show.call(session, keyId, { owner, region }),
        accountId,
        owner: key.owner ?? owner,
      });
      changed([ref(record)]);
      return ref(record);
    },

    'keys:setDescription': async ({ accountId, keyId, description, owner, region }) => {
      const { provider, session } = await open(accountId);
      const set = supported(provider, provider.capabilities.canEditDescription, session.setDescription, 'edit key descriptions');
      await set.call(session, keyId, description.trim(), { owner, region });
    },

    'keys:setOwnerSuspended': async ({ accountId, owner, suspended }) => {
      const { provider, session } = await open(accountId);
      const set = supported(provider, provider.capabilities.canSuspendOwner, session.setOwnerSuspended, 'suspend users');
      await set.call(session, owner, suspended);
    },
  };
}
