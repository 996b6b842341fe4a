import { z } from 'zod';
import type { CertificateProblem, CertificateSummary } from '../../core/transport/certificates';
import type { CertificateReport } from '../../core/transport/probe';
import type { TrustEntry } from '../../core/transport/trust';
import { channel } from '../channel';

export type { CertificateProblem, CertificateReport, CertificateSummary, TrustEntry };

/** A host name or IP literal, as URL.hostname gives it (lower case, IPv6 without brackets allowed). */
const host = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9.:_\-[\]]+$/i, 'a host name or IP address');

/**
 * "Trust this CA" / "Pin this certificate": a certificate main saw the server present (or a CA file it
 * checked), named by its SHA-256 fingerprint. Main keeps the certificates; the page never sends one.
 */
export const trustChoices = z
  .array(
    z.strictObject({
      kind: z.enum(['ca', 'pin']),
      host,
      sha256: z.string().regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, 'a SHA-256 fingerprint (AB:CD:…)'),
    }),
  )
  .max(16);

export type TrustChoice = z.infer<typeof trustChoices>[number];

export const tlsChannels = {
  /** What an https: endpoint presents and whether Keydesk trusts it (a saved credential's or account's trust applies). */
  'tls:probe': channel<CertificateReport>()(
    z.strictObject({
      url: z.url({ protocol: /^https$/ }).max(2048),
      credentialId: z.uuid().optional(),
      accountId: z.uuid().optional(),
    }),
  ),
  /** A CA certificate (PEM) the user chose from a file, for a server that sends only its own certificate. */
  'tls:importCa': channel<CertificateSummary>()(z.strictObject({ host, pem: z.string().min(1).max(64 * 1024) })),
};
