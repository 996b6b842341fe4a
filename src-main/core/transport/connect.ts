import net from 'node:net';
import { abortError } from '../cancel';
import tls from 'node:tls';
import { resolveProxy, type ProxyRoute } from './proxy';
import { normaliseHost } from './certificates';
import { certificateError, secureContextFor, trustFor, verifyPeer, type Trust, type TrustEntry } from './trust';
import { openTunnel } from './tunnel';

/*
 * The one way Keydesk opens a connection to a server: direct or through the proxy resolveProxy names
 * (a CONNECT tunnel), TLS verified against the default store plus the endpoint's own trust (trust.ts).
 * The socket is handed over only once it is verified: nothing is written to a server Keydesk does not
 * trust. Used by http1.ts (object bytes), and through agents.ts by the AWS SDK and provider API calls.
 */

export interface Endpoint {
  protocol: string;
  hostname: string;
  port: number;
}

export interface OpenOptions {
  trust?: Trust;
  /** For the whole setup: proxy, tunnel, TCP and TLS. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Read into the caller's buffer where the socket allows it (direct connections; see http1.ts). */
  onread?: net.OnReadOpts;
  alpn?: string[];
}

export interface OpenedSocket {
  socket: net.Socket;
  /** False when `onread` could not apply (TLS through a tunnel): read 'data' events instead. */
  readsIntoBuffer: boolean;
  proxy?: ProxyRoute;
}

const DEFAULT_TIMEOUT_MS = 10_000;

export async function openSocket(endpoint: Endpoint, options: OpenOptions = {}): Promise<OpenedSocket> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  if (signal.aborted) throw stopped(signal);
  const hostname = normaliseHost(endpoint.hostname);
  const secure = endpoint.protocol === 'https:';
  const urlHost = net.isIPv6(hostname) ? `[${hostname}]` : hostname;
  const route = await resolveProxy(new URL(`${endpoint.protocol}//${urlHost}:${endpoint.port}/`));
  const entries = secure ? trustFor(options.trust, hostname) : [];
  const tlsOptions: tls.ConnectionOptions = {
    servername: net.isIP(hostname) ? undefined : hostname,
    ALPNProtocols: options.alpn,
    secureContext: secureContextFor(entries),
    // Verified by verifyPeer before the socket is handed over, so the error can show the certificate.
    rejectUnauthorized: false,
  };
  if (route) {
    const tunnel = await openTunnel(route, { hostname, port: endpoint.port }, signal);
    if (!secure) return { socket: tunnel, readsIntoBuffer: false, proxy: route };
    // Node ignores `onread` for TLS over an existing socket.
    const socket = tls.connect({ ...tlsOptions, socket: tunnel });
    await settle(socket, 'secureConnect', signal, timeoutMs);
    verified(socket, hostname, endpoint.port, entries);
    return { socket, readsIntoBuffer: false, proxy: route };
  }
  const onread = options.onread;
  if (!secure) {
    const socket = net.connect({ host: hostname, port: endpoint.port, onread });
    await settle(socket, 'connect', signal, timeoutMs);
    return { socket, readsIntoBuffer: onread !== undefined };
  }
  // TLS sockets honour `onread` like plain ones (covered by the tests); Node's typings only lack it.
  const socket = tls.connect({ ...tlsOptions, host: hostname, port: endpoint.port, onread } as tls.ConnectionOptions);
  await settle(socket, 'secureConnect', signal, timeoutMs);
  verified(socket, hostname, endpoint.port, entries);
  return { socket, readsIntoBuffer: onread !== undefined };
}

function verified(socket: tls.TLSSocket, hostname: string, port: number, entries: TrustEntry[]): void {
  const problem = verifyPeer(socket, hostname, port, entries);
  if (!problem) return;
  socket.destroy();
  throw certificateError(problem);
}

/** Waits for `event`; an error, a close, a cancel or the deadline destroys the socket and rejects. */
function settle(socket: net.Socket, event: 'connect' | 'secureConnect', signal: AbortSignal, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      signal.removeEventListener('abort', onAbort);
      socket.removeListener(event, onEvent);
      socket.removeListener('error', done);
      socket.removeListener('close', onClose);
      if (!error) return resolve();
      socket.destroy();
      reject(error);
    };
    const onEvent = () => done();
    const onClose = () => done(Object.assign(new Error('The server closed the connection during setup.'), { code: 'ECONNRESET' }));
    const onAbort = () => done(stopped(signal, timeoutMs));
    socket.once(event, onEvent);
    socket.once('error', done);
    socket.once('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function stopped(signal: AbortSignal, timeoutMs = DEFAULT_TIMEOUT_MS): Error {
  if (signal.reason instanceof Error && signal.reason.name === 'TimeoutError') {
    return Object.assign(new Error(`Connecting to the server timed out (${Math.round(timeoutMs / 1000)} s).`), { name: 'TimeoutError', code: 'ETIMEDOUT' });
  }
  return abortError();
}
