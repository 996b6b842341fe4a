import net from 'node:net';
import tls from 'node:tls';
import { abortError } from '../cancel';
import { KeydeskError } from '../errors';
import type { ProxyRoute } from './proxy';
import { normaliseHost } from './certificates';

/*
 * A CONNECT tunnel through an HTTP(S) proxy, for https: and http: origins alike: what goes through it is
 * the origin's business (TLS to the origin is verified against the origin's own trust, never the proxy's).
 * Every failure before the tunnel stands names the proxy, so nobody debugs the S3 server for a proxy's refusal.
 */

export interface Origin {
  hostname: string;
  port: number;
}

const MAX_ANSWER_BYTES = 16 * 1024;

export function openTunnel(route: ProxyRoute, origin: Origin, signal: AbortSignal): Promise<net.Socket> {
  const proxyHost = normaliseHost(route.url.hostname);
  const secure = route.url.protocol === 'https:';
  const proxyPort = Number(route.url.port || (secure ? 443 : 80));
  const authority = `${net.isIPv6(origin.hostname) ? `[${origin.hostname}]` : origin.hostname}:${origin.port}`;
  return new Promise((resolve, reject) => {
    const socket = secure
      ? tls.connect({ host: proxyHost, port: proxyPort, servername: net.isIP(proxyHost) ? undefined : proxyHost, ALPNProtocols: ['http/1.1'] })
      : net.connect({ host: proxyHost, port: proxyPort });
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', abort);
      socket.removeListener('readable', onReadable);
      socket.removeListener('error', onError);
      socket.removeListener('close', onClose);
      if (error) {
        socket.destroy();
        reject(error);
      } else resolve(socket);
    };
    const abort = () => finish(signal.reason instanceof Error && signal.reason.name === 'TimeoutError' ? proxyTimeout(route) : abortError());
    const onError = (error: Error) => finish(unreachable(route, authority, error));
    const onClose = () => finish(new KeydeskError({ code: 'NETWORK', message: `The proxy ${display(route)} closed the connection without answering the request for ${authority}.`, hint: hintFor(route, origin) }));
    let answer = Buffer.alloc(0);
    const onReadable = () => {
      for (let chunk: Buffer | null; (chunk = socket.read() as Buffer | null) !== null; ) answer = Buffer.concat([answer, chunk]);
      const end = answer.indexOf('\r\n\r\n');
      if (end < 0) {
        if (answer.length > MAX_ANSWER_BYTES) finish(new KeydeskError({ code: 'PROXY', message: `The proxy ${display(route)} sent an answer too large to be one.` }));
        return;
      }
      const statusLine = answer.toString('latin1', 0, answer.indexOf('\r\n'));
      const status = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(statusLine);
      if (!status) return finish(new KeydeskError({ code: 'PROXY', message: `${display(route)} did not answer like an HTTP proxy (${JSON.stringify(statusLine.slice(0, 40))}).`, hint: hintFor(route, origin) }));
      const code = Number(status[1]);
      if (code < 200 || code > 299) return finish(refused(route, authority, origin, code, status[2] ?? ''));
      // Nothing may follow the answer: the origin has not been sent anything yet.
      if (end + 4 < answer.length) return finish(new KeydeskError({ code: 'PROXY', message: `The proxy ${display(route)} sent data before the tunnel to ${authority} was used.` }));
      finish();
    };
    if (signal.aborted) return abort();
    signal.addEventListener('abort', abort, { once: true });
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      let head = `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n`;
      if (route.authorization) head += `Proxy-Authorization: ${route.authorization}\r\n`;
      socket.write(`${head}\r\n`, 'latin1');
      socket.on('readable', onReadable);
    });
  });
}

/** The proxy as it may be shown: no credentials. */
export function display(route: ProxyRoute): string {
  return route.url.origin;
}

function refused(route: ProxyRoute, authority: string, origin: Origin, status: number, reason: string): KeydeskError {
  const answer = `HTTP ${status}${reason ? ` ${reason}` : ''}`;
  // 407 is the standard answer; some proxies (tinyproxy) answer wrong credentials with 401.
  if (status === 407 || status === 401) {
    return new KeydeskError({
      code: 'PROXY',
      status,
      message: route.authorization
        ? `The proxy ${display(route)} did not accept the user name and password in ${route.source} (${answer}).`
        : `The proxy ${display(route)} requires proxy authentication: a user name and password (${answer}).`,
      hint: route.authorization
        ? 'Check the proxy user name and password.'
        : `Put them in the proxy setting (${route.source}), e.g. http://user:password@${route.url.host}; special characters percent-encoded.`,
    });
  }
  return new KeydeskError({
    code: 'PROXY',
    status,
    message:
      status === 403
        ? `The proxy ${display(route)} refused to connect to ${authority} (${answer}).`
        : `The proxy ${display(route)} could not connect to ${authority} (${answer}).`,
    hint: status === 403 ? `Ask your network administrator to allow ${authority} through the proxy, or add ${origin.hostname} to NO_PROXY if it can be reached directly.` : hintFor(route, origin),
  });
}

function unreachable(route: ProxyRoute, authority: string, error: Error & { code?: string }): KeydeskError {
  const code = error.code ?? '';
  const reason =
    code === 'ECONNREFUSED'
      ? 'connection refused'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'its host name could not be resolved'
        : code === 'ECONNRESET'
          ? 'the connection was reset'
          : code.startsWith('ERR_TLS') || code.includes('CERT')
            ? `its TLS certificate is not trusted (${code})`
            : code || error.message;
  return new KeydeskError(
    {
      code: 'NETWORK',
      message: `Cannot reach the proxy ${display(route)} (${reason}), which ${route.source} names for ${authority}.`,
      hint: `Check the proxy setting (${route.source}) and that the proxy is running, or add the host to NO_PROXY if it can be reached directly.`,
    },
    { cause: error },
  );
}

function proxyTimeout(route: ProxyRoute): KeydeskError {
  return new KeydeskError({ code: 'TIMEOUT', message: `The proxy ${display(route)} did not set up the connection in time.`, hint: `Check the proxy setting (${route.source}) and your network.` });
}

function hintFor(route: ProxyRoute, origin: Origin): string {
  return `Check the proxy setting (${route.source}), or add ${origin.hostname} to NO_PROXY if it can be reached directly.`;
}
