import { z } from 'zod';
import type { FixReport, ImportReport, PlaintextReport } from '../../core/plaintext/finder';
import { channel } from '../channel';
import { credentialId, localPath, operationId } from './s3-fields';

export type { FixReport, ImportReport, PlaintextReport };
export type { PlaintextFinding } from '../../core/plaintext/findings';

/** What `plaintext:progress` carries while a scan runs. */
export interface PlaintextProgress {
  operationId: string;
  filesRead: number;
  foldersSearched: number;
  /** Places a key was found so far (before keys nobody asked about are dropped). */
  found: number;
  folder?: string;
}

/** A folder the user added, and why a scan does not search it now (gone, or outside browser mode's folders). */
export interface ScanFolder {
  path: string;
  notSearched?: string;
}

const findingIds = z.array(z.uuid()).max(1000);

export const plaintextChannels = {
  /** The folders the user added to the scan. */
  'plaintext:folders': channel<ScanFolder[]>()(z.undefined()),
  /**
   * Adds a folder to the scan: the desktop app asks in a native dialog (no path from the page); browser mode
   * takes a typed path inside KEYDESK_WEB_PATHS. Resolves to the folders, unchanged if the dialog was cancelled.
   */
  'plaintext:addFolder': channel<ScanFolder[]>()(z.strictObject({ path: localPath.optional() })),
  'plaintext:removeFolder': channel<ScanFolder[]>()(z.strictObject({ path: z.string().min(1).max(4096) })),
  /**
   * Scans for plain-text keys: every key (no `key`), or every copy of one key — a saved credential's
   * (its secret is compared too) or any access key ID. Progress as `plaintext:progress`, cancel with
   * `operations:cancel`. Findings carry opaque IDs; fixes and imports name them, never a path.
   */
  'plaintext:scan': channel<PlaintextReport>()(
    z.strictObject({
      operationId,
      key: z
        .union([
          z.strictObject({ credentialId }),
          // Shaped like a key ID, so the scan cannot be used to look for any word in people's history files.
          z.strictObject({
            accessKeyId: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/, 'an access key ID has 16 to 128 letters, digits, - or _'),
            endpoint: z.string().max(2048).optional(),
            /** A leaked key: the credential now holding its replacement (offered through credential_process). */
            replacedBy: credentialId.optional(),
          }),
        ])
        .optional(),
    }),
  ),
  /** Applies the fixes the user confirmed, to findings of the last scan only; one outcome per file. */
  'plaintext:fix': channel<FixReport>()(
    z.strictObject({ fixes: z.array(z.strictObject({ findingId: z.uuid(), action: z.enum(['credential-process', 'remove']) })).min(1).max(1000) }),
  ),
  /** Imports the keys of these findings (tested first; `saveAnyway` ones saved regardless). Progress and cancel as for import:test. */
  'plaintext:import': channel<ImportReport>()(z.strictObject({ findingIds: findingIds.min(1), saveAnyway: findingIds.optional(), operationId: operationId.optional() })),
};
