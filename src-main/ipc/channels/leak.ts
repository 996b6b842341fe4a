import { z } from 'zod';
import type { LeakPlan, LeakResult } from '../../core/rotation/leak';
import { channel } from '../channel';
import { keyRef } from './keys';
import { credentialId } from './s3-fields';

export type { LeakPlan, LeakProgress, LeakResult, LeakStep, LeakStop, LeakStopOption, StoppedAs } from '../../core/rotation/leak';
export type { KeyLastUse } from '../../core/providers/adapter';

/** The "Report leaked…" screen's plan, with each switching credential's credential_process profile. */
export interface LeakPreview extends Omit<LeakPlan, 'switches'> {
  switches: { id: string; label: string; profile: string }[];
  /** How profiles run `credential-process`; they read the key from the keychain, so they follow the switch. */
  credentialProcess: string;
}

/** A saved credential's key (credential rows, the tray), or a key on an account's keys screen. */
const target = z.union([z.strictObject({ credentialId }), keyRef]);

export const leakChannels = {
  /** What "Report leaked…" will do, before anything happens: how the key is stopped, what switches, its last use. */
  'leak:plan': channel<LeakPreview>()(z.strictObject({ target })),
  /**
   * Stops the key now, creates and verifies its replacement, switches every saved credential, revokes old
   * keys pending for it. `confirm` is required for a stop that cannot be undone (delete, reset). Progress
   * as `leak:progress`.
   */
  'leak:report': channel<LeakResult>()(z.strictObject({ target, stop: z.enum(['deactivate', 'delete', 'suspend-owner', 'reset']), confirm: z.boolean().optional() })),
  /** Stops waiting for the replacement to work (it is saved unverified: the leaked key is stopped already). */
  'leak:cancel': channel<boolean>()(z.strictObject({ accessKeyId: z.string().min(1).max(256) })),
};
