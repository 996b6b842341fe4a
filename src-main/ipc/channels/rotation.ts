import { z } from 'zod';
import type { RotationResult } from '../../core/rotation/engine';
import type { DueRotation } from '../../core/rotation/policy';
import { channel } from '../channel';

export const rotationChannels = {
  /** Rotates a saved key; `confirmNoFallback` is needed where rotation regenerates the only key in place. */
  'rotation:run': channel<RotationResult>()(z.strictObject({ credentialId: z.uuid(), confirmNoFallback: z.boolean().optional() })),
  /** Stops a rotation still waiting for its new key to work; it rolls back. False when none was running. */
  'rotation:cancel': channel<boolean>()(z.strictObject({ credentialId: z.uuid() })),
  /** Saved keys older than their rotation policy (credentials:update sets rotationMaxAgeDays). */
  'rotation:due': channel<DueRotation[]>()(z.undefined()),
};
