import { z } from 'zod';
import type { ImportPreview, ImportResult } from '../../core/ecosystem/importer';
import type { Snippets } from '../../core/ecosystem/snippets';
import { channel } from '../channel';

export const ecosystemChannels = {
  /** Key pairs found in ~/.aws, rclone.conf and ~/.s3cfg; secrets stay in main. */
  'import:scan': channel<ImportPreview>()(z.undefined()),
  /** Imports the chosen candidates (ids from import:scan); `removePlaintext` rewrites their files without the secrets. */
  'import:run': channel<ImportResult>()(z.strictObject({ sources: z.array(z.string().max(300)).max(200), removePlaintext: z.boolean() })),
  /** "Use in…" snippets for aws, rclone and the shell; none contains the secret. */
  'credentials:snippets': channel<Snippets>()(z.strictObject({ id: z.uuid() })),
  /** A snippet with the secret written out: only on the user's explicit request. */
  'credentials:revealForSnippet': channel<string>()(z.strictObject({ id: z.uuid(), kind: z.enum(['rclone', 'env']) })),
};
