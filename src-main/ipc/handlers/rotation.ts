import { dueRotations } from '../../core/rotation/policy';
import type { AppContext } from '../app-context';
import type { Handlers } from '../contract';

type RotationHandlers = Pick<Handlers, 'rotation:run' | 'rotation:cancel' | 'rotation:due'>;

export function rotationHandlers(ctx: AppContext): RotationHandlers {
  return {
    'rotation:run': async ({ credentialId, confirmNoFallback }) => ctx.rotation.rotate(credentialId, { confirmNoFallback }),
    'rotation:cancel': async ({ credentialId }) => ctx.rotation.cancel(credentialId),
    'rotation:due': async () => dueRotations(ctx.vault.list()),
  };
}
