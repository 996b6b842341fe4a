import { profileName } from '../../core/vault/profile-names';
import { dueRotations } from '../../core/rotation/policy';
import type { AppContext } from '../app-context';
import type { Handlers } from '../contract';

type RotationHandlers = Pick<
  Handlers,
  | 'rotation:plan'
  | 'rotation:run'
  | 'rotation:cancel'
  | 'rotation:due'
  | 'rotation:pending'
  | 'rotation:lastUsed'
  | 'rotation:revokeNow'
  | 'rotation:extend'
  | 'rotation:restore'
  | 'rotation:forget'
  | 'rotation:notices'
  | 'rotation:dismissNotice'
>;

/** A plan as the renderer shows it: each switching credential with its credential_process profile, and how profiles run it. */
export function withProfiles<P extends { switches: { id: string; label: string }[] }>(ctx: AppContext, plan: P) {
  const all = ctx.vault.list();
  const switches = plan.switches.map((s) => ({ ...s, profile: profileName(ctx.vault.get(s.id), all) }));
  return { ...plan, switches, credentialProcess: `${ctx.cliCommand} credential-process --profile` };
}

export function rotationHandlers(ctx: AppContext): RotationHandlers {
  return {
    'rotation:plan': async ({ credentialId }) => withProfiles(ctx, await ctx.rotation.plan(credentialId)),
    'rotation:run': async ({ credentialId, oldKey, confirmResetInPlace }) => ctx.rotation.rotate(credentialId, { oldKey, confirmResetInPlace }),
    'rotation:cancel': async ({ credentialId }) => ctx.rotation.cancel(credentialId),
    'rotation:due': async () => dueRotations(ctx.vault.list(), new Date(ctx.clock.now())),
    'rotation:pending': async () => ctx.revocations.list(),
    'rotation:lastUsed': async ({ id }) => ctx.revocations.lastUsed(id),
    'rotation:revokeNow': async ({ id, force }) => ctx.revocations.revokeNow(id, { force }),
    'rotation:extend': async ({ id, days }) => ctx.revocations.extend(id, days),
    'rotation:restore': async ({ id }) => ctx.revocations.restore(id),
    'rotation:forget': async ({ id }) => ctx.revocations.forget(id),
    'rotation:notices': async () => ctx.notices.list(),
    'rotation:dismissNotice': async ({ noticeId }) => {
      const dismissed = ctx.notices.dismiss(noticeId);
      if (dismissed) ctx.events.emit('rotation:noticeDismissed', { noticeId });
      return dismissed;
    },
  };
}
