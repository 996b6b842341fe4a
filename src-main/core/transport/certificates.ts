import { X509Certificate } from 'node:crypto';
import type { DetailedPeerCertificate } from 'node:tls';

/**
 * What a person needs to decide whether to trust a certificate, and why Keydesk did not. Plain data: it
 * travels in errors to the renderer. PEMs stay in main (see ledger.ts); the renderer names a certificate
 * by its SHA-256 fingerprint.
 */

export interface CertificateSummary {
  subject: string;
  issuer: string;
  /** Upper-case hex pairs separated by colons, as browsers and `openssl x509 -fingerprint -sha256` show it. */
  sha256: string;
  validFrom: string;
  validTo: string;
  /** Subject alternative names, e.g. "DNS:s3.example.com", "IP:10.0.0.5". */
  altNames: string[];
  isCA: boolean;
  selfSigned: boolean;
}

export type CertificateReason = 'self-signed' | 'unknown-ca' | 'hostname-mismatch' | 'expired' | 'not-yet-valid' | 'pin-mismatch' | 'invalid';

export interface CertificateProblem {
  /** Host name or IP the connection was for; a trust decision applies to it (and its subdomains). */
  host: string;
  port: number;
  reason: CertificateReason;
  /** OpenSSL's verdict (e.g. UNABLE_TO_VERIFY_LEAF_SIGNATURE), for support. */
  detail?: string;
  /** The leaf names this host. When it does not, trusting a CA would not help: only pinning the leaf does. */
  nameMatches: boolean;
  /** As the server presented it, leaf first. */
  chain: CertificateSummary[];
  /**
   * Index in `chain` of the certificate "Trust this CA" adds: the presented chain's root, or a self-signed
   * leaf itself. Absent when the server sent no root (the CA must then come from a file).
   */
  anchor?: number;
  /** pin-mismatch: the certificates pinned for this host, none of which the server presented. */
  pinned?: { sha256: string; subject: string }[];
}

/** A host as certificates are checked for it: lower case, an IPv6 literal without brackets. */
export function normaliseHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

/** The chain the peer presented (`getPeerCertificate(true)`) (with the root from the trust store when one was found), leaf first. */
export function peerChain(peer: DetailedPeerCertificate): X509Certificate[] {
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  for (let cert = peer; cert?.raw && !seen.has(cert.fingerprint256); cert = cert.issuerCertificate) {
    seen.add(cert.fingerprint256);
    chain.push(new X509Certificate(cert.raw));
    if (chain.length >= 10) break;
  }
  return chain;
}

export function summarise(cert: X509Certificate): CertificateSummary {
  return {
    subject: distinguishedName(cert.subject),
    issuer: distinguishedName(cert.issuer),
    sha256: cert.fingerprint256,
    validFrom: isoDate(cert.validFrom),
    validTo: isoDate(cert.validTo),
    altNames: (cert.subjectAltName ?? '')
      .split(', ')
      .filter(Boolean)
      .map((name) => name.replace(/^IP Address:/, 'IP:')),
    isCA: cert.ca,
    selfSigned: isSelfSigned(cert),
  };
}

export function isSelfSigned(cert: X509Certificate): boolean {
  if (cert.subject !== cert.issuer) return false;
  try {
    return cert.verify(cert.publicKey);
  } catch {
    return false;
  }
}

const REASONS: Record<string, CertificateReason> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'unknown-ca',
  UNABLE_TO_GET_ISSUER_CERT: 'unknown-ca',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unknown-ca',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unknown-ca',
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'not-yet-valid',
  // Node's own host-name check, reported the same way once the chain verified.
  ERR_TLS_CERT_ALTNAME_INVALID: 'hostname-mismatch',
};

export function reasonFor(opensslCode: string): CertificateReason {
  return REASONS[opensslCode] ?? 'invalid';
}

/** Where "Trust this CA" would anchor: the presented chain's root, or a self-signed leaf. */
export function anchorIndex(chain: X509Certificate[]): number | undefined {
  // Only a root anchors a chain for OpenSSL: a trusted intermediate alone does not verify.
  const top = chain.length - 1;
  return top >= 0 && isSelfSigned(chain[top]) ? top : undefined;
}

/** The sentence and hint an UNTRUSTED_CERTIFICATE error carries. */
export function describeProblem(problem: CertificateProblem): { message: string; hint: string } {
  const where = `${problem.host}:${problem.port}`;
  const leaf = problem.chain[0];
  const issuer = problem.chain[problem.anchor ?? 1]?.subject ?? leaf?.issuer ?? 'an unknown issuer';
  switch (problem.reason) {
    case 'pin-mismatch':
      return {
        message: `The certificate of ${where} changed: it is not the certificate you pinned, so Keydesk refused the connection.`,
        hint: "If the server's administrator replaced the certificate, compare the new SHA-256 fingerprint with theirs, then pin the new one. Otherwise someone may be intercepting the connection.",
      };
    case 'hostname-mismatch':
      return {
        message: `The certificate of ${where} is for ${leaf?.altNames.join(', ') || leaf?.subject || 'other names'}, not for ${problem.host}.`,
        hint: `Use a host name the certificate names, or pin this exact certificate for ${problem.host}.`,
      };
    case 'self-signed':
      return { message: `${where} uses a self-signed certificate, which Keydesk doesn't trust.`, hint: 'Check the fingerprint with the server\'s administrator, then trust or pin it.' };
    case 'unknown-ca':
      return {
        message: `${where} uses a certificate issued by ${issuer}, a certificate authority Keydesk doesn't trust.`,
        hint: 'If this is your organisation\'s private CA, trust it for this endpoint.',
      };
    case 'expired':
      return { message: `The certificate of ${where} expired on ${leaf?.validTo.slice(0, 10) ?? '?'}.`, hint: 'Ask the server\'s administrator to renew it, or pin this exact certificate.' };
    case 'not-yet-valid':
      return { message: `The certificate of ${where} is not valid before ${leaf?.validFrom.slice(0, 10) ?? '?'}.`, hint: "Check this computer's clock, or pin this exact certificate." };
    default:
      return { message: `The certificate of ${where} could not be verified (${problem.detail ?? 'unknown reason'}).`, hint: 'Pin this exact certificate only if its administrator confirms the fingerprint.' };
  }
}

/** "CN=x\nO=y" (Node's form) → "CN=x, O=y". */
function distinguishedName(value: string): string {
  return value.split('\n').filter(Boolean).join(', ');
}

function isoDate(value: string): string {
  const time = Date.parse(value);
  return Number.isNaN(time) ? value : new Date(time).toISOString();
}
