import type { AppContext } from '../app-context';
import type { Handlers } from '../contract';
import { withProfiles } from './rotation';

type LeakHandlers = Pick<Handlers, 'leak:plan' | 'leak:report' | 'leak:cancel'>;

export function leakHandlers(ctx: AppContext): LeakHandlers {
  return {
    'leak:plan': async ({ target }) => withProfiles(ctx, await ctx.leak.plan(target)),
    'leak:report': async ({ target, stop, confirm }) => ctx.leak.report(target, { stop, confirm }),
    'leak:cancel': async ({ accessKeyId }) => ctx.leak.cancel(accessKeyId),
  };
}
