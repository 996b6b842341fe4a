import { z } from 'zod';
import type { CredentialRecord, KeyHealth } from '../../core/vault/metadata-store';
import type { ConnectionCheck } from '../../core/vault/credential-vault';
import { channel } from '../channel';
import type { SavedCredentialRef } from './keys';
import { trustChoices } from './tls';

/** What the renderer may know about a saved credential: everything but the secret, plus its key's health. */
export interface CredentialSummary extends CredentialRecord {
  /** The last checks of the key it holds now; none before its first check. */
  health?: KeyHealth;
  /** A check is queued or running. */
  checking: boolean;
  /** Another saved credential holds the same key (saved twice before duplicates were refused). */
  sameKeyAs?: SavedCredentialRef;
}

/** "Test connection": and whether Keydesk holds this key already, so the form can say so before Save. */
export interface KeyPairTest extends ConnectionCheck {
  savedAs?: SavedCredentialRef;
}

const text = (max: number) => z.string().max(max);

export const keyPairInput = z.strictObject({
  endpoint: text(2048),
  region: text(64),
  accessKeyId: text(256),
  secretAccessKey: text(1024),
  forcePathStyle: z.boolean().optional(),
  checksums: z.enum(['when-required', 'when-supported']).optional(),
  /** Certificates the user chose to trust for this endpoint (see channels/tls.ts). */
  trust: trustChoices.optional(),
});

export const credentialChannels = {
  'credentials:list': channel<CredentialSummary[]>()(z.undefined()),
  'credentials:test': channel<KeyPairTest>()(keyPairInput),
  'credentials:add': channel<CredentialSummary>()(keyPairInput.extend({ label: text(200) })),
  'credentials:update': channel<CredentialSummary>()(
    z.strictObject({
      id: z.uuid(),
      label: text(200).optional(),
      checksums: z.enum(['when-required', 'when-supported']).optional(),
      forcePathStyle: z.boolean().optional(),
      rotationMaxAgeDays: z.int().min(1).max(3650).optional(),
      transfer: z
        .strictObject({ partSizeMiB: z.int().min(5).max(5120), concurrency: z.int().min(1).max(64), bandwidthLimitKiBps: z.int().min(0).max(100 * 1024 * 1024).optional() })
        .optional(),
      /** The whole list of trusted certificates: entries already stored stay, new ones must come from the ledger. */
      trust: trustChoices.optional(),
    }),
  ),
  /** Settings → Connection: another endpoint or region, or the secret typed again; verified against the server before anything is saved. */
  'credentials:changeConnection': channel<CredentialSummary>()(
    z.strictObject({
      id: z.uuid(),
      endpoint: text(2048),
      region: text(64),
      secretAccessKey: text(1024).optional(),
      forcePathStyle: z.boolean().optional(),
      checksums: z.enum(['when-required', 'when-supported']).optional(),
    }),
  ),
  'credentials:remove': channel<void>()(z.strictObject({ id: z.uuid() })),
  /** "Check now": checks the keys (all without ids) and resolves when done; progress as `credentials:health`. */
  'credentials:checkHealth': channel<void>()(z.strictObject({ ids: z.array(z.uuid()).max(10_000).optional() })),
};
