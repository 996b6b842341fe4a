import { z } from 'zod';
import { channel } from '../channel';

export const clipboardChannels = {
  /** Desktop only: main copies the secret and clears it after 30 s if still there (browser mode: UNSUPPORTED). */
  'clipboard:copySecret': channel<void>()(z.strictObject({ secret: z.string().min(1).max(4096) })),
};
