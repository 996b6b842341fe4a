import { z } from 'zod';
import type { ImportPreview, ImportResult, ImportTest } from '../../core/ecosystem/importer';
import type { Snippets } from '../../core/ecosystem/snippets';
import { channel } from '../channel';

const sources = z.array(z.string().max(300)).max(200);
const operationId = z.uuid();

export const ecosystemChannels = {
  /** Key pairs found in ~/.aws, rclone.conf and ~/.s3cfg; secrets stay in main. */
  'import:scan': channel<ImportPreview>()(z.undefined()),
  /** Tests the keys of the chosen candidates (ids from import:scan); progress as `operations:progress`, cancel with `operations:cancel`. */
  'import:test': channel<ImportTest[]>()(z.strictObject({ sources, operationId })),
  /**
   * Tests, then imports the chosen candidates that work and those in `saveAnyway`; `removePlaintext`
   * rewrites their files without the secrets. Progress and cancel as for import:test.
   */
  'import:run': channel<ImportResult>()(z.strictObject({ sources, removePlaintext: z.boolean(), saveAnyway: sources.optional(), operationId: operationId.optional() })),
  /** "Use in…" snippets for aws, rclone and the shell; none contains the secret. */
  'credentials:snippets': channel<Snippets>()(z.strictObject({ id: z.uuid() })),
  /** A snippet with the secret written out: only on the user's explicit request. */
  'credentials:revealForSnippet': channel<string>()(z.strictObject({ id: z.uuid(), kind: z.enum(['rclone', 'env']) })),
};
