import { isKeydeskError } from '../../core/errors';
import { httpsOnly } from '../../core/links';
import type { AppContext } from '../app-context';
import { placeSchema } from '../channels/app';
import type { Handlers } from '../contract';

type AppHandlers = Pick<Handlers, 'app:info' | 'app:ping' | 'vault:status' | 'app:openExternal' | 'app:place' | 'app:savePlace'>;

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
    // A file edited by hand may hold anything: what does not parse is no place.
    'app:place': async () => placeSchema.safeParse(ctx.metadata.place()).data ?? null,
    'app:savePlace': async (place) => {
      const saved = ctx.metadata.place();
      if (JSON.stringify(saved) !== JSON.stringify(place)) ctx.metadata.putPlace(place);
    },
  };
}
