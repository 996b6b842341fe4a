import type { TLSSocket } from 'node:tls';
import { KeydeskError } from '../errors';
import { networkError } from '../providers/http';
import { peerChain, summarise, type CertificateProblem, type CertificateSummary } from './certificates';
import { openSocket } from './connect';
import { display } from './tunnel';
import type { Trust } from './trust';

/**
 * What an https: endpoint presents, and whether Keydesk trusts it with the trust given, without sending a
 * request: the certificate check behind "Check certificate" in a credential's settings. It goes through
 * the proxy like any connection, so it sees what Keydesk's requests would see.
 */

export interface CertificateReport {
  host: string;
  port: number;
  /** Set when Keydesk does not trust what the server presented, with the sentence that says why. */
  problem?: CertificateProblem;
  message?: string;
  hint?: string;
  /** As presented, leaf first (with the trusted root when one was found). */
  chain: CertificateSummary[];
  /** The proxy the connection went through, without credentials. */
  proxy?: string;
}

const PROBE_TIMEOUT_MS = 10_000;

export async function probeCertificate(endpoint: string, trust: Trust, signal?: AbortSignal): Promise<CertificateReport> {
  const url = httpsUrl(endpoint);
  const port = Number(url.port || 443);
  try {
    const { socket, proxy } = await openSocket({ protocol: 'https:', hostname: url.hostname, port }, { trust, timeoutMs: PROBE_TIMEOUT_MS, signal });
    const chain = peerChain((socket as TLSSocket).getPeerCertificate(true));
    socket.destroy();
    return { host: url.hostname, port, chain: chain.map(summarise), proxy: proxy && display(proxy) };
  } catch (error) {
    if (error instanceof KeydeskError && error.code === 'UNTRUSTED_CERTIFICATE' && error.certificate) {
      return { host: error.certificate.host, port, problem: error.certificate, message: error.message, hint: error.hint, chain: error.certificate.chain };
    }
    // Refused, unresolvable, timed out: said like any other unreachable server, never as an internal error.
    throw networkError('The server', url.href, error, (error as { code?: string })?.code === 'ETIMEDOUT', PROBE_TIMEOUT_MS, signal?.aborted);
  }
}

function httpsUrl(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new KeydeskError({ code: 'INVALID_INPUT', message: `"${endpoint.slice(0, 100)}" is not a valid URL.` });
  }
  if (url.protocol !== 'https:') throw new KeydeskError({ code: 'INVALID_INPUT', message: 'Only https:// endpoints have a certificate to check.' });
  if (url.username || url.password) throw new KeydeskError({ code: 'INVALID_INPUT', message: 'The URL must not contain a user name or password.' });
  return url;
}
