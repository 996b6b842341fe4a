import { X509Certificate } from 'node:crypto';
import type { TrustEntry } from '../../src-main/core/transport/trust';

/** A stored trust entry, as a user's choice would save it: for tests that start from a CA file or a known leaf. */
export function trustEntry(kind: TrustEntry['kind'], host: string, pem: string | Buffer): TrustEntry {
  const cert = new X509Certificate(pem);
  return { kind, host, sha256: cert.fingerprint256, pem: cert.toString(), subject: cert.subject, validTo: cert.validTo, addedAt: new Date().toISOString() };
}
