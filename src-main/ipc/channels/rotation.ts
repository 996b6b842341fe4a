import { z } from 'zod';
import type { RotationPlan, RotationResult } from '../../core/rotation/engine';
import { GRACE_DAYS } from '../../core/rotation/plan';
import type { DueRotation } from '../../core/rotation/policy';
import type { RotationNotice } from '../../core/rotation/notice-log';
import type { PendingSummary, RevokeOutcome } from '../../core/rotation/revocations';
import { channel } from '../channel';

export type { PendingSummary, RevokeOutcome, RotationNotice };
export type { RotationProgress, RotationResult, RotationStep } from '../../core/rotation/engine';
export type { OldKeyChoice, OldKeyOption } from '../../core/rotation/plan';

/** The rotation dialog's content: the plan, with each switching credential's "Use in…" profile. */
export interface RotationPreview extends Omit<RotationPlan, 'switches'> {
  switches: { id: string; label: string; profile: string }[];
  /** How profiles run `credential-process`; they read the key from the keychain, so they follow the switch. */
  credentialProcess: string;
}

const days = z.int().min(GRACE_DAYS.min).max(GRACE_DAYS.max);
const oldKey = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('grace'), days, then: z.enum(['delete', 'deactivate']) }),
  z.strictObject({ kind: z.literal('deactivate'), days }),
  z.strictObject({ kind: z.literal('delete') }),
  z.strictObject({ kind: z.literal('replace') }),
]);
const pendingId = z.strictObject({ id: z.uuid() });

export const rotationChannels = {
  /** What "Rotate now" will do, before anything happens: new key, credentials and profiles that switch, options for the old key. */
  'rotation:plan': channel<RotationPreview>()(z.strictObject({ credentialId: z.uuid() })),
  /** Rotates a saved key; reset-in-place providers need the old access key ID typed as confirmation. */
  'rotation:run': channel<RotationResult>()(z.strictObject({ credentialId: z.uuid(), oldKey, confirmResetInPlace: z.string().max(256).optional() })),
  /** Stops a rotation still waiting for its new key to work; it rolls back. False when none was running. */
  'rotation:cancel': channel<boolean>()(z.strictObject({ credentialId: z.uuid() })),
  /** Saved keys older than their rotation policy (credentials:update sets rotationMaxAgeDays). */
  'rotation:due': channel<DueRotation[]>()(z.undefined()),
  /** Old keys still alive after a rotation (grace period, deactivated, refused). */
  'rotation:pending': channel<PendingSummary[]>()(z.undefined()),
  /** Asks the provider when the old key was last used (providers that report it). */
  'rotation:lastUsed': channel<{ lastUsedAt?: string; usedAfterSwitch: boolean }>()(pendingId),
  /** Revokes the old key now; refused when it was used after the switch unless `force` ("Revoke anyway"). */
  'rotation:revokeNow': channel<RevokeOutcome>()(pendingId.extend({ force: z.boolean().optional() })),
  'rotation:extend': channel<PendingSummary>()(pendingId.extend({ days })),
  /** Switches the saved credentials back to the old key; the new key then waits out a grace period. */
  'rotation:restore': channel<PendingSummary>()(pendingId),
  /** Drops an entry whose provider account was removed. */
  'rotation:forget': channel<void>()(pendingId),
  /** What rotation work told the user lately (oldest first), also what came before this window connected. */
  'rotation:notices': channel<RotationNotice[]>()(z.undefined()),
  /** Dismisses a notice in every window; false when it was gone already. */
  'rotation:dismissNotice': channel<boolean>()(z.strictObject({ noticeId: z.uuid() })),
};
