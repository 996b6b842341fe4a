import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import tls, { type DetailedPeerCertificate, type TLSSocket } from 'node:tls';
import { KeydeskError } from '../errors';
import { anchorIndex, describeProblem, isSelfSigned, normaliseHost, peerChain, reasonFor, summarise, type CertificateProblem } from './certificates';
import { rememberPresented, seenFor } from './ledger';

/*
 * Per-endpoint trust a user chose for a credential or account: a private CA (certificates it issued are
 * accepted, host names still checked) or a pinned leaf (exactly that certificate, whatever its chain or
 * names). Stored with the record's non-secret metadata; never a switch that turns verification off.
 */

export interface TrustEntry {
  kind: 'ca' | 'pin';
  /** Host name or IP it applies to, with its subdomains (virtual-hosted buckets), on any port. */
  host: string;
  sha256: string;
  pem: string;
  subject: string;
  validTo: string;
  addedAt: string;
}

/** What the renderer sends: a certificate a server presented (or a CA file it issued from), named by fingerprint. */
export interface TrustChoice {
  kind: 'ca' | 'pin';
  host: string;
  sha256: string;
}

export type Trust = readonly TrustEntry[] | undefined;

const MAX_ENTRIES = 16;

/** The entries that apply to a connection to `hostname`. */
export function trustFor(trust: Trust, hostname: string): TrustEntry[] {
  if (!trust?.length) return [];
  const host = normaliseHost(hostname);
  return trust.filter((entry) => host === entry.host || host.endsWith(`.${entry.host}`));
}

/** Entries of an account that apply to one of its S3 endpoints: a key made there inherits them. */
export function inheritTrust(trust: Trust, endpoint: string): TrustEntry[] | undefined {
  const entries = trustFor(trust, new URL(endpoint).hostname);
  return entries.length ? entries : undefined;
}

let defaults: string[] | undefined;
const contexts = new Map<string, tls.SecureContext>();
const MAX_CONTEXTS = 32;

/**
 * The TLS context for a connection with private CAs: the default store plus the chosen CAs. Passing `ca`
 * replaces Node's default store, so the defaults (and NODE_EXTRA_CA_CERTS) are listed again; parsing those
 * hundreds of certificates per connection cost more than the handshake, so a context is kept per CA set.
 */
export function secureContextFor(entries: TrustEntry[]): tls.SecureContext | undefined {
  const cas = entries.filter((entry) => entry.kind === 'ca');
  if (cas.length === 0) return undefined;
  const key = cas.map((entry) => entry.sha256).sort().join(' ');
  let context = contexts.get(key);
  if (!context) {
    defaults ??= defaultCertificates();
    context = tls.createSecureContext({ ca: [...defaults, ...cas.map((entry) => entry.pem)] });
    if (contexts.size >= MAX_CONTEXTS) contexts.delete(contexts.keys().next().value!);
    contexts.set(key, context);
  }
  return context;
}

function defaultCertificates(): string[] {
  const getter = (tls as { getCACertificates?: (type: 'default') => string[] }).getCACertificates;
  if (getter) return getter('default');
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  let extraPems: string[] = [];
  try {
    if (extra) extraPems = [readFileSync(extra, 'utf8')];
  } catch {
    // Node warns about an unreadable NODE_EXTRA_CA_CERTS itself at start.
  }
  return [...tls.rootCertificates, ...extraPems];
}

/**
 * Checks a TLS socket that connected with `rejectUnauthorized: false` before any byte is written to it.
 * With a pin, the leaf must be a pinned certificate; otherwise the chain must verify against the default
 * store plus trusted CAs and the leaf must name the host. A failure is remembered (see ledger.ts) and
 * described.
 */
