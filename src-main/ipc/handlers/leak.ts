import { profileName } from '../../core/vault/profile-names';
import type { AppContext } from '../app-context';
import type { Handlers } from '../contract';

type LeakHandlers = Pick<Handlers, 'leak:plan' | 'leak:report' | 'leak:cancel'>;

export function leakHandlers(ctx: AppContext): LeakHandlers {
  return {
    'leak:plan': async ({ target }) => {
      const plan = await ctx.leak.plan(target);
      const all = ctx.vault.list();
      const switches = plan.switches.map((s) => ({ ...s, profile: profileName(ctx.vault.get(s.id), all) }));
      return { ...plan, switches, credentialProcess: `${ctx.cliCommand} credential-process --profile` };
    },
    'leak:report': async ({ target, stop, confirm }) => ctx.leak.report(target, { stop, confirm }),
    'leak:cancel': async ({ accessKeyId }) => ctx.leak.cancel(accessKeyId),
  };
}
