import type { AppContext } from '../app-context';
import type { Handlers } from '../contract';

type CredentialHandlers = Pick<Handlers, 'credentials:list' | 'credentials:test' | 'credentials:add' | 'credentials:update' | 'credentials:remove'>;

export function credentialHandlers(ctx: AppContext): CredentialHandlers {
  const changed = (id: string) => ctx.events.emit('credentials:changed', { ids: [id] });
  return {
    'credentials:list': async () => ctx.vault.list(),
    'credentials:test': async (candidate) => ctx.vault.test(candidate),
    'credentials:add': async (candidate) => {
      const record = await ctx.vault.add(candidate);
      changed(record.id);
      return record;
    },
    'credentials:update': async ({ id, ...change }) => {
      const record = ctx.vault.update(id, change);
      changed(id);
      return record;
    },
    'credentials:remove': async ({ id }) => {
      await ctx.vault.remove(id);
      changed(id);
    },
  };
}
