import { providerDescriptors } from '../../core/providers/registry';
import type { AppContext } from '../app-context';
import type { Handlers } from '../contract';

type AccountHandlers = Pick<Handlers, 'providers:list' | 'accounts:list' | 'accounts:add' | 'accounts:remove'>;

export function accountHandlers(ctx: AppContext): AccountHandlers {
  return {
    'providers:list': async () => providerDescriptors(),
    'accounts:list': async () => ctx.accounts.list(),
    'accounts:add': async (input) => ctx.accounts.add(input),
    'accounts:remove': async ({ id }) => ctx.accounts.remove(id),
  };
}
