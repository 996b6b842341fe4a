import { isKeydeskError } from '../../core/errors';
import { httpsOnly } from '../../core/links';
import type { AppContext } from '../app-context';
import type { Handlers } from '../contract';

type AppHandlers = Pick<Handlers, 'app:info' | 'app:ping' | 'vault:status' | 'app:openExternal'>;

export function appHandlers(ctx: AppContext): AppHandlers {
  return {
    'app:info': async () => ({ version: ctx.version, mode: ctx.mode, home: ctx.home, platform: process.platform }),
    'app:ping': async () => true,
    'vault:status': async () => {
      try {
        await ctx.secrets.list();
        return { available: true };
      } catch (error) {
        if (!isKeydeskError(error)) throw error;
        return { available: false, message: error.message, hint: error.hint };
      }
    },
    'app:openExternal': async ({ url }) => ctx.openLink(httpsOnly(url)),
  };
}
