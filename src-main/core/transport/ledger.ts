import { X509Certificate } from 'node:crypto';
import { KeydeskError } from '../errors';
import { isSelfSigned, normaliseHost, summarise, type CertificateSummary } from './certificates';

/*
 * Certificates servers recently presented to this process, so a trust decision can only name a
 * certificate a server really showed (or a CA file the user chose that issued it): the renderer sends a
 * fingerprint, never a PEM, and a compromised page cannot slip in a certificate of its own.
 */

type Role = 'leaf' | 'issuer' | 'imported-ca';

interface Seen {
  cert: X509Certificate;
  /** host → how the certificate came with it. */
  hosts: Map<string, Role>;
  at: number;
}

const KEEP_MS = 60 * 60 * 1000;
const MAX_SEEN = 256;
const seen = new Map<string, Seen>();

export function rememberPresented(host: string, chain: X509Certificate[]): void {
  chain.forEach((cert, index) => remember(host, cert, index === 0 ? 'leaf' : 'issuer'));
}

/** A certificate seen for `host` within the last hour, or undefined. */
export function seenFor(host: string, sha256: string): { cert: X509Certificate; role: Role } | undefined {
  const entry = seen.get(sha256);
  if (!entry || Date.now() - entry.at > KEEP_MS) return undefined;
  const role = entry.hosts.get(host);
  return role ? { cert: entry.cert, role } : undefined;
}

/**
 * A CA certificate the user chose from a file, for a server that sends only its own certificate. It must
 * be a CA and must have issued a certificate `host` presented, so a wrong file is caught here and not by a
 * later failed connection.
 */
export function importCa(hostname: string, pem: string): CertificateSummary {
  const host = normaliseHost(hostname);
  let ca: X509Certificate;
  try {
    ca = new X509Certificate(pem);
  } catch {
    throw new KeydeskError({ code: 'INVALID_INPUT', message: 'That file is not a certificate in PEM format (-----BEGIN CERTIFICATE-----).' });
  }
  const subject = summarise(ca).subject;
  if (!ca.ca && !isSelfSigned(ca)) {
    throw new KeydeskError({ code: 'INVALID_INPUT', message: `"${subject}" is not a certificate authority: choose the certificate of the CA that issued the server's certificate.` });
  }
  const presented = [...seen.values()].filter((entry) => entry.hosts.has(host) && entry.hosts.get(host) !== 'imported-ca');
  if (presented.length === 0) {
    throw new KeydeskError({ code: 'INVALID_INPUT', message: `Keydesk has not seen the certificate of ${host} recently: connect to it again first.` });
  }
  if (!presented.some((entry) => issued(ca, entry.cert))) {
    const leaf = presented.find((entry) => entry.hosts.get(host) === 'leaf') ?? presented[0];
    throw new KeydeskError({
      code: 'INVALID_INPUT',
      message: `"${subject}" did not issue the certificate ${host} presents; that one was issued by "${summarise(leaf.cert).issuer}".`,
      hint: 'Choose the certificate of that CA.',
    });
  }
  remember(host, ca, 'imported-ca');
  return summarise(ca);
}

/** For tests: forget everything. */
export function clearLedger(): void {
  seen.clear();
}

function issued(ca: X509Certificate, cert: X509Certificate): boolean {
  try {
    return cert.checkIssued(ca) && cert.verify(ca.publicKey);
  } catch {
    return false;
  }
}

function remember(host: string, cert: X509Certificate, role: Role): void {
  const now = Date.now();
  const entry = seen.get(cert.fingerprint256) ?? { cert, hosts: new Map<string, Role>(), at: now };
  // A leaf stays a leaf for its host even when another chain carries it as an issuer.
  if (entry.hosts.get(host) !== 'leaf') entry.hosts.set(host, role);
  entry.at = now;
  seen.delete(cert.fingerprint256);
  seen.set(cert.fingerprint256, entry);
  for (const key of seen.keys()) {
    if (seen.size <= MAX_SEEN) break;
    seen.delete(key);
  }
}
