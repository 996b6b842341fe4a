import { KeydeskError } from '../../core/errors';
import { keyIdentity } from '../../core/vault/key-identity';
import type { CredentialRecord } from '../../core/vault/metadata-store';
import { resolveTrust } from '../../core/transport/trust';
import type { AppContext } from '../app-context';
import type { CredentialSummary } from '../channels/credentials';
import type { Handlers } from '../contract';

type CredentialHandlers = Pick<
  Handlers,
  'credentials:list' | 'credentials:test' | 'credentials:add' | 'credentials:update' | 'credentials:changeConnection' | 'credentials:remove' | 'credentials:checkHealth'
>;

/** A saved credential with its key's health (only health of the key it holds now) and any twin holding the same key. */
export function credentialSummaries(ctx: AppContext, records: CredentialRecord[] = ctx.vault.list()): CredentialSummary[] {
  const all = ctx.vault.list();
  return records.map((record) => {
    const health = ctx.metadata.health(record.id);
    const twin = all.find((other) => other.id !== record.id && keyIdentity(other) === keyIdentity(record));
    return {
      ...record,
      health: health?.accessKeyId === record.accessKeyId ? health : undefined,
      checking: ctx.health.isChecking(record.id),
      sameKeyAs: twin && { id: twin.id, label: twin.label },
    };
  });
}

export function credentialHandlers(ctx: AppContext): CredentialHandlers {
  const changed = (id: string) => ctx.events.emit('credentials:changed', { ids: [id] });
  const summary = (record: CredentialRecord) => credentialSummaries(ctx, [record])[0];
  return {
    'credentials:list': async () => credentialSummaries(ctx),
    'credentials:test': async ({ trust, ...candidate }) => {
      const check = await ctx.vault.test({ ...candidate, trust: resolveTrust(trust) });
      const saved = ctx.vault.find(candidate);
      return { ...check, savedAs: saved && { id: saved.id, label: saved.label } };
    },
    'credentials:add': async ({ trust, ...candidate }) => {
      const record = await ctx.vault.add({ ...candidate, trust: resolveTrust(trust) });
      changed(record.id);
      return summary(record);
    },
    'credentials:update': async ({ id, trust, ...change }) => {
      const resolved = trust && { trust: resolveTrust(trust, ctx.vault.get(id).trust) };
      const record = ctx.vault.update(id, { ...change, ...resolved });
      // A new limit applies to the credential's running transfers too.
      if (change.transfer) ctx.transfers.setBandwidthLimit(id, record.transfer.bandwidthLimitKiBps);
      changed(id);
      return summary(record);
    },
    'credentials:changeConnection': async ({ id, ...change }) => {
      if (ctx.rotation.isRunning(id)) {
        throw new KeydeskError({ code: 'CONFLICT', message: 'This key is being rotated right now: change its connection once the rotation has finished.' });
      }
      const { record, check } = await ctx.vault.changeConnection(id, change);
      ctx.health.record(record, check);
      changed(id);
      return summary(record);
    },
    'credentials:remove': async ({ id }) => {
      await ctx.vault.remove(id);
      changed(id);
    },
    'credentials:checkHealth': async ({ ids }) => {
      const known = new Set(ctx.vault.list().map((record) => record.id));
      await ctx.health.checkNow(ids ? ids.filter((id) => known.has(id)) : [...known]);
    },
  };
}
