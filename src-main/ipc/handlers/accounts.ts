import { providerDescriptors } from '../../core/providers/registry';
import type { AppContext } from '../app-context';
import type { Handlers } from '../contract';

type AccountHandlers = Pick<Handlers, 'providers:list' | 'accounts:list' | 'accounts:add' | 'accounts:remove'>;

export function accountHandlers(ctx: AppContext): AccountHandlers {
  return {
    'providers:list': async () => providerDescriptors(),
    'accounts:list': async () => ctx.accounts.list(),
    'accounts:add': async (input) => {
      const added = await ctx.accounts.add(input);
      ctx.events.emit('accounts:changed', { ids: [added.account.id] });
      return added;
    },
    'accounts:remove': async ({ id }) => {
      await ctx.accounts.remove(id);
      ctx.events.emit('accounts:changed', { ids: [id] });
    },
  };
}
