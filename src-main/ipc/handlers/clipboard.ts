import { KeydeskError } from '../../core/errors';
import type { AppContext } from '../app-context';
import type { Handlers } from '../contract';

export function clipboardHandlers(ctx: AppContext): Pick<Handlers, 'clipboard:copySecret'> {
  return {
    'clipboard:copySecret': async ({ secret }) => {
      if (!ctx.clipboard) {
        throw new KeydeskError({ code: 'UNSUPPORTED', message: 'Browser mode has no access to the system clipboard: the page copies instead.' });
      }
      await ctx.clipboard.copySecret(secret);
    },
  };
}