export function verifyPeer(socket: TLSSocket, hostname: string, port: number, entries: TrustEntry[]): CertificateProblem | undefined {
  const host = normaliseHost(hostname);
  // Read once: on Node 20, getPeerX509Certificate() empties later getPeerCertificate() answers.
  const peer = socket.getPeerCertificate(true);
  if (!peer?.raw) return problemFor(peer, host, port, 'invalid', 'NO_PEER_CERTIFICATE', entries);
  const pins = entries.filter((entry) => entry.kind === 'pin');
  if (pins.length) {
    const sha256 = new X509Certificate(peer.raw).fingerprint256;
    return pins.some((pin) => pin.sha256 === sha256) ? undefined : problemFor(peer, host, port, 'pin-mismatch', undefined, entries);
  }
  const nameError = tls.checkServerIdentity(host, peer) as NodeJS.ErrnoException | undefined;
  if (socket.authorized && !nameError) return undefined;
  const code = socket.authorized ? undefined : String(socket.authorizationError);
  return problemFor(peer, host, port, code ? reasonFor(code) : 'hostname-mismatch', code ?? nameError?.code, entries);
}

function problemFor(peer: DetailedPeerCertificate, host: string, port: number, reason: CertificateProblem['reason'], detail: string | undefined, entries: TrustEntry[]): CertificateProblem {
  const chain = peerChain(peer);
  rememberPresented(host, chain);
  return {
    host,
    port,
    reason,
    detail,
    nameMatches: peer?.raw ? !tls.checkServerIdentity(host, peer) : false,
    chain: chain.map(summarise),
    anchor: anchorIndex(chain),
    pinned: reason === 'pin-mismatch' ? entries.filter((entry) => entry.kind === 'pin').map(({ sha256, subject }) => ({ sha256, subject })) : undefined,
  };
}

export function certificateError(problem: CertificateProblem): KeydeskError {
  return new KeydeskError({ code: 'UNTRUSTED_CERTIFICATE', ...describeProblem(problem), certificate: problem });
}

/**
 * Turns the renderer's choices into entries to store. Each must name a certificate already stored in
 * `keep` or one the ledger saw for that host in the right role: a pin a server's leaf, a CA an issuer the
 * server presented, a self-signed leaf, or a CA file that issued the server's certificate. Trusting a CA
 * never lifts the host-name check (verifyPeer keeps it): for a certificate that names other hosts, only a pin works.
 */
export function resolveTrust(choices: readonly TrustChoice[] | undefined, keep: Trust = []): TrustEntry[] | undefined {
  if (!choices?.length) return undefined;
  if (choices.length > MAX_ENTRIES) throw new KeydeskError({ code: 'INVALID_INPUT', message: `At most ${MAX_ENTRIES} trusted certificates per endpoint.` });
  const entries = new Map<string, TrustEntry>();
  for (const choice of choices) {
    const host = normaliseHost(choice.host);
    const key = `${choice.kind} ${host} ${choice.sha256}`;
    const stored = keep?.find((entry) => `${entry.kind} ${entry.host} ${entry.sha256}` === key);
    entries.set(key, stored ?? newEntry(choice.kind, host, choice.sha256));
  }
  return [...entries.values()];
}

function newEntry(kind: TrustChoice['kind'], host: string, sha256: string): TrustEntry {
  const found = seenFor(host, sha256);
  if (!found) {
    throw new KeydeskError({
      code: 'INVALID_INPUT',
      message: `Keydesk has not seen that certificate for ${host} recently: connect to the server again, then choose.`,
    });
  }
  const { cert, role } = found;
  if (kind === 'pin' && role !== 'leaf') throw new KeydeskError({ code: 'INVALID_INPUT', message: `Only the server's own certificate can be pinned, not its issuer's.` });
  if (kind === 'ca') {
    const anchor = role === 'imported-ca' || (role === 'issuer' && (cert.ca || isSelfSigned(cert))) || (role === 'leaf' && isSelfSigned(cert));
    if (!anchor) throw new KeydeskError({ code: 'INVALID_INPUT', message: `"${summarise(cert).subject}" is not a certificate authority: pin it instead.` });
  }
  return entryOf(kind, host, cert);
}

function entryOf(kind: TrustEntry['kind'], host: string, cert: X509Certificate): TrustEntry {
  const summary = summarise(cert);
  return { kind, host, sha256: summary.sha256, pem: cert.toString(), subject: summary.subject, validTo: summary.validTo, addedAt: new Date().toISOString() };
}
