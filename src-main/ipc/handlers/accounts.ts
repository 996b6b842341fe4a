import { providerDescriptors } from '../../core/providers/registry';
import { resolveTrust } from '../../core/transport/trust';
import type { AppContext } from '../app-context';
import type { Handlers } from '../contract';

type AccountHandlers = Pick<Handlers, 'providers:list' | 'accounts:list' | 'accounts:add' | 'accounts:remove' | 'accounts:setTrust'>;

export function accountHandlers(ctx: AppContext): AccountHandlers {
  return {
    'providers:list': async () => providerDescriptors(),
    'accounts:list': async () => ctx.accounts.list(),
    'accounts:add': async ({ trust, ...input }) => {
      const added = await ctx.accounts.add({ ...input, trust: resolveTrust(trust) });
      ctx.events.emit('accounts:changed', { ids: [added.account.id] });
      return added;
    },
    'accounts:setTrust': async ({ id, trust }) => {
      const account = ctx.accounts.setTrust(id, resolveTrust(trust, ctx.accounts.get(id).trust));
      ctx.events.emit('accounts:changed', { ids: [id] });
      return account;
    },
    'accounts:remove': async ({ id }) => {
      await ctx.accounts.remove(id);
      ctx.events.emit('accounts:changed', { ids: [id] });
    },
  };
}
